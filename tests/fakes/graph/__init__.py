"""An in-repo fake of Microsoft Graph v1.0 and the Microsoft identity platform, for tests.

    fake = FakeGraph(now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.graph_url) as client: ...
    with serve_https(fake) as (url, ca): ...     # real TLS on 127.0.0.1 with a trustme test CA
"""

from tests.fakes.graph.loopback import serve_https
from tests.fakes.graph.server import FakeGraph
from tests.fakes.graph.state import GraphState

__all__ = ["FakeGraph", "GraphState", "serve_https"]
