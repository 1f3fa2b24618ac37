"""An in-repo fake PlaceOS (engine API, Staff API and OAuth) for tests and by-hand runs.

    fake = FakePlaceOS(now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as client: ...
    with serve_on_loopback(fake) as url: ...      # real HTTP on 127.0.0.1
    python -m tests.fakes.placeos --port 8765     # serve until ^C
"""

from tests.fakes.placeos.auth import Principal
from tests.fakes.placeos.loopback import serve_on_loopback
from tests.fakes.placeos.seed import seed_day_bounds
from tests.fakes.placeos.server import FakePlaceOS
from tests.fakes.placeos.state import FakeState, Signal

__all__ = ["FakePlaceOS", "FakeState", "Principal", "Signal", "seed_day_bounds", "serve_on_loopback"]
