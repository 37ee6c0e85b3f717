"""The $EDITOR loop of `mechanism edit`: re-open with the errors on top until valid or abandoned."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from mechctl import derived
from mechctl.cli.output import STATE, note, stdin_is_terminal, workspace
from mechctl.errors import CommitFailedError, InvalidRecordError, MechctlError
from mechctl.services.mechanism.change import ChangeResult, apply_edit, edit_text
from mechctl.store import layout

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace

MARK = "# mechctl: "
_DRAFT_MARKS = (derived.DRAFT_MARK, derived.DRAFT_FILE_MARK)


def _strip_marks(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith((MARK, *_DRAFT_MARKS)):
        lines.pop(0)
    return "".join(lines)


def _header(problems: InvalidRecordError, shift: int) -> str:
    lines = [
        f"{MARK}this is not a valid mechanism yet. Fix what is listed, then save and quit;",
        f"{MARK}quit without saving, or empty the file, to abandon the edit.",
    ]
    for problem in problems.problems:
        loc = problem.location
        lines.append(f"{MARK}line {loc.line + shift}, column {loc.column}: {problem.message}")
    return "\n".join(lines) + "\n"


def _save_draft(ws: Workspace, mechanism_id: str, text: str, why: str) -> Path:
    return derived.save_draft(
        ws.git.common_dir, mechanism_id, why, [(layout.mechanism_rel(mechanism_id), text)], ws.now()
    )


def _open_editor(editor: str, path: Path, text: str) -> str | None:
    """Run the user's editor on `text` the way git does; None if the editor failed."""
    from mechctl.store.yamlio import atomic_write

    atomic_write(path, text)
    done = subprocess.run(["/bin/sh", "-c", f'{editor} "$@"', editor, str(path)], check=False)
    if done.returncode != 0:
        return None
    return path.read_text(encoding="utf-8")


def run_edit(
    mechanism_id: str,
    why: str,
    escalations: list[str],
    from_file: Path | None,
    push: bool = False,
) -> ChangeResult | None:
    ws = workspace(push)
    original = edit_text(ws, mechanism_id)
    replay = ["mechctl", "mechanism", "edit", mechanism_id, "--why", why]
    for esc in escalations:
        replay += ["--escalation", esc]
    current = original if from_file is None else _strip_marks(from_file.read_text("utf-8"))
    header = ""
    scratch = derived.path(ws.git.common_dir, "edit") / f"{mechanism_id}.yaml"
    editor = ws.git.editor() if from_file is None else ""
    while True:
        if from_file is None:
            edited = _open_editor(editor, scratch, header + current)
            if edited is None:
                note(f"edit abandoned: the editor ({editor}) failed; nothing changed")
                return None
            current = _strip_marks(edited)
        if not current.strip():
            note("edit abandoned: the file was emptied; nothing changed")
            return None
        if current == original:
            note("no changes; nothing committed")
            return None
        try:
            return apply_edit(ws, mechanism_id, current, why, escalations)
        except InvalidRecordError as exc:
            if from_file is None and stdin_is_terminal():
                header = _header(exc, shift=len(_header(exc, 0).splitlines()))
                continue
            draft = _save_draft(ws, mechanism_id, current, f"not a valid mechanism ({exc.message})")
            retry = shlex.join([*replay, "--from-file", str(draft)])
            raise MechctlError(
                f"{exc.message}; your edit is saved in {draft}", hint=f"fix it, then: {retry}"
            ) from None
        except CommitFailedError as exc:
            draft = exc.draft or _save_draft(ws, mechanism_id, current, "the commit failed")
            exc.retry = shlex.join([*replay, "--from-file", str(draft)])
            exc.hint = f"retry with: {exc.retry}"
            STATE.replay = None
            raise
