"""Loop closure: resolutions that changed a mechanism, and whether the failure came back."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime

from mechctl.services.report.data import Compare, Loop, LoopChange, NoChange
from mechctl.services.report.period import COMPARISON_PERIODS, Period, compare
from mechctl.services.report.query import Group, Settled

Key = tuple[str | None, str | None]  # (mechanism, failure mode or None for any)


def _key(fact: Settled) -> Key:
    """What a recurrence must match: the same mechanism and failure mode. An escalation
    raised with no mechanism and resolved by making one recurs on any later escalation on
    the new mechanism (failure mode None: any)."""
    if fact.mechanism is not None:
        return (fact.mechanism, fact.failure_mode)
    return (fact.change_mechanism, None)


def loop_closure(
    settled: list[Settled], groups: list[Group], period: Period
) -> tuple[Loop, Compare, list[NoChange]]:
    """The loop figures, the count of resolutions with no change, and those in the period.

    `settled`: the escalations finally resolved in the windows, in path order; `groups`:
    every escalation on a mechanism raised before the end of the period (query.py).
    A change "held" when no escalation on the same mechanism with the same failure mode was
    raised after the resolution (up to the end of the period).
    """
    resolved = [0] * (COMPARISON_PERIODS + 1)
    changed = [0] * (COMPARISON_PERIODS + 1)
    no_change = [0] * (COMPARISON_PERIODS + 1)
    wanted = {
        _key(f)
        for f in settled
        if f.change_mechanism is not None and period.index(f.resolved_at) is not None
    }
    raised: dict[Key, list[tuple[datetime, str]]] = defaultdict(list)
    if wanted:
        for mechanism, mode, raised_at, esc_id, _ in groups:
            keys: tuple[Key, Key] = ((mechanism, mode), (mechanism, None))
            for each in keys:
                if each in wanted:
                    raised[each].append((datetime.fromisoformat(raised_at), esc_id))
    for items in raised.values():
        items.sort()
    changes: list[LoopChange] = []
    reasons: list[NoChange] = []
    for fact in settled:
        index = period.index(fact.resolved_at)
        if index is None:
            continue
        resolved[index] += 1
        if fact.no_change_reason is not None:
            no_change[index] += 1
            if index == COMPARISON_PERIODS:
                reasons.append(
                    NoChange(
                        fact.id,
                        fact.title,
                        fact.mechanism,
                        fact.resolved_at,
                        fact.no_change_reason,
                    )
                )
        if fact.change_mechanism is None or fact.change_version is None:
            continue
        changed[index] += 1
        key = _key(fact)
        later = raised.get(key, [])
        start = bisect.bisect_right(later, (fact.resolved_at, "\uffff"))
        changes.append(
            LoopChange(
                fact.id,
                fact.title,
                key[0] or fact.change_mechanism,
                fact.failure_mode,
                fact.change_version,
                fact.resolved_at,
                [i for _, i in later[start:] if i != fact.id],
            )
        )
    changes.sort(key=lambda c: (c.resolved_at, c.id))
    previous_resolved = sum(resolved[:-1])
    loop = Loop(
        resolved=compare(resolved),
        changed_mechanism=compare(changed),
        share_changed=round(changed[-1] / resolved[-1], 4) if resolved[-1] else None,
        previous_share_changed=(
            round(sum(changed[:-1]) / previous_resolved, 4) if previous_resolved else None
        ),
        held=sum(1 for c in changes if not c.recurred_by),
        recurred=sum(1 for c in changes if c.recurred_by),
        changes=changes,
    )
    reasons.sort(key=lambda r: (r.resolved_at, r.id))
    return loop, compare(no_change), reasons
