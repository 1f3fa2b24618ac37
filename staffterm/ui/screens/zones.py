"""Buildings → levels → rooms, each room with its status now; Enter shows the room's day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from staffterm.ui.messages import SessionFailed, SessionReady
from staffterm.ui.screens.base import StafftermScreen

STATUS_STYLE = {"free": "bold green", "soon": "bold yellow", "busy": "bold red", "unavailable": "dim"}


@dataclass
class RoomRow:
    """What the tree shows for a room: built from a board snapshot off the event loop."""

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


class ZonesScreen(StafftermScreen):
    """The first console screen: the estate at a glance."""

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._room_nodes: dict[str, TreeNode] = {}
        self._rows: dict[str, RoomRow] = {}
        self._buildings: list[BuildingView] = []

    def compose(self) -> ComposeResult:
        # A plain one-line bar, not Textual's Header: it shows what a desk needs (tenant, building
        # clocks, freshness) and is ~40 ms cheaper to paint at start-up.
        yield Static(Text.assemble(("staffterm", "bold"), "   connecting…"), id="status-line")
        with Horizontal(id="zones-body"):
            tree: Tree[str] = Tree("Sites", id="zones-tree")
            tree.show_root = False
            tree.guide_depth = 2
            yield tree
            yield Static("Select a room to see its day.", id="room-detail")
        yield Footer()

    # ----------------------------------------------------------------- data

    def on_mount(self) -> None:
        # A text placeholder rather than a LoadingIndicator: cheaper on the first frame.
        self.query_one("#zones-tree", Tree).root.add_leaf(Text("Loading rooms…", style="dim italic"))
        if self.app.session is not None:
            self.load_estate()

    @on(SessionReady)
    def _session_ready(self, _: SessionReady) -> None:
        self.load_estate()

    @on(SessionFailed)
    def _session_failed(self, event: SessionFailed) -> None:
        self.query_one("#zones-tree", Tree).clear()
        self.query_one("#status-line", Static).update(
            Text.assemble(("staffterm", "bold"), "   ", ("Not connected: ", "bold red"), event.reason)
        )

    def action_refresh(self) -> None:
        if self.app.session is not None:
            self.load_estate()

    @work(exclusive=True, group="zones-load", exit_on_error=False, name="load-estate")
    async def load_estate(self) -> None:
        session = self.app.session
        from staffterm.services.zones import timezone_for  # services are imported after first paint

        buildings = await session.backend.list_zones(kind="building")
        zones = await session.backend.list_zones()
        views: list[BuildingView] = []
        for building in sorted(buildings, key=lambda z: z.name):
            snapshot = await session.board.load(building.id)
            tz = timezone_for(building.id, zones)
            view = BuildingView(zone=building, tz=tz, loaded_at=snapshot.loaded_at)
            levels = sorted((z for z in zones if z.parent_id == building.id), key=lambda z: z.name)
            for level in levels:
                rows = [
                    RoomRow(room, snapshot.statuses[room.id], snapshot.availability.get(room.id), tz)
                    for room in sorted(snapshot.rooms, key=lambda r: r.name)
                    if level.id in room.zone_ids
                ]
                view.levels.append((level, rows))
            views.append(view)
        self._show(views)

    def _show(self, views: list[BuildingView]) -> None:
        tree = self.query_one("#zones-tree", Tree)
        first_load = not self._room_nodes
        self._buildings = views
        if first_load:
            tree.clear()
        for view in views:
            for _, rows in view.levels:
                for row in rows:
                    self._rows[row.room.id] = row
            if first_load:
                self._add_building(tree, view)
            else:
                for _, rows in view.levels:
                    for row in rows:
                        node = self._room_nodes.get(row.room.id)
                        if node is not None:
                            node.set_label(self._room_label(row))
        self._update_status_line()
        if first_load and tree.cursor_node is None:
            tree.move_cursor_to_line(0)
        self._refresh_detail()

    def _add_building(self, tree: Tree[str], view: BuildingView) -> None:
        local = self.app.now().astimezone(view.tz)
        label = Text.assemble((view.zone.name, "bold"), f"  {local:%H:%M} {view.tz.key}")
        bnode = tree.root.add(label, data=view.zone.id, expand=True)
        for level, rows in view.levels:
            free = sum(1 for r in rows if r.status.state == "free")
            lnode = bnode.add(
                Text.assemble((level.name, "bold"), f"  {len(rows)} rooms, {free} free now"),
                data=level.id,
                expand=True,
            )
            for row in rows:
                self._room_nodes[row.room.id] = lnode.add_leaf(self._room_label(row), data=row.room.id)

    def _room_label(self, row: RoomRow) -> Text:
        room, status = row.room, row.status
        features = ", ".join(room.features) if room.features else "—"
        access = " ♿" if room.accessible else ""
        text = Text()
        text.append(f"{room.name:<18}", style="bold")
        text.append(f" {room.capacity:>3} seats  ")
        text.append(status.describe(row.tz), style=STATUS_STYLE.get(status.state, ""))
        text.append(f"  {features}{access}", style="dim")
        return text

    def _update_status_line(self) -> None:
        session = self.app.session
        clocks = "   ".join(
            f"{v.zone.name.split(' — ')[0]} {self.app.now().astimezone(v.tz):%H:%M}" for v in self._buildings
        )
        updated = self.app.now().astimezone(self._buildings[0].tz if self._buildings else None)
        self.query_one("#status-line", Static).update(
            Text.assemble(
                ("staffterm", "bold"),
                "   ",
                (session.tenant_name, "bold"),
                f" ({session.provider})   {clocks}   ",
                (f"updated {updated:%H:%M}", "dim"),
            )
        )

    # ----------------------------------------------------------------- room detail

    @on(Tree.NodeHighlighted, "#zones-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._refresh_detail(event.node)

    @on(Tree.NodeSelected, "#zones-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data in self._rows:
            self._refresh_detail(event.node)

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
        text.append(row.status.describe(tz), style=STATUS_STYLE.get(row.status.state, ""))
        text.append("\n\nToday\n", style="bold underline")
        blocks = list(row.availability.blocks) if row.availability is not None else []
        if not blocks:
            text.append("No meetings.\n", style="dim")
        now = self.app.now()
        for block in blocks:
            start, end = block.start.astimezone(tz), block.end.astimezone(tz)
            past = block.end <= now
            title = "Private meeting" if block.private else (block.title or block.status.value)
            style = "dim" if past else ("yellow" if block.status.value == "tentative" else "")
            text.append(f"{start:%H:%M}–{end:%H:%M}  ", style=style or "bold")
            text.append(title, style=style)
            if block.status.value == "tentative":
                text.append("  (awaiting approval)", style="yellow")
            text.append("\n")
        return text
