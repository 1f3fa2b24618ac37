"""Zones, rooms and free/busy, as every backend must answer them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from staffterm.capabilities import Capability
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import ZoneKind
from tests.contract.needs import needs


@needs(Capability.ZONES)
async def test_zones_show_the_building_and_its_levels(site):
    sc = site.scenario
    zones = {z.id: z for z in await site.backend.list_zones()}
    building, level = zones[sc.building_id], zones[sc.level_id]
    assert building.kind == ZoneKind.BUILDING and building.timezone == sc.timezone
    assert level.kind == ZoneKind.LEVEL and level.parent_id == sc.building_id
    levels = await site.backend.list_zones(parent_id=sc.building_id, kind="level")
    assert sc.level_id in {z.id for z in levels}
    assert all(z.kind == ZoneKind.LEVEL and z.parent_id == sc.building_id for z in levels)
    buildings = await site.backend.list_zones(kind="building")
    assert sc.building_id in {z.id for z in buildings} and all(z.kind == ZoneKind.BUILDING for z in buildings)


@needs(Capability.ZONES)
async def test_get_zone_and_unknown_zones(site):
    sc = site.scenario
    zone = await site.backend.get_zone(sc.building_id)
    assert zone.id == sc.building_id and zone.timezone == sc.timezone
    with pytest.raises(NotFoundError):
        await site.backend.get_zone(sc.missing_zone_id)
    with pytest.raises(InvalidInputError):
        await site.backend.list_zones(kind="planet")


@needs(Capability.ROOMS)
async def test_rooms_and_their_filters(site):
    sc = site.scenario
    rooms = {r.id: r for r in await site.backend.list_rooms()}
    room = rooms[sc.room_id]
    assert room.bookable and room.email and sc.level_id in room.zone_ids and sc.building_id in room.zone_ids
    assert not rooms[sc.unbookable_room_id].bookable

    on_level = await site.backend.list_rooms(zone_id=sc.level_id)
    assert {sc.room_id, sc.other_room_id} <= {r.id for r in on_level}
    assert all(r.in_zone(sc.level_id) for r in on_level)

    big = await site.backend.list_rooms(capacity=room.capacity)
    assert sc.room_id in {r.id for r in big} and all(r.capacity >= room.capacity for r in big)
    if room.features:
        wanted = [room.features[0]]
        with_feature = await site.backend.list_rooms(features=wanted)
        assert sc.room_id in {r.id for r in with_feature} and all(r.has_features(wanted) for r in with_feature)
    closed = await site.backend.list_rooms(bookable=False)
    assert sc.unbookable_room_id in {r.id for r in closed} and not any(r.bookable for r in closed)


@needs(Capability.ROOMS)
async def test_get_room_by_id_or_mailbox(site):
    sc = site.scenario
    room = await site.backend.get_room(sc.room_id)
    assert room.id == sc.room_id
    assert (await site.backend.get_room(room.email)).id == sc.room_id
    assert (await site.backend.get_room(room.email.upper())).id == sc.room_id  # mailboxes ignore case


@needs(Capability.ROOMS)
async def test_unknown_room_and_bad_filters(site):
    with pytest.raises(NotFoundError):
        await site.backend.get_room(site.scenario.missing_room_id)
    with pytest.raises(InvalidInputError):
        await site.backend.list_rooms(capacity=-1)


@needs(Capability.FREE_BUSY)
async def test_the_scenario_rooms_are_free_in_its_slot(site):
    # The other contract tests build on this: the rooms the scenario names are free in the slot.
    sc = site.scenario
    start, end = sc.slot(minutes=180)
    found = await site.backend.free_busy(start, end, room_ids=[sc.room_id, sc.other_room_id, sc.approval_room_id])
    assert [a.room_id for a in found] == [sc.room_id, sc.other_room_id, sc.approval_room_id]
    for availability in found:
        assert availability.error is None and availability.is_free(start, end), availability


@needs(Capability.FREE_BUSY)
async def test_free_busy_of_a_zone_covers_its_rooms(site):
    sc = site.scenario
    day_start, day_end = sc.today()
    found = {a.room_id: a for a in await site.backend.free_busy(day_start, day_end, zone_id=sc.level_id)}
    assert {sc.room_id, sc.other_room_id} <= set(found)
    for availability in found.values():
        assert availability.error is None
        for block in availability.blocks:
            # Blocks lie inside the asked window, in order.
            assert day_start <= block.start < block.end <= day_end
        assert [b.start for b in availability.blocks] == sorted(b.start for b in availability.blocks)


@needs(Capability.FREE_BUSY)
async def test_free_busy_refuses_a_backwards_window(site):
    start, end = site.scenario.slot()
    with pytest.raises(InvalidInputError):
        await site.backend.free_busy(end, start, room_ids=[site.scenario.room_id])
    with pytest.raises(InvalidInputError):
        await site.backend.free_busy(start, start, room_ids=[site.scenario.room_id])


@needs(Capability.FREE_BUSY)
async def test_free_busy_of_an_unknown_room_is_never_free(site):
    # An unknown room must not be reported as free: either the call fails with NotFoundError or
    # the room's row carries an error (the contract allows both; base.py does not say which).
    sc = site.scenario
    start, end = sc.slot()
    try:
        found = await site.backend.free_busy(start, end, room_ids=[sc.room_id, sc.missing_room_id])
    except NotFoundError:
        return
    by_id = {a.room_id: a for a in found}
    assert by_id[sc.missing_room_id].error
    assert by_id[sc.room_id].error is None


@needs(Capability.FREE_BUSY)
async def test_free_busy_takes_windows_in_any_time_zone(site):
    # The same instant written in another zone is the same window.
    start, end = site.scenario.slot()
    elsewhere = ZoneInfo("Pacific/Auckland")
    a = await site.backend.free_busy(start, end, room_ids=[site.scenario.room_id])
    b = await site.backend.free_busy(
        start.astimezone(elsewhere), end.astimezone(elsewhere), room_ids=[site.scenario.room_id])
    assert a[0].start == b[0].start and a[0].end == b[0].end and a[0].blocks == b[0].blocks
