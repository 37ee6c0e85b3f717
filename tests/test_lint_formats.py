"""`mechctl lint` output formats, exit codes, --list-rules, and bad command lines/config."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import Runner
from lintkit import NOW, esc_text, findings, write, write_esc

DATA = Path(__file__).parent / "data"
ENV = {"MECHCTL_NOW": NOW}


@pytest.fixture
def wbr(cli: Runner) -> str:
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    return "wbr"


@pytest.fixture
def broken(repo: Path, wbr: str) -> Path:
    """Two escalations: one error and one warning in the first, one error in the second."""
    write_esc(
        repo,
        "esc-20261120-aaaaaaaa",
        mechanism="wbrr",
        status="open",
        severity="sev2",
        raised_at="2026-11-20T07:00:00Z",
    )
    write(
        repo,
        "escalations/2026/11/esc-20261121-bbbbbbbb.yaml",
        esc_text("esc-20261121-bbbbbbbb", failure_mode="scale").replace("sev3", "sev9"),
    )
    return repo


A = "escalations/2026/11/esc-20261120-aaaaaaaa.yaml"
B = "escalations/2026/11/esc-20261121-bbbbbbbb.yaml"
TEXT = (
    f"{A}:3:12  error    unknown-mechanism  no mechanism 'wbrr' (did you mean 'wbr'?)\n"
    f"{A}:7:9   warning  ack-overdue        sev2 escalation still unacknowledged 1d 5h after"
    " it was raised (acknowledge within 4h: `mechctl escalation ack esc-20261120-aaaaaaaa`)\n"
    "\n"
    f"{B}:5:11  error    schema  severity: invalid value 'sev9'; allowed: sev1, sev2, sev3,"
    " sev4\n"
    "\n"
    "2 errors and 1 warning in 2 files (3 record files checked)\n"
)


def test_text_groups_by_file_with_a_summary(cli: Runner, broken: Path) -> None:
    result = cli("lint", env=ENV)
    assert result.exit_code == 1
    assert result.stdout == TEXT
    assert result.stderr == ""


def test_json_is_the_list_of_findings(cli: Runner, broken: Path) -> None:
    result = cli("lint", "--format", "json", env=ENV)
    assert result.exit_code == 1
    assert json.loads(result.stdout)[2] == {
        "path": "escalations/2026/11/esc-20261121-bbbbbbbb.yaml",
        "line": 5,
        "column": 11,
        "rule": "schema",
        "severity": "error",
        "message": "severity: invalid value 'sev9'; allowed: sev1, sev2, sev3, sev4",
    }
    assert len(json.loads(result.stdout)) == 3


def test_github_workflow_commands(cli: Runner, broken: Path) -> None:
    result = cli("lint", "--format", "github", env=ENV)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=escalations/2026/11/esc-20261120-aaaaaaaa.yaml,line=3,col=12,"
        "title=unknown-mechanism (mechctl)::no mechanism 'wbrr' (did you mean 'wbr'?)",
        "::warning file=escalations/2026/11/esc-20261120-aaaaaaaa.yaml,line=7,col=9,"
        "title=ack-overdue (mechctl)::sev2 escalation still unacknowledged 1d 5h after it was"
        " raised (acknowledge within 4h: `mechctl escalation ack esc-20261120-aaaaaaaa`)",
        "::error file=escalations/2026/11/esc-20261121-bbbbbbbb.yaml,line=5,col=11,"
        "title=schema (mechctl)::severity: invalid value 'sev9'; allowed: sev1, sev2, sev3, sev4",
        "mechctl lint: 2 errors and 1 warning in 2 files (3 record files checked)",
    ]


def test_github_escapes_percent_newlines_colons_and_commas(
    cli: Runner, repo: Path, wbr: str
) -> None:
    # A misplaced file whose name holds ':' and ',', with a key holding '%', CR and LF.
    text = esc_text() + '"50%\\r\\nof: it, too": 1\n'
    write(repo, "escalations/2026/11/odd,name:1.yaml", text)
    result = cli("lint", "--format", "github", env=ENV)
    line = len(esc_text().splitlines()) + 1
    assert result.stdout.splitlines()[0] == (
        f"::error file=escalations/2026/11/odd%2Cname%3A1.yaml,line={line},col=1,"
        "title=schema (mechctl)::unknown key '50%25%0D%0Aof: it, too'"
    )
    assert len(result.stdout.splitlines()) == 2  # and the summary line


def test_sarif_validates_against_the_sarif_2_1_0_schema(cli: Runner, broken: Path) -> None:
    config = broken / ".mechctl.yaml"
    text = config.read_text()
    config.write_text(text.replace("  rules: {}", "  rules: {recurring-failure: off}"))
    result = cli("lint", "--format", "sarif", env=ENV)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)

    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mechctl"
    ids = [rule["id"] for rule in driver["rules"]]
    from mechctl.services.lint.rules import RULES

    assert ids == list(RULES)
    off = driver["rules"][ids.index("recurring-failure")]
    assert off["defaultConfiguration"] == {"level": "none", "enabled": False}
    assert driver["rules"][ids.index("ack-overdue")]["defaultConfiguration"] == {"level": "warning"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == broken.resolve().as_uri() + "/"
    first = run["results"][0]
    assert first == {
        "ruleId": "unknown-mechanism",
        "ruleIndex": ids.index("unknown-mechanism"),
        "level": "error",
        "message": {"text": "no mechanism 'wbrr' (did you mean 'wbr'?)"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {"startLine": 3, "startColumn": 12},
                }
            }
        ],
    }
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error"]
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_sarif_without_findings_is_valid(cli: Runner, repo: Path) -> None:
    result = cli("lint", "--format", "sarif", env=ENV)
    assert result.exit_code == 0
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))
    assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_paths_limit_what_is_reported(cli: Runner, broken: Path) -> None:
    rel = "escalations/2026/11/esc-20261121-bbbbbbbb.yaml"
    assert [f["path"] for f in findings(cli, rel)] == [rel]
    assert [f["path"] for f in findings(cli, "mechanisms")] == []
    assert len(findings(cli, "escalations/2026", "mechanisms/")) == 3
    # relative to -C (or the current folder), like git
    result = cli(
        "lint",
        "--format",
        "json",
        "11/esc-20261121-bbbbbbbb.yaml",
        cwd=broken / "escalations" / "2026",
        env=ENV,
    )
    assert [f["path"] for f in json.loads(result.stdout)] == [rel]


def test_list_rules(cli: Runner, repo: Path) -> None:
    from mechctl.services.lint.rules import RULES

    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text().replace("  rules: {}", "  rules: {ack-overdue: error}"))
    result = cli("lint", "--list-rules")
    assert result.exit_code == 0
    heads = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert [head.split()[0] for head in heads] == list(RULES)
    assert "ack-overdue  error (configured; default warning)" in heads
    assert "resolution-without-change  warning (error for a change that is not on record)" in heads
    assert "unversioned-change  error  with --base" in heads
    data = json.loads(cli("lint", "--list-rules", "--format", "json").stdout)
    assert data[list(RULES).index("ack-overdue")]["level"] == "error"
    assert {"id", "default", "level", "summary", "explanation"} <= set(data[0])


def test_list_rules_outside_a_repository(cli: Runner, outside: Path) -> None:
    result = cli("lint", "--list-rules", "--format", "json", cwd=outside)
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "yaml-syntax"


# -- bad input on the command line and in the configuration ----------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["../elsewhere"], "error: ../elsewhere: outside the repository ({root})\n"),
        (["nope.yaml"], "error: nope.yaml: no such file or folder\n"),
        (
            [".mechctl.yaml"],
            "error: .mechctl.yaml: not a file mechctl lint checks (records under"
            " mechanisms/ and escalations/, schemas/*.schema.json, CODEOWNERS)\n",
        ),
        ([".git/config"], "error: .git/config: inside .git, not a record\n"),
        (["--list-rules", "mechanisms"], "error: --list-rules takes no PATH or --base\n"),
        (
            ["--format", "xml"],
            "error: Invalid value for '--format': 'xml' is not one of 'text',"
            " 'json', 'github', 'sarif'. (see `mechctl lint --help`)\n",
        ),
        (
            ["--fail-level", "info"],
            "error: Invalid value for '--fail-level': 'info' is not one"
            " of 'error', 'warning'. (see `mechctl lint --help`)\n",
        ),
    ],
)
def test_usage_errors(cli: Runner, repo: Path, args: list[str], message: str) -> None:
    (repo.parent / "elsewhere").mkdir(exist_ok=True)
    result = cli("lint", *args)
    assert result.exit_code == 2
    assert result.stderr == message.format(root=repo.resolve())
    assert result.stdout == ""


def test_unknown_rule_in_config_is_a_config_error_at_its_line(cli: Runner, repo: Path) -> None:
    config = repo / ".mechctl.yaml"
    text = config.read_text().replace("  rules: {}", "  rules:\n    ack-overdu: off")
    config.write_text(text)
    line = text.splitlines().index("    ack-overdu: off") + 1
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: invalid configuration: .mechctl.yaml:{line}:5: unknown lint rule 'ack-overdu'"
        " (did you mean 'ack-overdue'?)\n"
    )


def test_bad_rule_level_in_config(cli: Runner, repo: Path) -> None:
    config = repo / ".mechctl.yaml"
    text = config.read_text().replace("  rules: {}", "  rules:\n    ack-overdue: fatal")
    config.write_text(text)
    line = text.splitlines().index("    ack-overdue: fatal") + 1
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: invalid configuration: .mechctl.yaml:{line}:18: lint.rules.ack-overdue: invalid"
        " value 'fatal'; allowed: error, warning, off\n"
    )


def test_broken_config_yaml(cli: Runner, repo: Path) -> None:
    (repo / ".mechctl.yaml").write_text("escalation:\n  levels: [team\n")
    result = cli("lint")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid configuration: .mechctl.yaml:3:1: YAML syntax")


def test_outside_a_repository(cli: Runner, outside: Path) -> None:
    result = cli("lint", cwd=outside)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: not a git repository: {outside}")


def test_light_modules_agree_with_the_layout() -> None:
    from mechctl.services.lint import files
    from mechctl.store import layout

    assert set(files.SCHEMA_FILES) == set(layout.SCHEMA_FILES.values())
    assert set(files.FOLDERS) == {layout.MECHANISMS, layout.ESCALATIONS}
    assert files.CONFIG_FILE == layout.CONFIG_FILE


def test_warm_path_loads_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mechctl.cli.lint.warm, mechctl.services.lint.state,"
        " mechctl.services.lint.kept,"
        " mechctl.services.core.index, mechctl.cli.lint.output;"
        " print(sorted(m for m in ('pydantic', 'ruamel.yaml', 'typer', 'rich')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src")},
        check=True,
    )
    assert done.stdout == "[]\n"


def test_plain_text_is_the_styled_text_without_its_styles(tmp_path: Path) -> None:
    from mechctl.cli.lint.output import text_parts, text_plain
    from mechctl.services.lint.finding import Finding, LintReport

    findings = [
        Finding("escalations/2026/11/a.yaml", 3, 1, "unknown-mechanism", "error", "no 'x'"),
        Finding("escalations/2026/11/a.yaml", 12, 10, "ack-overdue", "warning", "late"),
        Finding("mechanisms/m.yaml", 1, 1, "schema", "error", "id: missing"),
    ]
    for found in (findings, []):
        report = LintReport(findings=found, files=3, reused=0, root=tmp_path)
        assert text_plain(report) == "".join(piece for piece, _ in text_parts(report))
