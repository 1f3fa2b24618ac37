"""The fake Microsoft Graph enforces what the real service does where clients depend on it:
paging, limits, error bodies, per-mailbox concurrency, batching and the calendar's rules."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.graph import FakeGraph

# 10:30 on Monday 2 March 2026 in Sydney (AEDT, UTC+11).
NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
SYD = "AUS Eastern Standard Time"
RECEPTION, ADA, BARBARA, GRACE = (f"{a}@acme.example" for a in ("reception", "ada.lovelace", "barbara.liskov",
                                                                  "grace.hopper"))
EULER, FARADAY = "room.euler@acme.example", "room.faraday@acme.example"


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []  # a crash in the fake must never pass for an expected error


@pytest.fixture
async def client(fake):
    headers = {"Authorization": f"Bearer {fake.issue_app_token()}"}
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.graph_url + "/", headers=headers) as c:
        yield c


def syd(hhmm: str) -> dict[str, str]:
    return {"dateTime": f"2026-03-02T{hhmm}:00", "timeZone": SYD}


def meeting(subject: str, start: str, end: str, *rooms: str, **extra) -> dict:
    attendees = [{"emailAddress": {"address": r}, "type": "resource"} for r in rooms]
    return {"subject": subject, "start": syd(start), "end": syd(end), "attendees": attendees, **extra}


def graph_error(response: httpx.Response) -> dict:
    body = response.json()["error"]
    assert set(body["innerError"]) >= {"request-id", "date", "client-request-id"}
    return body


# -- authentication and permissions ----------------------------------------------------------------

async def test_graph_routes_answer_401_invalid_authentication_token_without_or_with_a_bad_token(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.graph_url + "/") as anon:
        missing = await anon.get("users")
        compact = await anon.get("users", headers={"Authorization": "Bearer not-a-jwt"})
        forged = await anon.get("users", headers={"Authorization": "Bearer a.b.c"})
        token = fake.issue_app_token()
        ok = await anon.get("users", headers={"Authorization": f"Bearer {token}"})
        fake.advance(fake.token_lifetime)
        expired = await anon.get("users", headers={"Authorization": f"Bearer {token}"})
    assert [r.status_code for r in (missing, compact, forged, ok, expired)] == [401, 401, 401, 200, 401]
    assert graph_error(missing) == {**graph_error(missing), "code": "InvalidAuthenticationToken",
                                    "message": "Access token is empty."}
    assert graph_error(compact)["message"].startswith("CompactToken parsing failed")
    assert graph_error(forged)["message"] == "Access token validation failure."
    assert graph_error(expired)["message"] == "Access token has expired or is not yet valid."


async def test_a_token_without_the_permission_gets_403_in_the_services_own_shape(fake):
    app = fake.state.apps[fake.CLIENT_ID]
    app.roles = frozenset({"User.Read.All"})
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.graph_url + "/",
                                 headers={"Authorization": f"Bearer {fake.issue_app_token()}"}) as c:
        rooms = await c.get("places/microsoft.graph.room")
        groups = await c.get("groups")
        users = await c.get("users")
    assert rooms.status_code == 403 and graph_error(rooms)["code"] == "ErrorAccessDenied"
    assert groups.status_code == 403 and graph_error(groups)["code"] == "Authorization_RequestDenied"
    assert users.status_code == 200


async def test_unknown_segments_and_methods_are_refused(client):
    unknown = await client.get("nothing/here")
    wrong_method = await client.delete("users")
    assert unknown.status_code == 400 and graph_error(unknown)["code"] == "BadRequest"
    assert wrong_method.status_code == 405


# -- places ------------------------------------------------------------------------------------------

async def test_rooms_page_with_next_links_until_every_room_is_seen(fake, client):
    fake.page_caps["places"] = 4
    seen, url, pages = [], "places/microsoft.graph.room", 0
    while url:
        page = (await client.get(url)).json()
        assert len(page["value"]) <= 4
        seen += page["value"]
        url, pages = page.get("@odata.nextLink"), pages + 1
    assert pages == 3 and len(seen) == len({r["id"] for r in seen}) == 10
    euler = next(r for r in seen if r["emailAddress"] == EULER)
    assert euler["capacity"] == 20 and euler["floorNumber"] == 2 and euler["building"] == "Sydney HQ"
    assert euler["bookingType"] == "standard" and euler["isWheelChairAccessible"] is True
    assert euler["displayDeviceName"] and euler["tags"] == ["whiteboard"]
    assert {r["bookingType"] for r in seen} == {"standard", "reserved"}


async def test_room_lists_address_their_rooms_by_email_not_id_and_filters_apply(client):
    lists = (await client.get("places/microsoft.graph.roomlist")).json()["value"]
    london = next(rl for rl in lists if rl["displayName"] == "London Office")
    by_email = await client.get(f"places/{london['emailAddress']}/microsoft.graph.roomList/rooms")
    by_id = await client.get(f"places/{london['id']}/microsoft.graph.roomList/rooms")
    big = await client.get("places/microsoft.graph.room", params={"$filter": "capacity ge 10", "$count": "true",
                                                                  "$select": "displayName,capacity"})
    buildings = await client.get("places/microsoft.graph.building")
    floors = await client.get("places/microsoft.graph.floor")
    assert {r["nickname"] for r in by_email.json()["value"]} == {"Hopper", "Kelvin", "Newton"}
    assert by_id.status_code == 404
    assert big.json()["@odata.count"] == 3 and all(
        {k for k in r if not k.startswith("@odata.")} == {"id", "displayName", "capacity"} for r in big.json()["value"])
    assert len(buildings.json()["value"]) == 2 and len(floors.json()["value"]) == 3


async def test_doc_sample_quirks_render_rooms_like_the_place_list_sample(fake, client):
    fake.doc_sample_quirks = True
    room = (await client.get(f"places/{EULER}")).json()
    assert room["capacity"] == "20" and "displayDevice" in room and room["isWheelchairAccessible"] is True


# -- getSchedule --------------------------------------------------------------------------------------

def schedule_body(schedules, interval=30, start="08:00", end="18:00"):
    return {"schedules": schedules, "startTime": syd(start), "endTime": syd(end), "availabilityViewInterval": interval}


async def test_get_schedule_allows_the_documented_20_schedules_and_refuses_more(client):
    twenty = [f"person{i}@acme.example" for i in range(19)] + [EULER]
    ok = await client.post(f"users/{RECEPTION}/calendar/getSchedule", json=schedule_body(twenty))
    too_many = await client.post(f"users/{RECEPTION}/calendar/getSchedule", json=schedule_body(twenty + [ADA]))
    assert ok.status_code == 200 and len(ok.json()["value"]) == 20
    assert too_many.status_code == 400 and graph_error(too_many)["code"] == "ErrorMailboxDataArrayTooBig"


async def test_get_schedule_view_digits_items_and_unknown_mailbox_entries(client):
    response = await client.post(f"users/{RECEPTION}/calendar/getSchedule", json=schedule_body(
        [ADA, "nobody@acme.example"], interval=60), headers={"Prefer": f'outlook.timezone="{SYD}"'})
    ada, nobody = response.json()["value"]
    # 08-18 in hours: sprint planning 9-10 (busy), design review 11-12 (busy), dentist 15-17 (oof).
    assert ada["availabilityView"] == "0202000330"
    assert [i["status"] for i in ada["scheduleItems"]] == ["busy", "busy", "oof"]
    assert ada["scheduleItems"][0]["start"] == {"dateTime": "2026-03-02T09:00:00.0000000", "timeZone": SYD}
    private = ada["scheduleItems"][2]
    assert private["isPrivate"] is True and "subject" not in private
    assert set(nobody) == {"scheduleId", "error"} and nobody["error"]["responseCode"] == "5009"


async def test_get_schedule_checks_interval_window_and_body_names(client):
    url = f"users/{RECEPTION}/calendar/getSchedule"
    low = await client.post(url, json=schedule_body([ADA], interval=4))
    high = await client.post(url, json=schedule_body([ADA], interval=1441))
    long_window = await client.post(url, json={"schedules": [ADA], "startTime": syd("08:00"),
                                               "endTime": {"dateTime": "2026-05-03T08:00:00", "timeZone": SYD}})
    unknown = await client.post(url, json={**schedule_body([ADA]), "colour": "red"})
    pascal = await client.post(url, json={"Schedules": [ADA], "StartTime": syd("08:00"), "EndTime": syd("09:00"),
                                          "availabilityViewInterval": "15"})
    assert [r.status_code for r in (low, high, long_window, unknown)] == [400, 400, 400, 400]
    assert graph_error(long_window)["code"] == "ErrorTimeIntervalTooBig"
    assert graph_error(unknown)["code"] == "RequestBodyRead"
    assert pascal.status_code == 200 and pascal.json()["value"][0]["availabilityView"] == "0000"


# -- per-mailbox concurrency -------------------------------------------------------------------------

async def test_a_fifth_concurrent_request_to_one_mailbox_gets_429_application_throttled(fake, client):
    fake.latency = 0.05
    same = [client.get(f"users/{ADA}/events") for _ in range(5)]
    other = client.get(f"users/{GRACE}/events")
    answers = await asyncio.gather(*same, other)
    statuses = sorted(r.status_code for r in answers[:5])
    assert statuses == [200, 200, 200, 200, 429] and answers[5].status_code == 200
    throttled = next(r for r in answers if r.status_code == 429)
    assert throttled.headers["Retry-After"] == "1"
    assert graph_error(throttled) == {**graph_error(throttled), "code": "ApplicationThrottled",
                                      "message": "Application is over its MailboxConcurrency limit."}
    again = await client.get(f"users/{ADA}/events")  # slots are given back
    assert again.status_code == 200 and fake.limiter.peak[(fake.CLIENT_ID, ADA)] == 4


async def test_batch_inner_requests_count_toward_the_mailbox_limit(fake, client):
    fake.latency = 0.05
    body = {"requests": [{"id": str(i), "method": "POST", "url": f"/users/{ADA}/calendar/getSchedule",
                          "headers": {"Content-Type": "application/json"}, "body": schedule_body([EULER])}
                         for i in range(8)]}
    alone = await client.post("$batch", json=body)
    assert alone.status_code == 200 and {r["status"] for r in alone.json()["responses"]} == {200}
    assert fake.limiter.peak[(fake.CLIENT_ID, ADA)] == 4  # Outlook runs 4 of a batch at a time
    outside = [client.get(f"users/{ADA}/events") for _ in range(2)]
    crowded, *_ = await asyncio.gather(client.post("$batch", json=body), *outside)
    inner = crowded.json()["responses"]
    throttled = [r for r in inner if r["status"] == 429]
    assert crowded.status_code == 200 and throttled
    assert throttled[0]["headers"]["Retry-After"] == "1"
    assert throttled[0]["body"]["error"]["code"] == "ApplicationThrottled"


# -- $batch --------------------------------------------------------------------------------------------

async def test_batch_limits_ids_headers_and_depends_on(fake, client):
    def req(i, **kw):
        return {"id": str(i), "method": "GET", "url": "/users?$top=1", **kw}

    over = await client.post("$batch", json={"requests": [req(i) for i in range(21)]})
    dup = await client.post("$batch", json={"requests": [req("a"), req("A")]})
    no_type = await client.post("$batch", json={"requests": [req(1, body={"x": 1})]})
    assert [r.status_code for r in (over, dup, no_type)] == [400, 400, 400]
    mixed = await client.post("$batch", json={"requests": [
        req(1), {"id": "2", "method": "GET", "url": "/users/nobody@acme.example"},
        {**req(3), "dependsOn": ["2"]}, {"id": "4", "method": "GET", "url": "groups", "dependsOn": ["1"]},
    ]})
    answers = {r["id"]: r for r in mixed.json()["responses"]}
    assert mixed.status_code == 200
    assert answers["1"]["status"] == 200 and len(answers["1"]["body"]["value"]) == 1
    assert answers["2"]["status"] == 404 and answers["2"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert answers["3"]["status"] == 424 and answers["4"]["status"] == 200
    assert "application/json" in answers["1"]["headers"]["Content-Type"]


# -- events ----------------------------------------------------------------------------------------------

async def test_calendar_view_needs_both_ends_of_the_window(client):
    only_start = await client.get(f"users/{ADA}/calendarView", params={"startDateTime": "2026-03-01T00:00:00Z"})
    assert only_start.status_code == 400
    assert graph_error(only_start)["code"] == "ErrorInvalidParameter"
    assert "StartDateTime and EndDateTime" in graph_error(only_start)["message"]


async def test_calendar_view_pages_and_honours_the_timezone_preference(fake, client):
    fake.page_caps["events"] = 2
    params = {"startDateTime": "2026-03-01T13:00:00Z", "endDateTime": "2026-03-02T13:00:00Z"}
    first = await client.get(f"users/{ADA}/calendarView", params=params,
                             headers={"Prefer": f'outlook.timezone="{SYD}"'})
    second = await client.get(first.json()["@odata.nextLink"], headers={"Prefer": f'outlook.timezone="{SYD}"'})
    subjects = [e["subject"] for e in first.json()["value"] + second.json()["value"]]
    assert subjects == ["Sprint planning", "Design review", "Dentist"]
    assert first.json()["value"][0]["start"] == {"dateTime": "2026-03-02T09:00:00.0000000", "timeZone": SYD}
    assert "outlook.timezone" in first.headers["Preference-Applied"]
    utc = await client.get(f"users/{ADA}/calendarView", params=params)
    assert utc.json()["value"][0]["start"] == {"dateTime": "2026-03-01T22:00:00.0000000", "timeZone": "UTC"}


async def test_a_room_accepts_when_free_and_declines_a_clash(client):
    first = await client.post(f"users/{RECEPTION}/events", json=meeting("Walk-in", "13:00", "14:00", FARADAY))
    clash = await client.post(f"users/{GRACE}/events", json=meeting("Also here", "13:30", "14:30", FARADAY))
    assert first.status_code == clash.status_code == 201
    assert first.json()["attendees"][0]["status"]["response"] == "accepted"
    assert clash.json()["attendees"][0]["status"]["response"] == "declined"
    room_day = await client.get(f"users/{FARADAY}/calendarView", params={
        "startDateTime": "2026-03-02T00:00:00+11:00", "endDateTime": "2026-03-03T00:00:00+11:00"})
    assert [e["subject"] for e in room_day.json()["value"]] == ["Walk-in"]


async def test_room_replies_can_be_deferred_like_the_real_asynchronous_attendant(fake, client):
    fake.defer_room_replies = True
    created = await client.post(f"users/{RECEPTION}/events", json=meeting("Later", "16:00", "17:00", FARADAY))
    assert created.json()["attendees"][0]["status"]["response"] == "none"
    fake.process_room_replies()
    again = await client.get(f"users/{RECEPTION}/events/{created.json()['id']}")
    assert again.json()["attendees"][0]["status"]["response"] == "accepted"


async def test_transaction_id_makes_a_retried_create_return_the_first_event(fake, client):
    body = meeting("Retry me", "13:00", "13:30", FARADAY, transactionId="tx-123")
    first = await client.post(f"users/{RECEPTION}/events", json=body)
    second = await client.post(f"users/{RECEPTION}/calendar/events", json=body)
    assert first.json()["id"] == second.json()["id"] and second.json()["transactionId"] == "tx-123"
    mine = [e for e in fake.state.events_of(RECEPTION) if e["subject"] == "Retry me"]
    assert len(mine) == 1
    change = await client.patch(f"users/{RECEPTION}/events/{first.json()['id']}", json={"transactionId": "other"})
    assert change.status_code == 400


async def test_unknown_event_properties_are_400_request_body_read_and_change_nothing(fake, client):
    before = len(fake.state.events)
    response = await client.post(f"users/{RECEPTION}/events", json={**meeting("Bad", "13:00", "14:00"),
                                                                    "roomNumber": 5})
    assert response.status_code == 400
    error = graph_error(response)
    assert error["code"] == "RequestBodyRead" and "'roomNumber' does not exist" in error["message"]
    assert len(fake.state.events) == before


async def test_online_meetings_get_a_teams_join_url(client):
    created = await client.post(f"users/{RECEPTION}/events", json=meeting(
        "Call", "13:00", "13:30", isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness"))
    event = created.json()
    assert event["isOnlineMeeting"] is True and event["onlineMeetingProvider"] == "teamsForBusiness"
    assert event["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")


async def test_patch_moves_a_meeting_and_the_room_answers_again(client):
    created = (await client.post(f"users/{RECEPTION}/events", json=meeting("Move", "13:00", "14:00", EULER))).json()
    assert created["attendees"][0]["status"]["response"] == "accepted"
    moved = await client.patch(f"users/{RECEPTION}/events/{created['id']}", json={
        "start": syd("09:30"), "end": syd("10:30"), "subject": "Moved"})
    assert moved.status_code == 200 and moved.json()["subject"] == "Moved"
    assert moved.json()["attendees"][0]["status"]["response"] == "declined"  # clashes with sprint planning


async def test_delete_is_204_without_a_body_and_frees_the_room(fake, client):
    created = (await client.post(f"users/{RECEPTION}/events", json=meeting("Gone", "13:00", "14:00", FARADAY))).json()
    deleted = await client.delete(f"users/{RECEPTION}/events/{created['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(f"users/{RECEPTION}/events/{created['id']}")).status_code == 404
    retry = await client.post(f"users/{GRACE}/events", json=meeting("Now free", "13:00", "14:00", FARADAY))
    assert retry.json()["attendees"][0]["status"]["response"] == "accepted"


async def test_only_the_organizer_can_cancel_and_attendees_answer_with_accept_or_decline(fake, client):
    body = meeting("Team sync", "13:00", "13:30")
    body["attendees"] = [{"emailAddress": {"address": ADA}, "type": "required"},
                         {"emailAddress": {"address": BARBARA}, "type": "required"}]
    created = (await client.post(f"users/{GRACE}/events", json=body)).json()
    ada_copy = next(e for e in fake.state.events_of(ADA) if e["iCalUId"] == created["iCalUId"])
    barbara_copy = next(e for e in fake.state.events_of(BARBARA) if e["iCalUId"] == created["iCalUId"])
    refused = await client.post(f"users/{ADA}/events/{ada_copy['id']}/cancel", json={"comment": "no"})
    assert refused.status_code == 400
    assert graph_error(refused)["message"].endswith("You need to be an organizer to cancel a meeting.")
    accepted = await client.post(f"users/{ADA}/events/{ada_copy['id']}/accept", json={"comment": "yes"})
    declined = await client.post(f"users/{BARBARA}/events/{barbara_copy['id']}/decline", json={"Comment": "away"})
    assert accepted.status_code == declined.status_code == 202
    organizer_view = (await client.get(f"users/{GRACE}/events/{created['id']}")).json()
    assert {a["emailAddress"]["address"]: a["status"]["response"] for a in organizer_view["attendees"]} == {
        ADA: "accepted", BARBARA: "declined"}
    cancelled = await client.post(f"users/{GRACE}/events/{created['id']}/cancel", json={"comment": "Sorry"})
    assert cancelled.status_code == 202 and cancelled.content == b""
    assert fake.state.events[ada_copy["id"]]["isCancelled"] is True
    assert (await client.get(f"users/{GRACE}/events/{created['id']}")).status_code == 404


async def test_unknown_mailboxes_and_events_are_not_found(client):
    user = await client.get("users/nobody@acme.example/events")
    event = await client.get(f"users/{ADA}/events/AAMkAGnothing=")
    assert user.status_code == 404 and graph_error(user)["code"] == "ErrorInvalidUser"
    assert event.status_code == 404 and graph_error(event)["code"] == "ErrorItemNotFound"


# -- directory ---------------------------------------------------------------------------------------------

async def test_user_search_needs_consistency_level_eventual(client):
    plain = await client.get("users", params={"$search": '"displayName:ada"'})
    assert plain.status_code == 400 and graph_error(plain)["code"] == "Request_UnsupportedQuery"
    assert "ConsistencyLevel: eventual" in graph_error(plain)["message"]
    found = await client.get("users", params={"$search": '"displayName:ada"', "$count": "true"},
                             headers={"ConsistencyLevel": "eventual"})
    assert [u["mail"] for u in found.json()["value"]] == [ADA] and found.json()["@odata.count"] == 1


async def test_user_filters_top_select_and_skiptoken_paging(fake, client):
    fake.page_caps["directory"] = 3
    starts = await client.get("users", params={"$filter": "startswith(displayName,'G')", "$select": "displayName"})
    assert starts.json()["value"] == [{"id": starts.json()["value"][0]["id"], "displayName": "Grace Hopper"}]
    advanced = await client.get("users", params={"$filter": "endswith(mail,'acme.example')"})
    too_big = await client.get("users", params={"$top": "1000"})
    assert advanced.status_code == too_big.status_code == 400
    names, url = [], "users"
    while url:
        page = (await client.get(url)).json()
        assert "$skiptoken" in page.get("@odata.nextLink", "$skiptoken").replace("%24", "$")
        names += [u["displayName"] for u in page["value"]]
        url = page.get("@odata.nextLink")
    assert len(names) == 8 and names == sorted(names)
    assert set(page["value"][0]) == {"businessPhones", "displayName", "givenName", "id", "jobTitle", "mail",
                                     "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                                     "userPrincipalName"}


async def test_manager_groups_members_and_calendars(client):
    manager = await client.get(f"users/{ADA}/manager")
    no_manager = await client.get("users/margaret.hamilton@acme.example/manager")
    member_of = await client.get(f"users/{ADA}/memberOf")
    groups = (await client.get("groups")).json()["value"]
    engineering = next(g for g in groups if g["displayName"] == "Engineering")
    members = await client.get(f"groups/{engineering['id']}/members")
    missing = await client.get("users/00000000-0000-0000-0000-000000000000")
    calendars = await client.get(f"users/{ADA}/calendars")
    assert manager.json()["displayName"] == "Grace Hopper" and manager.json()["@odata.type"] == "#microsoft.graph.user"
    assert no_manager.status_code == 404 and graph_error(no_manager)["code"] == "Request_ResourceNotFound"
    assert [g["displayName"] for g in member_of.json()["value"]] == ["Engineering"]
    assert {m["mail"] for m in members.json()["value"]} == {ADA, GRACE, BARBARA}
    assert missing.status_code == 404 and graph_error(missing)["code"] == "Request_ResourceNotFound"
    assert calendars.json()["value"][0]["allowedOnlineMeetingProviders"] == ["teamsForBusiness"]


# -- sendMail ------------------------------------------------------------------------------------------------

async def test_send_mail_is_202_and_the_fake_keeps_the_message(fake, client):
    pdf = base64.b64encode(b"%PDF-1.4 pass").decode()
    response = await client.post(f"users/{RECEPTION}/sendMail", json={"message": {
        "subject": "Your guest has arrived", "body": {"contentType": "HTML", "content": "<p>Hi</p>"},
        "toRecipients": [{"emailAddress": {"address": ADA, "name": "Ada"}}],
        "ccRecipients": [{"emailAddress": {"address": GRACE}}],
        "bccRecipients": [{"emailAddress": {"address": "audit@acme.example"}}],
        "attachments": [{"@odata.type": "#microsoft.graph.fileAttachment", "name": "pass.pdf",
                         "contentType": "application/pdf", "contentBytes": pdf}],
    }, "saveToSentItems": False})
    assert response.status_code == 202 and response.content == b""
    sent = fake.state.sent_mail[-1]
    assert sent["mailbox"] == RECEPTION and sent["saveToSentItems"] is False
    assert sent["message"]["body"] == {"contentType": "html", "content": "<p>Hi</p>"}
    assert sent["message"]["attachments"][0]["size"] == len(b"%PDF-1.4 pass")


async def test_send_mail_refuses_no_recipients_bad_base64_and_unknown_properties(fake, client):
    url = f"users/{RECEPTION}/sendMail"
    to = [{"emailAddress": {"address": ADA}}]
    nobody = await client.post(url, json={"message": {"subject": "x"}})
    bad_bytes = await client.post(url, json={"message": {"toRecipients": to, "attachments": [
        {"@odata.type": "#microsoft.graph.fileAttachment", "name": "a", "contentBytes": "***"}]}})
    unknown = await client.post(url, json={"message": {"toRecipients": to, "urgency": "high"}})
    spoof = await client.post(url, json={"message": {"toRecipients": to, "from": {"emailAddress": {"address": GRACE}}}})
    assert [r.status_code for r in (nobody, bad_bytes, unknown, spoof)] == [400, 400, 400, 403]
    assert graph_error(nobody)["code"] == "ErrorInvalidRecipients"
    assert graph_error(unknown)["code"] == "RequestBodyRead"
    assert fake.state.sent_mail == []


# -- fault hooks -----------------------------------------------------------------------------------------------

async def test_fail_next_breaks_matching_requests_including_inside_a_batch(fake, client):
    fake.fail_next("GET", "/v1.0/users*", 503, headers={"Retry-After": "2"})
    broken = await client.get("users")
    healed = await client.get("users")
    assert broken.status_code == 503 and broken.headers["Retry-After"] == "2" and healed.status_code == 200
    fake.fail_next("GET", "/v1.0/groups", 429, headers={"Retry-After": "3"})
    batch = await client.post("$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/groups"},
                                                           {"id": "2", "method": "GET", "url": "/users"}]})
    answers = {r["id"]: r for r in batch.json()["responses"]}
    assert answers["1"]["status"] == 429 and answers["1"]["headers"]["Retry-After"] == "3"
    assert answers["2"]["status"] == 200
