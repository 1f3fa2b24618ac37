"""The command palette finds rooms, people, today's guests and actions."""

from __future__ import annotations

from textual.command import CommandPalette, Hit

from staffterm.ui.palette import MAX_PER_KIND, StafftermCommands, highlight
from tests.functional.conftest import settle


async def search(app, query: str) -> list[Hit]:
    provider = StafftermCommands(app.screen)
    await provider.startup()
    try:
        return [hit async for hit in provider.search(query)]
    finally:
        await provider.shutdown()


def texts(hits: list[Hit]) -> list[str]:
    return [str(hit.text) for hit in hits]


async def run(hit: Hit, pilot) -> None:
    result = hit.command()
    if result is not None and hasattr(result, "__await__"):
        await result
    await settle(pilot, pilot.app)


async def test_the_palette_is_registered_on_the_app(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)):
        providers = [p() if not isinstance(p, type) else p for p in app.COMMANDS]
        assert StafftermCommands in providers


async def test_finds_a_room_by_partial_name_and_opens_its_day(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot, app)
        hits = await search(app, "thame")
        rooms = [h for h in hits if str(h.text).startswith("Room ")]
        assert rooms and texts(rooms)[0] == "Room Thames · London"
        from staffterm.ui.screens.room_day.screen import RoomDayScreen

        await run(rooms[0], pilot)
        assert isinstance(app.screen, RoomDayScreen)
        assert app.catalog.room(app.screen.room_id).name == "Thames"


async def test_finds_a_person_and_shows_them_on_the_admin_people_tab(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        hits = await search(app, "harry")
        people = [h for h in hits if str(h.text).startswith("Person ")]
        assert texts(people) == ["Person Harry Patel"]
        await run(people[0], pilot)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert app.current_mode == "admin" and app.screen.active_tab == "people"
        assert "Harry Patel" in str(app.screen.query_one("#person-detail").content)


async def test_finds_a_guest_expected_today(make_app, demo_session):
    guests = await demo_session.reception.expected_today("bld-lon")
    guest = guests[0]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        app.building_id = "bld-lon"
        hits = await search(app, guest.name)
        found = [h for h in hits if str(h.text).startswith("Guest ")]
        assert found and str(found[0].text).startswith(f"Guest {guest.name}")
        await run(found[0], pilot)
        assert app.current_mode == "guests"
        assert app.screen.search_box.value == guest.name and app.screen.search_box.has_focus


async def test_finds_actions_and_lists_them_before_anything_is_typed(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        provider = StafftermCommands(app.screen)
        await provider.startup()
        discovered = [str(hit.text) async for hit in provider.discover()]
        for title in ("Go to Zones", "Go to Admin", "Find a free room now", "Refresh", "Change theme", "Check tenants"):
            assert title in discovered
        assert "Switch building: New York — Hudson Yards" in discovered  # the other building
        hits = await search(app, "check ten")
        assert texts(hits)[0] == "Check tenants"
        await run(hits[0], pilot)
        assert app.current_mode == "admin" and app.screen.active_tab == "tenants"
        assert app.screen.pane("tenants").rows["demo"].result.ok

        building = next(h for h in await search(app, "new york") if str(h.text).startswith("Switch building"))
        await run(building, pilot)
        assert app.building_id == "bld-nyc"


async def test_each_kind_is_capped(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        hits = await search(app, "e")  # matches nearly every room
        assert len([h for h in hits if str(h.text).startswith("Room ")]) == MAX_PER_KIND


async def test_typing_in_the_palette_and_enter_runs_the_command(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"go to admin")
        await pilot.pause(0.6)
        await pilot.press("down", "enter")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert app.current_mode == "admin"


def test_highlight_treats_names_as_plain_text():
    from textual.fuzzy import Matcher

    score, content = highlight(Matcher("mal"), "[bold]Mallory[/bold]")
    assert score > 0 and content.plain == "[bold]Mallory[/bold]"
