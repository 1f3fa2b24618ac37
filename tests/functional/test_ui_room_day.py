"""A room's day on the demo site (London, 10:00 on 21 Nov 2026): meetings, the meeting pane with
its QR, and extend / end now / move / cancel / decline / approve / reject.

Thames (rm-lon-1-01) that day: 08:30 Marketing stand-up (ended), 09:30–10:30 a private meeting
(running, with a link), 10:30–12:00 Vendor briefing (link), 13:00 Weekly team sync, 16:00 Client
pitch. The Boardroom (rm-lon-4-01) needs approval: its 13:00 and 14:00 requests wait.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Checkbox, Input

from staffterm.models import ResponseStatus
from staffterm.ui.screens.room_day.screen import RoomDayScreen
from tests.functional.conftest import NOW, settle

LONDON = ZoneInfo("Europe/London")
THAMES = "rm-lon-1-01"
BOARDROOM = "rm-lon-4-01"
PRIVATE_RUNNING = "evt-20261121-lon-25"  # 09:30–10:30, private, real title "Marketing stand-up"
VENDOR_BRIEFING = "evt-20261121-lon-26"  # 10:30–12:00
TEAM_SYNC = "evt-20261121-lon-27"  # 13:00–14:30
ENDED = "evt-20261121-lon-24"  # 08:30–09:00
AWAITING_1300 = "evt-20261121-lon-08"  # Boardroom, tentative
AWAITING_1400 = "evt-20261121-lon-09"  # Boardroom, tentative


async def _open(pilot, app, room_id: str = THAMES) -> RoomDayScreen:
    await settle(pilot, app)
    await app.push_screen(RoomDayScreen(room_id))
    await settle(pilot, app)
    assert isinstance(app.screen, RoomDayScreen)
    return app.screen


async def _highlight(pilot, screen: RoomDayScreen, event_id: str) -> None:
    table = screen.query_one("#meetings")
    table.move_cursor(row=table.get_row_index(event_id))
    await pilot.pause()
    assert screen.current_id == event_id


def _cells(screen: RoomDayScreen, event_id: str) -> tuple[str, str]:
    time_cell, meeting = screen.query_one("#meetings").get_row(event_id)
    return str(time_cell), str(meeting)


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _event(session, event_id: str, calendar: str = THAMES):
    return await session.backend.get_event(calendar, event_id)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_shows_the_rooms_day_and_starts_on_the_meeting_under_way(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _open(pilot, app)
        table = screen.query_one("#meetings")
        assert [row.key.value for row in table.ordered_rows] == [ENDED, PRIVATE_RUNNING, VENDOR_BRIEFING, TEAM_SYNC,
                                                               "evt-20261121-lon-28"]
        assert screen.current_id == PRIVATE_RUNNING
        assert _cells(screen, VENDOR_BRIEFING) == ("10:30–12:00", "Vendor briefing\nTom Baker · upcoming")
        assert _cells(screen, ENDED)[1].endswith("ended")
        facts = str(screen.query_one("#room-facts").content)
        assert "Thames · 8 seats" in facts and "Saturday 21 November (today)" in facts


async def test_private_title_is_masked_and_its_link_hidden(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        time_cell, meeting = _cells(screen, PRIVATE_RUNNING)
        assert meeting.startswith("Private meeting") and "Marketing stand-up" not in meeting
        pane = str(screen.query_one("#meeting-facts").content)
        assert "Private meeting" in pane and "Marketing stand-up" not in pane
        assert "meet.acme.example" not in pane
        assert not screen.query_one("#meeting-qr").payload


async def test_pane_shows_attendees_answers_link_and_qr(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        event = await _event(demo_session, VENDOR_BRIEFING)
        pane = str(screen.query_one("#meeting-facts").content)
        assert "Host  Tom Baker <tom.baker@acme.example>" in pane
        assert "Daniel Okafor  no reply" in pane
        assert "Tom Baker host  accepted" in pane
        assert event.online_meeting_url in pane
        qr = screen.query_one("#meeting-qr")
        assert qr.payload == event.online_meeting_url and qr.display


async def test_visitors_and_check_ins_are_flagged(make_app, demo_session):
    # Southwark's 13:00 meeting expects two visitors; Ava Nguyen arrives early.
    demo_session.clock.set(NOW + timedelta(hours=2, minutes=15))
    guests = {g.name: g for g in await demo_session.backend.query_guests(zone_id="bld-lon")}
    await demo_session.backend.check_in_guest(guests["Ava Nguyen"].id)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot, app, "rm-lon-3-06")
        await _highlight(pilot, screen, guests["Ava Nguyen"].event_id)
        pane = str(screen.query_one("#meeting-facts").content).splitlines()
        ava = next(line for line in pane if "Ava Nguyen" in line)
        olivia = next(line for line in pane if "Olivia Bennett" in line)
        assert "(Woodgrove Bank)" in ava and "visitor" in ava and "checked in" in ava
        assert "visitor" in olivia and "checked in" not in olivia


async def test_extend_by_15_minutes(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        await pilot.press("e")
        await settle(pilot, app)
        event = await _event(demo_session, VENDOR_BRIEFING)
        assert event.end.astimezone(LONDON).strftime("%H:%M") == "12:15"
        assert _cells(screen, VENDOR_BRIEFING)[0] == "10:30–12:15"
        assert screen.current_id == VENDOR_BRIEFING
        assert "Extended 'Vendor briefing' (10:30–12:00) to 12:15" in _notes(app)


async def test_extend_into_the_next_meeting_shows_it_and_changes_nothing(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        assert screen.current_id == PRIVATE_RUNNING  # 09:30–10:30, Vendor briefing follows at 10:30
        await pilot.press("e")
        await settle(pilot, app)
        problem = screen.query_one("#meeting-problem")
        assert problem.shown
        assert "10:30–12:00" in problem.plain and "Vendor briefing" in problem.plain
        assert [getattr(c, "event_id", None) for c in problem.items] == [VENDOR_BRIEFING]
        event = await _event(demo_session, PRIVATE_RUNNING)
        assert event.end.astimezone(LONDON).strftime("%H:%M") == "10:30"
        # Moving to another meeting clears the stale problem.
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        assert not problem.shown


async def test_extend_by_typed_minutes(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        await pilot.press("E")
        await pilot.pause()
        from staffterm.ui.dialogs.meeting import ExtendDialog

        dialog = app.screen
        assert isinstance(dialog, ExtendDialog)
        await pilot.press(*"90", "enter")  # 13:30 would run into the 13:00 meeting
        await settle(pilot, app)
        assert app.screen is dialog
        assert "Weekly team sync" in dialog.query_one("#dialog-problem").plain
        assert dialog.query_one("#extend-minutes", Input).value == "90"
        field = dialog.query_one("#extend-minutes", Input)
        field.value = ""
        await pilot.press(*"45", "enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert (await _event(demo_session, VENDOR_BRIEFING)).end.astimezone(LONDON).strftime("%H:%M") == "12:45"


async def test_end_now_is_only_for_a_running_meeting(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        assert screen.check_action("end_now", ()) is False
        await _highlight(pilot, screen, ENDED)
        assert screen.check_action("extend", ()) is False and screen.check_action("cancel_meeting", ()) is False
        await _highlight(pilot, screen, PRIVATE_RUNNING)
        assert screen.check_action("end_now", ()) is True
        await pilot.press("x")
        await settle(pilot, app)
        event = await _event(demo_session, PRIVATE_RUNNING)
        assert event.end == NOW
        assert _cells(screen, PRIVATE_RUNNING) == ("09:30–10:00", "Private meeting\nOliver Grant · ended")


async def test_move_to_a_free_room(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        await pilot.press("m")
        await settle(pilot, app)
        from staffterm.ui.dialogs.move_meeting import MoveMeetingModal

        modal = app.screen
        assert isinstance(modal, MoveMeetingModal)
        event = await _event(demo_session, VENDOR_BRIEFING)
        free = await demo_session.booking.find_free_rooms(90, zone_id="bld-lon", start=event.start)
        assert {r.id for r in modal.rooms} == {r.id for r in free} - {THAMES}
        target = modal.rooms[0]
        assert target.capacity >= 4  # four people are invited: rooms that seat them come first
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        moved = await demo_session.backend.get_event(target.id, VENDOR_BRIEFING)
        assert moved.room_ids == [target.id] and moved.location == target.name
        assert VENDOR_BRIEFING not in screen.events
        assert any(f"from Thames to {target.name}" in n for n in _notes(app))


async def test_cancel_with_a_comment_tells_the_attendees(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, TEAM_SYNC)
        before = await demo_session.backend.list_outbox()
        await pilot.press("c")
        await pilot.pause()
        from staffterm.ui.dialogs.meeting import CommentDialog

        assert isinstance(app.screen, CommentDialog)
        assert app.screen.query_one("#dialog-notify", Checkbox).value is True
        await pilot.press(*"Room needed for the fire drill")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        event = await demo_session.backend.get_event(THAMES, TEAM_SYNC)
        assert event.status.value == "cancelled"
        assert event.extension_data.get("cancel_comment") == "Room needed for the fire drill"
        after = await demo_session.backend.list_outbox()
        assert len(after) == len(before) + 1
        mail = after[0]
        assert mail.subject == "Cancelled: Weekly team sync"
        assert "Room needed for the fire drill" in mail.text
        assert TEAM_SYNC not in screen.events
        assert "Cancelled 'Weekly team sync' (13:00–14:30); attendees told" in _notes(app)


async def test_cancel_without_telling_anyone_sends_no_mail(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, TEAM_SYNC)
        before = await demo_session.backend.list_outbox()
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#dialog-notify", Checkbox).value = False
        await pilot.press("enter")  # Enter in the comment field confirms
        await settle(pilot, app)
        assert (await demo_session.backend.get_event(THAMES, TEAM_SYNC)).status.value == "cancelled"
        assert len(await demo_session.backend.list_outbox()) == len(before)


async def test_escape_in_the_cancel_dialog_keeps_the_meeting(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, TEAM_SYNC)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        assert (await demo_session.backend.get_event(THAMES, TEAM_SYNC)).status.value == "confirmed"


async def test_decline_for_the_room_with_a_comment(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, TEAM_SYNC)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"Closed for cleaning", "enter")
        await settle(pilot, app)
        event = await demo_session.backend.get_event(THAMES, TEAM_SYNC)
        room = next(a for a in event.attendees if a.email == "rm-lon-1-01@acme.example")
        assert room.response == ResponseStatus.DECLINED
        mail = (await demo_session.backend.list_outbox())[0]
        assert mail.subject == "Declined: Weekly team sync" and "Closed for cleaning" in mail.text


async def test_approve_a_request_for_an_approval_room(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app, BOARDROOM)
        await _highlight(pilot, screen, AWAITING_1300)
        assert _cells(screen, AWAITING_1300)[1].endswith("awaiting approval")
        assert screen.check_action("approve", ()) is True
        await pilot.press("a")
        await settle(pilot, app)
        event = await demo_session.backend.get_event(BOARDROOM, AWAITING_1300)
        room = next(a for a in event.attendees if a.resource)
        assert room.response == ResponseStatus.ACCEPTED
        assert _cells(screen, AWAITING_1300)[1].endswith("upcoming")
        assert screen.check_action("approve", ()) is False and screen.check_action("reject", ()) is False


async def test_reject_a_request_asks_first_then_cancels_it(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app, BOARDROOM)
        await _highlight(pilot, screen, AWAITING_1400)
        await pilot.press("j")
        await pilot.pause()
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        event = await demo_session.backend.list_events(BOARDROOM, NOW, NOW + timedelta(hours=8), include_cancelled=True)
        rejected = next(e for e in event if e.id == AWAITING_1400)
        assert rejected.status.value == "cancelled"
        assert AWAITING_1400 not in screen.events
        mail = (await demo_session.backend.list_outbox())[0]
        assert mail.subject.startswith("Declined:")


async def test_approve_and_reject_are_hidden_for_confirmed_meetings(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, VENDOR_BRIEFING)
        assert screen.check_action("approve", ()) is False
        assert screen.check_action("reject", ()) is False
        await pilot.press("a")
        await settle(pilot, app)  # nothing happens, nothing breaks


async def test_days_move_with_brackets_and_escape_goes_back(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        below = app.screen
        screen = await _open(pilot, app)
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert str(screen.day) == "2026-11-20"
        assert "Friday 20 November" in str(screen.query_one("#room-facts").content)
        await pilot.press("t")
        await settle(pilot, app)
        assert str(screen.day) == "2026-11-21" and PRIVATE_RUNNING in screen.events
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is below


async def test_enter_on_a_room_in_zones_opens_its_day(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one("#zones-tree")
        node = app.screen._room_nodes[THAMES]
        tree.move_cursor(node)
        tree.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, RoomDayScreen) and app.screen.room_id == THAMES
        assert PRIVATE_RUNNING in app.screen.events


async def test_a_backend_without_room_approvals_hides_approve(tmp_path, frozen_clock):
    from staffterm.backends.local.backend import LocalBackend
    from staffterm.capabilities import Capability
    from staffterm.services.session import Session
    from staffterm.ui.app import StafftermApp

    class NoRoomApprovals(LocalBackend):
        capabilities = LocalBackend.capabilities - {Capability.EVENT_APPROVAL}

    backend = NoRoomApprovals("demo", database=tmp_path / "plain.sqlite3", clock=frozen_clock)
    async with Session.for_backend(backend, clock=frozen_clock) as session:
        app = StafftermApp(session=session, clock=frozen_clock, ui_state_path=tmp_path / "ui.json")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _open(pilot, app, BOARDROOM)
            await _highlight(pilot, screen, AWAITING_1300)
            assert _cells(screen, AWAITING_1300)[1].endswith("awaiting approval")
            assert screen.check_action("approve", ()) is False
            assert screen.check_action("reject", ()) is False
            assert screen.check_action("cancel_meeting", ()) is True


async def _snapshot_room_day(pilot):
    app = pilot.app
    await settle(pilot, app)
    await app.push_screen(RoomDayScreen(THAMES))
    await settle(pilot, app)
    await pilot.press("down")  # from the meeting under way to Vendor briefing (with a link and QR)
    await settle(pilot, app)


def test_room_day_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_room_day)


def test_room_day_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_snapshot_room_day)


async def _snapshot_approval_room(pilot):
    app = pilot.app
    await settle(pilot, app)
    await app.push_screen(RoomDayScreen(BOARDROOM))
    await settle(pilot, app)
    screen = app.screen
    table = screen.query_one("#meetings")
    table.move_cursor(row=table.get_row_index(AWAITING_1300))
    await settle(pilot, app)


def test_room_day_awaiting_approval_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_approval_room)
