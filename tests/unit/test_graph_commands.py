"""The pieces under ``staffterm graph``: which parameters name a place (read from the table, not
from the provider), the mailbox a calendar command addresses, the driver's attachments, and a
tenant's email_templates reaching the host's check-in mail."""

from __future__ import annotations

import pytest

from staffterm.backends.graph.commands import BY_NAME
from staffterm.backends.graph.driver import GraphDriver, file_attachments, join_details
from staffterm.backends.placeos.commands import BY_NAME as PLACEOS
from staffterm.cli.provider import _places_named
from staffterm.errors import InvalidInputError
from staffterm.services.mail_templates import MailTemplates


def test_places_come_from_the_table_or_from_placeos_names():
    graph = _places_named(BY_NAME["list_events"], {"calendar_id": "room.euler@acme.example", "time_zone": "UTC",
                                                    "period_start": 1})
    assert graph == {"room": [("calendar_id", "room.euler@acme.example")], "time_zone": [("time_zone", "UTC")]}
    create = _places_named(BY_NAME["create_event"], {"user_id": "ada@acme.example", "calendar_id": "room@acme.example"})
    assert [value for _, value in create["room"]] == ["ada@acme.example", "room@acme.example"]
    placeos = _places_named(PLACEOS["query_events"], {"zones": ["zone-1", "zone-2"], "systems": ["sys-1"]})
    assert placeos == {"zone": [("zones", "zone-1"), ("zones", "zone-2")], "room": [("systems", "sys-1")]}


class _Backend:
    def __init__(self, auth_mode: str) -> None:
        self.settings = type("S", (), {"auth_mode": auth_mode})()


@pytest.mark.parametrize(("auth_mode", "calendar_id", "user_id", "expected"), [
    ("app", "Room.Euler@acme.example", "ada@acme.example", ("room.euler@acme.example", None)),
    ("app", "AAMkAGI2", "ada@acme.example", ("aamkagi2", None)),
    ("device_code", "AAMkAGI2", "ada@acme.example", ("ada@acme.example", "AAMkAGI2")),
    ("device_code", "room.euler@acme.example", "ada@acme.example", ("room.euler@acme.example", None)),
])
def test_mailbox_follows_placeos_office365_adapter(auth_mode, calendar_id, user_id, expected):
    assert GraphDriver(_Backend(auth_mode))._mailbox(calendar_id, user_id) == expected  # type: ignore[arg-type]


def test_attachments_are_checked_before_anything_is_sent():
    assert file_attachments([{"file_name": "a.pdf", "content": "aGk="}], "attachments", inline=False) == [
        ("a.pdf", "application/pdf", b"hi", None)]
    with pytest.raises(InvalidInputError, match="content_id"):
        file_attachments([{"file_name": "pass.png", "content": "aGk="}], "resource_attachments", inline=True)
    with pytest.raises(InvalidInputError, match="file_name"):
        file_attachments([{"content": "aGk="}], "attachments", inline=False)
    with pytest.raises(InvalidInputError, match="JSON list"):
        file_attachments("a.pdf", "attachments", inline=False)


def test_join_details_of_another_providers_meeting():
    assert join_details("Zoom", "https://zoom.example/j/1", "1", None, ["+1 555"], "42") == (
        "Join Zoom: https://zoom.example/j/1\nMeeting ID: 1\nPhone: +1 555\nPIN: 42")
    assert join_details(None, None, None, None, (), None) == ""


def test_a_tenants_email_templates_merge_over_the_configs_field_by_field():
    templates = MailTemplates({"visitor": {"checkin": {"text": "config text %{time}"}}},
                              {"visitor": {"checkin": {"subject": "%{name} is here"}}})
    message = templates.build("visitor", "checkin", ["host@acme.example"], {"name": "Ada", "time": "10:00"})
    assert (message.subject, message.text) == ("Ada is here", "config text 10:00")


def test_the_host_check_in_mail_on_a_graph_tenant_uses_its_email_templates(tmp_path, monkeypatch):
    from staffterm.config import load_config
    from staffterm.services.session import Session

    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    config = tmp_path / "config.toml"
    config.write_text("""[tenants.m365]
provider = "graph"
tenant_id = "acme.example"
client_id = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
token_command = { env = "GRAPH_TOKEN" }
mailer_from = "reception@acme.example"

[tenants.m365.email_templates.visitor.checkin]
subject = "%{name} is waiting in the lobby"
""")
    session = Session.from_config(load_config(config), "m365")
    message = session.reception.templates.build("visitor", "checkin", ["host@acme.example"],
                                                {"name": "Ada", "time": "10:00"})
    assert message.subject == "Ada is waiting in the lobby" and message.text == "for your meeting at 10:00"
