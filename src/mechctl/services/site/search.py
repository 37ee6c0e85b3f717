"""The site's search (docs/design.md §"The site"): Pagefind indexes, fed records, in shards.

Pagefind's crawl of the written pages holds every page in memory at once (1.8 GB for 40,000
pages), and its Python wrapper reads one answer per tenth of a second. So the site feeds
Pagefind's service (`pagefind --service`, the protocol of its Python API: base64 JSON
messages ended by a comma) with one record per page, the words a reader searches (titles,
impacts, anecdotes, problems and resolutions), in shards of a bounded size: the mechanisms in
the main bundle (`pagefind/`), the escalations by the month they were raised
(`pagefind/escalations/YYYY-MM[-N]/`). The search page merges them all. A rebuild indexes
again only the shards whose records changed; two shards are indexed at a time.
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mechctl.errors import UsageError

MAIN = "pagefind/"
VERSION = "records-1"  # what a record holds (the functions below): a new one indexes anew
SHARD_SIZE = 2000  # records per shard: Pagefind's memory grows faster than its records
Record = tuple[str, str, str]  # url, title, content


def executable() -> str | None:
    """Pagefind's binary (the `site` extra), or None without it."""
    import importlib.util

    if importlib.util.find_spec("pagefind") is None:
        return None
    from pagefind.service import get_executable

    found = get_executable()
    return None if found is None else str(found)


def escalation_text(row: dict[str, Any]) -> str:
    resolution = row.get("resolution") or {}
    parts = [
        row.get("title"),
        row.get("customer_impact"),
        row.get("ask"),
        resolution.get("summary"),
        resolution.get("root_cause"),
        resolution.get("no_change_reason"),
    ]
    return "\n".join(str(part) for part in parts if part)


def mechanism_text(row: dict[str, Any]) -> str:
    parts: list[Any] = [row.get("title"), row.get("problem")]
    for inspection in row.get("inspections") or []:
        parts.extend(inspection.get("anecdotes") or [])
    return "\n".join(str(part) for part in parts if part)


def shard_of(month: str, ident: str, count: int) -> str:
    """The shard of an escalation raised in `month` (YYYY-MM), of `count` in that month: a
    month past SHARD_SIZE is split by a stable hash of the id."""
    parts = -(-count // SHARD_SIZE)
    if parts <= 1:
        return f"{MAIN}escalations/{month}/"
    import zlib

    return f"{MAIN}escalations/{month}-{zlib.crc32(ident.encode()) % parts}/"


def _encode(message_id: int, payload: dict[str, Any]) -> bytes:
    body = json.dumps({"message_id": message_id, "payload": payload})
    return base64.b64encode(body.encode("utf-8")) + b","


def _answers(stream: Any) -> Iterator[dict[str, Any]]:
    buffer = b""
    while True:
        while b"," not in buffer:
            chunk = stream.read1(1 << 16)
            if not chunk:
                raise UsageError("pagefind stopped while indexing")
            buffer += chunk
        message, _, buffer = buffer.partition(b",")
        answer = json.loads(base64.b64decode(message))
        payload = answer.get("payload") or {}
        if payload.get("type") == "Error":
            raise UsageError(f"pagefind failed: {payload.get('message')}")
        yield payload


def index_shard(binary: str, records: list[Record]) -> dict[str, bytes]:
    """One Pagefind bundle of `records`, as {path inside the bundle: bytes}."""
    with tempfile.TemporaryDirectory(prefix="mechctl-pagefind-") as tmp:  # its working folder
        process = subprocess.Popen(
            [binary, "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
        )
        assert process.stdin is not None and process.stdout is not None
        stdin = process.stdin
        try:
            answers = _answers(process.stdout)
            stdin.write(_encode(0, {"type": "NewIndex", "config": {"force_language": "en"}}))
            stdin.flush()
            index_id = next(answers)["index_id"]

            def feed() -> None:  # written while the answers are read: no full pipe
                for number, (url, title, content) in enumerate(records, 1):
                    record = {
                        "type": "AddRecord",
                        "index_id": index_id,
                        "url": url,
                        "content": content,
                        "language": "en",
                        "meta": {"title": title},
                        "filters": None,
                        "sort": None,
                    }
                    stdin.write(_encode(number, record))
                stdin.flush()

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            for _ in records:
                next(answers)
            writer.join()
            # GetFiles, not WriteFiles: Pagefind may answer a write before its files are
            # complete on disk.
            stdin.write(_encode(len(records) + 1, {"type": "GetFiles", "index_id": index_id}))
            stdin.flush()
            files = next(answers)["files"]
        finally:
            stdin.close()
            process.wait()
            process.stdout.close()
    return {str(item["path"]): base64.b64decode(item["content"]) for item in files}


def index_shards(
    binary: str, shards: Iterable[tuple[str, Callable[[], list[Record]]]], jobs: int = 2
) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Each shard's bundle, in the order given, `jobs` Pagefind processes at a time (and
    no more records or bundles held than for those); a shard's records are read as it is
    sent."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: list[tuple[str, Any]] = []
        for name, records in shards:
            pending.append((name, pool.submit(index_shard, binary, records())))
            if len(pending) > jobs:
                done, future = pending.pop(0)
                yield done, future.result()
        for name, future in pending:
            yield name, future.result()
