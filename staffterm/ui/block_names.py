"""A screen's names for the busy blocks it shows: free/busy that does not say what is in a room
(PlaceOS's never does) is named from the room's calendar, for the room the operator rests on.

One calendar read per room per data load, started once the cursor has rested a moment (walking
down a thousand rooms reads none of them), and forgotten when the screen loads new data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

BlockKey = tuple[datetime, datetime, str]


def _key(block: Any) -> BlockKey:
    return (block.start, block.end, str(block.status))


class BlockNames:
    #: How long the cursor rests on a room before its calendar is read.
    REST_SECONDS = 0.15

    def __init__(self, screen: Any, on_named: Callable[[str], None]) -> None:
        self._screen = screen
        self._on_named = on_named
        self._named: dict[str, dict[BlockKey, Any]] = {}
        self._reading: str | None = None  # the room whose calendar is being read
        self._generation = 0  # bumped by clear(): a read started before it is not kept

    def clear(self) -> None:
        """New data: what was read may be out of date (a meeting renamed, moved or added)."""
        self._named.clear()
        self._reading = None
        self._generation += 1

    def view(self, room: Any, blocks: Sequence[Any], start: datetime, end: datetime) -> list[Any]:
        """``blocks`` with the names known for ``room``; when none are known yet and some are
        untitled, a read of the room's calendar over ``start``–``end`` starts (``on_named(room
        id)`` once it has answered)."""
        named = self._named.get(room.id)
        if named is None:
            # Imported here, not at the top: the zones screen (the first one painted) imports this
            # module, and the services bring pydantic and the backends' contract with them, which
            # would delay the console's first paint. By the time there are blocks to name, the
            # session is open and they are loaded anyway.
            from staffterm.services.block_names import needs_names

            if needs_names(blocks) and self._reading != room.id:
                # Exclusive: resting on another room cancels this one's read.
                self._reading = room.id
                self._screen.run_worker(
                    self._read(room, list(blocks), start, end),
                    group="block-names", exclusive=True, exit_on_error=False, name="name-blocks",
                )
            return list(blocks)
        return [named.get(_key(b), b) for b in blocks]

    def one(self, room_id: str, block: Any) -> Any:
        """The named form of one of ``room_id``'s blocks, when known."""
        if block is None:
            return None
        return self._named.get(room_id, {}).get(_key(block), block)

    async def _read(self, room: Any, blocks: list[Any], start: datetime, end: datetime) -> None:
        generation = self._generation
        await asyncio.sleep(self.REST_SECONDS)
        session = self._screen.app.session
        if session is None:
            return
        named = await session.board.name_blocks(room, blocks, start, end)
        if generation != self._generation:
            return
        self._reading = None
        self._named[room.id] = {_key(old): new for old, new in zip(blocks, named, strict=True)}
        self._on_named(room.id)
