"""The command palette (ctrl+p): rooms, people, guests expected today, and the console's actions.

Typing fuzzy-matches every kind at once; each kind is capped so one never crowds out the
others. Rooms come from the catalog already loaded (no I/O); today's guests are read once per
opening of the palette; people are looked up in the directory as you type (awaited inside the
provider's async search, so the palette never blocks the screen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

#: At most this many hits of each kind (rooms, guests, people) per search.
MAX_PER_KIND = 8
#: Directory searches start at this many typed characters (one letter matches half the company).
MIN_PEOPLE_QUERY = 2
#: People the directory found by a field the palette does not show (e.g. department) still rank,
#: below anything whose visible text matches.
DIRECTORY_MATCH_SCORE = 0.05

Command = Callable[[], Any] | Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class PaletteAction:
    title: str
    help: str
    command: Command


def highlight(matcher: Matcher, candidate: str) -> tuple[float, Content]:
    """The match score and ``candidate`` with the matched letters styled.

    Textual's ``Matcher.highlight`` reads the candidate as markup, so a ``[`` in a guest's
    name would break it; this treats the candidate as plain text.
    """
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    content = Content(candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return score, content


def labelled(kind: str, body: Content, detail: str = "") -> Content:
    parts: list[Any] = [(f"{kind}  ", "dim"), body]
    if detail:
        parts.append((f"  {detail}", "dim"))
    return Content.assemble(*parts)


class StafftermCommands(Provider):
    """Rooms, people, today's guests and actions for the console's command palette."""

    async def startup(self) -> None:
        self._guests: asyncio.Task[list[Any]] | None = None

    async def shutdown(self) -> None:
        if self._guests is not None and not self._guests.done():
            self._guests.cancel()

    # ----------------------------------------------------------------- actions

    def actions(self) -> list[PaletteAction]:
        app: Any = self.app
        found: list[PaletteAction] = []
        from staffterm.ui.modes import SCREENS

        for mode, (_, _, title) in SCREENS.items():
            found.append(PaletteAction(f"Go to {title}", f"Show the {title} screen", partial(app.action_show, mode)))
        found += [
            PaletteAction("Find a free room now", "Rooms free from now, to book on the spot", app.action_find_free_room),
            PaletteAction("Refresh", "Reload rooms, bookings and guests now", app.action_refresh_data),
            PaletteAction("Change theme", "Pick the console's colours", app.action_change_theme),
            PaletteAction("Help", "Keys and help for this screen", app.action_help),
            PaletteAction("Check tenants", "Try every tenant's settings (Admin · Tenants)", self._check_tenants),
        ]
        session = getattr(app, "session", None)
        if session is not None:
            from staffterm.capabilities import Capability

            if session.supports(Capability.OUTBOX):
                found.append(PaletteAction("Mail outbox", "Mails this site sent (Admin · Mail)",
                                           partial(self._admin_tab, "mail")))
        catalog = getattr(app, "catalog", None)
        if catalog is not None and len(catalog.buildings) > 1:
            for building in catalog.buildings:
                if building.id != getattr(app, "building_id", None):
                    found.append(PaletteAction(f"Switch building: {building.name}", "Show this building on every screen",
                                               partial(self._switch_building, building.id)))
        return found

    async def discover(self) -> Hits:
        for action in self.actions():
            yield DiscoveryHit(action.title, action.command, text=action.title, help=action.help)

    # ----------------------------------------------------------------- search

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in self.actions():
            score, display = highlight(matcher, action.title)
            if score > 0:
                yield Hit(score, display, action.command, text=action.title, help=action.help)
        for hit in self._room_hits(matcher):
            yield hit
        for hit in await self._guest_hits(matcher):
            yield hit
        for hit in await self._people_hits(matcher, query):
            yield hit

    def _room_hits(self, matcher: Matcher) -> list[Hit]:
        catalog = getattr(self.app, "catalog", None)
        if catalog is None:
            return []
        hits: list[Hit] = []
        for room in catalog.rooms:
            building = catalog.building_for(room)
            where = building.name.split(" — ")[0] if building is not None else ""
            candidate = f"{room.name} · {where}" if where else room.name
            score, display = highlight(matcher, candidate)
            if score <= 0:
                continue
            detail = f"{room.capacity} seats" + ("" if room.bookable else " · not bookable")
            hits.append(Hit(score, labelled("Room", display, detail), partial(self._open_room, room.id),
                            text=f"Room {candidate}", help="Open the room's day"))
        return _best(hits)

    async def _guest_hits(self, matcher: Matcher) -> list[Hit]:
        guests = await self._todays_guests()
        tz = getattr(self.app, "building_tz", None)
        hits: list[Hit] = []
        for guest in guests:
            name = guest.name or guest.email
            candidate = f"{name} · {guest.organisation}" if guest.organisation else name
            score, display = highlight(matcher, candidate)
            if score <= 0:
                continue
            when = f"{guest.visit_start.astimezone(tz):%H:%M}" if guest.visit_start is not None and tz is not None else ""
            host = guest.host_name or guest.host_email
            detail = " · ".join(p for p in (when, f"host {host}" if host else "", "arrived" if guest.checked_in else "") if p)
            hits.append(Hit(score, labelled("Guest", display, detail), partial(self._open_guest, name),
                            text=f"Guest {candidate}", help="Find the guest on the Guests screen"))
        return _best(hits)

    async def _people_hits(self, matcher: Matcher, query: str) -> list[Hit]:
        session = getattr(self.app, "session", None)
        text = query.strip()
        if session is None or len(text) < MIN_PEOPLE_QUERY:
            return []
        from staffterm.capabilities import Capability
        from staffterm.errors import StafftermError

        if not session.supports(Capability.USERS):
            return []
        try:
            people = await session.directory.search_people(text, limit=MAX_PER_KIND)
        except StafftermError as exc:
            self.app.log.warning(f"palette: directory search failed: {exc}")
            return []
        hits: list[Hit] = []
        for user in people:
            name = user.name or user.email
            score, display = highlight(matcher, name)
            if score <= 0:
                score, _ = highlight(matcher, user.email)
            detail = " · ".join(p for p in (user.email, user.department) if p)
            hits.append(Hit(max(score, DIRECTORY_MATCH_SCORE), labelled("Person", display, detail),
                            partial(self._open_person, user.email), text=f"Person {name}",
                            help="Show their details (Admin · People)"))
        return _best(hits)

    async def _todays_guests(self) -> list[Any]:
        """Guests expected today in the current building: read once per palette opening."""
        if self._guests is None:
            self._guests = asyncio.ensure_future(self._read_guests())
        try:
            return await asyncio.shield(self._guests)
        except Exception:  # noqa: BLE001 - guests missing from the palette must not hide rooms or actions
            return []

    async def _read_guests(self) -> list[Any]:
        session = getattr(self.app, "session", None)
        if session is None:
            return []
        from staffterm.capabilities import Capability
        from staffterm.errors import StafftermError

        if not session.supports(Capability.GUESTS):
            return []
        try:
            return await session.reception.expected_today(getattr(self.app, "building_id", None))
        except StafftermError as exc:
            self.app.log.warning(f"palette: today's guests could not be read: {exc}")
            return []

    # ----------------------------------------------------------------- what the hits do

    def _open_room(self, room_id: str) -> None:
        try:
            from staffterm.ui.screens.room_day.screen import RoomDayScreen
        except ModuleNotFoundError:
            self.app.notify("The room's day screen is not available in this version.", severity="warning")
            return
        self.app.push_screen(RoomDayScreen(room_id))

    async def _open_guest(self, name: str) -> None:
        screen = await self._switch_to("guests")
        if screen is None:
            return
        search_for = getattr(screen, "search_for", None)
        if callable(search_for):
            search_for(name)
            return
        from textual.widgets import Input

        field = getattr(screen, "search_box", None)
        if not isinstance(field, Input):  # otherwise the screen's first text field is its search box
            field = next(iter(screen.query(Input)), None)
        if field is not None:
            field.value = name
            field.focus()

    async def _open_person(self, email: str) -> None:
        screen = await self._switch_to("admin")
        show = getattr(screen, "show_person", None)
        if callable(show):
            show(email)

    async def _admin_tab(self, tab_id: str) -> None:
        screen = await self._switch_to("admin")
        action = getattr(screen, "action_tab", None)
        if callable(action):
            action(tab_id)

    async def _check_tenants(self) -> None:
        screen = await self._switch_to("admin")
        check = getattr(screen, "check_tenants", None)
        if callable(check):
            check()

    def _switch_building(self, building_id: str) -> None:
        select = getattr(self.app, "select_building", None)
        if callable(select):
            select(building_id)

    async def _switch_to(self, mode: str) -> Any:
        """Switch to ``mode``'s screen and return it once it is mounted (None if it cannot be shown)."""
        app: Any = self.app
        try:
            await app.switch_mode(mode)
        except ImportError as exc:
            app.notify(f"The {mode} screen is not available: {exc}", severity="error", markup=False)
            return None
        return app.screen


def _best(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: h.score, reverse=True)[:MAX_PER_KIND]

