"""A repository with a known set of mechanisms, inspections and escalations, at fixed times.

The report tests assert exact figures against it. The clock is pinned at NOW; the reporting
period is the 7 days before (2026-02-22T12:00Z to 2026-03-01T12:00Z) and the comparison the
4 weeks before that. Windows: W0 from 01-25, W1 from 02-01, W2 from 02-08, W3 from 02-15
(each at 12:00Z), then the period P.

| id    | mechanism, failure mode | sev  | raised (window) | ack  | resolved (window), how    |
|-------|-------------------------|------|-----------------|------|---------------------------|
| E1    | wbr, new-input          | sev2 | 01-28 10:00 W0  | +2h  | 01-30 10:00 W0, change v2 |
| E2    | wbr, new-input          | sev3 | 02-24 09:00 P   | -    | open (E1 come back)       |
| E3    | prfaq, not-adopted      | sev3 | 02-10 09:00 W2  | +6h  | 02-23 09:00 P, no change  |
| E4    | prfaq, scale            | sev1 | 02-25 08:00 P   | +30m | 02-26 12:00 P, change v2  |
| E5    | (none), no-mechanism    | sev2 | 02-16 10:00 W3  | +8h  | acknowledged, raised (vp) |
| E6-E8 | wbr, scale              | sev4 | 02-02, 02-12, 02-27 | - | E6 02-05 10:00 W1, none |
| E9    | wbr, other              | sev3 | 2025-12-01      | -    | 2025-12-05, change v1     |
| bad   | an invalid file (no customer_impact)                                           |
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import git

NOW = "2026-03-01T12:00:00Z"
PRIYA = "Priya Raman <priya@example.com>"
TOM = "Tom Okafor <tom@example.com>"
ANA = "Ana Silva <ana@example.com>"
WEI = "Wei Chen <wei@example.com>"
LENA = "Lena Fischer <lena@example.com>"

E1 = "esc-20260128-aaaaaaab"
E2 = "esc-20260224-aaaaaaac"
E3 = "esc-20260210-aaaaaaad"
E4 = "esc-20260225-aaaaaaae"
E5 = "esc-20260216-aaaaaaaf"
E6 = "esc-20260202-aaaaaaag"
E7 = "esc-20260212-aaaaaaah"
E8 = "esc-20260227-aaaaaaai"
E9 = "esc-20251201-aaaaaaaj"
BAD = "esc-20260220-bbbbbbbb"

WBR_INSPECTIONS = """inspections:
  - date: 2026-01-10
    outcome: on-track
    metrics:
      Deck published before the agreed cut-off time: 0.9
      Action items closed by their due date: 0.7
    anecdotes:
      - Finance spotted the churn dip in the deck before customers called
    by: Tom Okafor <tom@example.com>
  - date: 2026-02-10
    outcome: at-risk
    metrics:
      Deck published before the agreed cut-off time: 0.8
      Action items closed by their due date: 0.75
      Meeting finishes within its time slot: 75 min
      Extra metric: 3
    anecdotes:
      - A customer asked why the deck was late two weeks running
    by: Tom Okafor <tom@example.com>
"""


def _dates(at: str, who: str = TOM) -> dict[str, str]:
    name, email = who[:-1].split(" <")
    return {
        "GIT_AUTHOR_DATE": at,
        "GIT_COMMITTER_DATE": at,
        "MECHCTL_NOW": at,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def _escalation(
    esc_id: str,
    title: str,
    mechanism: str | None,
    mode: str,
    severity: str,
    status: str,
    raised_by: str,
    raised_at: str,
    timeline: list[tuple[str, str, str]],
    resolution: str = "",
    level: str = "director",
) -> str:
    owner = {"wbr": "finance", "prfaq": "product-management", None: None}[mechanism]
    entries = "".join(
        f"  - at: {at}\n    by: {by}\n    action: {action}\n" for at, by, action in timeline
    )
    return (
        f"id: {esc_id}\ntitle: {title}\nmechanism: {mechanism or 'null'}\nfailure_mode: {mode}\n"
        f"severity: {severity}\nlevel: {level}\nstatus: {status}\n"
        f"customer_impact: Customers of {title.lower()} waited\n"
        f"raised_by: {raised_by}\nraised_at: {raised_at}\nowner: {owner or 'null'}\n"
        f"timeline:\n  - at: {raised_at}\n    by: {raised_by}\n    action: raised\n{entries}"
        + resolution
    )


def _change(mechanism: str, version: int) -> str:
    return (
        "resolution:\n  summary: The mechanism now covers it\n  mechanism_change:\n"
        f"    mechanism: {mechanism}\n    version: {version}\n"
    )


NO_CHANGE = (
    "resolution:\n  summary: Nothing to change\n"
    "  no_change_reason: The template already asks for it\n"
)


def escalations() -> dict[str, str]:
    return {
        E1: _escalation(
            E1,
            "Deck omitted EU churn",
            "wbr",
            "new-input",
            "sev2",
            "closed",
            PRIYA,
            "2026-01-28T10:00:00Z",
            [
                ("2026-01-28T12:00:00Z", TOM, "acknowledged"),
                ("2026-01-30T10:00:00Z", TOM, "resolved"),
                ("2026-02-01T09:00:00Z", PRIYA, "closed"),
            ],
            _change("wbr", 2),
        ),
        E2: _escalation(
            E2,
            "Deck omitted APAC churn",
            "wbr",
            "new-input",
            "sev3",
            "open",
            ANA,
            "2026-02-24T09:00:00Z",
            [],
        ),
        E3: _escalation(
            E3,
            "PRFAQs written after the build",
            "prfaq",
            "not-adopted",
            "sev3",
            "resolved",
            WEI,
            "2026-02-10T09:00:00Z",
            [
                ("2026-02-10T15:00:00Z", LENA, "acknowledged"),
                ("2026-02-23T09:00:00Z", LENA, "resolved"),
            ],
            NO_CHANGE,
        ),
        E4: _escalation(
            E4,
            "PRFAQ reviews queue for weeks",
            "prfaq",
            "scale",
            "sev1",
            "closed",
            PRIYA,
            "2026-02-25T08:00:00Z",
            [
                ("2026-02-25T08:30:00Z", LENA, "acknowledged"),
                ("2026-02-26T12:00:00Z", LENA, "resolved"),
                ("2026-02-27T10:00:00Z", PRIYA, "closed"),
            ],
            _change("prfaq", 2),
        ),
        E5: _escalation(
            E5,
            "Nobody owns large refunds",
            None,
            "no-mechanism",
            "sev2",
            "acknowledged",
            TOM,
            "2026-02-16T10:00:00Z",
            [
                ("2026-02-16T18:00:00Z", WEI, "acknowledged"),
                ("2026-02-20T09:00:00Z", WEI, "level-raised"),
            ],
            level="vp",
        ),
        E6: _escalation(
            E6,
            "Deck too long to review",
            "wbr",
            "scale",
            "sev4",
            "resolved",
            ANA,
            "2026-02-02T10:00:00Z",
            [("2026-02-05T10:00:00Z", TOM, "resolved")],
            NO_CHANGE,
        ),
        E7: _escalation(
            E7,
            "Deck still too long",
            "wbr",
            "scale",
            "sev4",
            "open",
            ANA,
            "2026-02-12T09:00:00Z",
            [],
        ),
        E8: _escalation(
            E8,
            "Deck review overruns",
            "wbr",
            "scale",
            "sev4",
            "open",
            WEI,
            "2026-02-27T09:00:00Z",
            [],
        ),
        E9: _escalation(
            E9,
            "Deck missed a holiday",
            "wbr",
            "other",
            "sev3",
            "closed",
            TOM,
            "2025-12-01T10:00:00Z",
            [("2025-12-05T10:00:00Z", TOM, "resolved"), ("2025-12-06T10:00:00Z", TOM, "closed")],
            _change("wbr", 1),
        ),
    }


def build(template: Path, path: Path) -> Path:
    """Copy the initialised template repository to `path` and fill it."""
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    shutil.copytree(template, path, symlinks=True)

    def run(at: str, *args: str) -> None:
        done = CliRunner().invoke(app, ["-C", str(path), *args], env=_dates(at))
        assert done.exit_code == 0, (args, done.stdout, done.stderr)

    run(
        "2025-11-01T09:00:00Z",
        "mechanism",
        "new",
        "prfaq",
        "--template",
        "prfaq",
        "--owner",
        "product-management",
    )
    run("2025-11-01T10:00:00Z", "mechanism", "activate", "prfaq")
    run(
        "2026-01-05T09:00:00Z", "mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance"
    )
    run("2026-01-05T10:00:00Z", "mechanism", "activate", "wbr")
    run(
        "2026-01-06T10:00:00Z",
        "mechanism",
        "new",
        "bar-raiser",
        "--template",
        "bar-raiser",
        "--owner",
        "recruiting",
    )
    wbr = path / "mechanisms" / "wbr.yaml"
    wbr.write_text(wbr.read_text().replace("inspections: []\n", WBR_INSPECTIONS))
    for esc_id, text in escalations().items():
        day = esc_id[4:12]
        rel = path / "escalations" / day[:4] / day[4:6] / f"{esc_id}.yaml"
        rel.parent.mkdir(parents=True, exist_ok=True)
        rel.write_text(text)
    bad = path / "escalations" / "2026" / "02" / f"{BAD}.yaml"
    bad.write_text(
        escalations()[E2]
        .replace(E2, BAD)
        .replace("customer_impact: Customers of deck omitted apac churn waited\n", "")
    )
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "records by hand", env=_dates("2026-02-28T10:00:00Z"))
    return path
