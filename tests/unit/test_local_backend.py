"""The local backend as a whole: files, threads, persistence, places, directory, mail, audit."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import threading
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from staffterm.backends.local import db as local_db
from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.local.db import SCHEMA_VERSION
from staffterm.backends.registry import create_backend
from staffterm.capabilities import Capability
from staffterm.clock import FrozenClock
from staffterm.errors import ConfigError, InvalidInputError, NotFoundError, UnavailableError
from staffterm.models import BookingDraft, BookingQuery, MailMessage
from staffterm.paths import cache_dir, config_dir, data_dir

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
async def site(tmp_path):
    backend = LocalBackend("t", database=tmp_path / "site.sqlite3", clock=FrozenClock(NOW), seed_demo=False)
    await backend.seed_demo_estate()
    yield backend
    await backend.close()


def test_paths_honour_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("STAFFTERM_CONFIG_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "k"))
    assert (data_dir(), config_dir(), cache_dir()) == (tmp_path / "d", tmp_path / "c", tmp_path / "k")
    assert LocalBackend("branch-office").database_path == tmp_path / "d" / "branch-office.sqlite3"


async def test_default_file_is_private_in_wal_mode_with_a_schema_version(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "nested" / "data"))
    backend = LocalBackend("demo", clock=FrozenClock(NOW), seed_demo=False)
    await backend.list_zones()  # opens lazily
    path = tmp_path / "nested" / "data" / "demo.sqlite3"
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    await backend.close()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    finally:
        conn.close()


def test_settings_are_read_and_keywords_win(tmp_path):
    settings = SimpleNamespace(database=tmp_path / "from-settings.sqlite3", demo=False, mail_from="desk@acme.example")
    from_settings = LocalBackend("x", settings)
    assert from_settings.database_path == tmp_path / "from-settings.sqlite3" and not from_settings.seed_demo
    assert from_settings.config.mail_from == "desk@acme.example"
    explicit = LocalBackend("x", settings, database=tmp_path / "mine.sqlite3", seed_demo=True)
    assert explicit.database_path == tmp_path / "mine.sqlite3" and explicit.seed_demo
    registry_made = create_backend("x", "local", settings)
    assert isinstance(registry_made, LocalBackend) and registry_made.capabilities == frozenset(Capability)


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        (SimpleNamespace(early_checkin_seconds=-5), "early_checkin_seconds"),
        (SimpleNamespace(booking_limits={"desk": "two"}), "booking_limits.desk"),
        (SimpleNamespace(mail_from="reception"), "mail_from"),
    ],
)
def test_bad_settings_name_the_key(settings, key):
    with pytest.raises(ConfigError) as info:
        LocalBackend("x", settings)
    assert info.value.key == key


def test_a_tenant_name_cannot_escape_the_data_directory():
    with pytest.raises(ConfigError, match="cannot name a database file"):
        LocalBackend("../../etc/passwd")


async def test_a_file_that_is_not_a_database_is_a_config_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    backend = LocalBackend("x", database=path, seed_demo=False)
    with pytest.raises(ConfigError, match="not a usable staffterm database"):
        await backend.open()
    await backend.close()


async def test_a_damaged_file_never_tells_the_desk_to_move_it_away(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError) as info:
        await LocalBackend("x", database=path, seed_demo=False).open()
    assert "move the file away" not in str(info.value).lower() and "backup" in str(info.value)


async def test_a_new_file_locked_by_another_process_is_busy_not_unusable(tmp_path, monkeypatch):
    monkeypatch.setattr(local_db, "BUSY_TIMEOUT_SECONDS", 0.3)
    path = tmp_path / "new.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another staffterm half-way through creating the file
    try:
        backend = LocalBackend("x", database=path, seed_demo=False)
        with pytest.raises(UnavailableError, match="busy") as info:
            await backend.open()
        assert "move the file" not in str(info.value).lower()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once the other process lets go, the same file opens and gets its schema.
    backend = LocalBackend("x", database=path, seed_demo=False)
    await backend.open()
    assert backend._db.migrations_applied == SCHEMA_VERSION
    await backend.close()


async def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    backend = LocalBackend("x", database=path, seed_demo=False)
    await backend.open()
    await backend.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ConfigError, match="newer staffterm"):
        await LocalBackend("x", database=path, seed_demo=False).open()


async def test_data_survives_close_and_reopen(tmp_path):
    path = tmp_path / "site.sqlite3"
    clock = FrozenClock(NOW)
    first = LocalBackend("demo", database=path, clock=clock)
    booking = await first.create_booking(
        BookingDraft(type="desk", asset_ids=["desk-lon-3-04"], start=NOW + timedelta(days=2),
                     end=NOW + timedelta(days=2, hours=4), user_email="grace.kim@acme.example")
    )
    rooms_before = await first.list_rooms()
    events_before = await first.list_events("rm-lon-4-01", NOW - timedelta(hours=12), NOW + timedelta(hours=24))
    await first.close()
    second = LocalBackend("demo", database=path, clock=clock)
    assert await second.get_booking(booking.id) == booking
    assert await second.list_rooms() == rooms_before
    # Re-opening on the same day does not seed the day twice.
    assert await second.list_events("rm-lon-4-01", NOW - timedelta(hours=12), NOW + timedelta(hours=24)) == events_before
    await second.close()


async def test_sqlite_runs_on_one_thread_off_the_event_loop(site):
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    await site._db.run(lambda conn: conn.set_trace_callback(lambda _sql: threads.add(threading.get_ident())), write=False)
    await site.list_rooms()
    await site.create_booking(
        BookingDraft(type="desk", asset_ids=["desk-lon-2-01"], start=NOW, end=NOW + timedelta(hours=1), user_email="a@acme.example")
    )
    await asyncio.gather(site.list_users(), site.list_zones(), site.free_busy(NOW, NOW + timedelta(hours=1)))
    assert threads == {site._db.thread_id}
    assert loop_thread not in threads


async def test_zone_filters(site):
    ids = lambda zones: [z.id for z in zones]  # noqa: E731
    assert ids(await site.list_zones(kind="building")) == ["bld-lon", "bld-nyc"]
    assert ids(await site.list_zones(parent_id="bld-nyc")) == ["lvl-nyc-1", "lvl-nyc-2", "lvl-nyc-3"]
    assert ids(await site.list_zones(tags=["level"], query="LEVEL 4")) == ["lvl-lon-4"]
    assert ids(await site.list_zones(query="hudson")) == ["bld-nyc"]
    assert (await site.get_zone("bld-lon")).timezone == "Europe/London"
    with pytest.raises(NotFoundError):
        await site.get_zone("bld-mars")
    with pytest.raises(NotFoundError):
        await site.list_zones(parent_id="bld-mars")
    with pytest.raises(InvalidInputError, match="unknown zone kind"):
        await site.list_zones(kind="planet")


async def test_room_filters(site):
    london = await site.list_rooms(zone_id="bld-lon")
    assert len(london) == 21 and all("bld-lon" in r.zone_ids for r in london)
    level = await site.list_rooms(zone_id="lvl-lon-3")
    assert {r.id for r in level} <= {r.id for r in london} and all(r.id.startswith("rm-lon-3-") for r in level)
    big = await site.list_rooms(capacity=14)
    assert {r.capacity for r in big} >= {14, 20} and all(r.capacity >= 14 for r in big)
    vc = await site.list_rooms(features=["VC", "Whiteboard"], zone_id="bld-nyc")
    assert vc and all({"vc", "whiteboard"} <= set(r.features) for r in vc)
    assert [r.id for r in await site.list_rooms(bookable=False)] == ["rm-lon-1-05", "rm-nyc-1-04"]
    assert [r.id for r in await site.list_rooms(query="thames")] == ["rm-lon-1-01"]
    assert (await site.get_room("RM-LON-1-01@ACME.EXAMPLE")).id == "rm-lon-1-01"
    with pytest.raises(NotFoundError):
        await site.get_room("rm-lon-1-99")
    with pytest.raises(InvalidInputError):
        await site.list_rooms(capacity=-1)
    assert len(await site.list_assets(type="desk", zone_id="bld-nyc")) == 10


async def test_directory(site):
    people = await site.list_users()
    assert len(people) == 20
    engineers = await site.list_users(query="engineering")
    assert {u.department for u in engineers} == {"Engineering"} and len(engineers) == 5
    assert len(await site.list_users(limit=3)) == 3
    james = await site.get_user("usr-james.walker")
    assert james == await site.get_user("James.Walker@acme.example")
    manager = await site.user_manager(james.email)
    assert manager is not None and manager.name == "Chloe Evans"
    assert await site.user_manager("amelia.hart@acme.example") is None
    assert "Engineering" in [g.name for g in await site.user_groups(james.email)]
    reception = await site.list_groups(query="recep")
    assert [u.name for u in await site.group_members(reception[0].id)] == ["Marcus Reid", "Priya Shah"]
    (calendar,) = await site.list_calendars(james.id)
    assert (calendar.id, calendar.primary) == ("james.walker@acme.example", True)
    (room_calendar,) = await site.list_calendars("rm-lon-1-01")
    assert room_calendar.id == "rm-lon-1-01@acme.example"
    with pytest.raises(NotFoundError):
        await site.get_user("nobody@acme.example")
    with pytest.raises(NotFoundError):
        await site.group_members("grp-none")


async def test_outbox_newest_first(site):
    clock = site.clock
    first = await site.send_mail(MailMessage(to=["a@acme.example"], subject="One", text="1"))
    clock.advance(timedelta(minutes=1))
    second = await site.send_mail({"to": ["b@acme.example"], "subject": "Two"})
    assert first.id and first.sent_at == NOW and first.sender == "reception@acme.example"
    assert [m.subject for m in await site.list_outbox()] == ["Two", "One"]
    assert await site.list_outbox(limit=1) == [second]
    with pytest.raises(InvalidInputError, match="not an email"):
        await site.send_mail(MailMessage(to=["nobody"], subject="x"))
    with pytest.raises(InvalidInputError):
        await site.send_mail({"to": [], "subject": "x"})
    assert len(await site.list_outbox()) == 2


async def test_audit_records_every_write(site):
    b = await site.create_booking(
        BookingDraft(type="desk", asset_ids=["desk-lon-2-01"], start=NOW, end=NOW + timedelta(hours=1), user_email="a@acme.example")
    )
    await site.approve_booking(b.id, approver="oliver.grant@acme.example")
    await site.delete_booking(b.id)
    entries = [(a["kind"], a["item_id"], a["action"]) for a in await site.list_audit(limit=3)]
    assert entries == [("booking", b.id, "deleted"), ("booking", b.id, "approved"), ("booking", b.id, "created")]
    assert (await site.list_audit(limit=1))[0]["time"] == NOW


async def test_site_name_and_check(site, tmp_path):
    assert await site.site_name() == "Acme Corp"
    lines = await site.check()
    assert "40 rooms" in lines[-1]
    empty = LocalBackend("branch", database=tmp_path / "empty.sqlite3", seed_demo=False)
    assert await empty.site_name() == "branch"
    assert await empty.list_rooms() == []
    await empty.close()


async def test_reset_demo_wipes_user_data_and_reseeds(tmp_path):
    backend = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=FrozenClock(NOW))
    mine = await backend.create_booking(
        BookingDraft(type="desk", asset_ids=["desk-lon-3-04"], start=NOW + timedelta(days=3),
                     end=NOW + timedelta(days=3, hours=1), user_email="a@acme.example")
    )
    seeded = await backend.query_bookings(BookingQuery(start=NOW - timedelta(days=1), end=NOW + timedelta(days=1)))
    await backend.reset_demo()
    with pytest.raises(NotFoundError):
        await backend.get_booking(mine.id)
    again = await backend.query_bookings(BookingQuery(start=NOW - timedelta(days=1), end=NOW + timedelta(days=1)))
    assert [b.id for b in again] == [b.id for b in seeded]
    assert len(await backend.list_rooms()) == 40
    await backend.close()


async def test_config_mailer_from_is_the_local_sites_sender(tmp_path):
    """Regression: the config's key is `mailer_from`; the local site used to read only `mail_from`."""
    from staffterm.config import load_config
    from staffterm.models import MailMessage

    path = tmp_path / "config.toml"
    path.write_text(
        f'[tenants.demo]\nprovider = "local"\ndatabase = "{tmp_path / "m.sqlite3"}"\n'
        'demo = false\nmailer_from = "front-desk@acme.example"\n'
    )
    path.chmod(0o600)
    name, settings = load_config(path).tenant(None)
    backend = LocalBackend(name, settings)
    async with backend:
        sent = await backend.send_mail(MailMessage(to=["host@acme.example"], subject="hi"))
    assert sent.sender == "front-desk@acme.example"


async def test_an_org_zone_holds_every_room_below_it(tmp_path):
    """Regression: `rooms --zone org-acme` returned nothing; a zone holds every room beneath it."""
    from datetime import datetime, timedelta, timezone

    from staffterm.clock import FrozenClock

    backend = LocalBackend("t", database=tmp_path / "org.sqlite3", clock=FrozenClock(datetime(2026, 11, 21, 10, tzinfo=timezone.utc)))
    async with backend:
        everything = await backend.list_rooms()
        in_org = await backend.list_rooms(zone_id="org-acme")
        assert {r.id for r in in_org} == {r.id for r in everything}
        start = datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
        fb = await backend.free_busy(start, start + timedelta(hours=2), zone_id="org-acme")
        assert len(fb) == len(everything)
        desks = await backend.list_assets(type="desk", zone_id="org-acme")
        assert desks and all(a.type == "desk" for a in desks)


async def test_bookings_and_guests_of_a_zone_include_everything_beneath_it(tmp_path):
    from datetime import datetime, timedelta, timezone

    from staffterm.clock import FrozenClock
    from staffterm.models import BookingQuery

    now = datetime(2026, 11, 21, 10, tzinfo=timezone.utc)
    backend = LocalBackend("t", database=tmp_path / "z.sqlite3", clock=FrozenClock(now))
    async with backend:
        day = BookingQuery(start=now - timedelta(hours=10), end=now + timedelta(hours=14), type="desk")
        everything = await backend.query_bookings(day)
        in_org = await backend.query_bookings(day.model_copy(update={"zone_ids": ["org-acme"]}))
        assert everything and {b.id for b in in_org} == {b.id for b in everything}
        on_level = await backend.query_bookings(day.model_copy(update={"zone_ids": ["lvl-lon-2"]}))
        assert all("lvl-lon-2" in b.zones for b in on_level)
        guests = await backend.query_guests(start=day.start, end=day.end)
        org_guests = await backend.query_guests(start=day.start, end=day.end, zone_id="org-acme")
        assert guests and {g.id for g in org_guests} == {g.id for g in guests}


async def test_request_stats_count_queued_and_running_database_work(tmp_path):
    """The header's request queue: with work piled on the one database thread, some run, some wait."""
    import asyncio
    import threading

    backend = LocalBackend("t", database=tmp_path / "q.sqlite3", seed_demo=False)
    async with backend:
        assert backend.request_stats() == (0, 0)
        gate = threading.Event()
        seen: list[tuple[int, int]] = []

        def slow(conn):
            gate.wait(5)
            return 1

        jobs = [asyncio.ensure_future(backend._db.run(slow, write=False)) for _ in range(3)]
        for _ in range(100):
            await asyncio.sleep(0.01)
            if backend.request_stats() == (2, 1):
                break
        seen.append(backend.request_stats())
        gate.set()
        await asyncio.gather(*jobs)
        assert seen == [(2, 1)]
        assert backend.request_stats() == (0, 0)
