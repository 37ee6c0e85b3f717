"""What a notification says, and its four shapes: Slack, Teams, a signed webhook, email.

A message says what failed (mechanism, failure mode, customer impact, the ask), the
severity, level and age, and what to run or open to act. It never says who is to blame: the
people it names are thanked, on a resolution.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from mechctl.models import Config, Escalation
from mechctl.models.common import format_duration
from mechctl.models.lifecycle import TimelineAction
from mechctl.models.notify import NotifyEvent
from mechctl.services.notify.events import Delivery, Event

WEBHOOK_VERSION = 1

_HEADLINES = {
    NotifyEvent.RAISED: "Escalation raised",
    NotifyEvent.LEVEL_RAISED: "Escalation raised to {level}",
    NotifyEvent.ACK_OVERDUE: "Not acknowledged in time",
    NotifyEvent.ACK_REMINDER: "Acknowledged, not yet resolved",
    NotifyEvent.RESOLVED: "Escalation resolved",
    NotifyEvent.REOPENED: "Escalation reopened",
    NotifyEvent.INSPECTION_OVERDUE: "Inspection overdue",
}


@dataclass(frozen=True)
class Message:
    key: str
    event: Event
    channel: str
    headline: str  # "Escalation raised: <title>"
    summary: str  # one line, for notifications and the Slack `text`
    facts: list[tuple[str, str]]
    sections: list[tuple[str, str]]  # (heading, paragraph)
    act: str  # the command to run
    url: str | None


def _age(now: datetime, then: datetime) -> str:
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return "just now"
    from datetime import timedelta

    rounded = timedelta(seconds=seconds - seconds % 60)
    if seconds >= 86400:
        rounded = timedelta(hours=seconds // 3600)
    return format_duration(rounded)


def _first_name(person: str) -> str:
    return person.split("<", 1)[0].strip() or person


def build(delivery: Delivery, config: Config, now: datetime, rel: str | None) -> Message:
    event = delivery.event
    headline = _HEADLINES[event.event].format(level=event.level)
    url = None
    if config.notify is not None and config.notify.record_url and rel:
        url = config.notify.record_url.replace("{path}", rel).replace("{id}", event.record)
    if event.mechanism is not None:
        m = event.mechanism
        title = m.title
        cadence = m.inspection.cadence.value if m.inspection.cadence else "-"
        facts = [
            ("Mechanism", m.id),
            ("Owner", m.owner),
            ("Cadence", cadence),
            ("Due", event.at.date().isoformat()),
            ("Overdue", _age(now, event.at)),
        ]
        sections = [
            ("Why it matters", "Without inspection nobody sees whether the mechanism delivers."),
        ]
        act = f"mechctl inspect {m.id} --outcome on-track --metric NAME=VALUE --anecdote TEXT"
        return Message(
            delivery.key,
            event,
            delivery.channel,
            f"{headline}: {title}",
            f"{headline}: {title} ({m.id}, {m.owner})",
            facts,
            sections,
            act,
            url,
        )
    esc = event.escalation
    assert esc is not None
    facts = [
        ("Escalation", esc.id),
        ("Mechanism", esc.mechanism or "(none)"),
        ("Failure mode", esc.failure_mode.value),
        ("Severity", esc.severity.value),
        ("Level", event.level),
        ("Status", esc.status.value),
        ("Age", _age(now, esc.raised_at)),
        ("Owner", esc.owner or "-"),
    ]
    sections = [("Customer impact", esc.customer_impact)]
    if esc.ask:
        sections.append(("Ask", esc.ask))
    if event.event is NotifyEvent.ACK_OVERDUE:
        target = format_duration(config.escalation.ack_within[esc.severity])
        times = "" if not event.reminder else f" (reminder {event.reminder})"
        sections.append(
            ("Waiting", f"Not acknowledged within {target} at level {event.level}{times}.")
        )
    if event.event is NotifyEvent.ACK_REMINDER:
        sections.append(("Waiting", _unresolved(esc, event, config, now)))
    if event.event is NotifyEvent.LEVEL_RAISED and event.note:
        sections.append(("Why now", event.note))
    if event.event is NotifyEvent.REOPENED and event.note:
        sections.append(("Reopened because", event.note))
    if event.event is NotifyEvent.RESOLVED:
        resolution = esc.resolution
        if resolution is not None:
            change = (
                f"mechanism {resolution.mechanism_change.mechanism}"
                f" v{resolution.mechanism_change.version}"
                if resolution.mechanism_change
                else f"no change: {resolution.no_change_reason}"
            )
            sections.append(("Resolution", f"{resolution.summary} ({change})"))
        resolver = _first_name(event.by) if event.by else "the owner"
        sections.append(
            (
                "Thanks",
                f"to {_first_name(esc.raised_by)} for raising it, and to {resolver}"
                f" and {esc.owner or 'the owner'} for resolving it.",
            )
        )
    if esc.status.value == "open":
        act = f"mechctl escalation ack {esc.id}"
    elif esc.status.value == "acknowledged":
        act = f"mechctl escalation resolve {esc.id} --summary TEXT --mechanism-change MECHANISM"
    else:
        act = f"mechctl escalation show {esc.id}"
    summary = f"[{esc.severity.value} · {event.level}] {headline}: {esc.title}"
    return Message(
        delivery.key,
        event,
        delivery.channel,
        f"{headline}: {esc.title}",
        summary,
        facts,
        sections,
        act,
        url,
    )


def _unresolved(esc: Escalation, event: Event, config: Config, now: datetime) -> str:
    acked = esc.last(TimelineAction.ACKNOWLEDGED)
    since = f"Acknowledged {_age(now, acked)} ago" if acked else "Acknowledged"
    text = f"{since} at level {event.level}, not resolved yet (reminder {event.reminder})."
    target = config.escalation.resolve_within.get(esc.severity)
    if target is not None and now > esc.raised_at + target:
        text += (
            f" The {esc.severity.value} target of resolving within {format_duration(target)}"
            f" passed {_age(now, esc.raised_at + target)} ago."
        )
    return text


# -- shapes --------------------------------------------------------------------------------


def slack(msg: Message) -> dict[str, Any]:
    """An incoming-webhook body: `text` for notifications, Block Kit `blocks` to read."""
    fields = [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in msg.facts]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": msg.headline[:150]}},
        {"type": "section", "fields": fields[:10]},
    ]
    for heading, text in msg.sections:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n{text}"}}
        )
    act = f"To act: `{msg.act}`" + (f" · <{msg.url}|open the record>" if msg.url else "")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": act}]})
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"mechctl · key {msg.key}"}]}
    )
    return {"text": msg.summary, "blocks": blocks}


def teams(msg: Message) -> dict[str, Any]:
    """The Workflows webhook envelope: `type: message`, one Adaptive Card attachment."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": msg.headline,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in msg.facts]},
    ]
    for heading, text in msg.sections:
        body.append({"type": "TextBlock", "text": heading, "weight": "Bolder", "wrap": True})
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    body.append(
        {"type": "TextBlock", "text": f"To act: {msg.act}", "fontType": "Monospace", "wrap": True}
    )
    body.append(
        {"type": "TextBlock", "text": f"mechctl · key {msg.key}", "isSubtle": True, "size": "Small"}
    )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if msg.url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the record", "url": msg.url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def webhook(msg: Message) -> dict[str, Any]:
    """The documented webhook body (README, "Notifications"): version 1."""
    event = msg.event
    data: dict[str, Any] = {
        "version": WEBHOOK_VERSION,
        "key": msg.key,
        "event": event.event.value,
        "record": event.record,
        "channel": msg.channel,
        "level": event.level,
        "occurred_at": event.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "headline": msg.headline,
        "summary": msg.summary,
        "facts": dict(msg.facts),
        "sections": dict(msg.sections),
        "act": msg.act,
        "url": msg.url,
    }
    if event.escalation is not None:
        data["escalation"] = event.escalation.model_dump(mode="json")
    if event.mechanism is not None:
        data["mechanism"] = {
            "id": event.mechanism.id,
            "title": event.mechanism.title,
            "owner": event.mechanism.owner,
        }
    return data


def email(msg: Message, sender: str, to: list[str], now: datetime) -> EmailMessage:
    """A plain-text and an HTML part. The Message-ID is the stable key, so a mail system
    that sees a repeat can drop it."""
    mail = EmailMessage()
    mail["Subject"] = msg.summary
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = f"<{msg.key}@mechctl>"
    mail["X-Mechctl-Key"] = msg.key
    mail.set_content(email_text(msg))
    mail.add_alternative(_email_html(msg), subtype="html")
    return mail


def email_text(msg: Message) -> str:
    width = max(len(name) for name, _ in msg.facts)
    lines = [msg.headline, ""]
    lines += [f"{name + ':':<{width + 1}} {value}" for name, value in msg.facts]
    for heading, text in msg.sections:
        lines += ["", heading, f"  {text}"]
    lines += ["", "To act:", f"  {msg.act}"]
    if msg.url:
        lines.append(f"  {msg.url}")
    lines += ["", f"-- mechctl · key {msg.key}"]
    return "\n".join(lines) + "\n"


def _email_html(msg: Message) -> str:
    e = html.escape
    rows = "".join(f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in msg.facts)
    sections = "".join(f"<h3>{e(h)}</h3><p>{e(t)}</p>" for h, t in msg.sections)
    link = f" <a href='{e(msg.url)}'>Open the record</a>" if msg.url else ""
    return (
        f"<html><body><h2>{e(msg.headline)}</h2><table>{rows}</table>{sections}"
        f"<p>To act: <code>{e(msg.act)}</code>{link}</p>"
        f"<p style='color:#888'>mechctl · key {e(msg.key)}</p></body></html>\n"
    )


def slack_preview(payload: dict[str, Any]) -> str:
    """The Slack message as it reads (for the README): header, fields, sections, context."""
    out = []
    for block in payload["blocks"]:
        if block["type"] == "header":
            out.append(f"**{block['text']['text']}**")
        elif block["type"] == "section" and "fields" in block:
            out += [field["text"].replace("*\n", ": ").strip("*") for field in block["fields"]]
        elif block["type"] == "section":
            heading, _, text = block["text"]["text"].partition("\n")
            out += ["", heading.strip("*"), f"  {text}"]
        elif block["type"] == "context":
            out += ["", " ".join(el["text"] for el in block["elements"]).replace("`", "")]
    return "\n".join(out) + "\n"
