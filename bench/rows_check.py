"""Every index row of a repository, built with and without the line reader, compared.

    PYTHON bench/rows_check.py REPO [LEVELS...]

Not a figure: the check behind the cold build's speed (store/plainyaml.py), over every record
file of a bench repository (tests/test_plainyaml.py does the same on generated records).
It prints how many files the line reader took and how many rows differ (none, or a bug).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mechctl.services.core.index.build import check_file
from mechctl.services.core.index.store import ESCALATION, MECHANISM
from mechctl.store import plainyaml


def row(root: str, rel: str, kind: str, levels: list[str], plain: bool) -> tuple[Any, ...]:
    saved = plainyaml.load
    if not plain:
        plainyaml.load = lambda text: None  # type: ignore[assignment]
    try:
        found = check_file(root, rel, kind, levels, None, 0)
    finally:
        plainyaml.load = saved  # type: ignore[method-assign]
    assert isinstance(found, tuple)
    return found[:8] + found[9:]  # all but seen_ns, the time the file was read


def main() -> int:
    root = Path(sys.argv[1])
    levels = sys.argv[2:] or ["team", "manager", "director", "vp"]
    files = [(str(p.relative_to(root)), ESCALATION) for p in root.glob("escalations/*/*/*.yaml")]
    files += [(str(p.relative_to(root)), MECHANISM) for p in root.glob("mechanisms/*.yaml")]
    taken = differ = 0
    for rel, kind in sorted(files):
        text = (root / rel).read_text(encoding="utf-8", errors="replace")
        taken += plainyaml.load(text) is not None
        if row(str(root), rel, kind, levels, True) != row(str(root), rel, kind, levels, False):
            differ += 1
            print(f"differs: {rel}")
    print(f"{len(files):,} files, {taken:,} through the line reader, {differ} rows differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
