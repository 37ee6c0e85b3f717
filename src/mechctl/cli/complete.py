"""Shell completion for ids (typer installs the completion scripts: --install-completion)."""

from __future__ import annotations


def _root() -> object | None:
    from mechctl.cli.output import workspace

    try:
        return workspace().root
    except Exception:
        return None


def mechanism_ids(incomplete: str) -> list[str]:
    from pathlib import Path

    from mechctl.store.layout import mechanism_files

    root = _root()
    if not isinstance(root, Path):
        return []
    return [p.stem for p in mechanism_files(root) if p.stem.startswith(incomplete)]


def escalation_ids(incomplete: str) -> list[str]:
    from pathlib import Path

    from mechctl.store.layout import escalation_ids as ids

    root = _root()
    if not isinstance(root, Path):
        return []
    return [i for i in ids(root) if i.startswith(incomplete) or i[13:].startswith(incomplete)]


def templates(incomplete: str) -> list[str]:
    from mechctl.services.mechanism.new import TEMPLATES

    return [name for name in TEMPLATES if name.startswith(incomplete)]
