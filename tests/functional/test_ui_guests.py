"""The Guests screen on the demo site (London, 10:00 on Sat 21 Nov 2026, frozen).

Today's London guests in visit order: Hannah Lewis 10:30 (check-in open), Ava Nguyen 13:00 (too
early), Olivia Bennett 13:00, Lily Tanaka 14:15, Zara Ahmed 14:15, Lucas Meyer 15:00, Samuel
Green 16:00.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Input

from staffterm.ui.dialogs.guest_export import ExportScreen
from staffterm.ui.dialogs.guest_pass import PassScreen, SavePassScreen
from staffterm.ui.dialogs.guest_walk_in import WalkInScreen
from staffterm.ui.screens.guests.screen import GuestsScreen
from staffterm.ui.widgets.person_picker import PersonPicker
from staffterm.ui.widgets.qr_view import QrView, qr_text
from tests.functional.conftest import NOW, settle

HANNAH = "gst-20261121-lon-06"
AVA = "gst-20261121-lon-01"
LILY = "gst-20261121-lon-03"
LONDON_ORDER = ["Hannah Lewis", "Ava Nguyen", "Olivia Bennett", "Lily Tanaka", "Zara Ahmed", "Lucas Meyer", "Samuel Green"]


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "cache"))


def record_notifications(app) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app shows from now on."""
    seen: list[tuple[str, str]] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append((kwargs.get("severity", "information"), str(message)))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


async def open_guests(pilot, app) -> GuestsScreen:
    await settle(pilot, app)
    await pilot.press("f5")
    await settle(pilot, app)
    assert isinstance(app.screen, GuestsScreen)
    return app.screen


def names(screen: GuestsScreen) -> list[str]:
    table = screen.table
    return [str(table.get_row(key)[0]) for key in table.keys]


def status_of(screen: GuestsScreen, guest_id: str) -> str:
    return str(screen.table.get_row(guest_id)[4])


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


# ----------------------------------------------------------------------------- the promise


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_checking_in_an_expected_guest_takes_at_most_four_keys_plus_their_name(make_app, demo_session, size):
    app = make_app()
    keys: list[str] = []

    async def key(*pressed: str) -> None:
        keys.extend(pressed)
        await pilot.press(*pressed)

    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)  # freshly launched: the Zones screen
        await key("f5")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, GuestsScreen)
        assert app.focused is screen.search_box  # the search box has the focus on arrival

        await pilot.press("h", "a", "n")  # the first letters of the name: not counted
        await settle(pilot, app)
        assert names(screen) == ["Hannah Lewis"]
        assert screen.table.highlighted_key == HANNAH

        await key("enter")
        await settle(pilot, app)

    assert len(keys) <= 4, keys
    guest = await demo_session.backend.get_guest(HANNAH)
    assert guest.checked_in and guest.checked_in_at == NOW


async def test_check_in_mails_the_host_updates_the_row_and_shows_the_pass(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        assert status_of(screen, HANNAH) == "expected"
        assert not screen.query_one("#guest-qr", QrView).display

        await pilot.press("enter")  # Hannah is first and highlighted
        await settle(pilot, app)

        assert status_of(screen, HANNAH) == "arrived 10:00"
        assert ("information", "Checked in Hannah Lewis — Harry Patel notified") in seen
        qr = screen.query_one("#guest-qr", QrView)
        assert qr.display and qr.payload.startswith("VISIT:hannah.lewis@fabrikam.example,")
        assert qr.payload.endswith(",harry.patel@acme.example")
        assert qr.payload in str(screen.query_one("#guest-payload").render())
        assert len(names(screen)) == 7  # the rest of the day is still listed

    outbox = await demo_session.backend.list_outbox()
    assert [m.to for m in outbox] == [["harry.patel@acme.example"]]
    assert "Hannah Lewis" in outbox[0].subject


async def test_a_too_early_check_in_is_refused_and_changes_nothing(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("a", "v", "a")
        await settle(pilot, app)
        assert screen.table.highlighted_key == AVA
        await pilot.press("enter")
        await settle(pilot, app)

        errors = [message for severity, message in seen if severity == "error"]
        assert len(errors) == 1 and "too early to check in" in errors[0] and "12:00" in errors[0]
        assert status_of(screen, AVA) == "expected"
        assert not screen.query_one("#guest-qr", QrView).display
        assert screen.search_box.value == "ava"  # nothing the operator typed is lost

    guest = await demo_session.backend.get_guest(AVA)
    assert not guest.checked_in and guest.checked_in_at is None
    assert await demo_session.backend.list_outbox() == []


async def test_an_unreachable_backend_during_check_in_is_a_notification_not_a_crash(make_app, demo_session, monkeypatch):
    from staffterm.errors import UnavailableError

    async def down(guest_id):
        raise UnavailableError("the calendar service did not answer")

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        working = demo_session.backend.check_in_guest
        monkeypatch.setattr(demo_session.backend, "check_in_guest", down)
        await pilot.press("enter")
        await settle(pilot, app)
        assert [m for sev, m in seen if sev == "error" and m.startswith("the calendar service did not answer")]
        assert status_of(screen, HANNAH) == "expected" and not screen._in_flight
        assert "offline" in str(app.status_text("Guests", width=120))

        monkeypatch.setattr(demo_session.backend, "check_in_guest", working)  # back online: the same key works
        await pilot.press("enter")
        await settle(pilot, app)
        assert status_of(screen, HANNAH) == "arrived 10:00"


async def test_check_out_from_the_list(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        demo_session.clock.advance(timedelta(minutes=50))
        seen = record_notifications(app)

        await pilot.press("tab")  # to the list, where letters are actions
        assert app.focused is screen.table
        await pilot.press("o")
        await settle(pilot, app)

        assert status_of(screen, HANNAH) == "left 10:50"
        assert ("information", "Checked out Hannah Lewis at 10:50") in seen
        assert not screen.query_one("#guest-qr", QrView).display

        await pilot.press("o")  # again: she is no longer here
        await settle(pilot, app)
        assert seen[-1][0] == "warning" and "not checked in" in seen[-1][1]

    guest = await demo_session.backend.get_guest(HANNAH)
    assert not guest.checked_in and guest.checked_out_at == NOW + timedelta(minutes=50)


async def test_a_guest_whose_start_passed_without_check_in_is_late(make_app, demo_session):
    demo_session.clock.set(datetime(2026, 11, 21, 10, 45, tzinfo=timezone.utc))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        assert status_of(screen, HANNAH) == "late"
        assert status_of(screen, AVA) == "expected"
        late_cell = screen.table.get_row(HANNAH)[4]
        assert late_cell.style == screen.table.status_style("late")
        assert screen.table.status_style("late").color.triplet.hex == app.theme_variables["checkin-late"].lower()

        dark_colour = late_cell.style.color
        app.theme = "textual-light"  # a theme switch recolours the statuses in place
        await settle(pilot, app)
        recoloured = screen.table.get_row(HANNAH)[4].style.color
        assert recoloured != dark_colour
        assert recoloured.triplet.hex == app.theme_variables["checkin-late"].lower()


# ----------------------------------------------------------------------------- search and days


async def test_search_filters_as_you_type_and_escape_clears(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        assert names(screen) == LONDON_ORDER

        await type_text(pilot, "harry")  # by host
        await settle(pilot, app)
        assert names(screen) == ["Hannah Lewis", "Ava Nguyen", "Olivia Bennett"]

        await pilot.press("down", "down")  # the search box keeps the focus; the list's cursor moves
        assert app.focused is screen.search_box
        assert screen.table.highlighted_key == "gst-20261121-lon-02"

        await pilot.press("escape")
        await settle(pilot, app)
        assert screen.search_box.value == "" and names(screen) == LONDON_ORDER
        assert screen.table.highlighted_key == "gst-20261121-lon-02"  # still on Olivia

        await type_text(pilot, "contoso")  # by company
        await settle(pilot, app)
        assert names(screen) == ["Lucas Meyer"]
        await pilot.press("escape")

        await type_text(pilot, "green@prose")  # by email
        await settle(pilot, app)
        assert names(screen) == ["Samuel Green"]
        await pilot.press("escape")

        await type_text(pilot, "nobody here")
        await settle(pilot, app)
        assert names(screen) == []
        assert "No guest matches" in str(screen.query_one("#guest-info").render())


async def test_typing_in_the_list_goes_back_to_the_search(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        await pilot.press("tab")
        assert app.focused is screen.table
        await pilot.press("l", "i", "l")
        await settle(pilot, app)
        assert app.focused is screen.search_box
        assert screen.search_box.value == "lil"
        assert names(screen) == ["Lily Tanaka"]


async def test_brackets_move_the_day_back_and_forward(make_app, demo_session):
    # Yesterday happened: the demo site seeds Friday's visits when its clock reaches Friday,
    # and a walk-in came at 09:00.
    demo_session.clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
    await demo_session.reception.register_walk_in(
        "Yusuf Demir", "yusuf@margie.example", "harry.patel@acme.example", zone_id="bld-lon", minutes=30
    )
    demo_session.clock.set(NOW)
    friday = [g.name for g in await demo_session.reception.visitor_log(NOW.date() - timedelta(days=1), "bld-lon")]
    assert friday[0] == "Yusuf Demir" and friday != LONDON_ORDER
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        day_line = screen.query_one("#guests-day")
        assert "Today · Sat 21 Nov" in str(day_line.render())

        await pilot.press("left_square_bracket")  # works from the search box too
        await settle(pilot, app)
        assert "Yesterday · Fri 20 Nov" in str(day_line.render())
        assert names(screen) == friday
        assert {status_of(screen, key) for key in screen.table.keys} == {"missed"}  # nobody was checked in

        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot, app)
        assert "Tomorrow · Sun 22 Nov" in str(day_line.render())
        assert names(screen) == []
        assert "No guests on Sun 22 Nov" in str(screen.query_one("#guest-info").render())

        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert screen.day is None  # back to following today
        assert names(screen) == LONDON_ORDER


async def test_refresh_keeps_the_cursor_on_the_same_guest_without_rebuilding(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        table = screen.table
        await pilot.press("tab", "down", "down", "down")
        assert table.highlighted_key == LILY
        rebuilt: list[bool] = []
        original_clear = table.clear
        table.clear = lambda *a, **k: rebuilt.append(True) or original_clear(*a, **k)

        await demo_session.backend.check_in_guest(HANNAH)  # checked in at a kiosk meanwhile
        await pilot.press("r")
        await settle(pilot, app)
        assert table.highlighted_key == LILY
        assert status_of(screen, HANNAH) == "arrived 10:00"
        assert rebuilt == []  # same guests, same order: cells updated in place

        # A walk-in registered at another desk: the list grows, the cursor stays on Lily.
        await demo_session.reception.register_walk_in(
            "Yusuf Demir", "yusuf@margie.example", "harry.patel@acme.example", zone_id="bld-lon"
        )
        await pilot.press("r")
        await settle(pilot, app)
        assert "Yusuf Demir" in names(screen) and len(names(screen)) == 8
        assert table.highlighted_key == LILY


# ----------------------------------------------------------------------------- walk-ins


async def test_walk_in_registration_with_host_search(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("tab", "w")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, WalkInScreen)

        await pilot.press("ctrl+s")  # nothing typed: every required field says what is missing
        await pilot.pause()
        assert isinstance(app.screen, WalkInScreen)
        for field in ("name", "email", "host"):
            assert form.query_one(f"#error-{field}").has_class("-shown")

        await type_text(pilot, "Priya Shah")
        assert not form.query_one("#error-name").has_class("-shown")  # corrected: the complaint goes
        assert form.query_one("#error-email").has_class("-shown")
        await pilot.press("tab")
        await type_text(pilot, "priya.shah@tailwind.example")
        await pilot.press("enter")  # Enter moves to the next field
        await type_text(pilot, "Tailwind")
        await pilot.press("enter")
        await type_text(pilot, "harry")
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("enter")  # picks Harry Patel from the directory
        await pilot.pause()
        assert form.query_one(PersonPicker).email == "harry.patel@acme.example"
        assert app.focused is form.query_one("#field-minutes", Input)
        await pilot.press("backspace", "backspace", "4", "5", "enter")
        await settle(pilot, app)

        assert isinstance(app.screen, GuestsScreen)
        key = screen.table.highlighted_key
        guest = await demo_session.backend.get_guest(key)
        assert (guest.name, guest.email, guest.organisation, guest.host_email) == (
            "Priya Shah", "priya.shah@tailwind.example", "Tailwind", "harry.patel@acme.example")
        assert guest.visit_start == NOW and guest.visit_end == NOW + timedelta(minutes=45)
        assert any("Registered Priya Shah" in message for _, message in seen)
        assert names(screen)[0] == "Priya Shah"  # 10:00, before Hannah's 10:30
        assert app.focused is screen.search_box

        await pilot.press("enter")  # ready to check in
        await settle(pilot, app)
        assert status_of(screen, key) == "arrived 10:00"
    assert [m.to for m in await demo_session.backend.list_outbox()] == [["harry.patel@acme.example"]]


async def test_walk_in_refusal_is_shown_inline_and_keeps_what_was_typed(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_guests(pilot, app)
        await type_text(pilot, "Zed Unknown")
        await settle(pilot, app)
        assert names(screen) == []
        await pilot.press("enter")  # nobody matches: Enter starts a walk-in with that name
        await pilot.pause()
        form = app.screen
        assert isinstance(form, WalkInScreen)
        assert form.query_one("#field-name", Input).value == "Zed Unknown"
        assert app.focused is form.query_one("#field-email", Input)

        await type_text(pilot, "zed@nowhere.example")
        form.query_one("#field-host Input", Input).value = "ghost@acme.example"  # not in the directory
        await pilot.press("ctrl+s")
        await settle(pilot, app)

        assert isinstance(app.screen, WalkInScreen)
        error = form.query_one("#error-host")
        assert error.has_class("-shown") and "ghost@acme.example" in str(error.render())
        assert form.query_one("#field-name", Input).value == "Zed Unknown"
        assert form.query_one("#field-email", Input).value == "zed@nowhere.example"
        await pilot.press("escape")
        assert isinstance(app.screen, GuestsScreen)
    guests = await demo_session.reception.expected_today("bld-lon")
    assert "Zed Unknown" not in [g.name for g in guests]


# ----------------------------------------------------------------------------- passes and export


async def test_pass_view_and_saving_it_as_svg_and_png(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("tab", "p")
        await pilot.pause()
        assert isinstance(app.screen, PassScreen)
        payload = app.screen.query_one(QrView).payload
        assert payload == screen.passes[HANNAH]

        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SavePassScreen)
        folder = dialog.query_one("#save-dir", Input)
        assert folder.value == str(tmp_path / "cache" / "passes")

        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        folder.value = str(blocker)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, SavePassScreen)  # refused, the typed path kept
        assert "is a file" in str(dialog.query_one("#save-error").render())
        assert folder.value == str(blocker)

        folder.value = str(tmp_path / "printed")
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, PassScreen)
        svg = tmp_path / "printed" / f"pass-hannah-lewis-{HANNAH}.svg"
        png = svg.with_suffix(".png")
        assert "<svg" in svg.read_text()[:400]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert any(str(svg) in message and str(png) in message for _, message in seen)


async def test_the_full_size_pass_fits_an_80x24_terminal(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guests(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("tab", "p")
        await settle(pilot, app)
        qr = app.screen.query_one(QrView)
        rows = qr.payload and len(qr.render().plain.split("\n"))
        assert qr.region.height == rows and qr.region.bottom <= 23  # above the footer line
        assert qr.region.x >= 0 and qr.region.right <= 80


async def test_p_on_a_guest_checked_in_elsewhere_shows_their_pass_without_mailing_again(make_app, demo_session):
    await demo_session.reception.check_in(HANNAH)  # at the lobby kiosk, before the desk opened
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_guests(pilot, app)
        await pilot.press("tab", "p")
        await settle(pilot, app)
        assert isinstance(app.screen, PassScreen)
        assert app.screen.query_one(QrView).payload.startswith("VISIT:hannah.lewis@")
    assert len(await demo_session.backend.list_outbox()) == 1  # the kiosk's mail only


async def test_pass_needs_an_arrived_guest(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("tab", "p")
        await settle(pilot, app)
        assert isinstance(app.screen, GuestsScreen)
        assert seen[-1][0] == "warning" and "not checked in" in seen[-1][1]


async def test_export_the_days_visitor_log_as_csv(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_guests(pilot, app)
        seen = record_notifications(app)
        await pilot.press("enter")  # Hannah arrives
        await settle(pilot, app)
        await pilot.press("tab", "x")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert "7 visitors" in str(dialog.query_one("#export-preview").render())

        await pilot.press("left_square_bracket")  # the day before: nobody came
        await settle(pilot, app)
        assert "Yesterday" in str(dialog.query_one("#export-day").render())
        assert "No visitors" in str(dialog.query_one("#export-preview").render())
        await pilot.press("right_square_bracket")
        await settle(pilot, app)

        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, GuestsScreen) and screen is app.screen

    target = tmp_path / "data" / "exports" / "visitors-bld-lon-2026-11-21.csv"
    raw = target.read_bytes().decode("utf-8")
    assert raw.startswith("name,email,organisation,host,expected,checked_in_at,checked_out_at\r\n")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert [r["name"] for r in rows] == LONDON_ORDER
    hannah = rows[0]
    assert hannah["host"] == "Harry Patel <harry.patel@acme.example>"
    assert (hannah["expected"], hannah["checked_in_at"], hannah["checked_out_at"]) == ("2026-11-21 10:30", "2026-11-21 10:00", "")
    assert rows[1]["checked_in_at"] == ""
    assert any(str(target) in message and "7 visitors" in message for _, message in seen)


def test_every_key_has_an_id_and_a_description():
    for screen in (GuestsScreen, WalkInScreen, PassScreen, SavePassScreen, ExportScreen):
        for binding in screen.BINDINGS:
            assert binding.id and binding.description, (screen.__name__, binding.key)
    ids = [b.id for s in (GuestsScreen, WalkInScreen, PassScreen, SavePassScreen, ExportScreen) for b in s.BINDINGS]
    assert len(ids) == len(set(ids))


def test_qr_text_is_explicit_black_on_white_half_blocks():
    from staffterm.services.qr import qr_half_block_rows

    payload = "VISIT:ava@example.com,bld-lon,evt-1,harry.patel@acme.example"
    text = qr_text(payload)
    rows = qr_half_block_rows(payload)
    lines = text.plain.split("\n")
    assert len(lines) == len(rows) and all(len(line) == len(rows[0]) for line in lines)
    assert set(text.plain) == {"▀", "\n"}
    colours = {(span.style.color.triplet.hex, span.style.bgcolor.triplet.hex) for span in text.spans}
    assert colours <= {(a, b) for a in ("#000000", "#ffffff") for b in ("#000000", "#ffffff")}
    assert ("#000000", "#000000") in colours and ("#ffffff", "#ffffff") in colours
    # The quiet zone: the first line is all light modules.
    first = [span for span in text.spans if span.start < len(lines[0])]
    assert {(s.style.color.triplet.hex, s.style.bgcolor.triplet.hex) for s in first} == {("#ffffff", "#ffffff")}


# ----------------------------------------------------------------------------- snapshots


def _steady(pilot) -> None:
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


async def _show_guests(pilot) -> None:
    await settle(pilot, pilot.app)
    await pilot.press("f5")
    await settle(pilot, pilot.app)
    _steady(pilot)


async def _checked_in_with_pass(pilot) -> None:
    await _show_guests(pilot)
    await pilot.press("h", "a", "n", "enter")
    await settle(pilot, pilot.app)
    _steady(pilot)


def test_guests_list_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_show_guests)


def test_guests_after_check_in_with_pass_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_checked_in_with_pass)


def test_guests_list_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_show_guests)
