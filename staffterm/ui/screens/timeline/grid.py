"""The free/busy timeline as the Timeline screen uses it: ``t`` on another day than today asks
the screen for today (the plain widget can only jump within the day it shows), and anchoring or
clearing a selection is reported so the side panel can show the range."""

from __future__ import annotations

from textual.message import Message

from staffterm.ui.widgets.timeline import FreeBusyTimeline


class DayTimeline(FreeBusyTimeline):
    class TodayWanted(Message):
        """``t`` was pressed while another day is shown."""

    class SelectionChanged(Message):
        """A range was anchored or cleared without the cursor moving."""

    def shows_today(self) -> bool:
        grid = self.grid
        if grid is None or self.now is None:
            return True
        return grid.slot_start(0).date() == self.now.astimezone(grid.tz).date()

    def action_jump_to_now(self) -> None:
        if not self.shows_today():
            self.post_message(self.TodayWanted())
            return
        super().action_jump_to_now()

    def action_toggle_anchor(self) -> None:
        super().action_toggle_anchor()
        self.post_message(self.SelectionChanged())

    def action_clear_selection(self) -> None:
        super().action_clear_selection()
        self.post_message(self.SelectionChanged())
