"""The bookings screen on the demo site (London, 10:00 on 21 Nov 2026): the day's list, filters,
booking on behalf of someone, clashes and limits shown with what is in the way, approvals,
check-in/out and delete."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input, Select

from staffterm.backends.local.backend import LocalBackend
from staffterm.models import BookingQuery
from staffterm.services.session import Session
from staffterm.ui.app import StafftermApp
from tests.functional.conftest import NOW, settle

LONDON = ZoneInfo("Europe/London")
PENDING_PARKING = "bk-20261121-lon-09"  # Oliver Grant's bay, waiting for facilities
SOPHIES_DESK = "bk-20261121-lon-05"  # desk-lon-2-03, 08:30–17:30
DANIELS_DESK = "bk-20261121-lon-06"


def _day_query(**filters) -> BookingQuery:
    return BookingQuery(start=NOW - timedelta(hours=10), end=NOW + timedelta(hours=14), zone_ids=["bld-lon"], **filters)


async def _open(pilot, app):
    await settle(pilot, app)
    await pilot.press("f4")
    await settle(pilot, app)
    from staffterm.ui.screens.bookings.screen import BookingsScreen

    assert isinstance(app.screen, BookingsScreen)
    return app.screen


def _rows(screen) -> list[list[str]]:
    table = screen.query_one("#bookings-table")
    return [[str(c) for c in table.get_row(row.key)] for row in table.ordered_rows]


def _row_ids(screen) -> list[str]:
    return [cells[-1] for cells in _rows(screen)]


def _cell(screen, booking_id: str, column: str) -> str:
    return str(screen.query_one("#bookings-table").get_cell(booking_id, column))


async def _highlight(pilot, screen, booking_id: str) -> None:
    table = screen.query_one("#bookings-table")
    table.move_cursor(row=table.get_row_index(booking_id))
    table.focus()
    await pilot.pause()
    assert screen.current_id == booking_id


async def _fill_form(pilot, app, *, asset: str, person: str, start: str, end: str, title: str = "") -> None:
    form = app.screen
    await settle(pilot, app)
    form.query_one("#form-asset", Select).value = asset
    form.query_one("#form-person").focus()
    await pilot.press(*person)
    await pilot.pause(0.3)
    await settle(pilot, app)
    await pilot.press("enter")  # picks the first match
    await pilot.pause()
    for field, value in (("#form-start", start), ("#form-end", end), ("#form-title-input", title)):
        widget = form.query_one(field, Input)
        widget.focus()
        widget.value = ""
        await pilot.press(*value)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_lists_the_days_bookings_in_the_buildings_zone(make_app, demo_session, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _open(pilot, app)
        expected = await demo_session.backend.query_bookings(_day_query(include_checked_out=True))
        assert sorted(_row_ids(screen)) == sorted(b.id for b in expected)
        assert _cell(screen, SOPHIES_DESK, "when") == "08:30–17:30"
        assert _cell(screen, SOPHIES_DESK, "asset") == "Desk 2.03"
        assert _cell(screen, SOPHIES_DESK, "who") == "Sophie Turner"
        assert _cell(screen, PENDING_PARKING, "approval") == "pending"
        assert "Sat 21 Nov (today)" in str(screen.query_one("#bookings-day").content)


async def test_approve_a_pending_booking(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, PENDING_PARKING)
        assert screen.check_action("approve", ()) is True
        await pilot.press("a")
        await settle(pilot, app)
        booking = await demo_session.backend.get_booking(PENDING_PARKING)
        assert booking.approved and not booking.rejected
        assert _cell(screen, PENDING_PARKING, "approval") == "approved"
        # Nothing left to approve: the key leaves the footer.
        assert screen.check_action("approve", ()) is False
        assert any("Approved Parking bay 2 for Oliver Grant" in str(n.message) for n in app._notifications)


async def test_reject_a_pending_booking(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, PENDING_PARKING)
        await pilot.press("j")
        await settle(pilot, app)
        booking = await demo_session.backend.get_booking(PENDING_PARKING)
        assert booking.rejected
        assert _cell(screen, PENDING_PARKING, "state") == "rejected"


async def test_approve_is_hidden_for_an_approved_booking(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, SOPHIES_DESK)
        assert screen.check_action("approve", ()) is False
        assert screen.check_action("check_out", ()) is False  # not checked in yet
        assert screen.check_action("check_in", ()) is True
        await pilot.press("a")
        await settle(pilot, app)
        assert _cell(screen, SOPHIES_DESK, "approval") == "approved"


async def test_check_in_then_out(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, DANIELS_DESK)
        await pilot.press("i")
        await settle(pilot, app)
        assert (await demo_session.backend.get_booking(DANIELS_DESK)).checked_in
        assert _cell(screen, DANIELS_DESK, "state") == "checked in"
        assert screen.check_action("check_out", ()) is True
        await pilot.press("o")
        await settle(pilot, app)
        booking = await demo_session.backend.get_booking(DANIELS_DESK)
        assert booking.checked_out_at is not None and not booking.checked_in
        assert _cell(screen, DANIELS_DESK, "state") == "checked out"


async def test_delete_asks_first_and_no_keeps_the_booking(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, DANIELS_DESK)
        await pilot.press("delete")
        await pilot.pause()
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot, app)
        assert not (await demo_session.backend.get_booking(DANIELS_DESK)).deleted
        assert DANIELS_DESK in _row_ids(screen)

        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert (await demo_session.backend.get_booking(DANIELS_DESK)).deleted
        assert DANIELS_DESK not in _row_ids(screen)


async def test_create_a_desk_booking_on_behalf_of_someone(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        from staffterm.ui.dialogs.booking_form import BookingFormModal

        form = app.screen
        assert isinstance(form, BookingFormModal)
        # The asset list says who holds each desk today.
        labels = [str(label) for label, _ in form.query_one("#form-asset", Select)._options]
        assert any(label.startswith("Desk 2.03 — booked 08:30–17:30 Sophie Turner") for label in labels)
        await _fill_form(pilot, app, asset="desk-lon-2-01", person="harry", start="10:30", end="16:00", title="Client day")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        mine = await demo_session.backend.query_bookings(_day_query(user_email="harry.patel@acme.example", type="desk"))
        assert len(mine) == 1
        booking = mine[0]
        assert booking.asset_ids == ["desk-lon-2-01"] and booking.title == "Client day"
        assert booking.start.astimezone(LONDON).strftime("%H:%M") == "10:30"
        assert booking.end.astimezone(LONDON).strftime("%H:%M") == "16:00"
        assert booking.zones == ["bld-lon", "lvl-lon-2"]
        assert booking.id in _row_ids(screen)
        assert screen.current_id == booking.id
        assert any("Booked Desk 2.01 for Harry Patel, 10:30–16:00" in str(n.message) for n in app._notifications)


async def test_a_clashing_booking_shows_the_clash_and_creates_nothing(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _open(pilot, app)
        before = await demo_session.backend.query_bookings(_day_query(include_checked_out=True))
        await pilot.press("c")
        await settle(pilot, app)
        form = app.screen
        await _fill_form(pilot, app, asset="desk-lon-2-03", person="harry", start="11:00", end="12:00")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # still open, values kept
        problem = form.query_one("#form-problem")
        assert problem.shown
        assert SOPHIES_DESK in problem.plain and "08:30–17:30" in problem.plain
        assert [b.id for b in problem.items] == [SOPHIES_DESK]
        assert form.query_one("#form-asset", Select).value == "desk-lon-2-03"
        assert form.query_one("#form-start", Input).value == "11:00"
        assert form.query_one("#form-person").email == "harry.patel@acme.example"
        after = await demo_session.backend.query_bookings(_day_query(include_checked_out=True))
        assert [b.id for b in after] == [b.id for b in before]

        # Change one thing and book again: the same form goes through.
        form.query_one("#form-asset", Select).value = "desk-lon-2-04"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is not form
        mine = await demo_session.backend.query_bookings(_day_query(user_email="harry.patel@acme.example", type="desk"))
        assert [b.asset_ids for b in mine] == [["desk-lon-2-04"]]


async def test_end_before_start_is_refused_in_the_form(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        form = app.screen
        await _fill_form(pilot, app, asset="desk-lon-2-01", person="harry", start="15:00", end="14:00")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert "must be after the start" in form.query_one("#form-problem").plain
        assert form.focused is form.query_one("#form-end")
        mine = await demo_session.backend.query_bookings(_day_query(user_email="harry.patel@acme.example", type="desk"))
        assert mine == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not form


async def test_a_room_booking_over_a_meeting_shows_the_meeting(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _open(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        form = app.screen
        form.query_one("#form-type", Select).value = "room"
        await settle(pilot, app)
        labels = dict((value, str(label)) for label, value in form.query_one("#form-asset", Select)._options)
        assert labels["rm-lon-1-01"].startswith("Thames (8 seats)")
        await _fill_form(pilot, app, asset="rm-lon-1-01", person="harry", start="11:00", end="11:30")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        problem = form.query_one("#form-problem")
        assert app.screen is form and problem.shown
        assert "10:30–12:00  Vendor briefing" in problem.plain and "evt-20261121-lon-26" in problem.plain
        rooms = await demo_session.backend.query_bookings(_day_query(type="room"))
        assert rooms == []


async def test_check_in_too_early_says_when_it_opens(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, "bk-20261121-lon-02")  # a visitor at 15:00
        await pilot.press("i")
        await settle(pilot, app)
        assert not (await demo_session.backend.get_booking("bk-20261121-lon-02")).checked_in
        assert any("too early to check in" in message and "14:00" in message for message in
                   (str(n.message) for n in app._notifications))
        assert _cell(screen, "bk-20261121-lon-02", "state") == "reserved"


async def test_a_backend_without_approvals_hides_approve_and_reject(tmp_path, frozen_clock):
    from staffterm.capabilities import Capability

    class NoApprovals(LocalBackend):
        capabilities = LocalBackend.capabilities - {Capability.BOOKING_APPROVAL}

    backend = NoApprovals("demo", database=tmp_path / "plain.sqlite3", clock=frozen_clock)
    async with Session.for_backend(backend, clock=frozen_clock) as session:
        app = StafftermApp(session=session, clock=frozen_clock, ui_state_path=tmp_path / "ui.json")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _open(pilot, app)
            await _highlight(pilot, screen, PENDING_PARKING)
            assert screen.check_action("approve", ()) is False
            assert screen.check_action("reject", ()) is False
            assert screen.check_action("check_in", ()) is True
            await pilot.press("a")
            await settle(pilot, app)
            assert not (await backend.get_booking(PENDING_PARKING)).approved


async def test_today_follows_the_building_across_midnight(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        demo_session.clock.set(NOW.replace(hour=23, minute=59) + timedelta(minutes=2))  # 00:01 Sunday in London
        app._check_day_rollover()
        await settle(pilot, app)
        assert str(screen.day) == "2026-11-22"
        assert "Sun 22 Nov (today)" in str(screen.query_one("#bookings-day").content)


async def test_state_colours_follow_the_theme(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        table = screen.query_one("#bookings-table")
        before = str(table.get_cell(PENDING_PARKING, "approval").style)
        assert app.theme_variables["warning"].lower() in before.lower()
        app.theme = "textual-light"
        await settle(pilot, app)
        after = str(table.get_cell(PENDING_PARKING, "approval").style)
        assert after != before and app.theme_variables["warning"].lower() in after.lower()


@pytest.fixture
async def limited_session(tmp_path, frozen_clock):
    backend = LocalBackend(
        "demo", SimpleNamespace(booking_limits={"desk": 1}), database=tmp_path / "limited.sqlite3", clock=frozen_clock
    )
    session = Session.for_backend(backend, clock=frozen_clock)
    async with session:
        yield session


async def test_a_booking_limit_shows_the_bookings_already_held(limited_session, tmp_path):
    app = StafftermApp(session=limited_session, clock=limited_session.clock, ui_state_path=tmp_path / "ui.json")
    async with app.run_test(size=(120, 36)) as pilot:
        await _open(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        form = app.screen
        await _fill_form(pilot, app, asset="desk-lon-2-01", person="sophie", start="11:00", end="12:00")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        problem = form.query_one("#form-problem")
        assert "the limit is 1" in problem.plain
        assert [b.id for b in problem.items] == [SOPHIES_DESK]
        assert "Already held" in problem.plain and SOPHIES_DESK in problem.plain
        hers = await limited_session.backend.query_bookings(_day_query(user_email="sophie.turner@acme.example", type="desk"))
        assert [b.id for b in hers] == [SOPHIES_DESK]


async def test_filters_by_type_state_level_and_text(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot, app)
        screen.query_one("#filter-type", Select).value = "parking"
        await settle(pilot, app)
        assert {cells[1] for cells in _rows(screen)} == {"parking"}
        screen.query_one("#filter-state", Select).value = "pending"
        await settle(pilot, app)
        assert _row_ids(screen) == [PENDING_PARKING]
        screen.query_one("#filter-type", Select).value = "all"
        screen.query_one("#filter-state", Select).value = "all"
        screen.query_one("#filter-level", Select).value = "lvl-lon-2"
        await settle(pilot, app)
        assert {cells[2] for cells in _rows(screen)} == {"Desk 2.03", "Desk 2.05", "Desk 2.06"}
        screen.query_one("#filter-level", Select).value = "__building__"
        await settle(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"sophie")
        await settle(pilot, app)
        assert {cells[3] for cells in _rows(screen)} == {"Sophie Turner"}
        await pilot.press("enter")  # back to the list
        await pilot.pause()
        assert app.focused is screen.query_one("#bookings-table")


async def test_days_move_with_brackets(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        today = len(_rows(screen))
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert "Sun 22 Nov" in str(screen.query_one("#bookings-day").content)
        assert _rows(screen) == []
        assert "No bookings for Sun 22 Nov" in str(screen.query_one("#booking-summary").content)
        assert screen.check_action("approve", ()) is False
        await pilot.press("t")
        await settle(pilot, app)
        assert len(_rows(screen)) == today


async def test_enter_shows_details_with_history(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app)
        await _highlight(pilot, screen, PENDING_PARKING)
        await pilot.press("enter")
        await pilot.pause()
        from staffterm.ui.dialogs.booking_detail import BookingDetailModal

        assert isinstance(app.screen, BookingDetailModal)
        facts = str(app.screen.query_one("#booking-facts").content)
        assert PENDING_PARKING in facts and "Parking bay 2" in facts and "History" in facts
        assert "Fri 20 Nov 16:00  reserved" in facts
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_names_with_markup_are_shown_literally(make_app, demo_session):
    await demo_session.booking.create_booking(
        "visitor", "odd@example.com", "harry.patel@acme.example", NOW + timedelta(hours=2), NOW + timedelta(hours=3),
        user_name="[bold]Mallory[/bold]", title="Visit: [red]x", zones=["bld-lon"],
    )
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, app)
        assert any(cells[3] == "[bold]Mallory[/bold]" for cells in _rows(screen))


async def _snapshot_bookings(pilot):
    await settle(pilot, pilot.app)
    await pilot.press("f4")
    await settle(pilot, pilot.app)


def test_bookings_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_bookings)


def test_bookings_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_snapshot_bookings)


async def _snapshot_form_clash(pilot):
    app = pilot.app
    await _snapshot_bookings(pilot)
    await pilot.press("c")
    await settle(pilot, app)
    await _fill_form(pilot, app, asset="desk-lon-2-03", person="harry", start="11:00", end="12:00")
    await pilot.press("ctrl+s")
    await settle(pilot, app)
    app.screen.query_one("#form-title-input").focus()
    await pilot.pause()


def test_booking_form_clash_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_form_clash)
