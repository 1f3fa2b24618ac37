"""One error taxonomy for every backend, the services, the CLI and the console.

Each error carries a message a desk operator can act on (what happened, what to do), never a
provider's raw payload and never a secret. Backends map their provider's codes (PlaceOS
409/410/501/511, Graph AADSTS…, Google ``reason``) onto these classes at their edge.
"""

from __future__ import annotations

from typing import Any, ClassVar


class StafftermError(Exception):
    """Base for every error staffterm reports to a person."""

    kind: ClassVar[str] = "error"
    default_hint: ClassVar[str] = ""

    def __init__(self, message: str, *, hint: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}. {self.hint}" if not self.message.endswith(".") else f"{self.message} {self.hint}"
        return self.message

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.kind, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class AuthError(StafftermError):
    kind = "auth"
    default_hint = "Check the tenant's credentials with `staffterm config check`."


class PermissionDeniedError(StafftermError):
    kind = "permission"
    default_hint = "Ask an administrator to grant this account access (or admin consent)."


class NotFoundError(StafftermError):
    kind = "not_found"


class ConflictError(StafftermError):
    """A clash: the items that clash travel with the error so screens can show them."""

    kind = "conflict"

    def __init__(self, message: str, *, clashes: list[Any] | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.clashes: list[Any] = list(clashes or [])

    def to_json_dict(self) -> dict[str, Any]:
        out = super().to_json_dict()
        out["clashes"] = [_jsonable(c) for c in self.clashes]
        return out


class LimitReachedError(StafftermError):
    kind = "limit"

    def __init__(self, message: str, *, limit: int | None = None, items: list[Any] | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.limit = limit
        self.items: list[Any] = list(items or [])

    def to_json_dict(self) -> dict[str, Any]:
        out = super().to_json_dict()
        out["limit"] = self.limit
        out["items"] = [_jsonable(c) for c in self.items]
        return out


class InvalidInputError(StafftermError):
    kind = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.field = field


class ThrottledError(StafftermError):
    kind = "throttled"
    default_hint = "The service is busy; staffterm will retry, or try again shortly."

    def __init__(self, message: str, *, retry_after: float | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class UnavailableError(StafftermError):
    kind = "unavailable"
    default_hint = "Check the network and the service's URL; the last good data stays on screen."


class ReplyLostError(UnavailableError):
    """A write whose reply never arrived intact, reported as what is known of its outcome.

    ``applied`` is True when the service accepted the write (a 2xx status arrived, its body did
    not): the change is done. None means it may or may not have happened (the connection broke
    after the request went out, or a gateway timed out); the hint says how to check before
    trying again, because trying blindly could do it twice.
    """

    kind = "reply_lost"

    def __init__(self, message: str, *, applied: bool | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.applied = applied

    def to_json_dict(self) -> dict[str, Any]:
        out = super().to_json_dict()
        out["applied"] = self.applied
        return out


class NotSupportedError(StafftermError):
    kind = "not_supported"

    def __init__(self, message: str, *, capability: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.capability = capability


class ConfigError(StafftermError):
    """Bad configuration: names the file and the key that is wrong."""

    kind = "config"

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.path = path
        self.key = key


def _jsonable(item: Any) -> Any:
    dump = getattr(item, "to_json_dict", None)
    if callable(dump):
        return dump()
    return item


def invalid_input_from(exc: Exception, *, what: str = "input") -> InvalidInputError:
    """Turn a pydantic ``ValidationError`` into one readable ``InvalidInputError``.

    Duck-typed on ``.errors()`` so this module does not import pydantic.
    """
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return InvalidInputError(f"invalid {what}: {exc}")
    parts: list[str] = []
    first_field: str | None = None
    for err in errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if loc and first_field is None:
            first_field = loc
        parts.append(f"{loc}: {msg}" if loc else msg)
    return InvalidInputError(f"invalid {what}: " + "; ".join(parts), field=first_field)
