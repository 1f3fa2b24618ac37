"""The fake Microsoft identity platform: discovery, client credentials, device code, AADSTS error
bodies, and msal itself acquiring a token from it over HTTPS on loopback."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.graph import FakeGraph, serve_https

NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []


@pytest.fixture
async def login(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=f"https://{fake.host}") as client:
        yield client


def credentials(fake: FakeGraph, **override: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": fake.CLIENT_ID, "client_secret": fake.CLIENT_SECRET,
            "scope": GRAPH_SCOPE, **override}


def assert_aadsts(response: httpx.Response, status: int, error: str, code: int) -> dict:
    body = response.json()
    assert response.status_code == status and body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert "Trace ID: " in body["error_description"] and "Correlation ID: " in body["error_description"]
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    return body


async def test_discovery_documents_for_known_and_unknown_tenants(fake, login):
    known = await login.get(f"/{fake.TENANT}/v2.0/.well-known/openid-configuration")
    unknown = await login.get("/nowhere.example/v2.0/.well-known/openid-configuration")
    instance = await login.get("/common/discovery/instance", params={
        "authorization_endpoint": f"https://{fake.host}/{fake.TENANT}/oauth2/v2.0/authorize", "api-version": "1.0"})
    config = known.json()
    assert config["token_endpoint"] == f"https://{fake.host}/{fake.state.tenant_id}/oauth2/v2.0/token"
    assert config["device_authorization_endpoint"].endswith("/oauth2/v2.0/devicecode")
    assert_aadsts(unknown, 400, "invalid_tenant", 90002)
    discovered = instance.json()["tenant_discovery_endpoint"]
    assert discovered.endswith(f"/{fake.TENANT}/v2.0/.well-known/openid-configuration")


async def test_client_credentials_success_and_each_documented_failure(fake, login):
    token_url = f"/{fake.TENANT}/oauth2/v2.0/token"
    ok = await login.post(token_url, data=credentials(fake), headers={"client-request-id": "corr-1"})
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3599
    wrong = await login.post(token_url, data=credentials(fake, client_secret="the-secret-id"),
                             headers={"client-request-id": "corr-2"})
    body = assert_aadsts(wrong, 401, "invalid_client", 7000215)
    assert body["correlation_id"] == "corr-2" and "Invalid client secret provided" in body["error_description"]
    assert "the-secret-id" not in wrong.text
    assert_aadsts(await login.post(token_url, data=credentials(fake, client_id="nope")), 400,
                  "unauthorized_client", 700016)
    assert_aadsts(await login.post("/other.example/oauth2/v2.0/token", data=credentials(fake)), 400,
                  "invalid_request", 90002)
    assert_aadsts(await login.post(token_url, data=credentials(fake, scope="User.Read")), 400, "invalid_scope", 70011)
    fake.state.apps[fake.CLIENT_ID].secret_expired = True
    assert_aadsts(await login.post(token_url, data=credentials(fake)), 401, "invalid_client", 7000222)


async def test_client_credentials_token_opens_graph_until_it_expires(fake, login):
    token = (await login.post(f"/{fake.TENANT}/oauth2/v2.0/token", data=credentials(fake))).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await login.get("/v1.0/users", headers=bearer)).status_code == 200
    fake.advance(3600)
    expired = await login.get("/v1.0/users", headers=bearer)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "InvalidAuthenticationToken"


async def test_device_code_flow_pending_then_token_and_expiry(fake, login):
    base = f"/{fake.TENANT}/oauth2/v2.0"
    started = (await login.post(f"{base}/devicecode", data={"client_id": fake.CLIENT_ID,
                                                             "scope": "Calendars.ReadWrite offline_access"})).json()
    assert started["expires_in"] == 900 and started["interval"] == 5 and started["user_code"] in started["message"]
    poll = {"grant_type": DEVICE_GRANT, "client_id": fake.CLIENT_ID, "device_code": started["device_code"]}
    assert_aadsts(await login.post(f"{base}/token", data=poll), 400, "authorization_pending", 70016)
    fake.approve_device_code(started["user_code"], "reception@acme.example")
    granted = await login.post(f"{base}/token", data=poll)
    assert granted.status_code == 200 and granted.json()["scope"] == "Calendars.ReadWrite"
    assert "refresh_token" in granted.json()
    later = (await login.post(f"{base}/devicecode", data={"client_id": fake.CLIENT_ID, "scope": "User.Read"})).json()
    fake.advance(900)
    assert_aadsts(await login.post(f"{base}/token", data={**poll, "device_code": later["device_code"]}), 400,
                  "expired_token", 70019)


async def test_device_code_slow_down_and_missing_consent(fake, login):
    base = f"/{fake.TENANT}/oauth2/v2.0"
    fake.slow_down_fast_polls = True
    started = (await login.post(f"{base}/devicecode", data={"client_id": fake.CLIENT_ID, "scope": "User.Read"})).json()
    poll = {"grant_type": DEVICE_GRANT, "client_id": fake.CLIENT_ID, "device_code": started["device_code"]}
    assert (await login.post(f"{base}/token", data=poll)).json()["error"] == "authorization_pending"
    assert (await login.post(f"{base}/token", data=poll)).json()["error"] == "slow_down"
    fake.advance(5)
    assert (await login.post(f"{base}/token", data=poll)).json()["error"] == "authorization_pending"
    fake.state.apps[fake.CLIENT_ID].consented = False
    fake.approve_device_code(started["user_code"], "reception@acme.example")
    assert_aadsts(await login.post(f"{base}/token", data=poll), 400, "invalid_grant", 65001)


# -- msal against the fake, for real, over HTTPS --------------------------------------------------------

def _msal_app(url: str, ca_bundle: str, secret: str):
    import msal
    import requests

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=; trust exactly the test CA
    session.verify = ca_bundle
    return msal.ConfidentialClientApplication(
        FakeGraph.CLIENT_ID, client_credential=secret, authority=f"{url}/{FakeGraph.TENANT}",
        instance_discovery=False, http_client=session, verify=ca_bundle)


def test_msal_acquires_a_token_by_client_credentials_over_https(fake):
    with serve_https(fake) as (url, ca_bundle):
        result = _msal_app(url, ca_bundle, fake.CLIENT_SECRET).acquire_token_for_client(scopes=[GRAPH_SCOPE])
        assert "access_token" in result, result
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_bundle)) as client:
            me = client.get(f"{url}/v1.0/users/reception@acme.example",
                            headers={"Authorization": f"Bearer {result['access_token']}"})
    assert me.status_code == 200 and me.json()["displayName"] == "Rita Reception"


def test_msal_surfaces_aadsts_7000215_for_a_wrong_secret_and_refuses_an_unknown_tenant(fake):
    with serve_https(fake) as (url, ca_bundle):
        result = _msal_app(url, ca_bundle, "wrong").acquire_token_for_client(scopes=[GRAPH_SCOPE])
        import msal
        import requests

        session = requests.Session()
        session.trust_env = False
        session.verify = ca_bundle
        with pytest.raises(ValueError):
            msal.ConfidentialClientApplication(FakeGraph.CLIENT_ID, client_credential="x",
                                               authority=f"{url}/nowhere.example", instance_discovery=False,
                                               http_client=session)
    assert result["error"] == "invalid_client" and 7000215 in result["error_codes"]
    assert result["error_description"].startswith("AADSTS7000215")
