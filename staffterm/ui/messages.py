"""Messages workers post back to screens: results travel as messages, workers never poke widgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class SessionReady(Message):
    """The tenant's session is open; screens may start loading."""

    session: Any


@dataclass
class SessionFailed(Message):
    """The tenant could not be opened (bad config, unreachable backend)."""

    reason: str
