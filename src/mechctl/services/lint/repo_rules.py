"""Repository-wide rules: generated files that must match what mechctl would generate."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mechctl.models import Config
from mechctl.services import codeowners
from mechctl.services.lint.cache import Cache
from mechctl.services.lint.filecheck import Summary
from mechctl.services.lint.files import MECHANISM
from mechctl.store import layout

Raw = tuple[str, int, int, str, str, str]


def run(
    root: Path, config: Config, summaries: dict[str, Summary], cache: Cache, mechanism_files: int
) -> list[Raw]:
    return _schemas(root, cache) + _codeowners(root, config, summaries, mechanism_files)


def _schemas(root: Path, cache: Cache) -> list[Raw]:
    """schema-stale; generating the schemas costs tens of milliseconds, so the answer is
    cached by the files' contents (the cache generation covers mechctl's own code)."""
    state = []
    for rel in layout.SCHEMA_FILES.values():
        path = root / rel
        digest = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else None
        state.append((rel, digest))
    stored = cache.meta.get("schemas")
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tuple(state):
        stale = list(stored[1])
    else:
        from mechctl.services.schema import stale_schemas

        stale = stale_schemas(root)
        cache.put_meta("schemas", (tuple(state), stale))
    found = []
    for rel in stale:
        what = "is missing" if not (root / rel).is_file() else "is out of date"
        found.append(
            (rel, 1, 1, "schema-stale", f"{rel} {what}; run `mechctl schema` and commit it", "")
        )
    return found


def _codeowners(
    root: Path, config: Config, summaries: dict[str, Summary], mechanism_files: int
) -> list[Raw]:
    rel = codeowners.existing(root)
    if rel is None or config.teams is None:
        return []
    owners = {
        f"{layout.MECHANISMS}/{s[1]}.yaml": s[4] for s in summaries.values() if s[0] == MECHANISM
    }
    if len(owners) != mechanism_files:
        return []  # a broken mechanism file: its owner is unknown until it is fixed
    lines, _ = codeowners.block(owners, config)
    text = (root / rel).read_text(encoding="utf-8", errors="replace")
    if codeowners.merge(text, lines) == text:
        return []
    return [
        (
            rel,
            codeowners.block_line(text),
            1,
            "codeowners-stale",
            f"{rel} does not match mechanism owners and teams; run `mechctl codeowners`"
            " and commit it",
            "",
        )
    ]
