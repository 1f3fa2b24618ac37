"""``staffterm graph COMMAND --json``: every command of the Graph API driver, run through the CLI's
main in-process against the fake Microsoft 365 tenant, each answer checked against the fake's
state (its mailbox, its calendars, the requests it saw)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from staffterm.backends import registry
from staffterm.cli.main import main
from tests.fakes.graph import FakeGraph
from tests.fakes.graph.seed import oid

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 11:00 on Monday 2 March in Sydney
DAY_START, DAY_END = int((NOW - timedelta(days=1)).timestamp()), int((NOW + timedelta(days=1)).timestamp())

# The commands of the Graph API driver's documentation, in its order (read from there, not from
# our table), with the parameters it lists for each.
SEED_COMMANDS = {
    "queue_size": "", "in_flight_size": "", "generate_svg_qrcode": "text", "generate_png_qrcode": "text size",
    "send_mail": "to subject message_plaintext message_html resource_attachments cc bcc from",
    "access_token": "user_id", "get_groups": "user_id", "get_members": "group_id", "list_users": "query limit",
    "get_user": "user_id", "list_calendars": "user_id", "get_user_manager": "user_id", "list_groups": "query",
    "get_group": "group_id",
    "list_events": "calendar_id period_start period_end time_zone user_id include_cancelled",
    "delete_event": "calendar_id event_id user_id notify comment",
    "decline_event": "calendar_id event_id user_id notify comment",
    "create_event": "title event_start event_end description attendees location timezone user_id calendar_id "
                    "online_meeting_id online_meeting_provider online_meeting_url online_meeting_sip "
                    "online_meeting_phones online_meeting_pin",
    "send_template": "to template args resource_attachments attachments cc bcc from",
    "build_template": "string args",
}


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []


@pytest.fixture
def graph(fake, tmp_path, monkeypatch, capsys):
    """``graph(*argv) -> (exit code, JSON answer or None, stderr)`` on a Graph tenant whose
    backend talks to the fake in-process."""
    token = fake.issue_app_token()
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FAKE_GRAPH_TOKEN", token)
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", NOW.isoformat())
    config = tmp_path / "config.toml"
    config.write_text(f"""default_tenant = "m365"

[tenants.m365]
provider = "graph"
tenant_id = "{fake.TENANT}"
client_id = "{fake.CLIENT_ID}"
token_command = {{ env = "FAKE_GRAPH_TOKEN" }}
authority_host = "https://{fake.host}"
graph_url = "https://{fake.host}"
rate_limit = 0
calendar_service_account = "reception@acme.example"
mailer_from = "reception@acme.example"

[tenants.m365.email_templates.visitor.checkin]
subject = "%{{name}} is here"
""")
    real = registry.create_backend

    def create_backend(tenant: str, provider: str, settings: Any, **kwargs: Any):
        return real(tenant, provider, settings, transport=fake.transport(), token_dir=tmp_path / "tokens", **kwargs)

    monkeypatch.setattr(registry, "create_backend", create_backend)

    def run(*argv: str) -> tuple[int, Any, str]:
        capsys.readouterr()
        code = main(["--config", str(config), "graph", *argv, "--json"])
        out, err = capsys.readouterr()
        assert token not in err
        if argv[0] != "access_token":
            assert token not in out
        return code, (json.loads(out) if out.strip() else None), err

    run.token = token  # type: ignore[attr-defined]
    return run


def _organiser_event(fake: FakeGraph, subject: str) -> dict[str, Any]:
    return next(e for e in fake.state.events.values() if e["subject"] == subject and e["isOrganizer"])


def _copy_in(fake: FakeGraph, mailbox: str, subject: str) -> dict[str, Any]:
    return next(e for e in fake.state.events.values() if e["_mailbox"] == mailbox and e["subject"] == subject)


# --------------------------------------------------------------------------- the command list


def test_commands_lists_every_seed_command_with_its_parameters(graph):
    code, listed, _ = graph("commands")
    assert code == 0
    by_name = {c["name"]: {p["name"] for p in c["params"]} for c in listed}
    assert set(SEED_COMMANDS) <= set(by_name)
    for name, params in SEED_COMMANDS.items():
        assert set(params.split()) <= by_name[name], name


# --------------------------------------------------------------------------- queue and QR codes


def test_queue_and_in_flight_sizes_are_the_connections_counters(graph):
    assert graph("queue_size")[:2] == (0, 0)
    assert graph("in_flight_size")[:2] == (0, 0)


def test_qr_codes_as_svg_and_base64_png(graph):
    code, svg, _ = graph("generate_svg_qrcode", "--text", "VISIT:guest@example.com,room,1,host@acme.example")
    assert code == 0 and "<svg" in svg and "</svg>" in svg
    code, png, _ = graph("generate_png_qrcode", "--text", "Test", "--size", "100")
    raw = base64.b64decode(png)
    assert code == 0 and raw.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(raw[16:20], "big")
    assert 29 <= width <= 100  # whole-pixel modules, not wider than asked
    code, _, err = graph("generate_png_qrcode", "--text", "Test", "--size", "5")
    assert code != 0 and "too small" in err


# --------------------------------------------------------------------------- mail


def test_send_mail_lands_in_the_mailbox_with_copies_and_attachments(graph, fake):
    pass_png = base64.b64encode(b"\x89PNG pass").decode()
    code, answer, _ = graph(
        "send_mail", "--to", "ada.lovelace@acme.example", "--subject", "Your guest", "--message_html",
        '<p>Here <img src="cid:pass"></p>', "--cc", "grace.hopper@acme.example, alan.turing@acme.example",
        "--bcc", "margaret.hamilton@acme.example",
        "--attachments", json.dumps([{"file_name": "notes.txt", "content": base64.b64encode(b"hello").decode()}]),
        "--resource_attachments", json.dumps([{"file_name": "pass.png", "content": pass_png, "content_id": "pass"}]),
    )
    assert code == 0 and answer is None  # sendMail: 202, no body
    sent = fake.state.sent_mail[-1]
    message = sent["message"]
    assert sent["mailbox"] == "reception@acme.example"  # mailer_from
    assert message["subject"] == "Your guest" and message["body"]["contentType"] == "html"
    assert [r["emailAddress"]["address"] for r in message["ccRecipients"]] == ["grace.hopper@acme.example",
                                                                               "alan.turing@acme.example"]
    assert [r["emailAddress"]["address"] for r in message["bccRecipients"]] == ["margaret.hamilton@acme.example"]
    files = {a["name"]: a for a in message["attachments"]}
    assert base64.b64decode(files["notes.txt"]["contentBytes"]) == b"hello"
    assert files["pass.png"]["contentId"] == "pass" and files["pass.png"]["isInline"] is True
    assert files["pass.png"]["contentType"] == "image/png"


def test_send_mail_without_a_body_or_with_bad_attachments_sends_nothing(graph, fake):
    code, _, err = graph("send_mail", "--to", "ada.lovelace@acme.example", "--subject", "Hi")
    assert code == 1 and "message_plaintext or message_html" in err
    code, _, err = graph("send_mail", "--to", "ada.lovelace@acme.example", "--subject", "Hi", "--message_plaintext",
                         "x", "--attachments", '[{"file_name": "a.txt", "content": "not base64!"}]')
    assert code == 1 and "not base64" in err
    assert graph("send_mail", "--to", "ada.lovelace@acme.example")[0] == 2  # --subject is required
    assert fake.state.sent_mail == [] and not fake.requests_to("POST", "/v1.0/users/*")


def test_send_mail_is_sent_from_the_mailbox_from_names(graph, fake):
    code, _, err = graph("send_mail", "--to", "ada.lovelace@acme.example", "--subject", "Hi",
                         "--message_plaintext", "x", "--from", "grace.hopper@acme.example")
    assert code == 0  # sendMail is addressed to that mailbox (user-sendmail.md), not a Send As
    assert fake.state.sent_mail[-1]["mailbox"] == "grace.hopper@acme.example"


# --------------------------------------------------------------------------- templates


def test_build_template_fills_keys_and_names_a_missing_one(graph):
    code, text, _ = graph("build_template", "--string", "%{name} has arrived at %{time}", "--args",
                          '{"name": "Ada", "time": "10:00"}')
    assert (code, text) == (0, "Ada has arrived at 10:00")
    code, _, err = graph("build_template", "--string", "%{name} at %{time}", "--args", '{"name": "Ada"}')
    assert code == 1 and "'time'" in err


def test_send_template_uses_the_tenants_email_templates(graph, fake):
    code, _, _ = graph("send_template", "--to", "grace.hopper@acme.example", "--template", "visitor.checkin",
                       "--args", '{"name": "Ada Guest", "time": "10:00"}')
    assert code == 0
    message = fake.state.sent_mail[-1]["message"]
    # The tenant's subject over the default; the default text kept (merged field by field).
    assert message["subject"] == "Ada Guest is here"
    assert message["body"] == {"contentType": "text", "content": "for your meeting at 10:00"}
    assert graph("send_template", "--to", "grace.hopper@acme.example", "--template", '["visitor", "checkin"]',
                 "--args", '{"name": "B", "time": "11:00"}')[0] == 0


def test_send_template_unknown_template_or_missing_key_sends_nothing(graph, fake):
    code, _, err = graph("send_template", "--to", "grace.hopper@acme.example", "--template", "visitor.lost",
                         "--args", "{}")
    assert code == 1 and "visitor.lost" in err
    code, _, err = graph("send_template", "--to", "grace.hopper@acme.example", "--template", "visitor.checkin",
                         "--args", '{"name": "Ada"}')
    assert code == 1 and "'time'" in err
    assert fake.state.sent_mail == []


# --------------------------------------------------------------------------- sign-in


def test_access_token_is_shown_after_a_warning_on_stderr(graph):
    code, answer, err = graph("access_token")
    assert code == 0 and answer["token"] == graph.token
    assert answer["expires"] == (NOW + timedelta(seconds=3599)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "do not paste it into tickets" in err


# --------------------------------------------------------------------------- directory


def test_directory_commands_answer_graphs_json(graph, fake):
    fake.page_caps["directory"] = 2  # every list takes several pages
    code, groups, _ = graph("get_groups", "--user_id", "ada.lovelace@acme.example")
    assert code == 0 and [g["displayName"] for g in groups] == ["Engineering"]
    code, members, _ = graph("get_members", "--group_id", oid("group", "Engineering"))
    assert code == 0 and {m["mail"] for m in members} == {"ada.lovelace@acme.example", "grace.hopper@acme.example",
                                                          "barbara.liskov@acme.example"}
    code, by_mail, _ = graph("get_members", "--group_id", "research@acme.example")
    assert code == 0 and {m["mail"] for m in by_mail} == {"alan.turing@acme.example", "edsger.dijkstra@acme.example"}
    code, user, _ = graph("get_user", "--user_id", "ada.lovelace@acme.example")
    assert code == 0 and user["displayName"] == "Ada Lovelace" and user["id"] == oid("user", "ada.lovelace")
    code, manager, _ = graph("get_user_manager", "--user_id", "ada.lovelace@acme.example")
    assert code == 0 and manager["mail"] == "grace.hopper@acme.example"
    code, calendars, _ = graph("list_calendars", "--user_id", "ada.lovelace@acme.example")
    assert code == 0 and calendars and all("id" in c for c in calendars)
    code, listed, _ = graph("list_groups", "--query", "Research")
    assert code == 0 and [g["displayName"] for g in listed] == ["Research"]
    code, group, _ = graph("get_group", "--group_id", oid("group", "Front Desk"))
    assert code == 0 and group["displayName"] == "Front Desk"


def test_a_missing_manager_or_user_fails_plainly(graph):
    code, _, err = graph("get_user_manager", "--user_id", "margaret.hamilton@acme.example")
    assert code != 0 and err.strip()
    code, _, err = graph("get_groups")
    assert code == 1 and "user_id" in err


def test_list_users_search_sends_consistency_level_and_limit_is_honoured(graph, fake):
    fake.page_caps["directory"] = 2
    code, users, _ = graph("list_users", "--limit", "3")
    assert code == 0 and len(users) == 3
    code, found, _ = graph("list_users", "--query", "ada")
    assert code == 0 and [u["mail"] for u in found] == ["ada.lovelace@acme.example"]
    searches = [r for r in fake.requests_to("GET", "/v1.0/users") if "search" in str(r.url)]
    assert searches and all(r.headers.get("ConsistencyLevel") == "eventual" for r in searches)
    code, everyone, _ = graph("list_users")
    assert code == 0 and len(everyone) == 8  # every page followed


# --------------------------------------------------------------------------- calendars


def test_list_events_sends_both_bounds_and_hides_cancelled_unless_asked(graph, fake):
    code, events, _ = graph("list_events", "--calendar_id", "room.euler@acme.example", "--period_start",
                            str(DAY_START), "--period_end", str(DAY_END), "--time_zone", "Australia/Sydney")
    assert code == 0 and [e["subject"] for e in events] == ["Sprint planning"]
    assert events[0]["start"]["timeZone"] == "Australia/Sydney"
    views = [r for r in fake.requests_to("GET", "/v1.0/users/room.euler@acme.example/calendarView")]
    assert views and all("startDateTime" in str(r.url) and "endDateTime" in str(r.url) for r in views)
    # The organiser cancels: Ada's copy stays, cancelled.
    sprint = _organiser_event(fake, "Sprint planning")
    assert graph("delete_event", "--calendar_id", "grace.hopper@acme.example", "--event_id", sprint["id"],
                 "--comment", "moved")[0] == 0
    window = ("--period_start", str(DAY_START), "--period_end", str(DAY_END))
    code, shown, _ = graph("list_events", "--calendar_id", "ada.lovelace@acme.example", *window)
    assert code == 0 and all("Sprint planning" not in e["subject"] for e in shown)
    code, shown, _ = graph("list_events", "--calendar_id", "ada.lovelace@acme.example", *window,
                           "--include_cancelled", "true")
    cancelled = [e for e in shown if e["isCancelled"]]
    assert code == 0 and len(cancelled) == 1 and "Sprint planning" in cancelled[0]["subject"]


def test_list_events_refuses_a_backwards_period_or_an_unknown_zone(graph, fake):
    before = len(fake.requests)
    code, _, err = graph("list_events", "--calendar_id", "room.euler@acme.example", "--period_start",
                         str(DAY_END), "--period_end", str(DAY_START))
    assert code == 1 and "period_end" in err
    code, _, err = graph("list_events", "--calendar_id", "room.euler@acme.example", "--period_start",
                         str(DAY_START), "--period_end", str(DAY_END), "--time_zone", "Mars/Olympus")
    assert code == 1 and "Mars/Olympus" in err
    assert graph("list_events", "--calendar_id", "room.euler@acme.example", "--period_start", "soon",
                 "--period_end", str(DAY_END))[0] == 2
    assert not [r for r in fake.requests[before:] if "calendarView" in str(r.url)]


def test_create_event_in_a_room_with_a_transaction_id_and_online_meeting_fields(graph, fake):
    args = ("create_event", "--title", "Board", "--event_start", str(DAY_END), "--calendar_id",
            "room.hopper@acme.example", "--attendees", "alan.turing@acme.example", "--idempotency_key", "tx-board",
            "--online_meeting_provider", "Zoom", "--online_meeting_url", "https://zoom.example/j/123",
            "--online_meeting_id", "123 456", "--online_meeting_pin", "9876", "--online_meeting_phones",
            "+61 2 5550 0000")
    code, event, _ = graph(*args)
    assert code == 0
    # Asked in the room, the room's copy is the answer, as Graph has it.
    assert event["subject"] == "Board" and event["id"] == _copy_in(fake, "room.hopper@acme.example", "Board")["id"]
    organiser = _organiser_event(fake, "Board")
    assert organiser["_mailbox"] == "reception@acme.example"  # calendar_service_account organises
    assert organiser["transactionId"] == "tx-board"
    attendees = {a["emailAddress"]["address"]: a["type"] for a in organiser["attendees"]}
    assert attendees == {"alan.turing@acme.example": "required", "room.hopper@acme.example": "resource"}
    body = organiser["body"]["content"]
    for text in ("https://zoom.example/j/123", "Meeting ID: 123 456", "PIN: 9876", "Phone: +61 2 5550 0000", "Zoom"):
        assert text in body
    assert graph(*args)[0] == 0  # sent again: the same meeting
    assert len([e for e in fake.state.events.values() if e.get("transactionId") == "tx-board"]) == 1


def test_create_event_teams_meeting_and_an_offset_less_time_in_the_rooms_building(graph, fake):
    code, event, err = graph("create_event", "--title", "Stand-up", "--event_start", "2026-03-03T09:00",
                             "--event_end", "2026-03-03T09:15", "--calendar_id", "room.curie@acme.example",
                             "--user_id", "ada.lovelace@acme.example", "--online_meeting_provider", "teamsForBusiness")
    assert code == 0, err
    assert "Sydney" in err  # read in the room's building's zone, and said so
    organiser = _organiser_event(fake, "Stand-up")
    assert organiser["_mailbox"] == "ada.lovelace@acme.example"
    assert organiser["isOnlineMeeting"] is True and organiser["onlineMeetingProvider"] == "teamsForBusiness"
    assert organiser["_start"] == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 09:00 AEDT
    assert event["iCalUId"] == organiser["iCalUId"]


def test_create_event_in_a_booked_room_or_without_an_organiser_changes_nothing(graph, fake):
    before = len(fake.state.events)
    sprint = _organiser_event(fake, "Sprint planning")
    start = int(sprint["_start"].timestamp())
    code, _, err = graph("create_event", "--title", "Clash", "--event_start", str(start), "--calendar_id",
                         "room.euler@acme.example")
    assert code != 0 and "already booked" in err
    code, _, err = graph("create_event", "--title", "No end", "--event_start", str(start), "--event_end",
                         str(start - 60), "--calendar_id", "room.euler@acme.example")
    assert code == 1 and "event_end" in err
    assert len(fake.state.events) == before


def test_delete_event_is_a_204_and_the_meeting_is_gone(graph, fake):
    review = _organiser_event(fake, "Design review")
    code, answer, _ = graph("delete_event", "--calendar_id", "ada.lovelace@acme.example", "--event_id", review["id"])
    assert code == 0 and answer is None
    deletes = fake.requests_to("DELETE", f"/v1.0/users/ada.lovelace@acme.example/events/{review['id']}")
    assert len(deletes) == 1
    assert review["id"] not in fake.state.events
    code, _, err = graph("delete_event", "--calendar_id", "ada.lovelace@acme.example", "--event_id", review["id"])
    assert code != 0 and err.strip()  # never there now: said, not hidden


def test_decline_event_on_a_rooms_copy_frees_the_room(graph, fake):
    copy = _copy_in(fake, "room.euler@acme.example", "Sprint planning")
    code, answer, _ = graph("decline_event", "--calendar_id", "room.euler@acme.example", "--event_id", copy["id"],
                            "--comment", "Room closed", "--notify", "true")
    assert code == 0 and answer is None
    (request,) = fake.requests_to("POST", f"/v1.0/users/room.euler@acme.example/events/{copy['id']}/decline")
    assert json.loads(request.content) == {"sendResponse": True, "comment": "Room closed"}
    organiser = _organiser_event(fake, "Sprint planning")
    room = next(a for a in organiser["attendees"] if a["emailAddress"]["address"] == "room.euler@acme.example")
    assert room["status"]["response"] == "declined"


def test_decline_event_by_its_organiser_cancels_it(graph, fake):
    review = _organiser_event(fake, "Design review")
    code, _, _ = graph("decline_event", "--calendar_id", "ada.lovelace@acme.example", "--event_id", review["id"],
                       "--comment", "Off sick")
    assert code == 0
    assert review["id"] not in fake.state.events
    assert _copy_in(fake, "barbara.liskov@acme.example", "Canceled: Design review")["isCancelled"] is True
