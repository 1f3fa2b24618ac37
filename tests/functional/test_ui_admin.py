"""The Admin screen: tenants and their check, people, groups, any calendar's events, the outbox."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TabbedContent

from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.registry import PROVIDERS
from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError, StafftermError
from staffterm.services.session import Session
from staffterm.ui.app import StafftermApp
from tests.functional.conftest import NOW, settle

SECRET = "s3cr3t-placeos-key"
#: A provider module that does not exist: the tenant's backend is "not available", whatever
#: backends this checkout has (so the check never reaches for the network).
ABSENT_BACKEND = "staffterm.backends._absent_for_tests:Backend"


def write_config(tmp_path: Path, *, broken: bool = True) -> Path:
    """A demo tenant (in use), a PlaceOS tenant with no backend, and a local tenant that cannot open."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    path = tmp_path / "config.toml"
    text = (
        '[ui]\nbuilding = "bld-lon"\n\n'
        f'[tenants.demo]\nprovider = "local"\ndemo = true\ndatabase = "{tmp_path / "snap.sqlite3"}"\n\n'
        f'[tenants.acme]\nprovider = "placeos"\nbase_url = "https://acme.placeos.example"\napi_key = "{SECRET}"\n'
    )
    if broken:
        text += f'\n[tenants.broken]\nprovider = "local"\ndatabase = "{blocker / "site.sqlite3"}"\n'
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def config_app(tmp_path, frozen_clock, monkeypatch):
    from staffterm.config import load_config

    monkeypatch.setitem(PROVIDERS, "placeos", dataclasses.replace(PROVIDERS["placeos"], backend=ABSENT_BACKEND))

    def make(**kwargs) -> StafftermApp:
        config = load_config(write_config(tmp_path, **kwargs))
        return StafftermApp(config=config, clock=frozen_clock, ui_state_path=tmp_path / "ui-state.json")

    return make


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(static: Static) -> str:
    return str(static.content)


async def open_admin(pilot, app, tab: str | None = None):
    await settle(pilot, app)
    await pilot.press("f6")
    await settle(pilot, app)
    if tab is not None:
        app.screen.action_tab(tab)
        await pilot.pause(0.3)
        await settle(pilot, app)
    return app.screen


# --------------------------------------------------------------------------- tenants


async def test_tenants_lists_every_tenant_and_the_check_says_what_failed(config_app):
    app = config_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_admin(pilot, app)
        assert screen.active_tab == "tenants"
        table = screen.query_one("#tenants-table", DataTable)
        listed = rows(table)
        assert [r[0] for r in listed] == ["demo", "acme", "broken"]
        assert [r[1] for r in listed] == ["local", "placeos", "local"]
        assert "yes" in listed[0][2] and listed[1][2] == "" and listed[2][2] == ""
        assert "base_url=https://acme.placeos.example" in listed[1][3]
        assert all(r[4] == "—" for r in listed)  # not checked yet

        await pilot.press("c")
        await settle(pilot, app)
        pane = screen.pane("tenants")
        demo, acme, broken = (pane.rows[n].result for n in ("demo", "acme", "broken"))
        assert demo.ok and any("10 zones, 40 rooms" in line for line in demo.lines)
        assert not acme.ok and "placeos backend is not available" in acme.message
        assert not broken.ok and "cannot open the local database" in broken.message
        outcomes = [r[4] for r in rows(table)]
        assert [o.split(" · ")[0] for o in outcomes] == ["ok", "failed", "failed"]
        assert "placeos backend is not available" in outcomes[1]  # every failure's reason at a glance
        assert any("2 of 3 tenants failed the check: acme, broken" in n.message for n in app._notifications)

        # Outcome colours are the theme's, and follow a change of theme.
        def ok_colour() -> str:
            return table.get_row("demo")[4].spans[0].style.color.triplet.hex.lower()

        assert ok_colour() == app.theme_variables["success"].lower()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert ok_colour() == app.theme_variables["success"].lower()

        table.move_cursor(row=1)
        await pilot.pause()
        detail = text_of(screen.query_one("#tenant-detail", Static))
        assert "failed" in detail and "placeos backend is not available" in detail
        # Secrets never reach the screen, whatever row is shown.
        for row in range(3):
            table.move_cursor(row=row)
            await pilot.pause()
            assert SECRET not in text_of(screen.query_one("#tenant-detail", Static))
        assert SECRET not in app.export_screenshot()


async def test_tenants_check_without_a_config_tries_the_open_session(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_admin(pilot, app)
        table = screen.query_one("#tenants-table", DataTable)
        assert [r[0] for r in rows(table)] == ["demo"]
        await pilot.press("c")
        await settle(pilot, app)
        assert rows(table)[0][4].startswith("ok · site Acme Corp")
        assert "Check: ok" in text_of(screen.query_one("#tenant-detail", Static))


async def test_a_failed_check_of_the_open_backend_is_reported_not_raised(make_app, demo_session, monkeypatch):
    from staffterm.errors import AuthError

    async def refused():
        raise AuthError("the site refused the credentials")

    monkeypatch.setattr(demo_session.backend, "check", refused)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_admin(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        assert rows(screen.query_one("#tenants-table", DataTable))[0][4].startswith("failed · the site refused the credentials")
        detail = text_of(screen.query_one("#tenant-detail", Static))
        assert "the site refused the credentials" in detail and "Traceback" not in detail


# --------------------------------------------------------------------------- people


async def test_people_search_shows_details_with_manager_and_groups(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "people")
        assert app.focused is screen.query_one("#people-search", Input)
        await pilot.press(*"harry")
        await pilot.pause(0.4)
        await settle(pilot, app)
        table = screen.query_one("#people-table", DataTable)
        assert [r[0] for r in rows(table)] == ["Harry Patel"]
        detail = text_of(screen.query_one("#person-detail", Static))
        assert "Account Director · Sales" in detail
        manager = detail.split("Manager", 1)[1].split("Groups", 1)[0]
        assert "Amelia Hart" in manager
        groups = detail.split("Groups", 1)[1].split("Calendars", 1)[0]
        assert "Leadership" in groups and "Sales" in groups and "Engineering" not in groups

        # Clearing the search lists everyone again; the cursor moves the details along.
        await pilot.press("escape")
        screen.query_one("#people-search", Input).value = ""
        await pilot.pause(0.4)
        await settle(pilot, app)
        assert table.row_count == 20
        table.move_cursor(row=[r[0] for r in rows(table)].index("Priya Shah"))
        await pilot.pause(0.2)
        await settle(pilot, app)
        assert "Oliver Grant" in text_of(screen.query_one("#person-detail", Static)).split("Groups")[0]


async def test_people_details_say_what_the_backend_cannot_tell(make_app, demo_session, monkeypatch):
    async def no_manager(user_id):
        raise NotSupportedError("Managers are not available on the test backend")

    monkeypatch.setattr(demo_session.backend, "user_manager", no_manager)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app)
        screen.show_person("harry.patel@acme.example")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert screen.active_tab == "people"
        detail = text_of(screen.query_one("#person-detail", Static))
        manager = detail.split("Manager", 1)[1].split("Groups", 1)[0]
        assert "not available on this backend" in manager
        assert "Leadership" in detail  # the parts it can tell are still there


# --------------------------------------------------------------------------- groups


async def test_groups_list_members_and_enter_opens_a_members_details(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "groups")
        groups = screen.query_one("#groups-table", DataTable)
        names = [r[0] for r in rows(groups)]
        assert names == ["Engineering", "Facilities", "Leadership", "Reception", "Sales"]
        groups.move_cursor(row=names.index("Leadership"))
        await pilot.pause(0.2)
        await settle(pilot, app)
        members = screen.query_one("#members-table", DataTable)
        assert sorted(r[0] for r in rows(members)) == ["Amelia Hart", "Chloe Evans", "Harry Patel", "Michael Chen"]
        assert "Leadership · 4 members" in text_of(screen.query_one("#members-title", Static))

        members.focus()
        members.move_cursor(row=[r[0] for r in rows(members)].index("Michael Chen"))
        await pilot.press("enter")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert screen.active_tab == "people"
        assert "US General Manager" in text_of(screen.query_one("#person-detail", Static))


# --------------------------------------------------------------------------- events


async def _todays_thames_event(session: Session):
    room = next(r for r in await session.backend.list_rooms() if r.name == "Thames")
    events = await session.backend.list_events(room.email, NOW - timedelta(hours=10), NOW + timedelta(hours=14))
    assert events, "the demo day has meetings in Thames"
    return room, events[-1]


async def test_events_of_a_room_include_cancelled_ones_when_asked(make_app, demo_session):
    room, doomed = await _todays_thames_event(demo_session)
    await demo_session.booking.cancel_meeting(room.email, doomed.id, notify=False)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "events")
        pane = screen.pane("events")
        assert screen.query_one("#events-from", Input).value == "2026-11-21"
        assert screen.query_one("#events-to", Input).value == "2026-11-28"
        screen.query_one("#events-room", Select).value = room.id
        await settle(pilot, app)
        table = screen.query_one("#events-table", DataTable)
        shown = [e.id for e in pane.events]
        assert shown and doomed.id not in shown
        assert "Thames (London)" in text_of(screen.query_one("#events-summary", Static))

        screen.query_one("#events-cancelled", Checkbox).value = True
        await settle(pilot, app)
        assert doomed.id in [e.id for e in pane.events]
        cells = table.get_row(doomed.id)
        assert cells[4].plain == "cancelled"
        assert all("dim" in str(cell.style) for cell in cells)  # cancelled rows are dimmed
        live = next(e for e in pane.events if e.id != doomed.id)
        assert "dim" not in str(table.get_row(live.id)[2].style)
        # Times are the building's (London: GMT in November, so the same as UTC here).
        assert table.get_row(doomed.id)[1].plain == f"{doomed.start:%H:%M}–{doomed.end:%H:%M}"


async def test_events_of_a_person_typed_by_email(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "events")
        picker_input = screen.query_one("#events-person Input", Input)
        picker_input.focus()
        picker_input.value = "chloe.evans@acme.example"
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("escape")  # leave the matches list closed
        picker_input.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        pane = screen.pane("events")
        assert pane.query_shown is not None and pane.query_shown.calendar_id == "chloe.evans@acme.example"
        expected = await demo_session.backend.list_events(
            "chloe.evans@acme.example", pane.query_shown.start, pane.query_shown.end
        )
        assert [e.id for e in pane.events] == [e.id for e in sorted(expected, key=lambda e: (e.start, e.end, e.title))]


async def test_a_bad_period_is_refused_and_keeps_what_was_typed(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "events")
        pane = screen.pane("events")
        before = [e.id for e in pane.events]
        start = screen.query_one("#events-from", Input)
        end = screen.query_one("#events-to", Input)
        start.value, end.value = "2026-11-30", "2026-11-21"
        end.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        summary = text_of(screen.query_one("#events-summary", Static))
        assert "Cannot show events" in summary and "before it starts" in summary
        assert (start.value, end.value) == ("2026-11-30", "2026-11-21")
        assert [e.id for e in pane.events] == before

        start.value = "21/11/2026"
        await pilot.press("enter")
        await settle(pilot, app)
        assert "is not a date" in text_of(screen.query_one("#events-summary", Static))
        assert start.value == "21/11/2026"


def test_period_rules():
    from zoneinfo import ZoneInfo

    from staffterm.errors import InvalidInputError
    from staffterm.ui.screens.admin.period import MAX_PERIOD_DAYS, period_window

    tz = ZoneInfo("America/New_York")
    first, last, start, end = period_window("today", "+1", tz, NOW)  # 05:00 in New York
    assert (first.isoformat(), last.isoformat()) == ("2026-11-21", "2026-11-22")
    assert start == datetime(2026, 11, 21, tzinfo=tz) and end == datetime(2026, 11, 23, tzinfo=tz)
    with pytest.raises(InvalidInputError, match="at most"):
        period_window("2026-01-01", "2026-12-31", tz, NOW)
    with pytest.raises(InvalidInputError, match="empty"):
        period_window("", "today", tz, NOW)
    assert (period_window("-3", "yesterday", tz, NOW)[0]).isoformat() == "2026-11-18"
    assert MAX_PERIOD_DAYS >= 31


# --------------------------------------------------------------------------- outbox


async def test_outbox_shows_the_mail_a_guest_check_in_sent(make_app, demo_session):
    checked_in = None
    for guest in await demo_session.reception.expected_today("bld-lon"):
        try:
            checked_in = await demo_session.reception.check_in(guest.id)
        except StafftermError:
            continue  # too early or already gone: the next guest
        break
    assert checked_in is not None and checked_in.notification is not None
    guest = checked_in.guest
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_admin(pilot, app, "mail")
        table = screen.query_one("#outbox-table", DataTable)
        first = rows(table)[0]  # newest first
        assert first[1] == guest.host_email
        assert guest.name in first[2]
        preview = text_of(screen.query_one("#mail-preview", Static))
        assert checked_in.notification.subject in preview and f"To: {guest.host_email}" in preview


# --------------------------------------------------------------------------- capabilities


class NoGroupsNoOutbox(LocalBackend):
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability) - {Capability.GROUPS, Capability.OUTBOX}


async def test_tabs_the_backend_cannot_serve_are_hidden(tmp_path, frozen_clock):
    backend = NoGroupsNoOutbox("demo", database=tmp_path / "d.sqlite3", clock=frozen_clock)
    async with Session.for_backend(backend, clock=frozen_clock) as session:
        app = StafftermApp(session=session, clock=frozen_clock, ui_state_path=tmp_path / "ui.json")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            screen = await open_admin(pilot, app)
            tabs = screen.query_one("#admin-tabs", TabbedContent)
            assert tabs.get_tab("groups").display is False and tabs.get_tab("mail").display is False
            assert tabs.get_tab("people").display is True
            shown = {b.binding.id for b in screen.active_bindings.values()}
            assert "admin-tab-people" in shown
            assert not {"admin-tab-groups", "admin-tab-mail"} & shown
            await pilot.press("g")
            await pilot.pause()
            assert screen.active_tab == "tenants"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_every_tab_loads_by_its_key_at_desk_and_small_sizes(make_app, size, monkeypatch):
    app = make_app()
    failed: list[str] = []
    report = app.report_worker_error

    def record(worker):
        failed.append(f"{worker.name}: {worker.error}")
        report(worker)

    monkeypatch.setattr(app, "report_worker_error", record)
    async with app.run_test(size=size) as pilot:
        screen = await open_admin(pilot, app)
        for key, tab, loaded in (("p", "people", "#people-table"), ("g", "groups", "#groups-table"),
                                 ("e", "events", "#events-table"), ("m", "mail", "#outbox-table"),
                                 ("t", "tenants", "#tenants-table")):
            screen.set_focus(None)  # tab keys are for when no text field has the keyboard
            await pilot.press(key)
            await pilot.pause(0.3)
            await settle(pilot, app)
            assert screen.active_tab == tab
            table = screen.query_one(loaded, DataTable)
            assert table.row_count or tab == "mail"
            # Columns fit the pane: no sideways scrolling needed to read a row.
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width
        assert not [f for f in failed if not f.startswith("load-estate")], failed


# --------------------------------------------------------------------------- snapshots


async def _snapshot_tenants(pilot):
    app = pilot.app
    await open_admin(pilot, app)
    await pilot.press("c")
    await settle(pilot, app)
    app.clear_notifications()
    await pilot.pause()


def test_admin_tenants_snapshot(snap_compare, config_app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # paths under ~ are shown as ~/…: the same on every run
    assert snap_compare(config_app(broken=False), terminal_size=(120, 36), run_before=_snapshot_tenants)


async def _snapshot_people(pilot):
    app = pilot.app
    screen = await open_admin(pilot, app, "people")
    screen.show_person("harry.patel@acme.example")
    await pilot.pause(0.3)
    await settle(pilot, app)


def test_admin_people_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_people)


def test_admin_people_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_snapshot_people)
