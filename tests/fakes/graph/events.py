"""Calendar routes: calendarView, events (list, get, create, update, delete) and the meeting actions.

- calendarView (user-list-calendarview.md): startDateTime and endDateTime are required; without
  them Outlook answers 400 ErrorInvalidParameter "This request requires a time window specified by
  the query string parameters StartDateTime and EndDateTime." (microsoft-graph-docs issue 57).
  Their offset is honoured, no offset means UTC, and ``Prefer: outlook.timezone`` only changes the
  zone of the returned start/end.
- Paging: 10 events per page by default, ``$top`` or ``Prefer: odata.maxpagesize`` change it, and
  the nextLink carries ``$skip`` (cloud-apis notes A3; samples in microsoft-graph-docs issue 4282).
- Create answers 201 with the event, update 200, delete 204 with no body, the actions 202.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.graph.events_model import overlaps, render
from tests.fakes.graph.events_store import cancel_event, create_event, remove_event, respond, update_event
from tests.fakes.graph.extensions import expand
from tests.fakes.graph.routing import Router
from tests.fakes.graph.times import parse_query_instant
from tests.fakes.graph.wire import Ctx, GraphError, empty_response, json_response, not_found, odata_page, select_fields

router = Router()
READ = ("Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite")
WRITE = ("Calendars.ReadWrite",)
CALENDAR_ID = "AAMkAGcalendar-default="


def _tz(ctx: Ctx) -> str | None:
    name = ctx.prefer("outlook.timezone")
    if name:
        from tests.fakes.graph.times import zone

        zone(name)  # an unknown zone is a 400
    return name


def _headers(ctx: Ctx) -> dict[str, str]:
    applied = []
    if ctx.prefer("outlook.timezone"):
        applied.append(f'outlook.timezone="{ctx.prefer("outlook.timezone")}"')
    if ctx.prefer("odata.maxpagesize"):
        applied.append(f"odata.maxpagesize={ctx.prefer('odata.maxpagesize')}")
    return {"Preference-Applied": ", ".join(applied)} if applied else {}


def _page_size(ctx: Ctx) -> int:
    top = ctx.int_q("$top")
    pref = ctx.prefer("odata.maxpagesize")
    requested = top or (int(pref) if pref and pref.isdigit() else None)
    return ctx.fake.page_size("events", requested)


def _reject_filter(ctx: Ctx) -> None:
    if ctx.q("$filter") or ctx.q("$search"):
        # Outlook does filter events; this fake does not, and says so rather than ignore the option.
        raise GraphError(400, "BadRequest", "This fake does not evaluate $filter or $search on events.")


def _list(ctx: Ctx, items: list[dict[str, Any]], context: str) -> httpx.Response:
    _reject_filter(ctx)
    tz = _tz(ctx)
    items = sorted(items, key=lambda e: (e["_start"], e["id"]))
    return odata_page(ctx, items, page_size=_page_size(ctx), context=context,
                      render=lambda e: expand(ctx, select_fields(ctx, render(e, tz))), headers=_headers(ctx))


@router.get("/users/{user}/calendarView", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendar/calendarView", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendars/{calendar}/calendarView", permissions=READ, mailbox="user")
def calendar_view(ctx: Ctx, user: str, calendar: str | None = None) -> httpx.Response:
    start = parse_query_instant(ctx.q("startDateTime"))
    end = parse_query_instant(ctx.q("endDateTime"))
    if start is None or end is None:
        raise GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the query "
                         "string parameters StartDateTime and EndDateTime.")
    items = [e for e in ctx.state.events_of(ctx.mailbox) if overlaps(e, start, end)]
    return _list(ctx, items, f"users('{user}')/calendarView")


@router.get("/users/{user}/events", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendar/events", permissions=READ, mailbox="user")
def list_events(ctx: Ctx, user: str) -> httpx.Response:
    return _list(ctx, ctx.state.events_of(ctx.mailbox), f"users('{user}')/events")


@router.post("/users/{user}/events", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendars/{calendar}/events", permissions=WRITE, mailbox="user")
def create(ctx: Ctx, user: str, calendar: str | None = None) -> httpx.Response:
    data = ctx.body()
    if not isinstance(data, dict):
        raise GraphError(400, "ErrorInvalidRequest", "Empty Payload. JSON content expected.")
    event, _created = create_event(ctx.state, ctx.mailbox, data, ctx.now, defer_rooms=ctx.fake.defer_room_replies)
    body = {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/events/$entity", **render(event, _tz(ctx))}
    return json_response(body, 201, _headers(ctx))


def _event(ctx: Ctx, event_id: str) -> dict[str, Any]:
    event = ctx.state.events.get(event_id)
    if event is None or event["_mailbox"] != ctx.mailbox:
        raise not_found()
    return event


@router.get("/users/{user}/events/{event_id}", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendar/events/{event_id}", permissions=READ, mailbox="user")
def get_event(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    event = _event(ctx, event_id)
    body = {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/events/$entity",
            **expand(ctx, select_fields(ctx, render(event, _tz(ctx))))}
    return json_response(body, headers=_headers(ctx))


@router.patch("/users/{user}/events/{event_id}", permissions=WRITE, mailbox="user")
@router.patch("/users/{user}/calendar/events/{event_id}", permissions=WRITE, mailbox="user")
def patch_event(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    event = _event(ctx, event_id)
    data = ctx.body()
    if not isinstance(data, dict):
        raise GraphError(400, "ErrorInvalidRequest", "Empty Payload. JSON content expected.")
    update_event(ctx.state, event, data, ctx.now, defer_rooms=ctx.fake.defer_room_replies)
    body = {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/events/$entity", **render(event, _tz(ctx))}
    return json_response(body, headers=_headers(ctx))


@router.delete("/users/{user}/events/{event_id}", permissions=WRITE, mailbox="user")
@router.delete("/users/{user}/calendar/events/{event_id}", permissions=WRITE, mailbox="user")
def delete_event(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    remove_event(ctx.state, _event(ctx, event_id), ctx.now)
    return empty_response(204)


@router.post("/users/{user}/events/{event_id}/cancel", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events/{event_id}/cancel", permissions=WRITE, mailbox="user")
def cancel(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    event = _event(ctx, event_id)
    body = ctx.body_object(["comment"], "Microsoft.OutlookServices.CancelParameters", required=False)
    cancel_event(ctx.state, event, body.get("comment"), ctx.now)
    return empty_response(202)


def _respond(ctx: Ctx, event_id: str, action: str) -> httpx.Response:
    event = _event(ctx, event_id)
    allowed = ["comment", "sendResponse"] + ([] if action == "accept" else ["proposedNewTime"])
    body = ctx.body_object(allowed, f"Microsoft.OutlookServices.{action}Parameters", required=False)
    respond(ctx.state, event, action, body, ctx.now)
    return empty_response(202)


@router.post("/users/{user}/events/{event_id}/accept", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events/{event_id}/accept", permissions=WRITE, mailbox="user")
def accept(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    return _respond(ctx, event_id, "accept")


@router.post("/users/{user}/events/{event_id}/tentativelyAccept", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events/{event_id}/tentativelyAccept", permissions=WRITE, mailbox="user")
def tentatively_accept(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    return _respond(ctx, event_id, "tentativelyAccept")


@router.post("/users/{user}/events/{event_id}/decline", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events/{event_id}/decline", permissions=WRITE, mailbox="user")
def decline(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    return _respond(ctx, event_id, "decline")


def _calendar(ctx: Ctx) -> dict[str, Any]:
    # calendar.md properties; the seeded tenant allows Teams meetings only.
    return {"id": CALENDAR_ID, "name": "Calendar", "color": "auto", "hexColor": "", "isDefaultCalendar": True,
            "changeKey": "fake", "canShare": True, "canViewPrivateItems": True, "canEdit": True,
            "isRemovable": False, "isTallyingResponses": True, "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "owner": {"name": ctx.state.display_name_of(ctx.mailbox), "address": ctx.mailbox}}


@router.get("/users/{user}/calendars", permissions=READ, mailbox="user")
def list_calendars(ctx: Ctx, user: str) -> httpx.Response:
    return odata_page(ctx, [_calendar(ctx)], page_size=10, context=f"users('{user}')/calendars")


@router.get("/users/{user}/calendar", permissions=READ, mailbox="user")
def get_calendar(ctx: Ctx, user: str) -> dict[str, Any]:
    return {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/calendar/$entity", **_calendar(ctx)}
