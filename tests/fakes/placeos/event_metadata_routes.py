"""Staff API routes over staff-api's stored event metadata: a meeting's extension data and the
room clash check, the metadata search, plus the ``staff/event/changed`` signal every event write sends."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.placeos.event_model import (
    event_zones,
    events_on,
    metadata_for,
    on_calendar,
    require_editor,
)
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.wire import Ctx, bad_request, not_found, overlaps, unprocessable

router = Router(STAFF)


def event_signal(ctx: Ctx, event: dict[str, Any], action: str, **extra: Any) -> None:
    system = ctx.state.systems.get(event.get("system_id") or "")
    ctx.state.signal("staff/event/changed", {
        "action": action, "system_id": event.get("system_id"), "event_id": event["id"],
        "event_ical_uid": event["ical_uid"], "host": event["host"], "resource": system.get("email") if system else None,
        "title": event.get("title"), "event_start": event["event_start"], "event_end": event["event_end"],
        "zones": event_zones(ctx.state, event), **extra})


def _event_on_system(ctx: Ctx, event_id: str, system_id: str) -> dict[str, Any]:
    system = ctx.state.systems.get(system_id)
    event = ctx.state.events.get(event_id)
    if system is None or event is None or not system.get("email") or not on_calendar(event, system["email"]):
        raise not_found(f"event {event_id} not found on system {system_id}")
    return event


@router.get("/events/{event_id}/metadata/{system_id}")
def get_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    event = _event_on_system(ctx, event_id, system_id)
    meta = metadata_for(ctx.state, event, system_id, ctx.now)
    return dict(meta["ext_data"]) if meta else {}


def _write_event_metadata(ctx: Ctx, event_id: str, system_id: str, merge: bool) -> Any:
    event = _event_on_system(ctx, event_id, system_id)
    require_editor(ctx, event, ctx.state.systems[system_id]["email"])
    data = ctx.body_object()
    meta = metadata_for(ctx.state, event, system_id, ctx.now, create=True)
    assert meta is not None
    meta["ext_data"] = {**meta["ext_data"], **data} if merge else dict(data)
    for key in ("setup_time", "breakdown_time"):
        value = ctx.int_q(key, minimum=0)
        if value is not None:
            meta[key] = value
    for key in ("setup_event_id", "breakdown_event_id"):
        if ctx.q(key):
            meta[key] = ctx.q(key)
    meta["updated_at"] = ctx.now
    if merge:
        event_signal(ctx, event, "update", ext_data=dict(meta["ext_data"]))
    return dict(meta["ext_data"])


@router.put("/events/{event_id}/metadata/{system_id}")
def put_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    return _write_event_metadata(ctx, event_id, system_id, merge=False)


@router.patch("/events/{event_id}/metadata/{system_id}")
def patch_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    return _write_event_metadata(ctx, event_id, system_id, merge=True)


@router.post("/events/clashing-assets")
def event_clashing_assets(ctx: Ctx) -> Any:
    return_available = bool(ctx.bool_q("return_available", False))
    include_time = bool(ctx.bool_q("include_clash_time", False))
    if return_available and include_time:
        raise bad_request("return_available and include_clash_time are mutually exclusive", "include_clash_time")
    body = ctx.body_object()
    start, end = body.get("event_start"), body.get("event_end")
    if not isinstance(start, int) or not isinstance(end, int):
        raise unprocessable("event_start and event_end are required", "event_start")
    if end <= start:
        raise unprocessable("event_end must be after event_start", "event_end")
    wanted = body.get("system_ids") or ([body["system_id"]] if body.get("system_id") else None)
    candidates = [s for s in ctx.state.systems.values() if s.get("email") and (wanted is None or s["id"] in wanted)]
    clashes: list[dict[str, Any]] = []
    for system in sorted(candidates, key=lambda s: s["id"]):
        for event in events_on(ctx.state, system["email"], start, end):
            if overlaps(start, end, event["event_start"], event["event_end"]) and event["id"] != body.get("id"):
                clashes.append({"system_id": system["id"], "event_start": event["event_start"],
                                "event_end": event["event_end"]})
    clashing_ids = list(dict.fromkeys(c["system_id"] for c in clashes))
    if include_time:
        return clashes
    if return_available:
        return [s["id"] for s in sorted(candidates, key=lambda s: s["id"]) if s["id"] not in clashing_ids]
    return clashing_ids


def _ext_value(raw: str) -> Any:
    """The value of ``ext_data @> {field: value}`` (PlaceOS::Model::JSONBQuery): JSON when it parses."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _extension_metadata(ctx: Ctx, system_id: str | None) -> Any:
    """staff-api events.cr ``extension_metadata``: stored metadata by room, period, event refs
    (event_id or ical_uid) and one ext_data field; at least one filter (400), 10,000 at most."""
    field_name, value = ctx.q("field_name"), ctx.q("value")
    start, end = ctx.epoch_q("period_start"), ctx.epoch_q("period_end")
    refs = ctx.list_q("event_ref")
    if not (system_id or (field_name and value) or start is not None or end is not None or refs):
        raise bad_request("must provide one of field_name & value, system_id, event_ref, period_start or period_end")
    wanted = _ext_value(value) if field_name and value else None
    out = []
    for meta in ctx.state.event_metadata.values():
        if start is not None and not meta["event_end"] > start:
            continue
        if end is not None and not meta["event_start"] < end:
            continue
        if system_id and meta["system_id"] != system_id:
            continue
        if refs and meta["event_id"] not in refs and meta["ical_uid"] not in refs:
            continue
        if field_name and value and meta["ext_data"].get(field_name) != wanted:
            continue
        out.append(dict(meta))
    return out[:10_000]


@router.get("/events/extension_metadata")
def extension_metadata(ctx: Ctx) -> Any:
    return _extension_metadata(ctx, None)


@router.get("/events/extension_metadata/{system_id}")
def extension_metadata_of_room(ctx: Ctx, system_id: str) -> Any:
    return _extension_metadata(ctx, system_id)
