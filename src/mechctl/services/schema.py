"""`mechctl schema`: JSON Schemas generated from the models, for editors and other checkers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mechctl.models import Config, Escalation, Mechanism
from mechctl.store import layout
from mechctl.store.yamlio import atomic_write

_MODELS: dict[str, type[BaseModel]] = {
    "mechanism": Mechanism,
    "escalation": Escalation,
    "config": Config,
}


def schema_texts() -> dict[str, str]:
    """Schema file path -> its exact text. Deterministic, so `--check` can compare bytes."""
    texts = {}
    for kind, model in _MODELS.items():
        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(mode="validation"),
        }
        texts[layout.SCHEMA_FILES[kind]] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return texts


def _stale(root: Path) -> dict[str, str]:
    """The schema files that are missing or differ from the models, with their due text."""
    stale = {}
    for rel, text in schema_texts().items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale[rel] = text
    return stale


def stale_schemas(root: Path) -> list[str]:
    return list(_stale(root))


def write_schemas(root: Path) -> list[str]:
    """Write the schemas that differ; return what was written."""
    written = []
    for rel, text in _stale(root).items():
        atomic_write(root / rel, text)
        written.append(rel)
    return written
