"""A whole run's output from its two parts: the untimed findings, rendered once per format
and kept in the index (services/lint/kept.py: `lint_chunks`) as one piece per file in report
order, and the timed findings (deadlines, recurrences, inspections), rendered at each run.

The kept pieces of the files without a timed finding are written as they were; a file with
one is rendered again, its untimed findings with its timed ones (a file's text block aligns
its columns over all its findings), and the counts and the summary are made anew. The bytes
are those `command.render` writes for the same findings (tests/test_lint_cache.py holds them
to it at several clocks, in every format).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace
    from mechctl.services.lint.finding import Finding, LintReport, Split

Pieces = tuple[list[str], list[int], bytes]  # paths, where each one's piece ends, the pieces
_SEP = {"text": b"", "github": b"", "json": b",\n", "sarif": b",\n"}


def _renderer(form: str) -> Callable[[list[Finding]], bytes]:
    """What one file's findings (in report order) look like in format `form`."""
    import orjson

    if form == "text":
        from mechctl.cli.lint.output import text_plain_group

        return lambda group: text_plain_group(group).encode("utf-8", "surrogateescape")
    if form == "github":
        from mechctl.cli.lint.output import github_line

        return lambda group: "".join(github_line(f) + "\n" for f in group).encode(
            "utf-8", "surrogateescape"
        )
    option = orjson.OPT_INDENT_2
    if form == "json":
        return lambda group: orjson.dumps([f.as_dict() for f in group], option=option)[2:-2]
    from mechctl.services.lint.rules import RULES
    from mechctl.services.lint.sarif import INDENT, result

    ids = list(RULES)

    def sarif_group(group: list[Finding]) -> bytes:
        body = orjson.dumps([result(f, ids) for f in group], option=option)[2:-2]
        return INDENT + body.replace(b"\n", b"\n" + INDENT)

    return sarif_group


def pieces(form: str, static: list[list[Any]]) -> Pieces:
    """The untimed findings rendered in format `form`, a piece per file."""
    from mechctl.services.lint.finding import Finding

    render = _renderer(form)
    sep = _SEP[form]
    paths: list[str] = []
    ends: list[int] = []
    parts: list[bytes] = []
    size = 0
    for path, group in groupby(static, key=lambda item: item[0]):
        piece = render([Finding(*item) for item in group])
        if parts:
            size += len(sep)
        size += len(piece)
        paths.append(path)
        ends.append(size)
        parts.append(piece)
    return paths, ends, sep.join(parts)


def merge(form: str, kept: Pieces, split: Split) -> tuple[list[bytes], int]:
    """(the pieces of every file with findings, in order, to be joined by the format's
    separator; how many files have findings), from the kept pieces and the timed findings."""
    from mechctl.services.lint.finding import Finding, order

    paths, ends, body = kept
    sep = len(_SEP[form])
    render = _renderer(form)
    static = split.static
    static_paths = [item[0] for item in static]
    out: list[bytes] = []
    at = 0  # the next kept piece not yet written
    files = len(paths)

    def run(upto: int) -> None:  # the kept pieces at..upto-1, as one slice
        if upto > at:
            start = ends[at - 1] + sep if at else 0
            out.append(body[start : ends[upto - 1]])

    for path, timed in groupby(split.timed, key=lambda f: f.path):
        i = bisect_left(paths, path, at)
        run(i)
        group = list(timed)
        if i < len(paths) and paths[i] == path:
            lo = bisect_left(static_paths, path)
            hi = bisect_right(static_paths, path, lo)
            group = sorted([*(Finding(*item) for item in static[lo:hi]), *group], key=order)
            at = i + 1
        else:
            files += 1
            at = i
        out.append(render(group))
    run(len(paths))
    return out, files


def render(report: LintReport, form: str, ws: Workspace) -> bytes:
    """What format `form` writes for the whole run `report` (its `split` and `kept` set),
    from the pieces kept in the index, made and kept first when there are none."""
    from mechctl.cli.lint.output import summary_of
    from mechctl.services.lint import kept as kept_module

    split, where = report.split, report.kept
    assert split is not None and where is not None
    found = kept_module.pieces(*where, form)
    if found is None:
        found = pieces(form, split.static)
        kept_module.keep_pieces(*where, form, found)
    out, files = merge(form, found, split)
    line = summary_of(report.files, report.count("error"), report.count("warning"), files)
    sep = _SEP[form]
    joined = sep.join(out)
    if form == "text":
        return joined + (line + "\n").encode("utf-8", "surrogateescape")
    if form == "github":
        return joined + f"mechctl lint: {line}\n".encode("utf-8", "surrogateescape")
    if form == "json":
        return b"[\n" + joined + b"\n]\n" if out else b"[]\n"
    from mechctl.services.lint.rules import levels
    from mechctl.services.lint.sarif import INDENT, envelope

    before, after = envelope(report, levels(ws.config))
    if not out:
        return before + b"[]" + after
    return b"".join((before, b"[\n", joined, b"\n", INDENT, b"]", after))
