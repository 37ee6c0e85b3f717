"""`mechctl init` and `mechctl schema`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Runner, commit_count, committed_files, git, status, trailers


def test_init_creates_repository_and_one_commit(cli: Runner, outside: Path) -> None:
    target = outside / "org"
    result = cli("init", str(target), cwd=outside)
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert f"created a git repository in {target}" in result.stderr
    assert sorted(committed_files(target)) == [
        ".gitattributes",
        ".mechctl.yaml",
        "escalations/.gitkeep",
        "mechanisms/.gitkeep",
        "schemas/config.schema.json",
        "schemas/escalation.schema.json",
        "schemas/mechanism.schema.json",
    ]
    assert commit_count(target) == 1
    assert trailers(target) == {"Mechctl-Action": "repo.init", "Mechctl-Record": "."}
    assert git(target, "log", "-1", "--format=%s").strip() == "mechctl init"
    assert status(target) == ""
    assert (target / ".gitattributes").read_text() == (
        "mechanisms/*.yaml merge=mechctl\nescalations/**/*.yaml merge=mechctl\n"
    )
    import sys

    assert git(target, "config", "merge.mechctl.driver").strip() == (
        f"{sys.executable} -m mechctl merge-driver %O %A %B %P"
    )


def test_init_twice_changes_nothing(cli: Runner, repo: Path) -> None:
    before = git(repo, "rev-parse", "HEAD")
    result = cli("init", str(repo))
    assert result.exit_code == 0
    assert result.stderr == f"{repo} is already a mechctl repository; nothing changed\n"
    assert git(repo, "rev-parse", "HEAD") == before


def test_init_in_existing_repo_keeps_users_staged_work(cli: Runner, outside: Path) -> None:
    target = outside / "existing"
    target.mkdir()
    git(target, "init", "-q")
    (target / "notes.txt").write_text("mine\n")
    git(target, "add", "notes.txt")
    result = cli("init", str(target), cwd=outside)
    assert result.exit_code == 0, result
    assert "notes.txt" not in committed_files(target)
    assert status(target) == "A  notes.txt\n"


def test_init_without_identity_creates_nothing(cli: Runner, outside: Path) -> None:
    target = outside / "anon"
    empty = outside / "empty.gitconfig"
    empty.write_text("")
    result = cli("init", str(target), cwd=outside, env={"GIT_CONFIG_GLOBAL": str(empty)})
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: git identity is not set (user.name, user.email missing)"
    )
    assert "hint: run: git config --global user.name" in result.stderr
    assert not target.exists()


def test_schema_check_passes_on_fresh_repo(cli: Runner) -> None:
    result = cli("schema", "--check")
    assert result.exit_code == 0
    assert result.stderr == "schemas are up to date\n"


def test_schema_check_fails_when_stale_and_schema_rewrites(cli: Runner, repo: Path) -> None:
    path = repo / "schemas" / "mechanism.schema.json"
    path.write_text("{}\n")
    result = cli("schema", "--check")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: schemas are stale: schemas/mechanism.schema.json\n"
        "hint: run `mechctl schema` and commit\n"
    )
    fixed = cli("schema")
    assert fixed.exit_code == 0
    assert fixed.stderr == "wrote schemas/mechanism.schema.json\n"
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_repository_schemas_are_current() -> None:
    """The project's own schemas/ must match the models."""
    from mechctl.services.schema import stale_schemas

    root = Path(__file__).resolve().parents[1]
    assert stale_schemas(root) == [], "run `mechctl schema` and commit schemas/"


def test_outside_a_repository(cli: Runner, outside: Path) -> None:
    result = cli("mechanism", "list", cwd=outside)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: not a git repository: {outside}\nhint: run `mechctl init` to create one here\n"
    )


def test_version(cli: Runner) -> None:
    from mechctl import __version__

    result = cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"mechctl {__version__}\n")


def test_internal_error_is_one_line_and_exit_3(cli: Runner, repo: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mechctl.services.mechanism import listing as mechanisms

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(mechanisms, "mechanism_rows", boom)
    result = cli("mechanism", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: internal error: RuntimeError: simulated bug (a bug in mechctl; details in "
    )
    assert result.stderr.endswith("; MECHCTL_DEBUG=1 shows the traceback)\n")
    assert "Traceback" not in result.stderr
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    debug = CliRunner().invoke(
        app, ["-C", str(repo), "mechanism", "list"], env={"MECHCTL_DEBUG": "1"}
    )
    assert isinstance(debug.exception, RuntimeError)  # re-raised, so the traceback shows
    assert str(debug.exception) == "simulated bug"
