"""The console's modes: each a main screen with its own navigation stack, switched by F2–F6.

A mode's screen is imported when first shown, not at start-up (only the first mode's screen is
needed for the first paint).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from textual.screen import Screen

# mode name -> (module, class, title). Imported when first shown, not at start-up.
SCREENS: dict[str, tuple[str, str, str]] = {
    "zones": ("staffterm.ui.screens.zones.screen", "ZonesScreen", "Zones"),
    "timeline": ("staffterm.ui.screens.timeline.screen", "TimelineScreen", "Timeline"),
    "bookings": ("staffterm.ui.screens.bookings.screen", "BookingsScreen", "Bookings"),
    "guests": ("staffterm.ui.screens.guests.screen", "GuestsScreen", "Guests"),
    "admin": ("staffterm.ui.screens.admin.screen", "AdminScreen", "Admin"),
}


def screen_factory(mode: str) -> Callable[[], Screen]:
    def make() -> Screen:
        module_name, class_name, _ = SCREENS[mode]
        return getattr(importlib.import_module(module_name), class_name)()

    return make
