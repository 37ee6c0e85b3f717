"""`mechctl escalate --notify`: send the new escalation's `raised` event at once, through
the same delivery record as `mechctl notify` (docs/design.md §4, "Notifications"), so the
next `notify` run finds it delivered and sends nothing again.

Only the channels whose variables this environment sets are sent to; the others are left,
unclaimed, to the next `notify` run (in CI, where the secrets are). A failed delivery is
recorded `failed` and retried by that run too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mechctl.git.ledger import Ledger
from mechctl.models import Escalation
from mechctl.models.notify import NotifyEvent
from mechctl.services.core.context import Workspace
from mechctl.services.notify import events as ev
from mechctl.services.notify import senders
from mechctl.services.notify.run import NotifyResult, check, deliver, remote_of


@dataclass
class SentNow:
    result: NotifyResult = field(default_factory=NotifyResult)
    # (channel, variables not set): left to the next `mechctl notify`
    left: list[tuple[str, list[str]]] = field(default_factory=list)


def notify_raised(ws: Workspace, esc: Escalation) -> SentNow:
    config = ws.config
    sent = SentNow()
    if config.notify is None:
        sent.result.configured = False
        return sent
    check(config.notify)
    now = ws.now()
    wanted = []
    for event in ev.escalation_events(esc, config, now):
        if event.event is not NotifyEvent.RAISED:
            continue
        for delivery in ev.deliveries(event, config):
            missing = senders.missing_env(config.notify.channels[delivery.channel])
            if missing:
                sent.left.append((delivery.channel, missing))
            else:
                wanted.append(delivery)
    if wanted:
        deliver(ws, Ledger(ws.git, remote_of(ws)), list(wanted), now, sent.result)
    return sent
