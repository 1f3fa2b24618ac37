"""A room's day: its meetings in the building's zone, the highlighted meeting's host, attendees,
answers and online link (with a QR), and what the desk can do about it: extend, end now, move,
cancel, decline, approve or reject.

Pushed from the zones and timeline screens (Enter on a room); Escape goes back.

Here are the keys for each meeting action and their workers; the day itself is ``day_view``, how a
meeting reads is ``meetings``, the use-cases are ``services.booking`` and ``services.meetings``.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.binding import Binding

from staffterm.capabilities import Capability
from staffterm.models import Event, Room
from staffterm.ui.screens.room_day.day_view import RoomDayView
from staffterm.ui.screens.room_day.meetings import (
    awaiting_approval,
    is_running,
)
from staffterm.ui.widgets.clash_list import ClashList, clock_span

DAY_KEYS = Binding.Group("Day", compact=True)

#: action -> capability it needs
MEETING_ACTIONS: dict[str, Capability] = {
    "extend": Capability.EVENT_WRITE,
    "extend_by": Capability.EVENT_WRITE,
    "end_now": Capability.EVENT_WRITE,
    "move": Capability.EVENT_WRITE,
    "cancel_meeting": Capability.EVENT_WRITE,
    "decline": Capability.EVENT_WRITE,
    "approve": Capability.EVENT_APPROVAL,
    "reject": Capability.EVENT_APPROVAL,
}


def meeting_allows(action: str, event: Event | None, room: Room | None, now: datetime) -> bool:
    """Whether ``action`` fits the meeting's state (the backend's capabilities aside)."""
    if event is None or room is None or event.end <= now:
        return False
    if action == "end_now":
        return is_running(event, now)
    if action in ("approve", "reject"):
        return awaiting_approval(event, room)
    return True


class RoomDayScreen(RoomDayView):
    SCREEN_TITLE = "Room"
    HELP = """\
One room's meetings for a day, in the building's own time zone. The pane on the right shows the
highlighted meeting: host, attendees and their answers (✓ accepted, ? tentative, ✗ declined,
· no reply), visitors and check-ins, notes, and the online-meeting link with a QR code to scan.
Private meetings show as *Private meeting*.

- **e** extends by 15 minutes (press again for more); **E** asks how many minutes. A clash with
  the next meeting shows that meeting.
- **x** ends a running meeting now · **m** moves it to a room free for its whole span.
- **c** cancels (tell the attendees or not, with a comment) · **d** declines it for the room.
- **a** / **j** approve or reject a request for a room that needs approval.
- **[** and **]** show the previous or next day, **t** today · **Escape** goes back.
"""
    BINDINGS = [
        Binding("escape", "close", "Back", id="room-day-close"),
        Binding("e", "extend(15)", "+15 min", id="room-day-extend"),
        Binding("E", "extend_by", "Extend by…", id="room-day-extend-by"),
        Binding("x", "end_now", "End now", id="room-day-end-now"),
        Binding("m", "move", "Move", id="room-day-move"),
        Binding("c", "cancel_meeting", "Cancel", id="room-day-cancel"),
        Binding("d", "decline", "Decline", id="room-day-decline"),
        Binding("a", "approve", "Approve", id="room-day-approve"),
        Binding("j", "reject", "Reject", id="room-day-reject"),
        Binding("left_square_bracket", "day(-1)", "Previous day", id="room-day-prev-day", group=DAY_KEYS),
        Binding("right_square_bracket", "day(1)", "Next day", id="room-day-next-day", group=DAY_KEYS),
        Binding("t", "today", "Today", show=False, id="room-day-today"),
    ]
    DEFAULT_CSS = """
    #room-facts {
        height: auto;
        padding: 0 1;
        margin-top: 1;
    }
    #room-day-body {
        height: 1fr;
    }
    #meetings {
        width: 1fr;
        height: 1fr;
        min-width: 36;
        border: round $primary 40%;
    }
    #meetings:focus {
        border: round $primary;
    }
    #meeting-pane {
        width: 1fr;
        min-width: 38;
        max-width: 64;
        border: round $secondary 40%;
        padding: 0 1;
    }
    #meeting-facts {
        height: auto;
    }
    #meeting-qr {
        margin-bottom: 1;
    }
    """

    # ----------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        capability = MEETING_ACTIONS.get(action)
        if capability is None:
            return True
        session = self.app.session
        if session is None or not session.supports(capability):
            return False
        return meeting_allows(action, self.current, self.room, self.app.now())

    def _target(self, action: str) -> Event | None:
        return self.current if self.check_action(action, ()) else None

    def _title(self, event: Event) -> str:
        return f"'{event.display_title(masked=True)}' ({clock_span(event.start, event.end, self.tz)})"

    def action_extend(self, minutes: int = 15) -> None:
        event = self._target("extend")
        if event is not None:
            self._act("extend", event, minutes)

    def action_end_now(self) -> None:
        event = self._target("end_now")
        if event is not None:
            self._act("end_now", event)

    def action_approve(self) -> None:
        event = self._target("approve")
        if event is not None:
            self._act("approve", event)

    def action_reject(self) -> None:
        event = self._target("reject")
        if event is None:
            return
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        question = Text.assemble(
            "Reject ", (self._title(event), "bold"), f" in {self.room.name}? The meeting is cancelled and its host is told."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._act("reject", event)

        self.app.push_screen(ConfirmDialog(question, confirm_label="Reject", title="Reject the request?"), answered)

    @work(group="room-day-write", exit_on_error=False, name="meeting-action")
    async def _act(self, action: str, event: Event, minutes: int = 15) -> None:
        session, room = self.app.session, self.room
        problem = self.query_one("#meeting-problem", ClashList)
        problem.clear()
        title = self._title(event)
        try:
            if action == "extend":
                updated = await session.booking.extend_meeting(event.calendar_id, event.id, minutes, room_id=room.id)
                message = f"Extended {title} to {updated.end.astimezone(self.tz):%H:%M}"
            elif action == "end_now":
                ended = await session.booking.end_meeting_now(event.calendar_id, event.id)
                message = (f"Ended {title} at {ended.end.astimezone(self.tz):%H:%M}; {room.name} is free"
                           if ended is not None else f"Cancelled {title}: it had not started")
            elif action == "approve":
                await session.meetings.approve(room, event.id)
                message = f"Approved {title} in {room.name}"
            else:
                await session.meetings.reject(room, event.id)
                message = f"Rejected {title} in {room.name}; the meeting is cancelled"
        except Exception as exc:
            problem.show_error(exc, self.tz, reference=event.start)
            raise
        self.app.notify(message, markup=False)
        self.note_write()
        self.load_day(select=event.id)

    def action_extend_by(self) -> None:
        event = self._target("extend_by")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import ExtendDialog

        room = self.room

        async def apply(minutes: int) -> str:
            updated = await self.app.session.booking.extend_meeting(event.calendar_id, event.id, minutes, room_id=room.id)
            return f"Extended {self._title(event)} to {updated.end.astimezone(self.tz):%H:%M}"

        question = Text.assemble("How many minutes to add to ", (self._title(event), "bold"), "?")
        self.app.push_screen(ExtendDialog(question=question, apply=apply, tz=self.tz, reference=event.start),
                             self._dialog_done(event.id))

    def action_move(self) -> None:
        event = self._target("move")
        if event is None:
            return
        from staffterm.ui.dialogs.move_meeting import MoveMeetingModal

        building = self.app.catalog.building_for(self.room) if self.app.catalog is not None else None
        modal = MoveMeetingModal(event=event, room=self.room, building_id=building.id if building else None, tz=self.tz)
        self.app.push_screen(modal, self._dialog_done(None))

    def action_cancel_meeting(self) -> None:
        event = self._target("cancel_meeting")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import CommentDialog

        title = self._title(event)

        async def apply(notify: bool, comment: str) -> str:
            await self.app.session.booking.cancel_meeting(event.calendar_id, event.id, notify=notify, comment=comment or None)
            return f"Cancelled {title}" + ("; attendees told" if notify else "; attendees not told")

        question = Text.assemble("Cancel ", (title, "bold"), f" in {self.room.name} for everyone?")
        dialog = CommentDialog(title="Cancel the meeting", question=question, confirm_label="Cancel meeting",
                               apply=apply, tz=self.tz, reference=event.start)
        self.app.push_screen(dialog, self._dialog_done(None))

    def action_decline(self) -> None:
        event = self._target("decline")
        if event is None:
            return
        from staffterm.ui.dialogs.meeting import CommentDialog

        room, title = self.room, self._title(event)

        async def apply(notify: bool, comment: str) -> str:
            await self.app.session.meetings.decline(room, event.id, notify=notify, comment=comment or None)
            return f"{room.name} declined {title}" + ("; attendees told" if notify else "")

        question = Text.assemble("Decline ", (title, "bold"), f" on behalf of {room.name}? The room is released.")
        dialog = CommentDialog(title="Decline for the room", question=question, confirm_label="Decline",
                               apply=apply, tz=self.tz, reference=event.start)
        self.app.push_screen(dialog, self._dialog_done(None))

    def _dialog_done(self, select: str | None):
        def done(message: str | None) -> None:
            if message:
                self.app.notify(message, markup=False)
                self.note_write()
                self.load_day(select=select)

        return done
