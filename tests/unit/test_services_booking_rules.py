"""The limits a desk wants on every booking and meeting, whatever the backend: a horizon from the
config, plausible emails, titles and descriptions of sane length, and plain words at the edges
of the calendar (year 1, year 9999) instead of an overflow. Each refusal changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.config.models import Config
from staffterm.errors import InvalidInputError
from staffterm.models import BookingQuery, EventDraft
from staffterm.services.booking import BookingService
from staffterm.services.session import Session

NOW = datetime(2026, 3, 10, 10, 7, 30, tzinfo=timezone.utc)
HOST = "amelia.hart@acme.example"
EAST = timezone(timedelta(hours=5))
WEST = timezone(timedelta(hours=-5))
SOON = datetime(2026, 3, 11, 9, tzinfo=timezone.utc)

# (start, end) pairs no desk should book, each refused with a plain message.
EDGES = {
    "year 9999 (UTC)": (datetime(9999, 12, 31, 22, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)),
    "year 9999 west of UTC": (datetime(9999, 12, 31, 22, tzinfo=WEST), datetime(9999, 12, 31, 23, tzinfo=WEST)),
    "year 1 east of UTC": (datetime(1, 1, 1, 0, 30, tzinfo=EAST), datetime(1, 1, 1, 1, 30, tzinfo=EAST)),
    "1970": (datetime(1970, 1, 1, 9, tzinfo=timezone.utc), datetime(1970, 1, 1, 10, tzinfo=timezone.utc)),
    "two years ahead": (datetime(2028, 3, 10, 9, tzinfo=timezone.utc), datetime(2028, 3, 10, 10, tzinfo=timezone.utc)),
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def backend(tmp_path, clock):
    site = LocalBackend("t", database=tmp_path / "x.sqlite3", clock=clock, seed_demo=False)
    async with site:
        await site.seed_demo_estate()
        yield site


@pytest.fixture
def service(backend, clock) -> BookingService:
    return BookingService(backend, clock)


async def nothing_written(backend) -> None:
    wide = BookingQuery(start=datetime(1, 1, 2, tzinfo=timezone.utc), end=datetime(9999, 12, 30, tzinfo=timezone.utc))
    assert await backend.query_bookings(wide) == []
    room = await backend.get_room("rm-lon-1-02")
    assert await backend.list_events(room.email, wide.start, wide.end) == []


def desk(service: BookingService, start: datetime, end: datetime, **kw):
    return service.create_booking("desk", "desk-lon-2-01", kw.pop("user", "ann@acme.example"), start, end, **kw)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("edge", list(EDGES))
async def test_bookings_outside_the_horizon_or_at_the_calendars_edges_are_refused_plainly(backend, service, edge):
    start, end = EDGES[edge]
    for attempt in (
        lambda: desk(service, start, end),
        lambda: service.book_room("rm-lon-1-02", start, end, title="Far off", host=HOST),
    ):
        with pytest.raises(InvalidInputError) as info:
            await attempt()
        assert info.value.field in ("start", "end")
        message = str(info.value)
        assert ("365 days ahead" in message) or ("in the past" in message), message
        assert "out of range" not in message and "overflow" not in message.lower()
    await nothing_written(backend)


async def test_the_last_day_of_the_horizon_is_bookable_and_the_next_is_not(backend, service):
    last = NOW + timedelta(days=365) - timedelta(hours=1)
    booking = await desk(service, last, last + timedelta(hours=1))
    assert booking.end == NOW + timedelta(days=365)
    with pytest.raises(InvalidInputError, match="365 days ahead") as info:
        await desk(service, last, last + timedelta(hours=2))
    assert info.value.field == "end"


async def test_find_free_rooms_at_the_end_of_time_is_refused_not_an_overflow(service):
    with pytest.raises(InvalidInputError, match="365 days ahead"):
        await service.find_free_rooms(60, start=datetime(9999, 12, 31, 23, 30, tzinfo=timezone.utc))


async def test_extending_a_meeting_past_the_horizon_is_refused(backend, service):
    start = NOW + timedelta(days=364)
    event = await service.book_room("rm-lon-1-02", start, start + timedelta(hours=1), title="Late", host=HOST)
    with pytest.raises(InvalidInputError, match="365 days ahead"):
        await service.extend_meeting(event.calendar_id, event.id, 60 * 24 * 2)
    assert (await backend.get_event(event.calendar_id, event.id)).end == start + timedelta(hours=1)


async def test_the_horizon_comes_from_the_config(backend, clock):
    config = Config.model_validate({"booking": {"horizon_days": 30}})
    assert config.booking.horizon_days == 30
    assert Config().booking.horizon_days == 365
    session = Session(backend, clock=clock, booking_horizon_days=config.booking.horizon_days)
    with pytest.raises(InvalidInputError, match="30 days ahead"):
        await desk(session.booking, NOW + timedelta(days=31), NOW + timedelta(days=31, hours=1))
    assert (await desk(session.booking, NOW + timedelta(days=29), NOW + timedelta(days=29, hours=1))).id


def test_from_config_hands_the_horizon_to_the_booking_service(tmp_path):
    config = Config.model_validate(
        {"tenants": {"t": {"provider": "local", "database": str(tmp_path / "t.sqlite3")}}, "booking": {"horizon_days": 90}}
    )
    assert Session.from_config(config).booking.horizon == timedelta(days=90)


@pytest.mark.parametrize("bad", [0, -1, 100000, "soon"])
def test_a_bad_horizon_is_a_config_error_naming_the_key(bad):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        Config.model_validate({"booking": {"horizon_days": bad}})
    assert info.value.errors()[0]["loc"] == ("booking", "horizon_days")


# --------------------------------------------------------------------------- emails


@pytest.mark.parametrize(
    "email",
    ["a@b", "a@b.", "a@.com", "@acme.example", "ann@", "ann@@acme.example", "ann smith@acme.example",
     "ann\x00@acme.example", "ann@acme.example\n", "ann@acme\x07.example", "ann@-acme.example", "ann@acme.c0m1",
     "ann..lee@acme.example", ".ann@acme.example", "a" * 65 + "@acme.example", "ann@" + "d" * 250 + ".example"],
)
async def test_implausible_emails_are_refused_naming_the_field(backend, service, email):
    with pytest.raises(InvalidInputError) as info:
        await desk(service, SOON, SOON + timedelta(hours=1), user=email)
    assert info.value.field == "user_email" and "local@domain.tld" in info.value.message
    with pytest.raises(InvalidInputError) as info:
        await service.book_room("rm-lon-1-02", SOON, SOON + timedelta(hours=1), title="x", host=email)
    assert info.value.field == "host"
    with pytest.raises(InvalidInputError) as info:
        await service.book_room("rm-lon-1-02", SOON, SOON + timedelta(hours=1), title="x", host=HOST, attendees=[email])
    assert info.value.field == "attendees"
    await nothing_written(backend)


@pytest.mark.parametrize("email", ["ann@acme.example", "Ann.O'Neil+desk@sub.acme.co.uk", "zoë@acme.example", "x@acme.museum"])
async def test_plausible_emails_are_accepted(service, email):
    booking = await desk(service, SOON, SOON + timedelta(hours=1), user=email)
    assert booking.user_email == email.lower()


# --------------------------------------------------------------------------- titles and descriptions


async def test_a_120_kb_title_is_refused_naming_the_field_and_the_limit(backend, service):
    huge = "x" * 120_000
    with pytest.raises(InvalidInputError) as info:
        await desk(service, SOON, SOON + timedelta(hours=1), title=huge)
    assert info.value.field == "title" and "255 characters" in info.value.message and "120000" in info.value.message
    with pytest.raises(InvalidInputError) as info:
        await service.book_room("rm-lon-1-02", SOON, SOON + timedelta(hours=1), title=huge, host=HOST)
    assert info.value.field == "title"
    await nothing_written(backend)


async def test_descriptions_have_a_few_kb_and_titles_one_line(backend, service):
    with pytest.raises(InvalidInputError) as info:
        await desk(service, SOON, SOON + timedelta(hours=1), description="y" * 4001)
    assert info.value.field == "description" and "4000 characters" in info.value.message
    with pytest.raises(InvalidInputError) as info:
        await service.book_room("rm-lon-1-02", SOON, SOON + timedelta(hours=1), title="ok", host=HOST, body="z" * 4001)
    assert info.value.field == "body"
    with pytest.raises(InvalidInputError) as info:
        await desk(service, SOON, SOON + timedelta(hours=1), title="line one\nline two")
    assert info.value.field == "title" and "control" in info.value.message
    await nothing_written(backend)
    fine = await desk(service, SOON, SOON + timedelta(hours=1), title="t" * 255, description="line one\nline two\t" + "d" * 3980)
    assert len(fine.title) == 255


# --------------------------------------------------------------------------- the local backend on its own


@pytest.mark.parametrize("edge", ["year 9999 west of UTC", "year 1 east of UTC"])
async def test_the_local_backend_refuses_dates_it_cannot_store_in_plain_words(backend, edge):
    """Callers that skip the services (scripts, tests) still get a plain refusal, not a crash."""
    start, end = EDGES[edge]
    room = await backend.get_room("rm-lon-1-02")
    with pytest.raises(InvalidInputError, match="outside the dates") as info:
        await backend.create_event(room.email, EventDraft(title="x", start=start, end=end, host=HOST, room_ids=[room.id]))
    assert info.value.field in ("start", "end")
    await nothing_written(backend)
