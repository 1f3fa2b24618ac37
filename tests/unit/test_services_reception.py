"""ReceptionService against the real local backend: the outbox shows what the host was sent."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import InvalidInputError, NotFoundError, UnavailableError
from staffterm.models import Attendee, EventDraft, Guest
from staffterm.services.mail_templates import MailTemplates
from staffterm.services.reception import ReceptionService, visitor_log_csv

# 14:07 UTC on 10 March 2026 is 14:07 in London and 10:07 in New York (EDT).
NOW = datetime(2026, 3, 10, 14, 7, tzinfo=timezone.utc)
LONDON_HOST = "amelia.hart@acme.example"
NYC_HOST = "aisha.thompson@acme.example"


class FlakyMail(LocalBackend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mail_down = False

    async def send_mail(self, message):
        if self.mail_down:
            raise UnavailableError("mail server unreachable")
        return await super().send_mail(message)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def backend(tmp_path, clock):
    site = FlakyMail("t", database=tmp_path / "x.sqlite3", clock=clock, seed_demo=False)
    async with site:
        await site.seed_demo_estate()
        yield site


@pytest.fixture
def reception(backend, clock) -> ReceptionService:
    return ReceptionService(backend, MailTemplates(), clock)


async def visit(backend, room_id: str, host: str, start: datetime, *, email="ada@guest.example", name="Ada Lovelace") -> Guest:
    """A meeting with an external guest; the local site files a visit for the guest."""
    room = await backend.get_room(room_id)
    guest = Attendee(email=email, name=name, organisation="Analytical Engines", visit_expected=True)
    event = await backend.create_event(
        room.email,
        EventDraft(title="Engine review", start=start, end=start + timedelta(hours=1), host=host, room_ids=[room.id], attendees=[guest]),
    )
    found = [g for g in await backend.query_guests() if g.event_id == event.id]
    assert len(found) == 1
    return found[0]


async def checkin_mails(backend):
    return [m for m in await backend.list_outbox() if m.subject.endswith("has arrived")]


async def test_check_in_mails_host_with_local_time_and_returns_pass(backend, reception) -> None:
    guest = await visit(backend, "rm-nyc-1-01", NYC_HOST, datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc))
    result = await reception.check_in(guest.id)
    assert result.guest.checked_in and result.guest.checked_in_at == NOW
    assert result.notification_error is None
    assert result.notification is not None and result.notification.id  # stored in the outbox
    assert result.notification.to == [NYC_HOST]
    assert result.notification.subject == "Ada Lovelace has arrived"
    assert result.notification.text == "for your meeting at 10:30"  # New York time, not UTC
    sent = await checkin_mails(backend)
    assert [m.id for m in sent] == [result.notification.id]
    assert result.qr_payload == f"VISIT:ada@guest.example,rm-nyc-1-01,{guest.event_id},{NYC_HOST}"
    stored = await backend.get_guest(guest.id)
    assert stored.checked_in
    # A second tap on the kiosk does not tell the host twice.
    again = await reception.check_in(guest.id)
    assert again.already_checked_in and again.notification is None and again.notification_error is None
    assert again.qr_payload == result.qr_payload
    assert len(await checkin_mails(backend)) == 1


async def test_template_override_gets_room_building_and_title(backend, clock) -> None:
    templates = MailTemplates(
        {"visitor": {"checkin": {"text": "%{name} (%{organisation}) for %{event_title} in %{room_name}, %{building_name} at %{time}"}}}
    )
    reception = ReceptionService(backend, templates, clock, sender="desk@acme.example")
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc))
    result = await reception.check_in(guest.id)
    room = await backend.get_room("rm-lon-2-01")
    building = await backend.get_zone("bld-lon")
    assert result.notification.text == (
        f"Ada Lovelace (Analytical Engines) for Engine review in {room.name}, {building.name} at 14:30"
    )
    assert result.notification.sender == "desk@acme.example"


async def test_failed_mail_does_not_undo_check_in(backend, reception) -> None:
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc))
    backend.mail_down = True
    result = await reception.check_in(guest.id)
    assert result.guest.checked_in
    assert (await backend.get_guest(guest.id)).checked_in
    assert result.notification_error and "mail server unreachable" in result.notification_error
    assert result.notification is not None and result.notification.id is None  # built, not sent
    assert result.qr_payload.startswith("VISIT:ada@guest.example,")
    assert await checkin_mails(backend) == []


async def test_disabled_template_still_checks_in(backend, clock) -> None:
    reception = ReceptionService(backend, MailTemplates({"visitor": {"checkin": None}}), clock)
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc))
    result = await reception.check_in(guest.id)
    assert result.guest.checked_in and result.notification is None
    assert "template" in result.notification_error


async def test_check_in_refused_by_backend_sends_nothing(backend, reception) -> None:
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 18, 0, tzinfo=timezone.utc))
    with pytest.raises(InvalidInputError):  # too early: check-in opens an hour before
        await reception.check_in(guest.id)
    assert await checkin_mails(backend) == []
    with pytest.raises(NotFoundError):
        await reception.check_in("gst-missing")


async def test_check_out(backend, reception) -> None:
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc))
    await reception.check_in(guest.id)
    out = await reception.check_out(guest.id)
    assert out.checked_out_at == NOW and not out.checked_in


async def test_walk_in(backend, reception) -> None:
    guest = await reception.register_walk_in(
        "  Grace Hopper ", "Grace@Navy.example", LONDON_HOST, organisation="US Navy", zone_id="lvl-lon-2", minutes=45
    )
    assert guest.name == "Grace Hopper" and guest.email == "grace@navy.example"
    assert guest.visit_start == NOW and guest.visit_end == NOW + timedelta(minutes=45)
    assert set(guest.zone_ids) == {"lvl-lon-2", "bld-lon", "org-acme"}
    assert guest.id in [g.id for g in await reception.expected_today("bld-lon")]
    result = await reception.check_in(guest.id)
    assert result.notification.text == "for your meeting at 14:07"
    assert result.qr_payload == f"VISIT:grace@navy.example,bld-lon,{guest.booking_id},{LONDON_HOST}"


@pytest.mark.parametrize(
    "kwargs, error, field",
    [
        ({"name": " "}, InvalidInputError, "name"),
        ({"email": "nope"}, InvalidInputError, "email"),
        ({"host_email": "nobody@acme.example"}, InvalidInputError, "host_email"),
        ({"minutes": 0}, InvalidInputError, "minutes"),
        ({"zone_id": "bld-atlantis"}, NotFoundError, None),
    ],
)
async def test_walk_in_bad_input_changes_nothing(backend, reception, kwargs, error, field) -> None:
    args = {"name": "Grace", "email": "grace@navy.example", "host_email": LONDON_HOST, "zone_id": "bld-lon"}
    args.update(kwargs)
    with pytest.raises(error) as info:
        await reception.register_walk_in(args.pop("name"), args.pop("email"), args.pop("host_email"), **args)
    if field:
        assert info.value.field == field
    assert await backend.query_guests() == []


async def test_expected_today_each_building_in_its_own_day(backend, reception) -> None:
    # 02:00 UTC on the 11th is still the 10th in New York (22:00) but the 11th in London.
    late_nyc = await visit(backend, "rm-nyc-1-01", NYC_HOST, datetime(2026, 3, 11, 2, 0, tzinfo=timezone.utc),
                           email="n@g.example", name="Night Owl")
    late_lon = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 11, 2, 0, tzinfo=timezone.utc),
                           email="l@g.example", name="Early Bird")
    today = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc))
    everywhere = [g.id for g in await reception.expected_today(None)]
    assert late_nyc.id in everywhere and today.id in everywhere
    assert late_lon.id not in everywhere
    assert [g.id for g in await reception.expected_today("bld-lon")] == [today.id]
    assert [g.id for g in await reception.expected_today("lvl-lon-2")] == [today.id]
    assert [g.id for g in await reception.expected_today("bld-nyc")] == [late_nyc.id]
    assert [g.id for g in await reception.expected_today(None, "night")] == [late_nyc.id]
    tomorrow = [g.id for g in await reception.expected_today("bld-lon", day=date(2026, 3, 11))]
    assert tomorrow == [late_lon.id]


async def test_visitor_log_includes_checked_out(backend, reception) -> None:
    guest = await visit(backend, "rm-lon-2-01", LONDON_HOST, datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc))
    await reception.check_in(guest.id)
    await reception.check_out(guest.id)
    log = await reception.visitor_log(date(2026, 3, 10), "bld-lon")
    assert [g.id for g in log] == [guest.id]
    assert log[0].checked_out_at == NOW


def test_visitor_log_csv_quoting_and_local_times() -> None:
    guest = Guest(
        id="g1",
        email="o.brien@guest.example",
        name='O\'Brien, "Paddy"',
        organisation="=HYPERLINK(\"x\")",
        host_email="amelia.hart@acme.example",
        host_name="Amelia Hart",
        visit_start=datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc),
        visit_end=datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc),
        checked_in=True,
        checked_in_at=datetime(2026, 7, 1, 8, 55, tzinfo=timezone.utc),
    )
    text = visitor_log_csv([guest], ZoneInfo("Europe/London"))
    lines = text.split("\r\n")
    assert lines[0] == "name,email,organisation,host,expected,checked_in_at,checked_out_at"
    assert lines[1].startswith('"O\'Brien, ""Paddy""",o.brien@guest.example,')
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == [
        'O\'Brien, "Paddy"',
        "o.brien@guest.example",
        "'=HYPERLINK(\"x\")",  # a spreadsheet must not run a guest's text as a formula
        "Amelia Hart <amelia.hart@acme.example>",
        "2026-07-01 10:00",  # BST
        "2026-07-01 09:55",
        "",
    ]


async def test_a_backend_that_tells_the_host_itself_gets_no_second_mail(backend, reception) -> None:
    # PlaceOS's VisitorMailer mails the host on the check-in signal: staffterm must not mail too.
    guest = await visit(backend, "rm-nyc-1-01", NYC_HOST, datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc))
    type(backend).notifies_host_on_check_in = True
    try:
        result = await reception.check_in(guest.id)
    finally:
        type(backend).notifies_host_on_check_in = False
    assert result.guest.checked_in
    assert result.notified_by == "local" and result.notification is None and result.notification_error is None
    assert await checkin_mails(backend) == []
