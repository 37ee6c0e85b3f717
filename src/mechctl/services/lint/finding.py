"""What lint reports. Kept free of heavy imports: the warm path (cli/lint/warm.py) uses it."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEVERITY_RANK = {"warning": 1, "error": 2}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


def order(f: Finding) -> tuple[str, int, int, str, str]:
    """The order findings are reported in."""
    return (f.path, f.line, f.column, f.rule, f.message)


@dataclass
class Split:
    """A whole run as its two parts, each in report order: the untimed findings, as the
    (path, line, column, rule, severity, message) lists kept in the index, and the timed
    ones (deadlines, recurrences, inspections), which no untimed finding equals."""

    static: list[list[Any]]
    timed: list[Finding]

    def merged(self) -> list[Finding]:
        return list(heapq.merge((Finding(*item) for item in self.static), self.timed, key=order))

    def count(self, severity: str) -> int:
        return sum(1 for item in self.static if item[4] == severity) + sum(
            1 for f in self.timed if f.severity == severity
        )


class LintReport:
    """What lint found. `split`: a whole run kept as its untimed and timed parts, merged
    into `findings` only when something reads them (output formats merge kept renderings)."""

    def __init__(
        self,
        findings: list[Finding] | None,
        files: int,
        reused: int,
        root: Path,
        split: Split | None = None,
    ) -> None:
        self._findings = findings
        self.files = files  # record files checked
        self.reused = reused  # of which answered from the index
        self.root = root
        self.split = split
        self.notes: list[str] = []
        # (index file, state key) of a whole run kept there (services/lint/kept.py): what
        # its formats write is kept beside it. None: a run that is not kept (PATH or --base).
        self.kept: tuple[Path, str] | None = None

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = self.split.merged() if self.split is not None else []
        return self._findings

    def count(self, severity: str) -> int:
        if self._findings is None and self.split is not None:
            return self.split.count(severity)
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_level: str) -> bool:
        """Whether any finding is at or above `fail_level`."""
        if self._findings is None and self.split is not None:
            errors, warnings = self.count("error"), self.count("warning")
            return bool(errors or (warnings and fail_level == "warning"))
        floor = SEVERITY_RANK[fail_level]
        return any(SEVERITY_RANK[f.severity] >= floor for f in self.findings)
