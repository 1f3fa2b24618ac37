"""Mail templates in the PlaceOS driver's shape: ``{group: {who: {subject, text, html}}}``.

Placeholders are ``%{key}``; each is replaced by the string form of ``args[key]`` and unknown
keys are left as they are, like the driver's ``interface/mailer.cr``. Config overrides merge over
the defaults field by field; setting a template to ``None`` (or ``{}``) switches it off.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from staffterm.errors import ConfigError, InvalidInputError, invalid_input_from
from staffterm.models import MailMessage

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"%\{([^{}]+)\}")

#: The parts of a template that are rendered; anything else in a template is refused.
TEMPLATE_FIELDS = ("subject", "text", "html")

DEFAULT_TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    "visitor": {
        "checkin": {
            "subject": "%{name} has arrived",
            "text": "for your meeting at %{time}",
        },
        "checkout": {
            "subject": "%{name} has left",
            "text": "checked out of %{building_name} at %{time}",
        },
    },
    "event": {
        "cancelled": {
            "subject": "Cancelled: %{event_title}",
            "text": "%{event_title} at %{time} in %{room_name} has been cancelled",
        },
    },
    "booking": {
        "approved": {
            "subject": "Booking approved: %{asset_name}",
            "text": "your booking of %{asset_name} on %{date} at %{time} has been approved",
        },
        "rejected": {
            "subject": "Booking declined: %{asset_name}",
            "text": "your booking of %{asset_name} on %{date} at %{time} was not approved",
        },
    },
}


def render(template: str, args: Mapping[str, object]) -> str:
    """Replace each ``%{key}`` with ``str(args[key])``; unknown keys stay as written.

    One pass over the template: a value that itself contains ``%{…}`` (a guest typing it into
    their name, say) is inserted verbatim and never expanded.
    """

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(args[key]) if key in args else match.group(0)

    return PLACEHOLDER.sub(substitute, template)


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(template):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _merge(
    base: dict[str, dict[str, dict[str, str]]], overrides: Mapping[str, Any]
) -> dict[str, dict[str, dict[str, str] | None]]:
    merged: dict[str, dict[str, dict[str, str] | None]] = copy.deepcopy(base)  # type: ignore[arg-type]
    for group, whos in overrides.items():
        key = f"mail.templates.{group}"
        if not isinstance(whos, Mapping):
            raise ConfigError(f"{key} must be a table of templates, not {type(whos).__name__}", key=key)
        target = merged.setdefault(str(group), {})
        for who, fields in whos.items():
            who_key = f"{key}.{who}"
            if fields is None or (isinstance(fields, Mapping) and not fields):
                target[str(who)] = None
                continue
            if not isinstance(fields, Mapping):
                raise ConfigError(f"{who_key} must be a table with subject/text/html, not {type(fields).__name__}", key=who_key)
            current = dict(target.get(str(who)) or {})
            for name, value in fields.items():
                if name not in TEMPLATE_FIELDS:
                    raise ConfigError(
                        f"{who_key} has an unknown field {name!r}", key=f"{who_key}.{name}", hint="Use subject, text or html."
                    )
                if not isinstance(value, str):
                    raise ConfigError(f"{who_key}.{name} must be text", key=f"{who_key}.{name}")
                current[str(name)] = value
            target[str(who)] = current
    return merged


class MailTemplates:
    """The template set in use: defaults with the config's ``[mail.templates]`` merged over them."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, *more: Mapping[str, Any] | None) -> None:
        # Each set of overrides merges over the ones before it: the config's [mail.templates],
        # then a tenant's own (the Graph API driver's email_templates setting).
        templates = _merge(DEFAULT_TEMPLATES, overrides or {})
        for layer in more:
            templates = _merge(templates, layer or {})  # type: ignore[arg-type]
        self._templates = templates

    def get(self, group: str, who: str) -> dict[str, str] | None:
        """The template's fields, or ``None`` when there is none (or it is switched off)."""
        template = self._templates.get(group, {}).get(who)
        return dict(template) if template else None

    def triggers(self) -> list[tuple[str, str]]:
        """Every ``(group, who)`` that has a template."""
        return sorted((g, w) for g, whos in self._templates.items() for w, t in whos.items() if t)

    def fields(self, group: str, who: str) -> list[str]:
        """Placeholder names the template uses (subject, then text, then html), each once."""
        template = self.get(group, who)
        if template is None:
            return []
        combined = "\n".join(template.get(name, "") for name in TEMPLATE_FIELDS)
        return placeholders(combined)

    def build(
        self,
        group: str,
        who: str,
        to: Sequence[str],
        args: Mapping[str, object],
        *,
        sender: str | None = None,
        reply_to: str | None = None,
    ) -> MailMessage | None:
        """Render the template into a message; ``None`` (and a warning) when there is no template."""
        template = self.get(group, who)
        if template is None:
            log.warning("no mail template for %s/%s; no mail sent", group, who)
            return None
        recipients = [address.strip() for address in to if address and address.strip()]
        if not recipients:
            raise InvalidInputError(f"no recipient for the {group}/{who} mail", field="to")
        try:
            return MailMessage(
                to=recipients,
                subject=render(template.get("subject", ""), args),
                text=render(template.get("text", ""), args),
                html=render(template.get("html", ""), args),
                sender=sender,
                reply_to=reply_to,
            )
        except ValidationError as exc:
            raise invalid_input_from(exc, what=f"{group}/{who} mail") from None
