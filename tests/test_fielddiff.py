"""The pure field-level differ that `history` and `diff` share."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mechctl.services.core.fielddiff import Change, diff, record_delta


def _summaries(old: object, new: object) -> list[str]:
    return [change.summary() for change in diff(old, new)]


def test_scalars_lists_and_nested_fields() -> None:
    old = {
        "status": "open",
        "version": 3,
        "tool": {"steps": ["a", "b", "c"]},
        "levers": ["x"],
        "adoption": {
            "stakeholders": [
                {"team": "t1", "contribution": "c1"},
                {"team": "t2", "contribution": "c2"},
            ]
        },
    }
    new = {
        "status": "acknowledged",
        "version": 4,
        "tool": {"steps": ["a", "b", "new", "c"]},
        "adoption": {
            "stakeholders": [
                {"team": "t1", "contribution": "c1"},
                {"team": "t2", "contribution": "changed"},
            ]
        },
        "owner": "finance",
    }
    assert _summaries(old, new) == [
        "status: open → acknowledged",
        "version: 3 → 4",
        "tool.steps[2] added: new",
        "adoption.stakeholders[1].contribution: c2 → changed",
        "owner added: finance",
        "levers removed",
    ]


def test_an_insertion_is_one_change_not_a_shift() -> None:
    old = {"steps": [f"step {i}" for i in range(10)]}
    new = {"steps": ["first", *old["steps"]]}
    assert _summaries(old, new) == ["steps[0] added: first"]
    assert _summaries(new, old) == ["steps[0] removed: first"]


def test_long_values_and_log_entries_are_summarised() -> None:
    long_old, long_new = "x" * 41, "y" * 41
    assert _summaries({"problem": long_old}, {"problem": long_new}) == ["problem changed"]
    assert _summaries({"p": "a\nb"}, {"p": "a"}) == ["p changed"]
    entry = {"date": date(2026, 11, 28), "outcome": "on-track", "by": "me"}
    assert _summaries({"inspections": []}, {"inspections": [entry]}) == [
        "inspections[0] added (2026-11-28, on-track)"
    ]
    iteration = {"version": 2, "date": date(2026, 1, 1), "why": "w" * 80}
    assert _summaries({"iterations": []}, {"iterations": [iteration]}) == [
        "iterations[0] added (v2: " + "w" * 55 + "…)"
    ]


def test_types_matter_and_dates_read_well() -> None:
    assert _summaries({"t": 1}, {"t": 1.0}) == ["t: 1 → 1.0"]
    assert _summaries({"t": "1"}, {"t": 1}) == ["t: 1 → 1"]
    assert _summaries({"t": True}, {"t": None}) == ["t: true → null"]
    stamp = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert _summaries({"at": stamp}, {"at": datetime(2026, 11, 3, 10, tzinfo=UTC)}) == [
        "at: 2026-11-02T10:00:00Z → 2026-11-03T10:00:00Z"
    ]
    change = diff({"d": date(2026, 1, 1)}, {"d": date(2026, 1, 2)})[0]
    assert change.as_json() == {
        "path": "d",
        "kind": "changed",
        "old": "2026-01-01",
        "new": "2026-01-02",
        "summary": "d: 2026-01-01 → 2026-01-02",
    }
    assert diff("a", "b") == [Change("(record)", "changed", "a", "b")]


def test_record_delta_separates_definition_state_and_logs() -> None:
    old = {
        "id": "m",
        "status": "active",
        "version": 1,
        "tool": {"steps": ["a"]},
        "inspections": [{"date": "d1", "outcome": "on-track"}],
        "iterations": [{"version": 1, "why": "created"}],
    }
    new = {
        "id": "m",
        "status": "active",
        "version": 2,
        "tool": {"steps": ["a", "b"]},
        "inspections": [{"date": "d1", "outcome": "off-track"}],
        "iterations": [{"version": 1, "why": "created"}, {"version": 2, "why": "because"}],
    }
    delta = record_delta("mechanism", old, new)
    assert delta.version == (1, 2)
    assert [c.summary() for c in delta.definition] == ["tool.steps[1] added: b"]
    assert delta.state == []
    assert delta.appended == {"iterations": [{"version": 2, "why": "because"}]}
    assert [c.summary() for c in delta.log_edits] == [
        "inspections[0].outcome: on-track → off-track"
    ]
    assert delta.why() == ["because"]
    esc = record_delta(
        "escalation",
        {"status": "open", "level": "director", "title": "t", "timeline": [{"action": "raised"}]},
        {
            "status": "open",
            "level": "vp",
            "title": "u",
            "timeline": [{"action": "raised"}, {"action": "level-raised"}],
        },
    )
    assert [c.summary() for c in esc.state] == ["level: director → vp"]
    assert [c.summary() for c in esc.definition] == ["title: t → u"]
    assert esc.appended == {"timeline": [{"action": "level-raised"}]}
    assert record_delta("mechanism", old, old).empty()
