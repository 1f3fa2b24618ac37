"""The desk's screens against the in-repo fake PlaceOS: Bookings (F4), Guests (F5) and the app
shell (request queue, offline/stale, a refused key), as on the demo site.

The fake's Sydney HQ day (Sun 22 Nov 2026, 10:00 in Sydney), from ``tests/fakes/placeos/seed.py``:
bookings 1001 Ada's desk 1.01 (approved) and 1002 Alan's desk 1.02 (pending), 09:00–17:00;
1003 Grace's parking bay 08:00–18:00; visitor bookings 1004 Jane Visitor 10:00 (host Ada),
1005 Omar Guest 13:00 (host Alan), 1006 Li Wei 08:30 (host Grace, already checked in); and
Sam Client, a guest of Grace's 14:00 "Client visit" meeting in the Ada room.

Every test asserts what the operator sees and what reached PlaceOS (the fake's state and the
requests it received).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from textual.widgets import Input, Select

from staffterm.ui.dialogs.booking_form import BookingFormModal
from staffterm.ui.dialogs.confirm import ConfirmDialog
from staffterm.ui.dialogs.guest_export import ExportScreen
from staffterm.ui.dialogs.guest_pass import PassScreen
from staffterm.ui.dialogs.guest_walk_in import WalkInScreen
from staffterm.ui.screens.bookings.rows import COLUMNS
from staffterm.ui.screens.bookings.screen import BookingsScreen
from staffterm.ui.screens.guests.screen import GuestsScreen
from staffterm.ui.widgets.person_picker import PersonPicker
from staffterm.ui.widgets.qr_view import QrView
from staffterm.ui.widgets.status_header import StatusHeader
from tests.fakes.placeos.server import FakePlaceOS
from tests.functional.conftest import settle
from tests.functional.placeos_fixtures import *  # noqa: F403
from tests.functional.placeos_fixtures import SYDNEY

SYDNEY_TZ = ZoneInfo("Australia/Sydney")
ADA_DESK, ALAN_DESK, GRACE_BAY, JANE, OMAR, LI_WEI = "1001", "1002", "1003", "1004", "1005", "1006"
JANE_VISIT = "booking:1004:jane.visitor@example.com"
OMAR_VISIT = "booking:1005:omar.guest@example.org"
LI_VISIT = "booking:1006:li.wei@example.net"
SAM_VISIT = "event:sys-ada:evt-0003:sam.client@partner.example"
SYDNEY_ORDER = ["Li Wei", "Jane Visitor", "Omar Guest", "Sam Client"]


def record_notifications(app) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app shows from now on."""
    seen: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append((kwargs.get("severity", "information"), str(message)))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


def sydney(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, SYDNEY_TZ).strftime("%H:%M")


def stored(fake: FakePlaceOS, booking_id: str) -> dict:
    """The fake's own record of a booking (keyed by PlaceOS's numeric id)."""
    return fake.state.bookings[int(booking_id)]


def attendee(fake: FakePlaceOS, email: str, *, booking_id: str | None = None, event_id: str | None = None) -> dict:
    guest = fake.state.guest_by_ref(email)
    assert guest is not None
    rows = fake.state.attendee_rows(booking_id=int(booking_id) if booking_id else None, event_id=event_id)
    [row] = [a for a in rows if a["guest_id"] == guest["id"]]
    return row


def header(app) -> str:
    return str(app.screen.query_one(StatusHeader).render())


# ============================================================================ Bookings (F4)


async def open_bookings(pilot, app) -> BookingsScreen:
    await settle(pilot, app)
    await pilot.press("f4")
    await settle(pilot, app)
    assert isinstance(app.screen, BookingsScreen)
    return app.screen


def rows(screen) -> dict[str, dict[str, str]]:
    table = screen.query_one("#bookings-table")
    keys = [key for key, _, _ in COLUMNS]
    out = {}
    for row in table.ordered_rows:
        cells = dict(zip(keys, (str(c) for c in table.get_row(row.key)), strict=True))
        out[cells["id"]] = cells
    return out


async def highlight(pilot, screen, booking_id: str) -> None:
    table = screen.query_one("#bookings-table")
    table.move_cursor(row=table.get_row_index(booking_id))
    table.focus()
    await pilot.pause()
    assert screen.current_id == booking_id


async def test_bookings_lists_the_sydney_day_with_names_and_states(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_bookings(pilot, app)
        shown = rows(screen)
        live = {str(b["id"]) for b in placeos_fake.state.bookings.values() if not b["deleted"]}
        assert set(shown) == live == {ADA_DESK, ALAN_DESK, GRACE_BAY, JANE, OMAR, LI_WEI}
        assert shown[ADA_DESK]["when"] == "09:00–17:00"
        assert shown[ADA_DESK]["who"] == "Ada Lovelace"
        assert shown[ADA_DESK]["approval"] == "approved"
        assert shown[ALAN_DESK]["approval"] == "pending"
        assert shown[LI_WEI]["state"] == "checked in"
        assert shown[JANE]["asset"] == "Jane Visitor"  # a visitor booking's asset_name, not the email
        assert shown[ADA_DESK]["asset"] == "Desk 1.01"  # the level's desks metadata names the desk
        assert "Sun 22 Nov (today)" in str(screen.query_one("#bookings-day").content)
        # Each booking type is one Staff API call for the building's zone.
        queried = placeos_fake.requests_to("GET", "/api/staff/v1/bookings")
        assert queried and all(r.url.params["zones"] == "zone-syd" for r in queried)

        screen.query_one("#filter-type", Select).value = "desk"
        await settle(pilot, app)
        assert set(rows(screen)) == {ADA_DESK, ALAN_DESK}
        screen.query_one("#filter-state", Select).value = "pending"
        await settle(pilot, app)
        assert set(rows(screen)) == {ALAN_DESK}
    assert placeos_fake.server_errors == []


async def test_approve_and_reject_reach_placeos(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_bookings(pilot, app)
        seen = record_notifications(app)
        await highlight(pilot, screen, ALAN_DESK)
        assert screen.check_action("approve", ()) is True
        await pilot.press("a")
        await settle(pilot, app)
        desk = stored(placeos_fake, ALAN_DESK)
        assert desk["approved"] and desk["approver_email"] == "reception@acme.example"
        assert len(placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{ALAN_DESK}/approve")) == 1
        assert rows(screen)[ALAN_DESK]["approval"] == "approved"
        assert screen.check_action("approve", ()) is False
        assert any(m.startswith("Approved ") and "Alan Turing" in m for _, m in seen)

        await highlight(pilot, screen, OMAR)
        await pilot.press("j")
        await settle(pilot, app)
        assert stored(placeos_fake, OMAR)["rejected"]
        assert len(placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{OMAR}/reject")) == 1
        assert rows(screen)[OMAR]["state"] == "rejected"
    assert placeos_fake.server_errors == []


async def test_check_in_then_out_reach_placeos_and_too_early_says_when(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_bookings(pilot, app)
        await highlight(pilot, screen, ADA_DESK)
        assert screen.check_action("check_out", ()) is False
        await pilot.press("i")
        await settle(pilot, app)
        desk = stored(placeos_fake, ADA_DESK)
        assert desk["checked_in"] and desk["checked_in_at"] == placeos_fake.now_epoch()
        [check_in] = placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{ADA_DESK}/check_in")
        assert check_in.url.params["state"] == "true"
        assert rows(screen)[ADA_DESK]["state"] == "checked in"

        assert screen.check_action("check_out", ()) is True
        await pilot.press("o")
        await settle(pilot, app)
        desk = stored(placeos_fake, ADA_DESK)
        assert not desk["checked_in"] and desk["checked_out_at"] == placeos_fake.now_epoch()
        assert placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{ADA_DESK}/check_in")[-1].url.params["state"] == "false"
        assert rows(screen)[ADA_DESK]["state"] == "checked out"

        # Too early: PlaceOS refuses (405) and the desk is told when check-in opens.
        seen = record_notifications(app)
        await highlight(pilot, screen, OMAR)  # 13:00; PlaceOS opens check-in an hour before
        await pilot.press("i")
        await settle(pilot, app)
        assert placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{OMAR}/check_in")
        assert not stored(placeos_fake, OMAR)["checked_in"]
        errors = [m for severity, m in seen if severity == "error"]
        assert len(errors) == 1 and "too early to check in" in errors[0] and "12:00" in errors[0], errors
        assert rows(screen)[OMAR]["state"] == "reserved"
        assert "● online" in header(app)  # a refusal is an answer, not an outage
    assert placeos_fake.server_errors == []


async def test_delete_asks_first_then_deletes_in_placeos(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_bookings(pilot, app)
        await highlight(pilot, screen, ALAN_DESK)
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot, app)
        assert not placeos_fake.requests_to("DELETE", f"/api/staff/v1/bookings/{ALAN_DESK}")
        assert not stored(placeos_fake, ALAN_DESK)["deleted"]

        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert len(placeos_fake.requests_to("DELETE", f"/api/staff/v1/bookings/{ALAN_DESK}")) == 1
        assert stored(placeos_fake, ALAN_DESK)["deleted"]
        assert ALAN_DESK not in rows(screen)
    assert placeos_fake.server_errors == []


async def open_form(pilot, app) -> BookingFormModal:
    await pilot.press("c")
    await settle(pilot, app)
    form = app.screen
    assert isinstance(form, BookingFormModal)
    return form


async def fill_form(pilot, app, form, *, desk: str, person: str, start: str, end: str, title: str = "") -> None:
    form.query_one("#form-asset", Select).value = desk
    if "@" in person:  # an email is taken as typed (the directory search has its own test)
        form.query_one("#form-person Input", Input).value = person
    else:
        form.query_one("#form-person").focus()
        await pilot.press(*person)
        await settle(pilot, app)  # the debounced directory search
        await pilot.press("enter")  # picks the first match from the PlaceOS directory
        await pilot.pause()
    for field, value in (("#form-start", start), ("#form-end", end), ("#form-title-input", title)):
        form.query_one(field, Input).value = value
    await pilot.pause()


def new_bookings(fake: FakePlaceOS, before: set[int]) -> list[dict]:
    return [b for b in fake.state.bookings.values() if b["id"] not in before]


async def test_create_a_desk_booking_from_the_form(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_bookings(pilot, app)
        seen = record_notifications(app)
        before = set(placeos_fake.state.bookings)
        form = await open_form(pilot, app)
        # The level's desks, each with who holds it today, as on the demo site.
        labels = {value: str(label) for label, value in form.query_one("#form-asset", Select)._options}
        assert labels["desk-l1-01"] == "Desk 1.01 — booked 09:00–17:00 Ada Lovelace"
        assert labels["desk-l1-03"] == "Desk 1.03 — free all day"
        await fill_form(pilot, app, form, desk="desk-l1-03", person="grace", start="10:30", end="16:00", title="Client day")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        [made] = new_bookings(placeos_fake, before)
        assert (made["booking_type"], made["asset_id"], made["user_email"]) == ("desk", "desk-l1-03", "grace.hopper@acme.example")
        assert (sydney(made["booking_start"]), sydney(made["booking_end"])) == ("10:30", "16:00")
        assert made["title"] == "Client day" and made["booked_by_email"] == "reception@acme.example"
        assert {"zone-syd", "zone-syd-l1"} <= set(made["zones"])  # found again by building and by level
        assert len(placeos_fake.requests_to("POST", "/api/staff/v1/bookings")) == 1
        assert screen.current_id == str(made["id"]) and rows(screen)[str(made["id"])]["asset"] == "Desk 1.03"
        assert any(f"Booked Desk 1.03 for Grace Hopper, 10:30–16:00 ({made['id']})" == m for _, m in seen)
    assert placeos_fake.server_errors == []


async def test_a_clash_shows_the_clashing_booking_and_books_nothing(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_bookings(pilot, app)
        before = set(placeos_fake.state.bookings)
        form = await open_form(pilot, app)
        await fill_form(pilot, app, form, desk="desk-l1-01", person="grace.hopper@acme.example", start="11:00",
                        end="12:00")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # still open, values kept
        problem = form.query_one("#form-problem")
        assert problem.shown and [b.id for b in problem.items] == [ADA_DESK]
        assert "In the way:" in problem.plain and "09:00–17:00" in problem.plain and "Ada Lovelace" in problem.plain
        assert form.query_one("#form-start", Input).value == "11:00"
        assert new_bookings(placeos_fake, before) == []
        assert len(placeos_fake.requests_to("POST", "/api/staff/v1/bookings")) == 1  # refused with 409

        form.query_one("#form-asset", Select).value = "desk-l1-04"  # change one thing: it goes through
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is not form
        assert [b["asset_id"] for b in new_bookings(placeos_fake, before)] == ["desk-l1-04"]


async def test_a_booking_limit_says_the_limit_and_what_is_held(make_placeos_app, placeos_fake):
    placeos_fake.booking_limits = {"desk": 1}
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_bookings(pilot, app)
        before = set(placeos_fake.state.bookings)
        form = await open_form(pilot, app)
        await fill_form(pilot, app, form, desk="desk-l1-03", person="ada.lovelace@acme.example", start="11:00",
                        end="12:00")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        problem = form.query_one("#form-problem")
        assert "already holds 1 desk booking(s) at that time; the limit is 1" in problem.plain
        assert "Already held:" in problem.plain
        assert [b.id for b in problem.items] == [ADA_DESK]
        assert new_bookings(placeos_fake, before) == []


async def test_desk_lists_this_account_may_not_read_leave_ids_and_a_typed_desk(make_placeos_app, placeos_fake):
    placeos_fake.fail_next("GET", "/api/engine/v2/metadata/*", 403, body="", times=10)
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_bookings(pilot, app)
        assert rows(screen)[ADA_DESK]["asset"] == "desk-l1-01"  # the list still loads, by id
        form = await open_form(pilot, app)
        assert form.query_one("#booking-form").has_class("-typed-asset")
        assert form.query_one("#form-asset-text", Input).placeholder == "desk id"


def without_metadata_children(monkeypatch) -> None:
    """A PlaceOS without ``GET /api/engine/v2/metadata/{id}/children`` (an older engine, or a
    proxy that does not pass it): the fake answers it as it answers any unknown route, 404."""
    import tests.fakes.placeos.server as fake_server
    from tests.fakes.placeos import engine_routes

    kept = [r for r in fake_server.ROUTES if r.handler is not engine_routes.metadata_children]
    assert len(kept) == len(fake_server.ROUTES) - 1
    monkeypatch.setattr(fake_server, "ROUTES", kept)


async def test_bookings_load_with_ids_and_a_notice_when_the_desk_names_route_is_missing(
    make_placeos_app, placeos_fake, monkeypatch
):
    without_metadata_children(monkeypatch)
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        seen = record_notifications(app)
        screen = await open_bookings(pilot, app)
        shown = rows(screen)
        assert set(shown) == {ADA_DESK, ALAN_DESK, GRACE_BAY, JANE, OMAR, LI_WEI}
        assert shown[ADA_DESK]["asset"] == "desk-l1-01"  # no desk names: the id, not a blank screen
        assert shown[JANE]["asset"] == "Jane Visitor"  # names the booking carries itself still show
        summary_text = str(screen.query_one("#booking-summary").content)
        assert "Loading" not in summary_text and "desk names could not be read" in summary_text.lower()
        assert [m for sev, m in seen if sev == "error"] == []
        warnings = [m for sev, m in seen if sev == "warning"]
        assert len(warnings) == 1 and "desk names" in warnings[0].lower()
        assert placeos_fake.requests_to("GET", "/api/engine/v2/metadata/*")  # it was asked, and missing

        await pilot.press("r")  # the same failure again is not announced twice
        await settle(pilot, app)
        assert len([m for sev, m in seen if sev == "warning"]) == 1
        assert set(rows(screen)) == set(shown)


async def test_bookings_load_when_the_desk_names_lookup_times_out(make_placeos_app, placeos_fake, monkeypatch):
    working = placeos_fake._dispatch

    async def slow_metadata(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/engine/v2/metadata/"):
            raise httpx.ReadTimeout("timed out", request=request)
        return await working(request)

    monkeypatch.setattr(placeos_fake, "_dispatch", slow_metadata)
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        seen = record_notifications(app)
        screen = await open_bookings(pilot, app)
        shown = rows(screen)
        assert set(shown) == {ADA_DESK, ALAN_DESK, GRACE_BAY, JANE, OMAR, LI_WEI}
        assert shown[ADA_DESK]["asset"] == "desk-l1-01"
        assert "Loading" not in str(screen.query_one("#booking-summary").content)
        assert [m for sev, m in seen if sev == "error"] == []
        assert any("desk names" in m.lower() for sev, m in seen if sev == "warning")

        monkeypatch.setattr(placeos_fake, "_dispatch", working)  # the names come back on the next refresh
        await pilot.press("r")
        await settle(pilot, app)
        assert rows(screen)[ADA_DESK]["asset"] == "Desk 1.01"
        assert "desk names" not in str(screen.query_one("#booking-summary").content).lower()


# ============================================================================ Guests (F5)


async def open_guests(pilot, app) -> GuestsScreen:
    await settle(pilot, app)
    await pilot.press("f5")
    await settle(pilot, app)
    assert isinstance(app.screen, GuestsScreen)
    return app.screen


def names(screen: GuestsScreen) -> list[str]:
    return [str(screen.table.get_row(key)[0]) for key in screen.table.keys]


def cells(screen: GuestsScreen, guest_id: str) -> list[str]:
    return [str(c) for c in screen.table.get_row(guest_id)]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def test_guests_lists_the_days_visitors_with_hosts_in_sydney_time(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_guests(pilot, app)
        assert names(screen) == SYDNEY_ORDER
        assert cells(screen, LI_VISIT)[1:] == ["Supplier Ltd", "Grace Hopper", "08:30", "arrived 08:30"]
        assert cells(screen, OMAR_VISIT)[2:] == ["Alan Turing", "13:00", "expected"]
        assert cells(screen, SAM_VISIT)[2:] == ["Grace Hopper", "14:00", "expected"]
        assert "Today · Sun 22 Nov" in str(screen.query_one("#guests-day").render())
        [query] = placeos_fake.requests_to("GET", "/api/staff/v1/guests")
        start, end = int(query.url.params["period_start"]), int(query.url.params["period_end"])
        assert (sydney(start), sydney(end)) == ("00:00", "00:00") and end - start == 86_400


async def test_check_in_a_visitor_booking_guest_placeos_tells_the_host(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await type_text(pilot, "jane")
        await settle(pilot, app)
        assert screen.table.highlighted_key == JANE_VISIT
        await pilot.press("enter")
        await settle(pilot, app)

        jane = attendee(placeos_fake, "jane.visitor@example.com", booking_id=JANE)
        assert jane["checked_in"]
        assert len(placeos_fake.requests_to("POST", f"/api/staff/v1/bookings/{JANE}/guests/jane.visitor@example.com/check_in")) == 1
        assert cells(screen, JANE_VISIT)[4] == "arrived 10:00"
        assert ("information", "Checked in Jane Visitor — PlaceOS tells Ada Lovelace") in seen
        qr = screen.query_one("#guest-qr", QrView)
        assert qr.display and qr.payload == f"VISIT:jane.visitor@example.com,zone-syd,{JANE},ada.lovelace@acme.example"
        # staffterm mails no one: PlaceOS's VisitorMailer does (on the check-in signal).
        assert not [r for r in placeos_fake.requests if "mail" in r.url.path]

        await pilot.press("tab", "p")
        await settle(pilot, app)
        assert isinstance(app.screen, PassScreen)
        assert app.screen.query_one(QrView).payload == qr.payload
        await pilot.press("escape")
        await settle(pilot, app)

        assert app.focused is screen.table  # back from the pass, in the list where letters are actions
        await pilot.press("o")
        await settle(pilot, app)
        assert not jane["checked_in"]
        assert stored(placeos_fake, JANE)["checked_out_at"] == placeos_fake.now_epoch()  # the visit booking too
        check_in = f"/api/staff/v1/bookings/{JANE}/guests/jane.visitor@example.com/check_in"
        assert placeos_fake.requests_to("POST", check_in)[-1].url.params["state"] == "false"
        assert cells(screen, JANE_VISIT)[4] == "left 10:00"
        assert any(m == "Checked out Jane Visitor at 10:00" for _, m in seen)
    assert placeos_fake.server_errors == []


async def test_check_in_a_meeting_guest_checks_in_the_event_attendee(make_placeos_app, placeos_fake, monkeypatch):
    placeos_fake.early_checkin = 5 * 3600
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await type_text(pilot, "sam")
        await settle(pilot, app)
        assert screen.table.highlighted_key == SAM_VISIT
        await pilot.press("enter")
        await settle(pilot, app)
        [request] = placeos_fake.requests_to("POST", "/api/staff/v1/events/evt-0003/guests/sam.client@partner.example/check_in")
        assert request.url.params["system_id"] == "sys-ada"
        assert attendee(placeos_fake, "sam.client@partner.example", event_id="evt-0003")["checked_in"]
        assert cells(screen, SAM_VISIT)[4] == "arrived"  # PlaceOS keeps no check-in time for meeting guests
        assert ("information", "Checked in Sam Client — PlaceOS tells Grace Hopper") in seen
        assert screen.query_one("#guest-qr", QrView).payload == (
            "VISIT:sam.client@partner.example,sys-ada,evt-0003,grace.hopper@acme.example"
        )
    assert placeos_fake.server_errors == []


async def test_a_meeting_visitor_and_a_visitor_booking_both_check_in_and_out(make_placeos_app, placeos_fake):
    """Staff-api's guests index gives meeting visitors only for the room calendars of zone_ids,
    and a check-in/out it accepted is done even when reading the visit back fails afterwards."""
    placeos_fake.early_checkin = 5 * 3600
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_guests(pilot, app)
        assert {SAM_VISIT, JANE_VISIT} <= set(screen.table.keys)
        [query] = placeos_fake.requests_to("GET", "/api/staff/v1/guests")
        assert query.url.params["zone_ids"] == SYDNEY
        screen.table.focus()  # in the list, where letters are actions
        for visit in (JANE_VISIT, SAM_VISIT):
            screen.table.move_cursor(row=screen.table.get_row_index(visit))
            await settle(pilot, app)
            assert screen.table.highlighted_key == visit
            if visit == SAM_VISIT:  # the meeting cannot be read back: the check-in still stands
                placeos_fake.fail_next("GET", "/api/staff/v1/events/evt-0003", 404,
                                       body={"error": "event evt-0003 not found on system calendar"}, times=2)
            await pilot.press("enter")
            await settle(pilot, app)
            assert cells(screen, visit)[4].startswith("arrived")
            await pilot.press("o")
            await settle(pilot, app)
            assert not cells(screen, visit)[4].startswith("arrived")
        assert attendee(placeos_fake, "jane.visitor@example.com", booking_id=JANE)["checked_in"] is False
        assert attendee(placeos_fake, "sam.client@partner.example", event_id="evt-0003")["checked_in"] is False
        states = [r.url.params["state"] for r in placeos_fake.requests_to(
            "POST", "/api/staff/v1/events/evt-0003/guests/sam.client@partner.example/check_in")]
        assert states == ["true", "false"]
    assert placeos_fake.server_errors == []


async def test_walk_in_registration_creates_a_guest_and_visitor_booking(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        before = set(placeos_fake.state.bookings)
        await pilot.press("tab", "w")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, WalkInScreen)
        # Typing every field is the demo site's test; here what matters is what reaches PlaceOS.
        for field, value in (("name", "Priya Shah"), ("email", "priya.shah@tailwind.example"), ("company", "Tailwind")):
            form.query_one(f"#field-{field}", Input).value = value
        form.query_one("#field-host Input", Input).focus()
        await type_text(pilot, "barb")
        await settle(pilot, app)  # the debounced directory search
        await pilot.press("enter")  # picks Barbara Liskov from the PlaceOS directory (GET /people)
        await pilot.pause()
        assert form.query_one(PersonPicker).email == "barbara.liskov@acme.example"
        assert placeos_fake.requests_to("GET", "/api/staff/v1/people")
        form.query_one("#field-minutes", Input).value = "45"
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, GuestsScreen)

        guest = next(g for g in placeos_fake.state.guests.values() if g["email"] == "priya.shah@tailwind.example")
        assert (guest["name"], guest["organisation"]) == ("Priya Shah", "Tailwind")
        [visit] = new_bookings(placeos_fake, before)
        assert (visit["booking_type"], visit["asset_id"], visit["user_email"]) == (
            "visitor", "priya.shah@tailwind.example", "barbara.liskov@acme.example")
        assert (sydney(visit["booking_start"]), sydney(visit["booking_end"])) == ("10:00", "10:45")
        assert "zone-syd" in visit["zones"]
        assert any("Registered Priya Shah" in m for _, m in seen)
        key = f"booking:{visit['id']}:priya.shah@tailwind.example"
        assert screen.table.highlighted_key == key and "Priya Shah" in names(screen)

        await pilot.press("tab", "r")  # reloaded from PlaceOS, the new visit is listed
        await settle(pilot, app)
        assert screen.search_box.value == "" and "Priya Shah" in names(screen)
        assert key in screen.table.keys
    assert placeos_fake.server_errors == []


async def test_export_the_visitor_log(make_placeos_app, placeos_fake, tmp_path):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("tab", "x")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert "4 visitors" in str(dialog.query_one("#export-preview").render())
        await pilot.press("enter")
        await settle(pilot, app)
    target = tmp_path / "data" / "exports" / "visitors-zone-syd-2026-11-22.csv"
    table = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8"), newline="")))
    assert [r["name"] for r in table] == SYDNEY_ORDER
    li = table[0]
    assert li["host"] == "Grace Hopper <grace.hopper@acme.example>"
    assert (li["expected"], li["checked_in_at"]) == ("2026-11-22 08:30", "2026-11-22 08:30")
    assert any(str(target) in m for _, m in seen)


# ============================================================================ the app shell


async def test_header_shows_the_request_queue_while_placeos_answers(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_bookings(pilot, app)
        assert "queued" not in header(app) and "in flight" not in header(app)
        placeos_fake.latency = 0.3  # each answer takes a while: the refresh below queues up
        await pilot.press("r")
        shown: list[str] = []
        for _ in range(60):  # what the header widget shows while the load runs
            await pilot.pause(0.05)
            shown.append(header(app))
            if not app.workers._workers and app.session.backend.request_stats() == (0, 0):
                break
        busy = [line for line in shown if re.search(r"\d+ queued · [1-9]\d* in flight$", line)]
        assert busy, shown
        # The booking types are asked for at once: the header counts them, not just "busy".
        assert max(int(re.search(r"(\d+) in flight$", line).group(1)) for line in busy) >= 5, busy
        await settle(pilot, app)
        await pilot.pause(0.3)
        assert "queued" not in header(app) and "in flight" not in header(app)


async def test_503s_make_the_header_offline_and_r_recovers(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_bookings(pilot, app)
        seen = record_notifications(app)
        assert "online" in header(app)
        placeos_fake.fail_next("*", "/api/*", 503, body={"error": "maintenance"}, times=10_000)
        await pilot.press("r")
        await settle(pilot, app)
        assert "offline · stale since 10:00" in header(app)
        errors = [m for sev, m in seen if sev == "error"]
        assert errors and "Traceback" not in errors[-1] and "Unexpected" not in errors[-1]
        assert set(rows(screen)) >= {ADA_DESK, JANE}  # the last data stays on screen

        placeos_fake._faults.clear()
        await pilot.press("r")
        await settle(pilot, app)
        assert "● online" in header(app)


async def test_an_unreachable_host_is_offline_and_r_recovers(make_placeos_app, placeos_fake, monkeypatch):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_guests(pilot, app)
        seen = record_notifications(app)
        working = placeos_fake._dispatch

        async def refused(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        monkeypatch.setattr(placeos_fake, "_dispatch", refused)
        await pilot.press("tab", "r")  # from the list: in the search box r is a letter
        await settle(pilot, app)
        assert "offline" in header(app)
        errors = [m for sev, m in seen if sev == "error"]
        assert errors and "placeos.test" in errors[-1] and "Traceback" not in errors[-1]

        monkeypatch.setattr(placeos_fake, "_dispatch", working)
        await pilot.press("r")
        await settle(pilot, app)
        assert "● online" in header(app)


async def test_a_refused_api_key_says_what_to_fix(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_bookings(pilot, app)
        seen = record_notifications(app)
        del placeos_fake.state.api_keys[FakePlaceOS.API_KEY]  # revoked in PlaceOS's backoffice
        await pilot.press("r")
        await settle(pilot, app)
        errors = [m for sev, m in seen if sev == "error"]
        assert errors, seen
        assert "PlaceOS refused the API key" in errors[-1] and "api_key" in errors[-1]
        assert FakePlaceOS.API_KEY not in errors[-1] and "Traceback" not in errors[-1]
        assert "offline" in header(app)

        placeos_fake.state.api_keys[FakePlaceOS.API_KEY] = "user-reception"  # the key fixed: r recovers
        await pilot.press("r")
        await settle(pilot, app)
        assert "● online" in header(app)
