"""Rich styles from the current theme, for text drawn in Python rather than TCSS."""

from __future__ import annotations

from textual.app import App
from textual.color import Color, ColorParseError

#: A room's state now -> the theme variable it is drawn in.
ROOM_STATE_VARIABLE = {"free": "fb-free", "soon": "fb-tentative", "busy": "fb-busy", "unavailable": ""}


def themed(app: App | None, variable: str, *, bold: bool = False) -> str:
    """A Rich style string from a theme variable (``success``, ``fb-busy`` …), so cells drawn as
    Rich text follow the theme like TCSS does; "dim" when the variable is unknown."""
    value = getattr(app, "theme_variables", {}).get(variable) if app is not None and variable else None
    colour = ""
    if value:
        try:
            colour = Color.parse(value).hex
        except ColorParseError:
            colour = ""
    if not colour:
        return "dim"
    return " ".join(part for part in ("bold" if bold else "", colour) if part)


def room_state_style(app: App | None, state: str) -> str:
    return themed(app, ROOM_STATE_VARIABLE.get(state, ""), bold=True)
