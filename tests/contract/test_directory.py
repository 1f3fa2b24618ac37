"""People, managers, groups, calendars and mail."""

from __future__ import annotations

import pytest

from staffterm.capabilities import Capability
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import MailMessage
from tests.contract.needs import needs


@needs(Capability.USERS)
async def test_people_are_listed_searched_and_read(site):
    sc = site.scenario
    everyone = await site.backend.list_users()
    host = next(u for u in everyone if u.email == sc.host_email)
    assert host.name
    first_name = host.name.split()[0]
    found = await site.backend.list_users(query=first_name)
    assert sc.host_email in {u.email for u in found}
    assert all(first_name.lower() in f"{u.name} {u.email}".lower() for u in found)
    assert len(await site.backend.list_users(limit=1)) == 1
    by_email = await site.backend.get_user(sc.host_email)
    assert (by_email.email, by_email.name) == (sc.host_email, host.name)
    assert (await site.backend.get_user(host.id)).email == sc.host_email


@needs(Capability.USERS)
async def test_an_unknown_person_is_not_found(site):
    with pytest.raises(NotFoundError):
        await site.backend.get_user("nobody.here@acme.example")


@needs(Capability.MANAGER)
async def test_a_persons_manager(site):
    sc = site.scenario
    manager = await site.backend.user_manager(sc.person_email)
    assert manager is not None and manager.email == sc.manager_email


@needs(Capability.GROUPS)
async def test_groups_and_their_members(site):
    sc = site.scenario
    groups = {g.id: g for g in await site.backend.list_groups()}
    group = groups[sc.group_id]
    found = await site.backend.list_groups(query=group.name)
    assert sc.group_id in {g.id for g in found}
    members = await site.backend.group_members(sc.group_id)
    assert sc.person_email in {m.email for m in members}
    assert sc.group_id in {g.id for g in await site.backend.user_groups(sc.person_email)}
    with pytest.raises(NotFoundError):
        await site.backend.group_members("no-such-group")


@needs(Capability.CALENDARS)
async def test_a_persons_calendars(site):
    sc = site.scenario
    calendars = await site.backend.list_calendars(sc.host_email)
    primary = [c for c in calendars if c.primary]
    assert len(primary) == 1 and primary[0].owner_email == sc.host_email


@needs(Capability.MAIL)
async def test_mail_is_sent(site):
    sc = site.scenario
    sent = await site.backend.send_mail(
        MailMessage(to=[sc.host_email], cc=[sc.person_email], subject="Your visitor is here", text="Hello"))
    assert (sent.to, sent.cc) == ([sc.host_email], [sc.person_email])
    assert (sent.subject, sent.text) == ("Your visitor is here", "Hello")


@needs(Capability.MAIL, Capability.OUTBOX)
async def test_sent_mail_is_in_the_outbox(site):
    sc = site.scenario
    sent = await site.backend.send_mail(MailMessage(to=[sc.host_email], subject="Your visitor is here", text="Hello"))
    assert sent.id and sent.sent_at == site.clock.now()
    outbox = await site.backend.list_outbox(limit=5)
    assert outbox[0].id == sent.id and outbox[0].subject == "Your visitor is here" and outbox[0].to == [sc.host_email]


@needs(Capability.MAIL)
async def test_mail_to_a_bad_address_is_refused(site):
    with pytest.raises(InvalidInputError):
        await site.backend.send_mail(MailMessage(to=["not-an-address"], subject="Hello"))
    with pytest.raises(InvalidInputError):
        await site.backend.send_mail({"to": [], "subject": "Nobody"})
