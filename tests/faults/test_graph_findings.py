"""What the Graph fault soak found, each pinned by a test that failed before its fix.

Built on the soak's own target (``graph_ops.GraphTarget``): the backend signed in as the app
through msal, against the in-process fake, with the faulty hop switched off unless a test
breaks one request on purpose.
"""

from __future__ import annotations

from pathlib import Path

from tests.faults.graph_ops import GraphTarget
from tests.faults.proxy import FaultPlan


def _quiet() -> FaultPlan:
    return FaultPlan(seed=1, rate=0.0)


async def test_a_token_revoked_by_the_tenant_is_renewed_through_msal_and_the_read_goes_on(tmp_path: Path) -> None:
    # Found by the soak: after a 401, forgetting msal's cached access tokens removed them while
    # iterating msal's own search generator ("dictionary changed size during iteration").
    async with GraphTarget(_quiet(), tmp_path) as target:
        backend = target.backend
        assert backend is not None
        await backend.list_users(limit=5)
        target.fake.state.tokens.clear()
        users = await backend.list_users(limit=5)
    assert len(users) == 5
    token_calls = [r for r in target.fake.requests if r.url.path.endswith("/oauth2/v2.0/token")]
    assert len(token_calls) == 2
