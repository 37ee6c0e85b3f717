"""Configuration defaults, free of pydantic, so fast paths can use them without the models."""

from __future__ import annotations

DEFAULT_LEVELS = ("team", "manager", "director", "vp")
DEFAULT_LEVEL = "director"
DEFAULT_ACK_WITHIN = {"sev1": "1h", "sev2": "4h", "sev3": "1d", "sev4": "3d"}
DEFAULT_RESOLVE_WITHIN = {"sev1": "1d", "sev2": "3d", "sev3": "14d", "sev4": "30d"}
