"""`mechctl mechanism new`: a draft mechanism, blank or from a well-known template."""

from __future__ import annotations

from importlib import resources
from typing import Any

from mechctl.errors import AlreadyExistsError, UsageError
from mechctl.models import Mechanism, MechanismKind
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.store import layout, yamlio
from mechctl.store.records import validate_doc

TEMPLATES = ("bar-raiser", "wbr", "operating-plan", "prfaq", "narrative")
KEY_ORDER = (
    "id",
    "title",
    "kind",
    "status",
    "owner",
    "version",
    "problem",
    "tool",
    "levers",
    "adoption",
    "inspection",
    "inspections",
    "iterations",
)


def template(name: str, owner: str) -> dict[str, Any]:
    """A template's definition, with `{owner}` standing for the owning team."""
    if name not in TEMPLATES:
        raise UsageError(f"unknown template {name!r}; choose one of: {', '.join(TEMPLATES)}")
    text = resources.files("mechctl.templates").joinpath(f"{name}.yaml").read_text("utf-8")
    data = yamlio.load_value(text.replace("{owner}", owner))
    assert isinstance(data, dict)
    return data


def new_mechanism(
    ws: Workspace,
    mechanism_id: str,
    *,
    title: str | None,
    owner: str,
    problem: str | None,
    kind: MechanismKind | None = None,
    template_name: str | None = None,
) -> Mechanism:
    rel = layout.mechanism_rel(mechanism_id)
    body: dict[str, Any] = template(template_name, owner) if template_name else {}
    if title:
        body["title"] = title
    if problem:
        body["problem"] = problem
    if kind is not None:
        body["kind"] = kind.value
    for flag, key in (("--title", "title"), ("--problem", "problem")):
        if not str(body.get(key, "")).strip():
            raise UsageError(f"missing value for {flag}")
    if not ws.config.knows_team(owner):
        teams = ", ".join(sorted(ws.config.teams or {}))
        raise UsageError(f"unknown team {owner!r} for --owner; teams in .mechctl.yaml: {teams}")
    with transaction(ws) as txn:
        if (ws.root / rel).exists():
            raise AlreadyExistsError(
                f"mechanism {mechanism_id!r} already exists ({rel})",
                hint=f"change it with `mechctl mechanism edit {mechanism_id}`",
            )
        why = f"created from the {template_name} template" if template_name else "created"
        record = {
            "id": mechanism_id,
            "title": body.pop("title"),
            "kind": body.pop("kind", MechanismKind.OTHER.value),
            "status": "draft",
            "owner": owner,
            "version": 1,
            "problem": body.pop("problem"),
            **body,
            "inspections": [],
            "iterations": [{"version": 1, "date": ws.now().date(), "why": why}],
        }
        ordered = {key: record[key] for key in KEY_ORDER if key in record}
        ordered.update({k: v for k, v in record.items() if k not in ordered})
        doc = yamlio.to_yaml(ordered)
        mechanism = validate_doc(doc, rel, Mechanism)
        text = yamlio.dump(doc, header=layout.schema_header(rel, "mechanism"))
        txn.write(rel, text, before=None)
        txn.commit(
            f"mechanism new: {mechanism_id} ({mechanism.title})",
            "mechanism.create",
            mechanism_id,
            body=why.capitalize() + ".",
        )
    return mechanism
