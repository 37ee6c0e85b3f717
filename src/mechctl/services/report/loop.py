"""Loop closure: resolutions that changed a mechanism, and whether the failure came back."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime

from mechctl.services.report.data import Compare, Loop, LoopChange, NoChange
from mechctl.services.report.period import COMPARISON_PERIODS, Facts, Period, compare

Key = tuple[str | None, str | None]  # (mechanism, failure mode or None for any)


def _key(fact: Facts) -> Key:
    """What a recurrence must match: the same mechanism and failure mode. An escalation
    raised with no mechanism and resolved by making one recurs on any later escalation on
    the new mechanism (failure mode None: any)."""
    esc = fact.esc
    if esc.mechanism is not None:
        return (esc.mechanism, esc.failure_mode.value)
    change = esc.resolution.mechanism_change if esc.resolution else None
    return (change.mechanism if change else None, None)


def loop_closure(facts: list[Facts], period: Period) -> tuple[Loop, Compare, list[NoChange]]:
    """The loop figures, the count of resolutions with no change, and those in the period.

    A change "held" when no escalation on the same mechanism with the same failure mode was
    raised after the resolution (up to the end of the period).
    """
    resolved = [0] * (COMPARISON_PERIODS + 1)
    changed = [0] * (COMPARISON_PERIODS + 1)
    no_change = [0] * (COMPARISON_PERIODS + 1)
    wanted = {
        _key(f)
        for f in facts
        if f.esc.resolution
        and f.esc.resolution.mechanism_change
        and period.index(f.resolved_at) is not None
    }
    raised: dict[Key, list[tuple[datetime, str]]] = defaultdict(list)
    for fact in facts:
        esc = fact.esc
        if wanted and esc.raised_at < period.until:
            keys: tuple[Key, Key] = ((esc.mechanism, esc.failure_mode.value), (esc.mechanism, None))
            for each in keys:
                if each in wanted:
                    raised[each].append((esc.raised_at, esc.id))
    for items in raised.values():
        items.sort()
    changes: list[LoopChange] = []
    reasons: list[NoChange] = []
    for fact in facts:
        index = period.index(fact.resolved_at)
        resolution = fact.esc.resolution
        if index is None or resolution is None or fact.resolved_at is None:
            continue
        resolved[index] += 1
        esc = fact.esc
        if resolution.no_change_reason is not None:
            no_change[index] += 1
            if index == COMPARISON_PERIODS:
                reasons.append(
                    NoChange(
                        esc.id,
                        esc.title,
                        esc.mechanism,
                        fact.resolved_at,
                        resolution.no_change_reason,
                    )
                )
        change = resolution.mechanism_change
        if change is None:
            continue
        changed[index] += 1
        key = _key(fact)
        later = raised.get(key, [])
        start = bisect.bisect_right(later, (fact.resolved_at, "\uffff"))
        changes.append(
            LoopChange(
                esc.id,
                esc.title,
                key[0] or change.mechanism,
                esc.failure_mode.value,
                change.version,
                fact.resolved_at,
                [i for _, i in later[start:] if i != esc.id],
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
