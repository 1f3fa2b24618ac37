"""What every Admin tab shares: loading when first shown, freshness, worker errors, and the
theme colours that Rich cells (DataTable) need.

A pane loads its data the first time its tab is shown and again when it is shown after a
refresh; panes never shown cost nothing. Worker.StateChanged does not bubble, so each pane
forwards its own workers' failures to the app's one error path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.containers import Vertical
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from staffterm.capabilities import Capability

if TYPE_CHECKING:
    from staffterm.ui.app import StafftermApp


class AdminPane(Vertical):
    """One tab of the Admin screen. Subclasses implement ``load()`` and call ``loaded()``."""

    if TYPE_CHECKING:
        # Typed access to the console: its session (the services), catalog, clock and building.
        @property
        def app(self) -> StafftermApp: ...

    DEFAULT_CSS = """
    AdminPane {
        height: 1fr;
    }
    """

    #: What the backend must be able to do for this tab to be shown (None: always).
    CAPABILITY: ClassVar[Capability | None] = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stale = True

    @property
    def session(self) -> Any:
        return self.app.session

    def available(self) -> bool:
        session = self.app.session
        if session is None:
            return False
        return self.CAPABILITY is None or session.supports(self.CAPABILITY)

    def activate(self) -> None:
        """The tab came into view: load if never loaded or out of date."""
        if self.stale and self.available():
            self.load()

    def load(self) -> None:
        """Start this pane's load worker. Override."""

    def focus_first(self) -> None:
        """Put the keyboard where this tab's work starts. Override."""

    def loaded(self) -> None:
        self.stale = False
        mark = getattr(self.screen, "mark_loaded", None)
        if callable(mark):
            mark()

    def on_mount(self) -> None:
        # Rich cells carry resolved colours, so a theme change repaints them. The signal comes
        # after the app has worked out the new theme's variables (a watch on `theme` is too early).
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self.repaint_cells()

    def on_resize(self) -> None:
        # Column widths follow the pane's width (see fit_columns).
        self.repaint_cells()

    def repaint_cells(self) -> None:
        """Refill the tables from the data already loaded (new theme, new width). Override."""

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_worker_error(event.worker)


def theme_style(app: Any, variable: str, *, bold: bool = False, dim: bool = False) -> Style:
    """A Rich style in the theme's colour ``$variable`` (for DataTable cells, which do not
    resolve theme variables themselves)."""
    colour = app.theme_variables.get(variable)
    return Style(color=colour, bold=bold, dim=dim) if colour else Style(bold=bold, dim=dim)


def plain(value: object) -> Text:
    """A table cell that shows user data as typed: DataTable would read a str as markup."""
    return Text(str(value) if value is not None else "", no_wrap=True, overflow="ellipsis")


def fit_columns(table: DataTable, columns: list[tuple[str, str, int | None]], width: int, *, least: int = 12) -> None:
    """Give ``table`` its columns (key, label, width), the one with width None taking what the
    others leave of ``width`` cells, so the table fits without a sideways scrollbar. Columns
    are rebuilt only when the widths change (a resize); the caller refills the rows."""
    cell_padding = 2 * len(columns)
    scrollbar = 2
    fixed = sum(w for _, _, w in columns if w is not None)
    rest = max(least, width - fixed - cell_padding - scrollbar)
    wanted = [(key, label, w if w is not None else rest) for key, label, w in columns]
    if [(k.value, c.width) for k, c in table.columns.items()] == [(key, w) for key, _, w in wanted]:
        return
    table.clear(columns=True)
    for key, label, w in wanted:
        table.add_column(label, key=key, width=w)


def short_path(text: str) -> str:
    """Paths under the home folder shown as ``~/…``: shorter, and the same on every desk."""
    home = str(Path.home())
    if len(home) > 1:
        return text.replace(home + "/", "~/")
    return text
