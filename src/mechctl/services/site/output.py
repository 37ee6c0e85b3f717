"""What a build of `mechctl site` keeps of its output folder (docs/design.md §"The site"): the
manifest that marks a folder as a site, the key each page was built from (derived: under
`.git/mechctl/`), the writer that renders a page only when its key changed, and the writing
and removing of files."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mechctl.errors import UsageError
from mechctl.services.core.context import Workspace
from mechctl.services.site import pages, sources

MANIFEST = ".mechctl-site.json"


@dataclass
class SiteResult:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0  # record files that do not load
    pages: int = 0
    searchable: bool = False


def templates_key() -> str:
    """What every page depends on besides the records: the templates and mechctl's version."""
    from importlib import resources

    from mechctl import __version__

    folder = resources.files("mechctl").joinpath("templates/site")
    names = sorted(item.name for item in folder.iterdir() if item.is_file())
    return sources.digest(
        __version__, [(name, folder.joinpath(name).read_bytes()) for name in names]
    )


def keys_file(ws: Workspace, out: Path) -> Path:
    """Where a build keeps what each page of `out` was built from (derived: deleting it
    changes no byte of the site, only how much the next build renders)."""
    from mechctl import derived

    name = hashlib.sha1(str(out.resolve()).encode(), usedforsecurity=False).hexdigest()[:16]
    return derived.folder(ws.git.common_dir) / f"site-{name}.json"


def load_keys(ws: Workspace, out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What the last build's pages and search shards were built from (empty when unknown)."""
    if not (out / MANIFEST).is_file():
        return {}, {}
    try:
        found = json.loads(keys_file(ws, out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(found, dict):
        return {}, {}
    kept: list[dict[str, str]] = []
    for name in ("pages", "shards"):
        part = found.get(name)
        kept.append({str(k): str(v) for k, v in part.items()} if isinstance(part, dict) else {})
    return kept[0], kept[1]


def save_keys(ws: Workspace, out: Path, keys: dict[str, str], shards: dict[str, str]) -> None:
    import contextlib

    file = keys_file(ws, out)
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True)
        part = file.with_name(file.name + f".{os.getpid()}.tmp")
        kept = {"pages": dict(sorted(keys.items())), "shards": dict(sorted(shards.items()))}
        part.write_text(json.dumps(kept) + "\n")
        part.replace(file)


class Writer:
    """Writes a page only when what it is built from changed (its key), or its file is gone
    or differs; renders nothing else."""

    def __init__(self, out: Path, before: dict[str, str], result: SiteResult) -> None:
        self.out = out
        self.before = before
        self.keys: dict[str, str] = {}
        self.result = result

    def fresh(self, rel: str, key: str) -> bool:
        """Whether the page at `rel` was built from `key` and is still there."""
        return self.before.get(rel) == key and (self.out / rel).is_file()

    def page(self, rel: str, key: str, render: Callable[[], str]) -> None:
        self.keys[rel] = key
        exists = (self.out / rel).is_file()
        if self.before.get(rel) == key and exists:
            self.result.unchanged += 1
            return
        if pages.write_page(self.out, rel, render().encode("utf-8"), exists):
            self.result.written.append(rel)
        else:
            self.result.unchanged += 1


def existing(folder: Path) -> set[str]:
    """The names of the files in `folder` (one listing, instead of a stat per page)."""
    try:
        return {entry.name for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return set()


def tree_of(folder: Path, prefix: str) -> set[str]:
    """Every file under `folder`, as `prefix` + its path there (one walk, no stat per file)."""
    found: set[str] = set()
    for top, _, names in os.walk(folder):
        inside = os.path.relpath(top, folder).replace(os.sep, "/")
        start = prefix if inside == "." else f"{prefix}{inside}/"
        found.update(start + name for name in names)
    return found


def check_out(out: Path) -> None:
    """Refuse an output directory that has files but is not a site this command built."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"--out {out}: the directory has files and is not a mechctl site")


def write(out: Path, files: dict[str, bytes], result: SiteResult) -> None:
    for rel, data in sorted(files.items()):
        if pages.write_page(out, rel, data, (out / rel).is_file()):
            result.written.append(rel)
        else:
            result.unchanged += 1


def remove(out: Path, stale: list[str], result: SiteResult) -> None:
    for rel in sorted(stale):
        path = out / rel
        if path.is_file():
            path.unlink()
            result.removed.append(rel)
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
