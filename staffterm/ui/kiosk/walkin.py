"""The lobby kiosk's walk-in form: name → email → host (searched as the guest types) → confirm.

One text box serves every step, so the focus never has to move between widgets (there is no
tab on a kiosk). Up and down move between the hosts found; Enter picks one. An empty name goes
back to the welcome step. The work (searching, registering) is the App's, in workers.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from staffterm.services.kiosk_walkin import MIN_HOST_QUERY, HostChoice

PROMPTS = {
    "name": "Welcome! What is your full name?",
    "email": "Your email address?",
    "host": "Who are you visiting? Type at least 3 letters of their name.",
    "host-email": "Who are you visiting? Type their email address.",
}


class WalkInForm(Vertical):
    DEFAULT_CSS = """
    WalkInForm { height: auto; }
    WalkInForm #walkin-hosts { height: auto; margin-top: 1; }
    WalkInForm #walkin-message { color: $warning; height: auto; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
    ]

    class Back(Message):
        """The guest left the form (an empty name): back to the welcome step."""

    class Ready(Message):
        """Name, email and host are given and confirmed: register."""

        def __init__(self, name: str, email: str, host: HostChoice) -> None:
            super().__init__()
            self.guest_name = name
            self.email = email
            self.host = host

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.step = "name"
        self.guest_name = ""
        self.email = ""
        self.hosts: list[HostChoice] = []
        self.highlighted = 0
        self.host: HostChoice | None = None
        self.search_hosts = True

    def compose(self) -> ComposeResult:
        yield Static("Register as a visitor", classes="title")
        yield Static("", id="walkin-prompt")
        yield Input(id="walkin-input", max_length=120, select_on_focus=False)
        yield Static("", id="walkin-hosts")
        yield Static("", id="walkin-message")

    # ----------------------------------------------------------------- steps

    @property
    def box(self) -> Input:
        return self.query_one("#walkin-input", Input)

    def clear(self) -> None:
        self.guest_name = self.email = ""
        self.hosts, self.highlighted, self.host = [], 0, None
        self.box.value = ""
        self.say("")
        self._go("name")

    def start(self, *, search_hosts: bool) -> None:
        self.search_hosts = search_hosts
        self.clear()

    def _go(self, step: str) -> None:
        self.step = step
        prompt = PROMPTS["host-email" if step == "host" and not self.search_hosts else step] if step in PROMPTS else ""
        if step == "confirm" and self.host is not None:
            prompt = (f"{self.guest_name} ({self.email}), visiting {self.host.label}.\n"
                      "Press Enter or y to register and check in, n to start again.")
        self.query_one("#walkin-prompt", Static).update(prompt)
        self.box.display = step != "confirm"
        self.box.value = ""
        self._show_hosts()
        if step == "confirm":
            self.screen.set_focus(None)
        else:
            self.box.focus()

    def say(self, text: str) -> None:
        self.query_one("#walkin-message", Static).update(text)

    def _show_hosts(self) -> None:
        if self.step != "host" or not self.hosts:
            self.query_one("#walkin-hosts", Static).update("")
            return
        lines = [f"{'▶' if i == self.highlighted else ' '} {host.label}" for i, host in enumerate(self.hosts)]
        lines.append("Up and down to choose, Enter to pick.")
        self.query_one("#walkin-hosts", Static).update("\n".join(lines))

    def show_hosts(self, typed: str, hosts: list[HostChoice]) -> None:
        """The search's answer, if it is still for what is in the box."""
        if self.step != "host" or typed != self.box.value:
            return
        self.hosts, self.highlighted = hosts, 0
        if len(typed.strip()) >= MIN_HOST_QUERY and not hosts:
            self.say("Nobody here matches that. Check the spelling, or ask at the front desk.")
        else:
            self.say("")
        self._show_hosts()

    def action_move(self, step: int) -> None:
        if self.step == "host" and self.hosts:
            self.highlighted = (self.highlighted + step) % len(self.hosts)
            self._show_hosts()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.step == "host" and self.search_hosts:
            self.hosts = []
            self._show_hosts()
            self.app.search_walk_in_hosts(event.value)  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        from staffterm.errors import InvalidInputError
        from staffterm.services.kiosk_walkin import check_guest_details

        text = event.value
        self.say("")
        try:
            if self.step == "name":
                if not text.strip():
                    self.post_message(self.Back())
                    return
                self.guest_name, _ = check_guest_details(text, "x@example.com")
                self._go("email")
            elif self.step == "email":
                _, self.email = check_guest_details(self.guest_name, text)
                self._go("host")
            elif self.step == "host":
                if self.search_hosts:
                    if not self.hosts:
                        return
                    self.host = self.hosts[self.highlighted]
                else:
                    self.host = self.app.walk_in.host_by_email(text)  # type: ignore[attr-defined]
                self._go("confirm")
        except InvalidInputError as exc:
            self.say(exc.message[:1].upper() + exc.message[1:] + ".")

    def answer(self, yes: bool) -> None:
        """Enter/y or n on the confirm step (the screen's keys: nothing has focus then)."""
        if self.step != "confirm" or self.host is None:
            return
        if yes:
            self.post_message(self.Ready(self.guest_name, self.email, self.host))
        else:
            self.clear()
