"""What lint reports. Kept free of heavy imports: the warm path (cli/lint/warm.py) uses it."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class LintReport:
    findings: list[Finding]
    files: int  # record files checked
    reused: int  # of which answered from the index
    root: Path
    notes: list[str] = field(default_factory=list)
    # (index file, state key) of a whole run kept there (services/lint/kept.py): what its
    # formats write is kept beside it. None: a run that is not kept (PATH or --base given).
    kept: tuple[Path, str] | None = None
    # (errors, warnings) of a report whose output was kept whole, its findings not decoded
    counts: tuple[int, int] | None = None

    def count(self, severity: str) -> int:
        if self.counts is not None:
            return self.counts[0 if severity == "error" else 1]
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_level: str) -> bool:
        """Whether any finding is at or above `fail_level`."""
        if self.counts is not None:
            errors, warnings = self.counts
            return bool(errors or (warnings and fail_level == "warning"))
        floor = SEVERITY_RANK[fail_level]
        return any(SEVERITY_RANK[f.severity] >= floor for f in self.findings)
