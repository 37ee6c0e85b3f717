"""The one exception hierarchy. Each class carries its exit code (docs/design.md §4).

Services raise these; the command layer turns any of them into one `error: …` line on
stderr and the class's exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column, as editors and CI tools count."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a place. Lint findings are built from these."""

    location: Location
    message: str
    rule: str = "schema"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class MechctlError(Exception):
    """A failure the user can act on. Printed as one line, never as a traceback."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(MechctlError):
    """The command line was wrong: a missing value, a bad flag or argument."""

    exit_code = 2


class ConfigError(MechctlError):
    """`.mechctl.yaml` is unreadable or invalid."""

    exit_code = 2


class NotFoundError(MechctlError):
    """An id that names no record."""


class AmbiguousIdError(MechctlError):
    """An abbreviation that matches more than one record."""


class AlreadyExistsError(MechctlError):
    """A record with that id is already there."""


class TransitionError(MechctlError):
    """A change of state that the state machine does not allow."""


class InvalidRecordError(MechctlError):
    """A record file that does not parse or does not validate."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0])
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(first + more)


class GitError(MechctlError):
    """git refused or failed. The message carries git's own reason."""


class NotARepositoryError(GitError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"not a git repository: {path}",
            hint="run `mechctl init` to create one here",
        )


class RepositoryStateError(GitError):
    """Detached HEAD, a merge or rebase in progress, a missing identity."""


class DirtyFileError(MechctlError):
    """A file the command must change has uncommitted edits."""


class LockBusyError(MechctlError):
    """Another mechctl or git process holds the repository for too long."""


class CommitFailedError(MechctlError):
    """The commit was refused; the tree is restored and the input saved as a draft."""

    def __init__(self, reason: str, draft: Path | None, retry: str | None) -> None:
        self.reason = reason
        self.draft = draft
        self.retry = retry
        message = f"commit failed, nothing was changed: {reason}"
        if draft is not None:
            message += f"; your input is saved in {draft}"
        super().__init__(message, hint=f"retry with: {retry}" if retry else None)
