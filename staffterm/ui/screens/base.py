"""Base screen of every mode: the shared header and footer, reload plumbing, worker-error routing,
and typed access to the app.

Every main screen subclasses ``StafftermScreen`` and implements ``reload()`` (start its load
worker). The app calls ``reload()`` when the session opens, on ``r``, on the auto-refresh tick,
at midnight in the building's zone, and when the building changes; a screen that comes back
into view reloads if its data is older than the refresh interval.

Worker.StateChanged does not bubble, so each screen forwards its own workers' errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from staffterm.ui.app import StafftermApp


class StafftermScreen(Screen):
    #: Shown in the header and the help screen.
    SCREEN_TITLE: ClassVar[str] = ""
    #: Markdown shown by F1 under the list of this screen's keys.
    HELP: ClassVar[str] = ""

    if TYPE_CHECKING:
        # Typed access to the console: its session (the services), catalog, clock and building.
        @property
        def app(self) -> StafftermApp: ...

    loaded_at: datetime | None = None
    loaded_version: int = -1

    def reload(self) -> None:
        """Start (or restart) this screen's load worker. Override."""

    def mark_loaded(self) -> None:
        """Call at the end of a successful load: records freshness for the header."""
        self.loaded_at = self.app.now()
        self.loaded_version = self.app.data_version
        self.app.note_success()
        self.refresh_header()

    def note_write(self) -> None:
        """This screen changed data and is reloading itself: the others reload when next shown,
        and this one's own resume must not start a second, untargeted reload."""
        self.app.note_write()
        self.loaded_version = self.app.data_version

    def refresh_header(self) -> None:
        from staffterm.ui.widgets.status_header import StatusHeader

        for header in self.query(StatusHeader):
            header.refresh_status()

    def on_screen_resume(self) -> None:
        if self.app.session is None or self.app.catalog is None:
            return
        age = None if self.loaded_at is None else self.app.now() - self.loaded_at
        changed = self.loaded_version != self.app.data_version
        if age is None or changed or age > timedelta(seconds=self.app.refresh_seconds):
            self.reload()
        self.refresh_header()

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_worker_error(event.worker)
