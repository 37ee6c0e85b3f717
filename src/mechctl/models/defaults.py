"""Configuration defaults, free of pydantic, so fast paths can use them without the models."""

from __future__ import annotations

DEFAULT_LEVELS = ("team", "manager", "director", "vp")
DEFAULT_LEVEL = "director"
DEFAULT_ACK_WITHIN = {"sev1": "1h", "sev2": "4h", "sev3": "1d", "sev4": "3d"}
DEFAULT_RESOLVE_WITHIN = {"sev1": "1d", "sev2": "3d", "sev3": "14d", "sev4": "30d"}

FACTS_VERSION = 3  # the shape of facts(), and of what the index keeps of a configuration
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def _seconds(text: str) -> int:
    return int(text[:-1]) * _UNITS[text[-1]]


def facts() -> dict[str, object]:
    """The configuration facts (services/core/index/facts.py) of a repository without a
    `.mechctl.yaml`: every default."""
    return {
        "version": FACTS_VERSION,
        "levels": list(DEFAULT_LEVELS),
        "default_level": DEFAULT_LEVEL,
        "auto_push": False,
        "ack_within": {sev: _seconds(text) for sev, text in DEFAULT_ACK_WITHIN.items()},
        "resolve_within": {sev: _seconds(text) for sev, text in DEFAULT_RESOLVE_WITHIN.items()},
        "teams": None,
    }
