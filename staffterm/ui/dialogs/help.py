"""F1: the keys of the screen in view (as currently mapped) and a few lines on what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from staffterm.ui.dialogs.base import StafftermModal

GLOBAL_HELP = """\
**Everywhere:** F2–F6 or 1–5 switch screens · **n** (or **ctrl+n** in a search box) finds a room free now · **b** switches building ·
**r** refreshes · **ctrl+p** finds rooms, people, guests and actions · **q** quits.
Keys can be remapped in the config file under `[ui.keymap]` (binding id = key).
"""


class HelpScreen(StafftermModal):
    DEFAULT_CSS = """
    #help-box {
        width: 90%;
        max-width: 100;
        height: 90%;
    }
    """
    BINDINGS = [
        Binding("escape,f1,q", "close", "Close", id="help-close"),
    ]

    def __init__(self, about: Screen) -> None:
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        title = getattr(self.about, "SCREEN_TITLE", "") or "staffterm"
        with VerticalScroll(id="help-box", classes="dialog-box"):
            yield Static(Text(f"Help · {title}", style="bold"))
            yield Static(self._keys_table())
            help_text = getattr(self.about, "HELP", "")
            if help_text:
                yield Markdown(help_text)
            yield Markdown(GLOBAL_HELP)

    def _keys_table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("Key")
        table.add_column("Action")
        table.add_column("Id", style="dim")
        seen: set[tuple[str, str]] = set()
        for key, active in self.about.active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.action, key) in seen:
                continue
            seen.add((binding.action, key))
            table.add_row(self.app.get_key_display(binding), binding.description, binding.id or "")
        return table

    def action_close(self) -> None:
        self.dismiss()
