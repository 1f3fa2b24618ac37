"""Open extensions on events: the fake keeps the documented rules (tests/fakes/graph/extensions.py),
and the backend's one read-modify-write helper (staffterm/backends/graph/event_data.py) works
whichever way Exchange answers a second create."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from staffterm.clock import FrozenClock
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import EventPatch
from tests.fakes.graph import FakeGraph

NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 10:30 in Sydney
EULER = "room.euler@acme.example"
NAME = "org.staffterm.kiosk"
FULL = "Microsoft.OutlookServices.OpenTypeExtension." + NAME


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []


@pytest.fixture
async def client(fake):
    headers = {"Authorization": f"Bearer {fake.issue_app_token()}"}
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.graph_url + "/", headers=headers) as c:
        yield c


def euler_event(fake) -> str:
    [event] = fake.state.events_of(EULER)
    return event["id"]


def ext(**data):
    return {"@odata.type": "microsoft.graph.openTypeExtension", "extensionName": NAME, **data}


async def test_create_read_replace_and_delete(client, fake):
    base = f"users/{EULER}/events/{euler_event(fake)}/extensions"
    made = await client.post(base, json=ext(a="1", b=[1, 2]))
    assert made.status_code == 201 and made.json()["id"] == FULL and made.json()["b"] == [1, 2]
    by_name, by_id = await client.get(f"{base}/{NAME}"), await client.get(f"{base}/{FULL}")
    assert by_name.json()["a"] == by_id.json()["a"] == "1"
    # An update replaces: what it leaves out is deleted (extensibility-overview.md).
    changed = await client.patch(f"{base}/{NAME}", json=ext(a="2"))
    assert changed.status_code == 200 and "b" not in changed.json()
    assert (await client.get(f"{base}/{NAME}")).json().get("b") is None
    assert (await client.delete(f"{base}/{NAME}")).status_code == 204
    assert (await client.get(f"{base}/{NAME}")).status_code == 404


async def test_bad_extensions_are_refused(client, fake):
    base = f"users/{EULER}/events/{euler_event(fake)}/extensions"
    assert (await client.post(base, json={"extensionName": NAME})).status_code == 400  # no @odata.type
    assert (await client.post(base, json=ext(nested={"a": 1}))).status_code == 400  # not a primitive
    microsoft = {**ext(), "extensionName": "Com.Microsoft.Mine"}
    assert (await client.post(base, json=microsoft)).status_code == 400
    assert (await client.post(f"users/{EULER}/events/AAMkAGnope=/extensions", json=ext())).status_code == 404


async def test_a_second_create_merges_or_conflicts(client, fake):
    base = f"users/{EULER}/events/{euler_event(fake)}/extensions"
    await client.post(base, json=ext(a="1"))
    again = await client.post(base, json=ext(b="2"))
    assert again.status_code == 201 and again.json()["a"] == "1" and again.json()["b"] == "2"
    fake.extension_repost = "conflict"
    assert (await client.post(base, json=ext(c="3"))).status_code == 409


async def test_expand_serves_the_documented_filtered_form_only(client, fake):
    event_id = euler_event(fake)
    await client.post(f"users/{EULER}/events/{event_id}/extensions", json=ext(a="1"))
    window = {"startDateTime": "2026-03-01T13:00:00Z", "endDateTime": "2026-03-02T13:00:00Z"}
    expand = f"extensions($filter=id eq '{FULL}')"
    view = await client.get(f"users/{EULER}/calendarView", params={**window, "$expand": expand})
    assert view.json()["value"][0]["extensions"][0]["a"] == "1"
    one = await client.get(f"users/{EULER}/events/{event_id}", params={"$expand": expand})
    assert one.json()["extensions"][0]["id"] == FULL
    other = await client.get(f"users/{EULER}/events/{event_id}", params={"$expand": "extensions"})
    assert other.status_code == 400
    plain = await client.get(f"users/{EULER}/events/{event_id}")
    assert "extensions" not in plain.json()


@pytest.fixture
async def backend(fake, tmp_path):
    from staffterm.backends.graph.backend import GraphBackend
    from staffterm.config.models import GraphSettings

    async def no_sleep(_seconds: float) -> None:
        return None

    settings = GraphSettings.model_validate({
        "provider": "graph", "tenant_id": fake.TENANT, "client_id": fake.CLIENT_ID,
        "token_command": fake.issue_app_token(), "authority_host": f"https://{fake.host}",
        "graph_url": f"https://{fake.host}", "rate_limit": 0})
    async with GraphBackend("m365", settings, clock=FrozenClock(NOW), transport=fake.transport(),
                            token_dir=tmp_path, sleep=no_sleep) as opened:
        yield opened


@pytest.mark.parametrize("repost", ["merge", "conflict"])
async def test_event_data_merges_into_the_one_extension(backend, fake, repost):
    fake.extension_repost = repost
    event_id = euler_event(fake)
    first = await backend.update_event(EULER, event_id, EventPatch(extension_data={"a": "1"}))
    assert first.extension_data["a"] == "1"
    # Another writer made the extension meanwhile: the helper's create meets it and still lands.
    fake.state.extensions[event_id].clear()
    fake.state.extensions[event_id][FULL] = {"id": FULL, "extensionName": NAME, "z": "kept"}
    original = backend.http.request
    missed: list[str] = []

    async def request(method, path, **kwargs):
        if method == "GET" and path.endswith(f"/extensions/{NAME}") and not missed:
            missed.append(path)  # read before the other writer's create landed
            raise NotFoundError("no extension yet")
        return await original(method, path, **kwargs)

    backend.http.request = request
    second = await backend.update_event(EULER, event_id, EventPatch(extension_data={"b": 2, "a": None}))
    backend.http.request = original
    assert second.extension_data.get("b") == 2 and "a" not in second.extension_data
    [stored] = fake.state.extensions[event_id].values()
    assert stored["b"] == 2 and "a" not in stored and stored["z"] == "kept"  # the other writer's data stays
    [again] = await backend.list_events(EULER, NOW - timedelta(hours=3), NOW + timedelta(hours=3))
    assert again.extension_data["b"] == 2


async def test_event_data_refuses_what_graph_cannot_keep_and_changes_nothing(backend, fake):
    event_id = euler_event(fake)
    with pytest.raises(InvalidInputError):
        await backend.update_event(EULER, event_id, EventPatch(extension_data={"nested": {"a": 1}}))
    with pytest.raises(InvalidInputError):
        await backend.update_event(EULER, event_id, EventPatch(extension_data={"bad key": "x"}))
    assert not fake.state.extensions.get(event_id)
    assert not [r for r in fake.requests if r.method in ("POST", "PATCH") and "/extensions" in r.url.path]
