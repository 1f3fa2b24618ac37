"""Guests of events on the local site: one expected visit per external attendee of a meeting."""

from __future__ import annotations

from typing import Any

from staffterm.backends.local.records import visits_linked_to, write_visit
from staffterm.backends.local.store import Session, find_room, find_user, new_id
from staffterm.models import (
    Event,
    EventStatus,
    Guest,
)

# --------------------------------------------------------------------------- guests of events


def sync_event_visits(s: Session, event: Event) -> None:
    """Keep one guest visit per external attendee marked ``visit_expected``.

    Visits of people no longer expected (or of a cancelled meeting) are withdrawn unless the
    guest already arrived.
    """
    expected = {}
    if event.status != EventStatus.CANCELLED:
        expected = {a.email: a for a in event.attendees if a.visit_expected and not a.resource and not a.organizer}
    host_user = find_user(s.conn, event.host) if event.host else None
    zone_ids: list[str] = []
    for room_id in event.room_ids:
        room = find_room(s.conn, room_id)
        for zone_id in room.zone_ids if room else []:
            if zone_id not in zone_ids:
                zone_ids.append(zone_id)
    existing = {v.email: v for v in visits_linked_to(s.conn, event_id=event.id)}
    for email, visit in existing.items():
        if email not in expected and visit.visit_expected and not visit.checked_in:
            write_visit(s.conn, visit.model_copy(update={"visit_expected": False}), insert=False, now=s.now)
    for email, person in expected.items():
        fields: dict[str, Any] = {
            "name": person.name or (existing[email].name if email in existing else ""),
            "host_email": event.host,
            "host_name": host_user.name if host_user else "",
            "visit_start": event.start,
            "visit_end": event.end,
            "zone_ids": zone_ids,
            "visit_expected": True,
        }
        if person.organisation:
            fields["organisation"] = person.organisation
        if person.phone:
            fields["phone"] = person.phone
        if email in existing:
            write_visit(s.conn, existing[email].model_copy(update=fields), insert=False, now=s.now)
        else:
            visit = Guest(id=new_id("gst"), email=email, event_id=event.id, **fields)
            write_visit(s.conn, visit, insert=True, now=s.now)


