"""Load and validate record files, with every problem tied to a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap

from mechctl.errors import ConfigError, InvalidRecordError, Location, Problem
from mechctl.models import Config, Escalation, Mechanism
from mechctl.store import yamlio
from mechctl.store.layout import CONFIG_FILE
from mechctl.store.locate import _walk, problems_from

M = TypeVar("M", bound=BaseModel)


@dataclass
class Checked(Generic[M]):
    """The outcome of checking one file: the model when valid, and every problem found."""

    rel: str
    text: str | None = None
    data: dict[str, Any] | None = None
    model: M | None = None
    problems: list[Problem] = field(default_factory=list)


def check_text(
    text: str, rel: str, model: type[M], context: dict[str, Any] | None = None
) -> Checked[M]:
    """Parse with the fast loader; re-parse with positions only when something is wrong."""
    checked: Checked[M] = Checked(rel=rel, text=text)
    try:
        checked.data = yamlio.load_fast(text, rel)
    except yamlio.YamlProblem as exc:
        checked.problems.append(exc.problem)
        return checked
    try:
        checked.model = model.model_validate(checked.data, context=context)
    except ValidationError as exc:
        try:
            doc = yamlio.load_roundtrip(text, rel)
        except yamlio.YamlProblem as problem:
            checked.problems.append(problem.problem)
            return checked
        checked.problems.extend(problems_from(exc, doc, rel, model))
        return checked
    return checked


def check_bytes(
    data: bytes, rel: str, model: type[M], context: dict[str, Any] | None = None
) -> Checked[M]:
    try:
        text = yamlio.decode(data, rel)
    except yamlio.YamlProblem as exc:
        return Checked(rel=rel, problems=[exc.problem])
    return check_text(text, rel, model, context)


def id_problem(checked: Checked[Any], expected: str) -> Problem | None:
    """The file name must equal the id inside (docs/design.md §2)."""
    if checked.model is None or checked.model.id == expected:
        return None
    line, column = 1, 1
    if checked.text is not None:
        doc = yamlio.load_roundtrip(checked.text, checked.rel)
        _, (line0, col0) = _walk(doc, ("id",), "value")
        line, column = line0 + 1, col0 + 1
    return Problem(
        Location(checked.rel, line, column),
        f"id '{checked.model.id}' does not match the file name '{expected}'",
        "id-mismatch",
    )


def read_model(
    root: Path, rel: str, model: type[M], context: dict[str, Any] | None = None
) -> tuple[M, str]:
    """A valid record and its text, or InvalidRecordError with every problem."""
    path = root / rel
    checked = check_bytes(path.read_bytes(), rel, model, context)
    if checked.model is None:
        raise InvalidRecordError(checked.problems)
    mismatch = id_problem(checked, path.stem)
    if mismatch is not None:
        raise InvalidRecordError([mismatch])
    assert checked.text is not None
    return checked.model, checked.text


def read_mechanism(root: Path, rel: str) -> tuple[Mechanism, str]:
    return read_model(root, rel, Mechanism)


def read_escalation(
    root: Path, rel: str, levels: list[str] | None = None
) -> tuple[Escalation, str]:
    return read_model(root, rel, Escalation, {"levels": levels} if levels else None)


def validate_doc(
    doc: CommentedMap, rel: str, model: type[M], context: dict[str, Any] | None = None
) -> M:
    """Validate an edited round-trip document before it is written."""
    try:
        return model.model_validate(yamlio.to_plain(doc), context=context)
    except ValidationError as exc:
        # Positions refer to the document as it will be written.
        text = yamlio.dump(doc)
        fresh = yamlio.load_roundtrip(text, rel)
        raise InvalidRecordError(problems_from(exc, fresh, rel, model)) from None


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    if not path.is_file():
        return Config()
    checked = check_bytes(path.read_bytes(), CONFIG_FILE, Config)
    if checked.model is None:
        first = checked.problems[0]
        raise ConfigError(f"invalid configuration: {first}")
    return checked.model
