"""Base screen: routes every worker failure to one notification path on the app.

Worker.StateChanged does not bubble, so each screen forwards its own workers' errors.
"""

from __future__ import annotations

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState


class StafftermScreen(Screen):
    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_worker_error(event.worker)
