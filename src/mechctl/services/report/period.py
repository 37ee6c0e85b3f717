"""The reporting period and the comparison periods before it.

A date means a whole day in UTC. The period is compared with the `COMPARISON_PERIODS`
periods of the same length just before it: by default, the last 7 days against the 4 weeks
before, reported as a total and as an average per period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mechctl.errors import UsageError
from mechctl.models.enums import Severity
from mechctl.services.report.data import Compare, stamp

COMPARISON_PERIODS = 4
DEFAULT_PERIOD = timedelta(days=7)
SEVERITIES = [s.value for s in Severity]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    @property
    def comparison_since(self) -> datetime:
        return self.since - COMPARISON_PERIODS * self.length

    def windows(self) -> list[tuple[datetime, datetime]]:
        """The comparison periods, oldest first, then the period itself."""
        start = self.comparison_since
        return [
            (start + i * self.length, start + (i + 1) * self.length)
            for i in range(COMPARISON_PERIODS + 1)
        ]

    def index(self, moment: datetime | None) -> int | None:
        """Which window `moment` falls in (the period is the last), or None if in none."""
        if moment is None or moment < self.comparison_since or moment >= self.until:
            return None
        return min((moment - self.comparison_since) // self.length, COMPARISON_PERIODS)


def _bound(text: str, flag: str, end: bool) -> datetime:
    """A date means a whole day in UTC: --since starts at its 00:00Z, --until ends at 24:00Z."""
    try:
        if len(text) == 10:
            start = datetime.combine(date.fromisoformat(text), time(), UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"invalid {flag} {text!r}: use a date (YYYY-MM-DD) or an ISO-8601 time"
            " such as 2026-11-21T09:00:00Z"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def parse_period(since: str | None, until: str | None, now: datetime) -> Period:
    """The reporting period: by default the 7 days ending now."""
    end = _bound(until, "--until", end=True) if until else now
    start = _bound(since, "--since", end=False) if since else end - DEFAULT_PERIOD
    if start >= end:
        raise UsageError(f"--since ({stamp(start)}) must be before --until ({stamp(end)})")
    return Period(start, end)


def seconds(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else int((end - start).total_seconds())


def compare(per_window: list[int]) -> Compare:
    previous = sum(per_window[:-1])
    return Compare(per_window[-1], previous, round(previous / COMPARISON_PERIODS, 2))
