"""Base of every dialog: centred over the screen, its box drawn once here (a dialog's container
takes the ``dialog-box`` class and says only its width; its button row the ``dialog-buttons``
class), worker errors forwarded like the main screens do, and forms (rows of ``form-row``, a
``form-label`` and fields) whose submit and cancel buttons run ``action_submit`` and
``action_cancel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from staffterm.ui.app import StafftermApp


class StafftermModal(ModalScreen):
    """Base for dialogs: forwards worker errors like the main screens do."""

    DEFAULT_CSS = """
    StafftermModal {
        align: center middle;
    }
    StafftermModal > .dialog-box {
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    StafftermModal .dialog-buttons {
        height: auto;
        align-horizontal: right;
    }
    StafftermModal .dialog-buttons Button {
        margin-left: 1;
    }
    /* A form's rows: a label (each form sets its width), fields filling the rest, "from … to …". */
    StafftermModal .form-row {
        height: auto;
        margin-bottom: 1;
    }
    StafftermModal .form-row Input, StafftermModal .form-row Select, StafftermModal .form-row PersonPicker {
        width: 1fr;
    }
    StafftermModal .form-to {
        width: 4;
        content-align: center top;
    }
    """

    if TYPE_CHECKING:
        # Typed access to the console: its session (the services), catalog, clock and building.
        @property
        def app(self) -> StafftermApp: ...

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_worker_error(event.worker)


class FormModal(StafftermModal):
    """A dialog with a form: its submit and cancel buttons (named by id) run ``action_submit``
    and ``action_cancel``; cancelling closes it with no result."""

    SUBMIT_BUTTON: ClassVar[str] = ""
    CANCEL_BUTTON: ClassVar[str] = ""

    @on(Button.Pressed)
    def _form_button(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT_BUTTON:
            event.stop()
            self.action_submit()
        elif event.button.id == self.CANCEL_BUTTON:
            event.stop()
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError
