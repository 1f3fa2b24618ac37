"""Buildings → levels → rooms, each room with its status now; filters; Enter opens the room's day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Checkbox, Footer, Input, Static, Tree
from textual.widgets.tree import TreeNode

from staffterm.ui.block_names import BlockNames
from staffterm.ui.messages import SessionFailed
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.styles import room_state_style, themed
from staffterm.ui.widgets.status_header import StatusHeader

STATUS_MARK = {"free": "●", "soon": "◐", "busy": "■", "unavailable": "·"}


@dataclass
class RoomRow:
    """What the tree shows for a room: built from a board snapshot."""

    room: Any
    status: Any
    availability: Any
    tz: Any


@dataclass
class BuildingView:
    zone: Any
    tz: Any
    levels: list[tuple[Any, list[RoomRow]]] = field(default_factory=list)
    loaded_at: datetime | None = None


@dataclass(frozen=True)
class RoomFilter:
    capacity: int = 0
    features: tuple[str, ...] = ()
    accessible_only: bool = False

    def accepts(self, room: Any) -> bool:
        return (
            room.capacity >= self.capacity
            and room.has_features(list(self.features))
            and (room.accessible or not self.accessible_only)
        )

    @property
    def active(self) -> bool:
        return bool(self.capacity or self.features or self.accessible_only)


def building_views(catalog: Any, snapshot: Any, now: datetime) -> list[BuildingView]:
    """Buildings → levels → rooms (by name) from one board snapshot, in O(zones + rooms).

    Rooms are sorted and indexed by zone once, and statuses worked out once: at 200 levels ×
    1,000 rooms, sorting and scanning every room again for each level cost ~120 ms on the
    event loop. A room is listed under each level it names, as before.
    """
    statuses = snapshot.statuses_at(now)
    rooms_by_zone: dict[str, list[Any]] = {}
    for room in sorted(snapshot.rooms, key=lambda r: r.name):
        for zone_id in dict.fromkeys(room.zone_ids):
            rooms_by_zone.setdefault(zone_id, []).append(room)
    views: list[BuildingView] = []
    for building in catalog.buildings:
        tz = catalog.tz(building.id)
        view = BuildingView(zone=building, tz=tz, loaded_at=snapshot.loaded_at)
        for level in catalog.levels(building.id):
            rows = [
                RoomRow(room, statuses[room.id], snapshot.availability.get(room.id), tz)
                for room in rooms_by_zone.get(level.id, ())
            ]
            view.levels.append((level, rows))
        views.append(view)
    return views


class ZonesScreen(StafftermScreen):
    """The estate at a glance: which rooms are free now, and until when."""

    SCREEN_TITLE = "Zones"
    AUTO_FOCUS = "#zones-tree"
    HELP = """\
Buildings, their levels and rooms, each with its status **now**: *free*, *free until HH:MM*,
*busy until HH:MM* or *next meeting at HH:MM*, in the building's own time zone.

- **Enter** on a room opens its day: meetings, attendees, and actions (extend, end, move, cancel).
- **/** jumps to the filters: minimum seats, features (comma-separated, e.g. `screen,vc`), step-free only.
  **Escape** goes back to the list.
- **n** finds a room that is free now, from any screen.
"""
    BINDINGS = [
        Binding("slash", "focus_filters", "Filter", id="zones-filter"),
        Binding("escape", "focus_tree", "List", show=False, id="zones-list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._room_nodes: dict[str, TreeNode] = {}
        self._rows: dict[str, RoomRow] = {}
        self._buildings: list[BuildingView] = []
        self._filter = RoomFilter()
        self._names = BlockNames(self, self._named)

    def compose(self) -> ComposeResult:
        from textual.lazy import Lazy

        yield StatusHeader(self.SCREEN_TITLE)
        # Mounted just after the first paint: the inputs' styles cost more than the rest of the
        # first frame, and nobody filters in the first few milliseconds.
        yield Lazy(
            Horizontal(
                Input(placeholder="seats ≥", id="filter-capacity", type="integer"),
                Input(placeholder="features, e.g. screen,vc", id="filter-features"),
                Checkbox("step-free only", id="filter-accessible"),
                id="zones-filters",
            )
        )
        with Horizontal(id="zones-body"):
            # Text, not str: a str label is parsed as markup, which loads rich's emoji tables.
            tree: Tree[str] = Tree(Text("Sites"), id="zones-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            yield Static(Text("Select a room to see its day."), id="room-detail")
        # The footer is a widget per key: mounted a frame after the first paint, like the filters.
        yield Lazy(Footer(compact=True))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._relabel())
        # A text placeholder rather than a LoadingIndicator: cheaper on the first frame.
        self.query_one("#zones-tree", Tree).root.add_leaf(Text("Loading rooms…", style="dim italic"))

    # ----------------------------------------------------------------- data

    def reload(self) -> None:
        # The catalog arrives just after the session; the app reloads screens once it has.
        if self.app.session is not None and self.app.catalog is not None:
            self.load_estate()

    @on(SessionFailed)
    def _session_failed(self, event: SessionFailed) -> None:
        tree = self.query_one("#zones-tree", Tree)
        tree.clear()
        tree.root.add_leaf(Text.assemble(("Not connected: ", "bold red"), event.reason))

    @work(exclusive=True, group="zones-load", exit_on_error=False, name="load-estate")
    async def load_estate(self) -> None:
        session, catalog = self.app.session, self.app.catalog
        # Every building at once: one free/busy call per building, all in flight together.
        snapshot = await session.board.load(None)
        self._show(building_views(catalog, snapshot, self.app.now()))
        self.mark_loaded()

    def _show(self, views: list[BuildingView]) -> None:
        self._buildings = views
        self._names.clear()
        self._rows = {row.room.id: row for view in views for _, rows in view.levels for row in rows}
        tree = self.query_one("#zones-tree", Tree)
        if self._room_nodes and set(self._room_nodes) == self._visible_room_ids():
            for room_id, node in self._room_nodes.items():  # same rooms: relabel in place, keep the cursor
                node.set_label(self._room_label(self._rows[room_id]))
            for node in tree.root.children:
                self._label_building(node)
        else:
            self._rebuild()
        self._refresh_detail()

    def _relabel(self) -> None:
        """Status colours come from the theme: redraw the labels when it changes."""
        for room_id, node in self._room_nodes.items():
            if room_id in self._rows:
                node.set_label(self._room_label(self._rows[room_id]))
        self._refresh_detail()

    def _visible_room_ids(self) -> set[str]:
        return {room_id for room_id, row in self._rows.items() if self._filter.accepts(row.room)}

    def _rebuild(self) -> None:
        tree = self.query_one("#zones-tree", Tree)
        keep = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        self._room_nodes = {}
        for view in self._buildings:
            bnode = tree.root.add("", data=view.zone.id, expand=True)
            for level, rows in view.levels:
                shown = [r for r in rows if self._filter.accepts(r.room)]
                if not shown and self._filter.active:
                    continue
                lnode = bnode.add("", data=level.id, expand=True)
                for row in shown:
                    self._room_nodes[row.room.id] = lnode.add_leaf(self._room_label(row), data=row.room.id)
            self._label_building(bnode)
        if not self._room_nodes:
            tree.root.add_leaf(Text("No rooms match the filters.", style="dim italic"))
        self._restore_cursor(tree, keep)

    def _restore_cursor(self, tree: Tree, data: Any) -> None:
        def walk(node: TreeNode):
            for child in node.children:
                yield child
                yield from walk(child)

        for node in walk(tree.root):
            if node.data == data and data is not None:
                tree.move_cursor(node)
                return
        tree.move_cursor_to_line(0)

    def _label_building(self, bnode: TreeNode) -> None:
        view = next((v for v in self._buildings if v.zone.id == bnode.data), None)
        if view is None:
            return
        local = self.app.now().astimezone(view.tz)
        bnode.set_label(Text.assemble((view.zone.name, "bold"), f"  {local:%H:%M} {view.tz.key}"))
        levels = {level.id: (level.name, rows) for level, rows in view.levels}  # one pass, not one per level
        for lnode in bnode.children:
            level_name, level_rows = levels.get(lnode.data, ("", []))
            shown = [r for r in level_rows if self._filter.accepts(r.room)]
            free = sum(1 for r in shown if r.status.state == "free")
            lnode.set_label(Text.assemble((level_name, "bold"), f"  {len(shown)} rooms, {free} free now"))

    def _room_label(self, row: RoomRow) -> Text:
        room, status = row.room, row.status
        features = ", ".join(room.features) if room.features else "—"
        text = Text()
        style = room_state_style(self.app, status.state)
        text.append(f"{STATUS_MARK.get(status.state, ' ')} ", style=style)
        text.append(f"{room.name:<16}", style="bold")
        text.append(f"{room.capacity:>3} seats  ")
        text.append(f"{status.describe(row.tz):<22}", style=style)
        text.append(f" {features}", style="dim")
        if room.accessible:
            text.append(" ♿")
        if not room.bookable:
            text.append(" (not bookable)", style="dim")
        return text

    def _named(self, room_id: str) -> None:
        node = self.query_one("#zones-tree", Tree).cursor_node
        if node is not None and node.data == room_id:
            self._refresh_detail(node)

    # ----------------------------------------------------------------- filters

    def action_focus_filters(self) -> None:
        self.query_one("#filter-capacity", Input).focus()

    def action_focus_tree(self) -> None:
        self.query_one("#zones-tree", Tree).focus()

    @on(Input.Changed, "#zones-filters Input")
    @on(Checkbox.Changed, "#filter-accessible")
    def _filters_changed(self) -> None:
        raw_capacity = self.query_one("#filter-capacity", Input).value.strip()
        raw_features = self.query_one("#filter-features", Input).value
        capacity = int(raw_capacity) if raw_capacity.isdigit() else 0
        features = tuple(f.strip() for f in raw_features.split(",") if f.strip())
        accessible = self.query_one("#filter-accessible", Checkbox).value
        new = RoomFilter(capacity, features, accessible)
        if new != self._filter:
            self._filter = new
            if self._buildings:
                self._rebuild()

    @on(Input.Submitted, "#zones-filters Input")
    def _filter_submitted(self) -> None:
        self.action_focus_tree()

    # ----------------------------------------------------------------- room detail

    @on(Tree.NodeHighlighted, "#zones-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._refresh_detail(event.node)

    @on(Tree.NodeSelected, "#zones-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        row = self._rows.get(event.node.data)
        if row is None:
            return
        try:
            from staffterm.ui.screens.room_day.screen import RoomDayScreen
        except ModuleNotFoundError:
            self._refresh_detail(event.node)
            return
        self.app.push_screen(RoomDayScreen(row.room.id))

    def _refresh_detail(self, node: TreeNode | None = None) -> None:
        node = node or self.query_one("#zones-tree", Tree).cursor_node
        detail = self.query_one("#room-detail", Static)
        row = self._rows.get(node.data) if node is not None else None
        if row is None:
            detail.update("Select a room to see its day.")
            return
        detail.update(self._room_day(row))

    def _room_day(self, row: RoomRow) -> Text:
        room, tz = row.room, row.tz
        text = Text()
        text.append(f"{room.name}\n", style="bold")
        text.append(f"{room.email}\n", style="dim")
        text.append(f"{room.capacity} seats · {', '.join(room.features) or 'no features'}")
        text.append(" · step-free access" if room.accessible else "")
        text.append("\n")
        if not room.bookable:
            text.append("Not bookable\n", style="dim")
        text.append("Now: ")
        text.append(row.status.describe(tz), style=room_state_style(self.app, row.status.state))
        text.append("\n\nToday\n", style="bold underline")
        availability = row.availability
        unknown = availability is None or availability.error
        blocks = [] if unknown else self._names.view(room, availability.blocks, availability.start, availability.end)
        if unknown:
            # Its calendar could not be read: saying "no meetings" would call the room free.
            text.append("Free/busy unknown", style=themed(self.app, "warning", bold=True))
            text.append(f": {row.status.error or 'no free/busy for this room'}\n", style="dim")
        elif not blocks:
            text.append("No meetings.\n", style="dim")
        now = self.app.now()
        for block in blocks:
            start, end = block.start.astimezone(tz), block.end.astimezone(tz)
            past = block.end <= now
            title = "Private meeting" if block.private else (block.title or block.status.value)
            tentative = themed(self.app, "fb-tentative")
            style = "dim" if past else (tentative if block.status.value == "tentative" else "")
            text.append(f"{start:%H:%M}–{end:%H:%M}  ", style=style or "bold")
            text.append(title, style=style)
            if block.status.value == "tentative":
                text.append("  (awaiting approval)", style=tentative)
            text.append("\n")
        text.append("\nEnter: the room's day and actions", style="dim")
        return text
