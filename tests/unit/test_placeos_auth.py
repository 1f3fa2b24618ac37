"""PlaceOS credentials: X-API-Key, the OAuth password grant, renewal, the 0600 token cache."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from urllib.parse import parse_qs

import httpx
import pytest

from staffterm.backends.placeos.auth import ApiKeyAuth, PasswordGrantAuth, cache_key
from staffterm.backends.placeos.wire_errors import placeos_error
from staffterm.errors import AuthError
from staffterm.http.client import HttpClient, RetryPolicy
from staffterm.http.token_cache import TokenCache, default_token_cache

BASE = "https://placeos.example.com"
PASSWORD = "correct horse battery staple"
SECRET = "client-secret-value"


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Server:
    """A tiny PlaceOS: issues tokens t1, t2, … (expires_in seconds) and accepts only the latest."""

    def __init__(self, *, expires_in: int | None = 3600, refresh_ok: bool = True, password: str = PASSWORD) -> None:
        self.expires_in = expires_in
        self.refresh_ok = refresh_ok
        self.password = password
        self.token_forms: list[dict[str, str]] = []
        self.api_tokens: list[str | None] = []
        self.valid: set[str] = set()
        self.issued = 0
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            if self.delay:
                await asyncio.sleep(self.delay)
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.token_forms.append(form)
            if form["grant_type"] == "password" and form.get("password") != self.password:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad credentials"})
            if form["grant_type"] == "refresh_token" and not self.refresh_ok:
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.issued += 1
            token = f"t{self.issued}"
            self.valid = {token}
            body = {"access_token": token, "refresh_token": f"r{self.issued}", "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return httpx.Response(200, json=body)
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        self.api_tokens.append(token)
        if request.headers.get("x-api-key") == "good-key" or (token and token in self.valid):
            return httpx.Response(200, json={"id": "zone-1"})
        return httpx.Response(401, json={"error": "token expired"})


def make_http(server, auth) -> HttpClient:
    async def no_sleep(_s: float) -> None:
        return None

    return HttpClient(
        base_url=BASE, provider="PlaceOS", auth=auth, error_mapper=placeos_error,
        transport=httpx.MockTransport(server), retry=RetryPolicy(max_attempts=2), sleep=no_sleep,
    )


def grant(clock=None, cache=None, **kw) -> PasswordGrantAuth:
    return PasswordGrantAuth(
        base_url=BASE, username="desk@example.com", password=PASSWORD, client_id="cid",
        clock=clock or FakeClock(), cache=cache, **kw,
    )


# --------------------------------------------------------------------------- API key


async def test_api_key_is_sent_and_a_refused_key_is_named_without_its_value():
    server = Server()
    http = make_http(server, ApiKeyAuth("good-key"))
    assert (await http.get_json("/api/engine/v2/zones/zone-1"))["id"] == "zone-1"

    bad = make_http(server, ApiKeyAuth("wrong-key-123"))
    with pytest.raises(AuthError) as caught:
        await bad.get_json("/api/engine/v2/zones/zone-1")
    assert "refused the API key for placeos.example.com" in str(caught.value)
    assert "api_key" in caught.value.hint and "staffterm config show" in caught.value.hint
    assert "wrong-key-123" not in str(caught.value)
    assert await ApiKeyAuth("k").refresh(bad) is False
    assert "k" not in repr(ApiKeyAuth("secret-k")).replace("ApiKeyAuth(<key>)", "")


def test_an_empty_api_key_is_a_clear_error():
    with pytest.raises(AuthError, match="api_key is empty"):
        ApiKeyAuth("  ")


# --------------------------------------------------------------------------- password grant


async def test_password_grant_sends_the_oauth_form_and_uses_the_bearer_token():
    server = Server()
    auth = grant(client_secret=SECRET, redirect_uri="https://desk.example.com/oauth")
    http = make_http(server, auth)
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert server.token_forms == [{
        "grant_type": "password", "username": "desk@example.com", "password": PASSWORD, "client_id": "cid",
        "client_secret": SECRET, "redirect_uri": "https://desk.example.com/oauth", "scope": "public",
    }]
    assert server.api_tokens == ["t1"]
    # Every secret and token was handed to the HTTP layer for redaction.
    assert http.redact(f"{PASSWORD} {SECRET} t1 r1") == "*** *** *** ***"
    assert PASSWORD not in repr(auth)


async def test_optional_form_fields_are_left_out():
    server = Server()
    http = make_http(server, grant())
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert set(server.token_forms[0]) == {"grant_type", "username", "password", "client_id", "scope"}


async def test_token_is_renewed_with_the_refresh_grant_before_it_expires():
    clock = FakeClock()
    server = Server(expires_in=3600)
    http = make_http(server, grant(clock))
    await http.get_json("/api/engine/v2/zones/zone-1")
    clock.now += 3600 - 300 - 1  # still outside the 300 s margin
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert len(server.token_forms) == 1
    clock.now += 2  # inside the margin: renewed before the server would refuse it
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert [f["grant_type"] for f in server.token_forms] == ["password", "refresh_token"]
    assert server.token_forms[1]["refresh_token"] == "r1"
    assert server.api_tokens == ["t1", "t1", "t2"]


async def test_a_refused_refresh_falls_back_to_the_password_grant():
    clock = FakeClock()
    server = Server(refresh_ok=False)
    http = make_http(server, grant(clock))
    await http.get_json("/api/engine/v2/zones/zone-1")
    clock.now += 3600
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert [f["grant_type"] for f in server.token_forms] == ["password", "refresh_token", "password"]
    assert server.api_tokens[-1] == "t2"


async def test_a_token_without_expiry_is_kept_until_refused():
    clock = FakeClock()
    server = Server(expires_in=None)
    http = make_http(server, grant(clock))
    await http.get_json("/api/engine/v2/zones/zone-1")
    clock.now += 10 * 86400
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert len(server.token_forms) == 1


async def test_a_401_renews_the_token_once_and_retries():
    server = Server()
    auth = grant()
    http = make_http(server, auth)
    await http.get_json("/api/engine/v2/zones/zone-1")
    server.valid = set()  # the server forgets the session (logout elsewhere, key rotation)
    server.issued = 1
    result = await http.get_json("/api/engine/v2/zones/zone-1")
    assert result == {"id": "zone-1"}
    assert server.api_tokens == ["t1", "t1", "t2"]
    assert auth.fetches == 2


async def test_a_401_after_renewal_is_an_auth_error_and_not_a_loop():
    server = Server()

    async def always_401(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            return await server(request)
        server.api_tokens.append(request.headers.get("authorization"))
        return httpx.Response(401, json={"error": "token expired"})

    auth = grant()
    http = make_http(always_401, auth)
    with pytest.raises(AuthError) as caught:
        await http.get_json("/api/engine/v2/zones/zone-1")
    assert "session expired or was refused" in str(caught.value)
    assert len(server.api_tokens) == 2  # one try, one retry after one renewal
    assert auth.fetches == 2
    assert "t1" not in str(caught.value) and "t2" not in str(caught.value)


async def test_concurrent_requests_share_one_token_fetch():
    server = Server()
    server.delay = 0.01
    auth = grant()
    http = make_http(server, auth)
    await asyncio.gather(*(http.get_json("/api/engine/v2/zones/zone-1") for _ in range(10)))
    assert len(server.token_forms) == 1
    assert server.api_tokens == ["t1"] * 10


async def test_concurrent_401s_share_one_renewal():
    server = Server()
    server.delay = 0.01
    auth = grant()
    http = make_http(server, auth)
    await http.get_json("/api/engine/v2/zones/zone-1")
    server.valid = set()
    await asyncio.gather(*(http.get_json("/api/engine/v2/zones/zone-1") for _ in range(5)))
    assert len(server.token_forms) == 2  # the first sign-in and one renewal for all five
    assert server.api_tokens[-5:] == ["t2"] * 5


async def test_wrong_password_is_a_plain_auth_error_without_the_password():
    server = Server(password="something else")
    http = make_http(server, grant())
    with pytest.raises(AuthError) as caught:
        await http.get_json("/api/engine/v2/zones/zone-1")
    assert "refused the username or password for placeos.example.com" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert server.api_tokens == []  # nothing was sent to the API without a token


async def test_invalid_client_names_the_client_id():
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    with pytest.raises(AuthError, match="refused the client_id"):
        await make_http(handler, grant()).get_json("/api/engine/v2/zones/zone-1")


async def test_a_token_reply_without_a_token_says_so():
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>proxy login</html>")

    from staffterm.errors import UnavailableError

    with pytest.raises(UnavailableError, match="without a token"):
        await make_http(handler, grant()).get_json("/api/engine/v2/zones/zone-1")


def test_missing_credentials_are_named():
    with pytest.raises(AuthError, match="password"):
        PasswordGrantAuth(base_url=BASE, username="u", password="", client_id="c")


async def test_tokens_never_reach_the_log(caplog):
    caplog.set_level(logging.DEBUG)
    server = Server()
    http = make_http(server, grant())
    await http.get_json("/api/engine/v2/zones/zone-1")
    assert "t1" not in [w for r in caplog.records for w in r.getMessage().split()]
    assert PASSWORD not in caplog.text


# --------------------------------------------------------------------------- token cache


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_cache_file_is_0600_and_reused_by_a_new_instance(tmp_path):
    cache = TokenCache(tmp_path / "tokens")
    server = Server()
    await make_http(server, grant(cache=cache)).get_json("/api/engine/v2/zones/zone-1")
    files = list((tmp_path / "tokens").iterdir())
    assert len(files) == 1
    assert _mode(files[0]) == 0o600
    assert PASSWORD not in files[0].read_text()
    assert "desk@example.com" not in files[0].name
    # A new process (new auth object, same cache): no sign-in needed.
    second = grant(cache=TokenCache(tmp_path / "tokens"))
    await make_http(server, second).get_json("/api/engine/v2/zones/zone-1")
    assert len(server.token_forms) == 1
    assert second.fetches == 0
    assert server.api_tokens == ["t1", "t1"]


async def test_an_expired_cached_token_is_refreshed(tmp_path):
    clock = FakeClock()
    cache = TokenCache(tmp_path)
    server = Server()
    await make_http(server, grant(clock, cache)).get_json("/api/engine/v2/zones/zone-1")
    clock.now += 7200
    await make_http(server, grant(clock, TokenCache(tmp_path))).get_json("/api/engine/v2/zones/zone-1")
    assert [f["grant_type"] for f in server.token_forms] == ["password", "refresh_token"]
    saved = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert saved["access_token"] == "t2"


async def test_a_loose_cache_file_is_tightened(tmp_path):
    cache = TokenCache(tmp_path)
    auth = grant(cache=cache)
    path = cache.path(auth.cache_key)
    path.write_text(json.dumps({"access_token": "t1", "credentials": auth.credentials_fingerprint}))
    os.chmod(path, 0o644)
    server = Server()
    server.valid = {"t1"}
    await make_http(server, auth).get_json("/api/engine/v2/zones/zone-1")
    assert _mode(path) == 0o600
    assert server.token_forms == []


@pytest.mark.parametrize("content", ["{not json", "[]", '{"access_token": ""}', "\x00\x01"])
async def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path, content, caplog):
    cache = TokenCache(tmp_path)
    auth = grant(cache=cache)
    path = cache.path(auth.cache_key)
    path.write_text(content)
    server = Server()
    await make_http(server, auth).get_json("/api/engine/v2/zones/zone-1")
    assert len(server.token_forms) == 1
    assert json.loads(path.read_text())["access_token"] == "t1"
    assert _mode(path) == 0o600


async def test_a_refused_cached_token_is_dropped_and_replaced(tmp_path):
    cache = TokenCache(tmp_path)
    auth = grant(cache=cache)
    cache.save(auth.cache_key, {"access_token": "stale", "expires_at": 2e9, "credentials": auth.credentials_fingerprint})
    server = Server()
    await make_http(server, auth).get_json("/api/engine/v2/zones/zone-1")
    assert server.api_tokens == ["stale", "t1"]
    assert cache.load(auth.cache_key)["access_token"] == "t1"


def test_cache_key_depends_on_site_user_and_client():
    a = cache_key(BASE, "desk@example.com", "cid")
    assert a == cache_key(BASE + "/", "Desk@Example.com", "cid")
    assert a != cache_key("https://other.example.com", "desk@example.com", "cid")
    assert a != cache_key(BASE, "other@example.com", "cid")
    assert a != cache_key(BASE, "desk@example.com", "cid2")


def test_the_credentials_fingerprint_changes_with_the_password_and_secret_and_holds_neither():
    one = PasswordGrantAuth(base_url=BASE, username="u", password="p1-distinctive", client_id="c")
    same = PasswordGrantAuth(base_url=BASE + "/", username="u", password="p1-distinctive", client_id="c")
    two = PasswordGrantAuth(base_url=BASE, username="u", password="p2-distinctive", client_id="c")
    secret = PasswordGrantAuth(base_url=BASE, username="u", password="p1-distinctive", client_id="c",
                               client_secret="s-distinctive")
    assert one.credentials_fingerprint == same.credentials_fingerprint
    assert len({one.credentials_fingerprint, two.credentials_fingerprint, secret.credentials_fingerprint}) == 3
    for auth in (one, two, secret):
        assert "distinctive" not in auth.credentials_fingerprint + auth.cache_key


async def test_a_wrong_password_never_reuses_the_session_of_the_right_one(tmp_path):
    server = Server()
    right = grant(cache=TokenCache(tmp_path))
    await make_http(server, right).get_json("/api/engine/v2/zones/zone-1")
    assert server.token_forms[-1]["grant_type"] == "password"
    cached = next(tmp_path.glob("*.json")).read_text()
    assert "t1" in cached and PASSWORD not in cached

    wrong = PasswordGrantAuth(base_url=BASE, username="desk@example.com", password="not the password",
                              client_id="cid", clock=FakeClock(), cache=TokenCache(tmp_path))
    with pytest.raises(AuthError, match="refused the username or password"):
        await make_http(server, wrong).get_json("/api/engine/v2/zones/zone-1")
    # The cached session was not sent: only the right password's own request carried t1.
    assert server.api_tokens == ["t1"]
    assert server.token_forms[-1] == {**server.token_forms[-1], "grant_type": "password", "password": "not the password"}
    # Changed credentials drop the session cached for the old ones.
    assert TokenCache(tmp_path).load(right.cache_key) is None


async def test_a_changed_client_secret_does_not_reuse_the_cached_session(tmp_path):
    server = Server()
    await make_http(server, grant(cache=TokenCache(tmp_path), client_secret=SECRET)).get_json("/api/engine/v2/zones/zone-1")
    other = grant(cache=TokenCache(tmp_path), client_secret="another-secret")
    await make_http(server, other).get_json("/api/engine/v2/zones/zone-1")
    assert other.fetches == 1  # signed in with its own credentials, not the cached token
    assert [f["client_secret"] for f in server.token_forms] == [SECRET, "another-secret"]


async def test_a_session_cached_without_a_fingerprint_is_not_trusted(tmp_path):
    # Caches written before the fingerprint existed could belong to any password.
    cache = TokenCache(tmp_path)
    auth = grant(cache=cache)
    cache.path(auth.cache_key).parent.mkdir(parents=True, exist_ok=True)
    cache.path(auth.cache_key).write_text(json.dumps({"access_token": "legacy", "expires_at": 2e9}))
    server = Server()
    await make_http(server, auth).get_json("/api/engine/v2/zones/zone-1")
    assert server.api_tokens == ["t1"] and auth.fetches == 1


def test_cache_clear_and_key_validation(tmp_path):
    cache = TokenCache(tmp_path)
    cache.save("abc", {"access_token": "x"})
    assert cache.load("abc") == {"access_token": "x"}
    cache.clear("abc")
    cache.clear("abc")  # clearing twice is fine
    assert cache.load("abc") is None
    with pytest.raises(ValueError):
        cache.path("../escape")


def test_default_cache_lives_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path))
    assert default_token_cache().directory == tmp_path / "tokens"
