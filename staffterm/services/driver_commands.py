"""Driver commands served above the backend, with the project's own QR and mail-template code:
the Graph API driver's generate_svg_qrcode, generate_png_qrcode, build_template and
send_template (PlaceOS drivers, drivers/microsoft/graph_api.cr). A provider's command table
names these as ``module:factory``; ``staffterm <provider> COMMAND`` builds them with the open
backend and the config.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from staffterm.errors import InvalidInputError, NotSupportedError
from staffterm.services.mail_templates import MailTemplates, placeholders, render

PNG_SIZE = 128  # the driver's default size for generate_png_qrcode


class QRCommands:
    def __init__(self, backend: Any = None, config: Any = None) -> None:
        pass  # a QR code needs neither

    def generate_svg_qrcode(self, text: str) -> str:
        from staffterm.services.qr import svg_text

        return svg_text(text)

    def generate_png_qrcode(self, text: str, size: int = PNG_SIZE) -> str:
        """The PNG as base64 text, so it prints and travels in JSON."""
        from staffterm.services.qr import png_bytes

        return base64.b64encode(png_bytes(text, size=size)).decode("ascii")


def fill(template: str, args: Any, what: str) -> str:
    """``%{key}`` filled from ``args``; a key the template needs and args lack is refused,
    naming it. PlaceOS's mailer leaves such a key as written; a mail that says ``%{time}`` to a
    host is a mistake the sender should hear of before it goes."""
    if not isinstance(args, Mapping):
        raise InvalidInputError("args must be a JSON object of the %{key} values", field="args")
    missing = [key for key in placeholders(template) if key not in args]
    if missing:
        raise InvalidInputError(f"{what} needs {', '.join(repr(k) for k in missing)} in args", field="args",
                                hint='Give them, e.g. --args \'{"' + missing[0] + '": "..."}\'.')
    return render(template, {key: "" if value is None else value for key, value in args.items()})


def template_name(value: Any) -> tuple[str, str]:
    """``visitor.checkin``, ``visitor/checkin`` or the driver's ``["visitor", "checkin"]``."""
    parts: Any = value
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parts = json.loads(value)
        except json.JSONDecodeError:
            parts = None
    elif isinstance(value, str):
        parts = value.replace("/", ".").split(".")
    if not isinstance(parts, Sequence) or isinstance(parts, str) or len(parts) != 2 or not all(
            isinstance(p, str) and p.strip() for p in parts):
        raise InvalidInputError(f"template {value!r} is not a group and a name, e.g. visitor.checkin",
                                field="template")
    return parts[0].strip(), parts[1].strip()


class TemplateCommands:
    """The templates: the defaults, the config's ``[mail.templates]``, then the tenant's
    ``email_templates`` (the driver's setting)."""

    def __init__(self, backend: Any, config: Any = None) -> None:
        self.backend = backend
        mail = getattr(config, "mail", None)
        self.templates = MailTemplates(getattr(mail, "templates", None) or None,
                                       getattr(getattr(backend, "settings", None), "email_templates", None))

    def build_template(self, string: str, args: Any) -> str:
        return fill(string, args, "the template")

    async def send_template(self, to: Sequence[str], template: Any, args: Any, resource_attachments: Any = None,
                            attachments: Any = None, cc: Sequence[str] = (), bcc: Sequence[str] = (),
                            from_: str | None = None) -> None:
        group, who = template_name(template)
        fields = self.templates.get(group, who)
        if fields is None:
            known = ", ".join(f"{g}.{w}" for g, w in self.templates.triggers()) or "none"
            raise InvalidInputError(f"there is no email template {group}.{who}", field="template",
                                    hint=f"Templates: {known}. Add one under email_templates in the tenant's settings.")
        what = f"the {group}.{who} template"
        subject = fill(fields.get("subject", ""), args, what)
        text = fill(fields.get("text", ""), args, what)
        html = fill(fields.get("html", ""), args, what)
        driver = getattr(self.backend, "driver", None)
        if driver is None or not hasattr(driver, "send_mail"):
            raise NotSupportedError("this tenant's driver cannot send mail", capability="mail")
        await driver.send_mail(to=to, subject=subject, message_plaintext=text or None, message_html=html or None,
                               resource_attachments=resource_attachments, attachments=attachments, cc=cc, bcc=bcc,
                               from_=from_)
