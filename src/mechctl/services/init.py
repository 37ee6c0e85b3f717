"""`mechctl init`: make a folder a mechanism repository, in one commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mechctl.errors import NotARepositoryError
from mechctl.git.repo import Git, identity_at
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.services.doctor import ATTRIBUTES, local_driver
from mechctl.services.schema import schema_texts
from mechctl.store import layout

DEFAULT_CONFIG = """\
# yaml-language-server: $schema=schemas/config.schema.json
# mechctl configuration. Every key is optional; the values below are the defaults.

escalation:
  # Lowest to highest. Escalations start high: escalate early, escalate high.
  levels: [team, manager, director, vp]
  default_level: director
  # How soon an escalation should be acknowledged, and resolved, by severity.
  ack_within: {sev1: 1h, sev2: 4h, sev3: 1d, sev4: 3d}
  resolve_within: {sev1: 1d, sev2: 3d, sev3: 14d, sev4: 30d}

# When `teams` is present, every owner, stakeholder and inspector must be one of them,
# and `mechctl codeowners` maps each team to its code owners.
# teams:
#   platform-eng: {codeowners: ["@example-org/platform-eng"]}

lint:
  # Change a rule's level: error, warning or off. `mechctl lint --list-rules` lists them.
  rules: {}
"""

KEEP = "# This file keeps the folder in git until the first record arrives.\n"


@dataclass
class InitResult:
    root: Path
    created: bool
    files: list[str] = field(default_factory=list)
    new_repository: bool = False


def init_repository(path: Path) -> InitResult:
    path = path.expanduser().resolve()
    probe = path
    while not probe.exists():
        probe = probe.parent
    identity_at(probe)  # no identity, no commit: say so before creating anything
    new_repository = False
    try:
        git = Git.discover(path) if path.exists() else None
    except NotARepositoryError:
        git = None
    if git is None:
        Git.init(path)
        git = Git.discover(path)
        new_repository = True
    root = git.root
    if (root / layout.CONFIG_FILE).exists():
        return InitResult(root=root, created=False)
    ws = Workspace(git=git)
    files: dict[str, str] = {layout.CONFIG_FILE: DEFAULT_CONFIG}
    for folder in (layout.MECHANISMS, layout.ESCALATIONS):
        if not (root / folder).is_dir() or not any((root / folder).iterdir()):
            files[f"{folder}/.gitkeep"] = KEEP
    files.update(schema_texts())
    attributes = root / ".gitattributes"
    existing = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    if ATTRIBUTES not in existing:
        files[".gitattributes"] = (
            existing + ("" if not existing or existing.endswith("\n") else "\n") + ATTRIBUTES
        )
    with transaction(ws) as txn:
        for rel, text in files.items():
            target = root / rel
            before = target.read_text(encoding="utf-8") if target.is_file() else None
            if before != text:
                txn.write(rel, text, before=before)
        txn.commit(
            "mechctl init",
            "repo.init",
            ".",
            body="Configuration, record folders and JSON Schemas for mechanisms and escalations.",
        )
    # This clone gets the merge driver now, run by this very interpreter so that it works even
    # when `mechctl` is not on git's PATH (a driver git cannot start would hide conflicts).
    # Every other clone needs the line `mechctl doctor` prints.
    git.run(["config", "merge.mechctl.name", "mechctl field-level record merge"])
    git.run(["config", "merge.mechctl.driver", local_driver()])
    return InitResult(
        root=root,
        created=True,
        files=[change.rel for change in txn.changes],
        new_repository=new_repository,
    )
