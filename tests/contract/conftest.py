"""Fixtures of the contract suite: ``site`` is one open backend with its scenario, once per
entry of ``CONTRACT_BACKENDS``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from staffterm.backends.base import Backend
from staffterm.backends.registry import backend_class
from staffterm.clock import FrozenClock
from tests.contract.backends import CONTRACT_BACKENDS, ContractBackend, Scenario
from tests.contract.needs import MARK, capabilities_of, skip_reason


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARK}(*capabilities): backend capabilities a contract test exercises; "
        "skipped, naming them, on a backend without them",
    )


@dataclass
class Site:
    """One backend under test, its scenario, and the frozen clock it (and its fake) runs on."""

    provider: str
    backend: Backend
    scenario: Scenario
    clock: FrozenClock


@pytest.fixture(params=CONTRACT_BACKENDS, ids=lambda entry: entry.provider)
def contract_backend(request: pytest.FixtureRequest) -> ContractBackend:
    return request.param


@pytest.fixture
async def site(request: pytest.FixtureRequest, contract_backend: ContractBackend, tmp_path) -> AsyncIterator[Site]:
    provider = contract_backend.provider
    missing = capabilities_of(request.node.iter_markers()) - backend_class(provider).capabilities
    if missing:
        pytest.skip(skip_reason(provider, missing))
    divergence = contract_backend.diverges.get(request.node.originalname)
    if divergence:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=divergence))
    clock = FrozenClock(contract_backend.scenario.now)
    async with contract_backend.open(tmp_path, clock) as backend:
        yield Site(provider, backend, contract_backend.scenario, clock)
