"""Arguments as every backend accepts them: a model or the plain mapping the CLI and JSON give,
and required text. One place, so each provider refuses bad input with the same words.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from staffterm.errors import InvalidInputError, invalid_input_from

M = TypeVar("M", bound=BaseModel)


def as_model(model: type[M], value: Any, what: str) -> M:
    """Accept the model itself or a plain mapping (from the CLI or JSON)."""
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise invalid_input_from(exc, what=what) from None
    raise InvalidInputError(f"expected a {model.__name__}, got {type(value).__name__}")


def require_text(value: Any, field: str) -> str:
    """The text without surrounding blanks; empty or not text is refused, naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must not be empty", field=field)
    return value.strip()


def check_capacity(capacity: Any) -> int | None:
    """A room filter's capacity: ``None`` (any) or a whole number of people, 0 or more."""
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0):
        raise InvalidInputError(f"capacity must be a whole number of people, got {capacity!r}", field="capacity")
    return capacity
