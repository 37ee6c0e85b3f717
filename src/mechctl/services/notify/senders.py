"""Sending one message to one channel, with the standard library only: `urllib.request` for
Slack, Teams and webhooks, `smtplib` for email (STARTTLS whenever the server offers it).

Every failure (a missing variable, an HTTP error, a timeout, a refused connection, an SMTP
error) becomes a `DeliveryError` with one line saying what went wrong; the run records it
and retries the delivery next time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import unquote, urlsplit

from mechctl.models.notify import (
    Channel,
    EmailChannel,
    SlackChannel,
    TeamsChannel,
    WebhookChannel,
)
from mechctl.services.notify import messages
from mechctl.services.notify.messages import Message

SIGNATURE_HEADER = "X-Mechctl-Signature"
KEY_HEADER = "X-Mechctl-Key"


class DeliveryError(Exception):
    """One delivery that did not happen; str() is the reason, in one line."""


def timeout() -> float:
    return float(os.environ.get("MECHCTL_NOTIFY_TIMEOUT", "10"))


def _env(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise DeliveryError(f"environment variable {name} is not set")
    return value


def missing_env(channel: Channel, env: Mapping[str, str] | None = None) -> list[str]:
    """The variables `channel` needs that this environment does not set."""
    env = os.environ if env is None else env
    names = [getattr(channel, key, None) for key in ("url_env", "secret_env", "smtp_url_env")]
    return [name for name in names if isinstance(name, str) and not env.get(name, "").strip()]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(
    channel: Channel,
    msg: Message,
    now: datetime,
    env: Mapping[str, str] | None = None,
    extra_to: tuple[str, ...] = (),
) -> None:
    env = os.environ if env is None else env
    if isinstance(channel, SlackChannel):
        _post(_env(env, channel.url_env), messages.slack(msg), msg.key)
    elif isinstance(channel, TeamsChannel):
        _post(_env(env, channel.url_env), messages.teams(msg), msg.key)
    elif isinstance(channel, WebhookChannel):
        secret = _env(env, channel.secret_env) if channel.secret_env else None
        _post(_env(env, channel.url_env), messages.webhook(msg), msg.key, secret)
    elif isinstance(channel, EmailChannel):
        to = list(dict.fromkeys([*channel.to, *extra_to]))
        mail = messages.email(msg, channel.sender, to, now)
        _smtp(_env(env, channel.smtp_url_env), mail, to)
    else:  # pragma: no cover - the model admits no other kind
        raise DeliveryError(f"unknown channel kind {channel!r}")


def _post(url: str, payload: object, key: str, secret: str | None = None) -> None:
    body = json.dumps(payload, sort_keys=True).encode()
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("the URL is not http(s)")
    headers = {"Content-Type": "application/json", KEY_HEADER: key, "User-Agent": "mechctl"}
    if secret is not None:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise DeliveryError(f"no answer within {timeout():g}s") from None
        raise DeliveryError(f"cannot connect: {_why(reason)}") from None
    except TimeoutError:
        raise DeliveryError(f"no answer within {timeout():g}s") from None
    except OSError as exc:
        raise DeliveryError(f"cannot connect: {_why(exc)}") from None


def _why(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _smtp(url: str, mail: object, to: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise DeliveryError("the SMTP URL must be smtp://[user:password@]host[:port] or smtps://")
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 587)
    context = ssl.create_default_context()
    # smtplib's default EHLO name comes from socket.getfqdn(), a DNS lookup that can stall
    # for seconds; the host name is enough for EHLO.
    local = socket.gethostname() or "localhost"
    try:
        client: smtplib.SMTP
        if secure:
            client = smtplib.SMTP_SSL(
                parts.hostname, port, local, timeout=timeout(), context=context
            )
        else:
            client = smtplib.SMTP(parts.hostname, port, local, timeout=timeout())
        with client:
            client.ehlo()
            if not secure and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(mail, to_addrs=to)  # type: ignore[arg-type]
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP error: {_smtp_why(exc)}") from None
    except TimeoutError:
        raise DeliveryError(f"no answer within {timeout():g}s") from None
    except OSError as exc:
        raise DeliveryError(f"cannot connect: {_why(exc)}") from None


def _smtp_why(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", b"")
    if code is not None:
        detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{code} {detail}".strip()
    return str(exc) or type(exc).__name__
