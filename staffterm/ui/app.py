"""The console's App shell: opens the tenant's session in a worker, routes worker errors.

Nothing here waits on I/O: the first screen paints at once with a loading state, the config
and the backend are opened in workers, and every worker error becomes a notification.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from staffterm.ui.messages import SessionFailed, SessionReady


class StafftermApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "staffterm"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-app")]

    def __init__(
        self,
        *,
        config: Any = None,
        config_path: Path | None = None,
        tenant: str | None = None,
        clock: Any = None,
        session: Any = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._config_path = config_path
        self._tenant = tenant
        self._clock = clock
        self.session = session
        self._owns_session = session is None

    def now(self) -> datetime:
        if self._clock is not None:
            return self._clock.now()
        from datetime import timezone

        return datetime.now(timezone.utc)

    def get_default_screen(self) -> Screen:
        # The first screen is the default one (not pushed over an empty default): one layout
        # and one paint before the first frame instead of two.
        from staffterm.ui.screens.zones import ZonesScreen

        return ZonesScreen()

    def on_mount(self) -> None:
        if self.session is not None:
            self.sub_title = f"{self.session.tenant_name} · {self.session.provider}"

    def on_ready(self) -> None:
        # Open the tenant only once the first frame is on screen: reading the config and
        # importing the services (pydantic, sqlite) would otherwise delay that first paint.
        if self.session is None:
            self.call_after_refresh(self._start_session)

    def _start_session(self) -> None:
        self.run_worker(self._open_session, name="open-session", group="session", exit_on_error=False)

    async def _open_session(self) -> None:
        # Importing the services (pydantic, sqlite) and reading the config happen in a thread,
        # after the first paint, so start-up costs no more than a bare Textual app.
        session = await asyncio.to_thread(self._build_session)
        await session.__aenter__()
        self.session = session
        self.sub_title = f"{session.tenant_name} · {session.provider}"
        if self._clock is None:
            self._clock = session.clock
        self.screen.post_message(SessionReady(session))

    def _build_session(self) -> Any:
        from staffterm.config import load_config
        from staffterm.services.session import Session

        config = self._config if self._config is not None else load_config(self._config_path)
        return Session.from_config(config, self._tenant, clock=self._clock)

    async def on_unmount(self) -> None:
        if self.session is not None and self._owns_session:
            await self.session.__aexit__(None, None, None)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker) -> None:
        """Every failed worker ends here: one plain notification, never a traceback."""
        message = describe_error(worker.error)
        if worker.name == "open-session":
            self.sub_title = "not connected"
            self.screen.post_message(SessionFailed(message))
        self.notify(message, title="Could not load", severity="error", markup=False, timeout=10)


def describe_error(error: BaseException | None) -> str:
    """One line an operator can act on; never a traceback."""
    from staffterm.errors import StafftermError

    if isinstance(error, StafftermError):
        return str(error)
    if error is None:
        return "An unknown error occurred."
    return f"Unexpected error: {type(error).__name__}: {error}"


def build_app(
    *,
    config: Any = None,
    config_path: Path | None = None,
    tenant: str | None = None,
    clock: Any = None,
) -> StafftermApp:
    return StafftermApp(config=config, config_path=config_path, tenant=tenant, clock=clock)


def run_console(*, config: Any = None, tenant: str | None = None, config_path: Path | None = None, clock: Any = None) -> int:
    """Open the console; returns the process exit status."""
    app = build_app(config=config, config_path=config_path, tenant=tenant, clock=clock)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)
