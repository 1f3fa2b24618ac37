from __future__ import annotations

import typing

import pytest

from staffterm.backends.base import Backend
from staffterm.backends.registry import PROVIDERS, backend_class, settings_model
from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError


def test_unknown_provider_is_a_clear_error():
    with pytest.raises(NotSupportedError, match="unknown provider 'exchange2003'"):
        backend_class("exchange2003")


def test_registry_knows_every_provider_in_the_design():
    assert set(PROVIDERS) == {"local", "placeos", "graph", "google"}


def test_local_backend_is_registered_and_complete():
    cls = backend_class("local")
    assert issubclass(cls, Backend) and cls.provider == "local"


async def test_base_operations_raise_one_typed_error():
    class Bare(Backend):
        provider = "bare"

    backend = Bare()
    with pytest.raises(NotSupportedError) as info:
        await backend.list_groups()
    assert info.value.capability == Capability.GROUPS.value
    assert "not available on the bare backend" in str(info.value)
    assert not backend.supports(Capability.GROUPS)


def test_the_config_knows_each_provider_by_the_model_the_registry_names():
    from staffterm.config.models import TenantSettings

    named = {settings_model(name) for name in PROVIDERS}
    assert named == set(typing.get_args(TenantSettings))
    for name in PROVIDERS:
        assert typing.get_args(settings_model(name).model_fields["provider"].annotation) == (name,)
