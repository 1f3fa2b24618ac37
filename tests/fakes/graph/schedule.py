"""``POST /users/{id}/calendar/getSchedule`` (api-reference/v1.0/api/calendar-getschedule.md and
concepts/outlook-get-free-busy-schedule.md).

- ``schedules``: SMTP addresses; "up to 20 entities at once" (concept page, "Limits and error
  conditions"). Users report the service itself only refusing past 100, with
  ``ErrorMailboxDataArrayTooBig`` (microsoft-graph-docs issue 7047); the fake enforces the
  documented 20 by default (``FakeGraph.schedule_limit``) with that code, so a client that relies
  on the undocumented 100 fails here first.
- The period "must be less than 62 days" (concept page; ``ErrorTimeIntervalTooBig`` as observed in
  microsoft-graph-docs PR 19703).
- ``availabilityViewInterval``: default 30, minimum 5, maximum 1440 (API page). The concept page's
  sample sends it as a string ("15"), which the service takes.
- ``availabilityView``: one digit per slot, 0 free, 1 tentative, 2 busy, 3 oof, 4 workingElsewhere
  (resources/scheduleinformation.md; the older concept page folds working elsewhere into 0).
  Where items overlap in a slot the fake shows the strongest: oof > busy > tentative >
  workingElsewhere > free (the pages do not say; this is Outlook's scheduling-assistant order).
- An address that cannot be resolved gets an entry with only ``scheduleId`` and ``error``
  (``freeBusyError`` message + responseCode), as reported in microsoft-graph-docs issue 11225;
  the call itself still succeeds.
- Start/end of items are in UTC unless ``Prefer: outlook.timezone`` names a zone.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from tests.fakes.graph.events_model import overlaps
from tests.fakes.graph.routing import Router
from tests.fakes.graph.times import format_dtz, parse_dtz, zone
from tests.fakes.graph.wire import Ctx, GraphError, bad_request

router = Router()
DIGITS = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4", "unknown": "0"}
STRENGTH = {"free": 0, "unknown": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "oof": 4}
MAX_WINDOW = timedelta(days=62)


@router.post("/users/{user}/calendar/getSchedule", permissions=("Calendars.ReadBasic", "Calendars.Read",
                                                                 "Calendars.ReadWrite"), mailbox="user")
def get_schedule(ctx: Ctx, user: str) -> dict[str, Any]:
    body = ctx.body_object(["schedules", "startTime", "endTime", "availabilityViewInterval"],
                           "Microsoft.OutlookServices.GetScheduleParameters")
    schedules = body.get("schedules")
    if not isinstance(schedules, list) or not schedules or not all(isinstance(s, str) for s in schedules):
        raise bad_request("ErrorInvalidParameter", "The parameter 'schedules' must be a non-empty collection of "
                          "SMTP addresses.")
    limit = ctx.fake.schedule_limit
    if len(schedules) > limit:
        raise bad_request("ErrorMailboxDataArrayTooBig", f"The number of mailboxes in the request exceeds the limit. "
                          f"The allowed size = {limit}.")
    if "startTime" not in body or "endTime" not in body:
        raise bad_request("ErrorInvalidParameter", "startTime and endTime are required.")
    start, end = parse_dtz(body["startTime"], "startTime"), parse_dtz(body["endTime"], "endTime")
    if end <= start:
        raise bad_request("ErrorInvalidParameter", "The end time must be after the start time.")
    if end - start >= MAX_WINDOW:
        raise bad_request("ErrorTimeIntervalTooBig", "The time interval of the request exceeds the allowed limit = "
                          "62 days.")
    interval = _interval(body.get("availabilityViewInterval", 30))
    tz = ctx.prefer("outlook.timezone")
    if tz:
        zone(tz)
    value = [_information(ctx, address, start, end, interval, tz) for address in schedules]
    return {"@odata.context": f"{ctx.base()}/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": value}


def _interval(raw: Any) -> int:
    try:
        interval = int(raw)
    except (TypeError, ValueError):
        raise bad_request("RequestBodyRead", f"Cannot convert the literal '{raw}' to the expected type 'Edm.Int32'.") \
            from None
    if not 5 <= interval <= 1440:
        raise GraphError(400, "ErrorInvalidParameter", "availabilityViewInterval must be between 5 and 1440 "
                         "minutes.")
    return interval


def _information(ctx: Ctx, address: str, start, end, interval: int, tz: str | None) -> dict[str, Any]:
    mailbox = ctx.state.mailbox(address)
    if mailbox is None:
        return {"scheduleId": address, "error": {
            "message": f"Unable to resolve e-mail address {address} to an Active Directory object.",
            "responseCode": "5009"}}
    items = sorted((e for e in ctx.state.events_of(mailbox)
                    if not e.get("isCancelled") and overlaps(e, start, end)), key=lambda e: e["_start"])
    slots = math.ceil((end - start) / timedelta(minutes=interval))
    view = []
    for index in range(slots):
        slot_start = start + timedelta(minutes=interval * index)
        slot_end = min(slot_start + timedelta(minutes=interval), end)
        statuses = [e["showAs"] for e in items if overlaps(e, slot_start, slot_end)]
        strongest = max(statuses, key=lambda s: STRENGTH.get(s, 0), default="free")
        view.append(DIGITS.get(strongest, "0"))
    return {
        "scheduleId": address,
        "availabilityView": "".join(view),
        "scheduleItems": [_item(e, tz, ctx.fake.schedule_shows_details) for e in items],
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
            "timeZone": {"name": ctx.state.mailbox_zones.get(mailbox, "UTC")},
        },
    }


def _item(event: dict[str, Any], tz: str | None, details: bool) -> dict[str, Any]:
    private = event.get("sensitivity") in ("private", "confidential")
    item: dict[str, Any] = {"isPrivate": private, "status": event["showAs"]}
    # Subject and location only for normal/personal items and when the calendar shares details
    # (concept page, "Event data returned").
    if details and not private:
        item["subject"] = event["subject"]
        item["location"] = event["location"]["displayName"]
    item["start"] = format_dtz(event["_start"], tz)
    item["end"] = format_dtz(event["_end"], tz)
    return item
