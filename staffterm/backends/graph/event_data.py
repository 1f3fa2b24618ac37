"""staffterm's own data on a calendar item: one open extension per event copy.

Why an open extension and not a single-value extended property: Graph recommends open
extensions "for most scenarios involving storing and accessing custom data", keeping extended
properties for Outlook MAPI properties Graph does not expose (resources/opentypeextension.md,
"Use open extensions (for Outlook resources) or extended properties"). One extension holds many
values, so the panel's check-in and the lobby's visitor check-ins share it, and every extension
name costs a MAPI named property in the mailbox, so there is exactly one, with a fixed name
("create the minimum number of extensions", "avoid naming extensions in a variable manner").

The data lives on the copy of the meeting in the calendar that was asked (a room's copy for the
panel and the lobby): that is the calendar they read. It is read with the event through
``$expand=extensions($filter=id eq '…')`` (opentypeextension-get.md) and written read-modify-write,
because an update replaces the extension's properties (opentypeextension-update.md: "you must
specify all properties … otherwise Microsoft Graph will delete the unspecified properties").
Values are primitives or arrays of primitives (opentypeextension-post-opentypeextension.md);
anything else is refused before it is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from staffterm.errors import ConflictError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from staffterm.backends.graph.backend_core import GraphCore

# Reverse DNS of our own name, never a Microsoft domain (resources/opentypeextension.md).
EXTENSION_NAME = "org.staffterm.kiosk"
# Outlook items name an open extension by this fully qualified id (opentypeextension-get.md).
EXTENSION_ID = f"Microsoft.OutlookServices.OpenTypeExtension.{EXTENSION_NAME}"
EXPAND = f"extensions($filter=id eq '{EXTENSION_ID}')"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_PRIMITIVE = (str, int, float, bool)


def data_from_wire(event: Any) -> dict[str, Any]:
    """Our extension's properties on an event read with ``EXPAND`` (empty when it has none)."""
    items = event.get("extensions") if isinstance(event, dict) else None
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if str(item.get("id") or "").lower() == EXTENSION_ID.lower() or item.get("extensionName") == EXTENSION_NAME:
            return {k: v for k, v in item.items() if not k.startswith("@") and "@" not in k
                    and k not in ("id", "extensionName")}
    return {}


def check_data(data: dict[str, Any]) -> dict[str, Any]:
    """Names an OData property may have; values Graph keeps (primitives or lists of them; None deletes)."""
    for key, value in data.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise InvalidInputError(f"{key!r} cannot name a value stored on a Microsoft 365 event "
                                    "(letters, digits and _ only)", field="extension_data")
        items = value if isinstance(value, list) else [value]
        if any(v is not None and not isinstance(v, _PRIMITIVE) for v in items):
            raise InvalidInputError(f"{key!r}: a Microsoft 365 event keeps only text, numbers, true/false "
                                    "or lists of them", field="extension_data")
    return data


def _path(event_path: str) -> str:
    return f"{event_path}/extensions"


async def read_data(core: GraphCore, event_path: str) -> dict[str, Any] | None:
    """The extension's properties, or None when the event has none yet."""
    from staffterm.http.client import decode_json

    try:
        response = await core.http.request("GET", f"{_path(event_path)}/{EXTENSION_NAME}")
    except NotFoundError:
        return None
    return data_from_wire({"extensions": [decode_json(response, provider=core.http.provider)]})


async def change_data(core: GraphCore, event_path: str,
                      change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Read the extension, apply ``change`` to its properties, write them all back; returns them.

    A missing event is a ``NotFoundError`` (the read says so). Both writes carry absolute
    values, so sending one again after a lost reply lands the same. Created twice (another
    writer, or a POST whose reply was lost): Exchange is reported to merge a second POST into
    the extension, and a 409 is answered by updating it instead."""
    def body(current: dict[str, Any] | None) -> dict[str, Any]:
        new = check_data({k: v for k, v in change(dict(current or {})).items() if v is not None})
        return {"@odata.type": "microsoft.graph.openTypeExtension", "extensionName": EXTENSION_NAME, **new}

    current = await read_data(core, event_path)
    sent = body(current)
    if current is None:
        try:
            await core.http.request("POST", _path(event_path), json=sent, idempotent=True)
            return data_from_wire({"extensions": [sent]})
        except ConflictError:
            # Made meanwhile: apply the change to what is there, so nothing it holds is lost.
            sent = body(await read_data(core, event_path))
    await core.http.request("PATCH", f"{_path(event_path)}/{EXTENSION_NAME}", json=sent, idempotent=True)
    return data_from_wire({"extensions": [sent]})


async def merge_into(core: GraphCore, mailbox: str, event: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` (``None`` deletes a value) into the data of ``event``, read from ``mailbox``;
    returns the event as it now stands, without reading it again."""
    from staffterm.backends.graph.meeting_copies import event_path

    check_data(changes)
    new = await change_data(core, event_path(mailbox, str(event["id"])), lambda current: {**current, **changes})
    kept = [e for e in event.get("extensions") or [] if isinstance(e, dict) and not data_from_wire({"extensions": [e]})]
    return {**event, "extensions": [*kept, {"id": EXTENSION_ID, "extensionName": EXTENSION_NAME, **new}]}
