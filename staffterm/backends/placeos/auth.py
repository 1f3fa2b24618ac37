"""PlaceOS credentials: an ``X-API-Key`` or an OAuth password grant with a cached token.

Both classes implement ``staffterm.http.client.HttpAuth``. The password grant fetches a token from
``/auth/oauth/token`` (scope ``public``), renews it ``refresh_margin`` seconds before it expires
(refresh grant first, the password grant if the refresh is refused), and after a 401 fetches a
new one once. Concurrent requests share one fetch (an ``asyncio.Lock``), so twenty screens
starting at once do not sign in twenty times.

Tokens are cached in ``<data dir>/tokens/<hash>.json`` with mode 0600, one file per account
(a hash of base URL, username and client id), so a new process reuses the session. Each cached
session also carries a fingerprint of the credentials that signed it in (a SHA-256 of the
account, the password and the client secret, never the secrets themselves): a session is reused
only by the same credentials, and is dropped as soon as they change, so a tenant with a wrong
password fails to sign in instead of riding on another sign-in's tokens.
Every password, secret and token is handed to ``HttpClient.add_secret`` so none can appear in a
log line or an error message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from staffterm.errors import AuthError, UnavailableError
from staffterm.http.token_cache import TokenCache

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient

log = logging.getLogger("staffterm.placeos")

TOKEN_PATH = "/auth/oauth/token"
# (auth object id, access token) last sent by the current task's request.
_SENT_TOKEN: ContextVar[tuple[int, str] | None] = ContextVar("staffterm_placeos_sent_token", default=None)


class ApiKeyAuth:
    """``X-API-Key`` on every request; a refused key cannot be renewed (``refresh`` is False)."""

    kind = "api_key"

    def __init__(self, api_key: str) -> None:
        if not api_key or not api_key.strip():
            raise AuthError("the PlaceOS api_key is empty", hint="Set api_key in the tenant's settings (staffterm config show)")
        self._api_key = api_key.strip()

    def __repr__(self) -> str:  # never the key
        return "ApiKeyAuth(<key>)"

    async def headers(self, http: HttpClient) -> dict[str, str]:
        http.add_secret(self._api_key)
        return {"X-API-Key": self._api_key}

    async def refresh(self, http: HttpClient) -> bool:
        return False


def cache_key(base_url: str, username: str, client_id: str) -> str:
    """The token cache's file key: a hash of who signs in where (the account, not its secrets)."""
    material = "\n".join((base_url.rstrip("/").lower(), username.strip().lower(), client_id))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def credentials_fingerprint(base_url: str, username: str, client_id: str, password: str,
                            client_secret: str | None = None) -> str:
    """A hash of everything that signs in, stored with a cached session: a session is only
    reused by the very credentials that obtained it. The secrets go in hashed, never as text."""
    # JSON of a list keeps the parts apart whatever characters a password holds.
    material = json.dumps(
        ["staffterm-placeos-credentials-v1", base_url.rstrip("/").lower(), username.strip().lower(),
         client_id, password, client_secret or ""],
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class PasswordGrantAuth:
    """OAuth resource-owner password grant against PlaceOS auth, as the PlaceOS clients do it."""

    kind = "password"

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str,
        client_id: str,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        scope: str = "public",
        cache: TokenCache | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 300.0,
    ) -> None:
        missing = [name for name, value in (("username", username), ("password", password), ("client_id", client_id)) if not value]
        if missing:
            raise AuthError(
                f"PlaceOS sign-in needs {', '.join(missing)}",
                hint="Set username, password and client_id (or api_key) in the tenant's settings (staffterm config show)",
            )
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.client_id = client_id
        self._client_secret = client_secret or None
        self.redirect_uri = redirect_uri or None
        self.scope = scope
        self.cache = cache
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.cache_key = cache_key(self.base_url, username, client_id)
        self.credentials_fingerprint = credentials_fingerprint(
            self.base_url, username, client_id, password, self._client_secret
        )
        self._token: dict[str, Any] | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # token requests made (password or refresh grant); for tests and diagnostics

    def __repr__(self) -> str:  # never the password or a token
        return f"PasswordGrantAuth(base_url={self.base_url!r}, username={self.username!r}, client_id={self.client_id!r})"

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[-1].split("/", 1)[0]

    # ----------------------------------------------------------------- HttpAuth

    async def headers(self, http: HttpClient) -> dict[str, str]:
        self._register_secrets(http)
        token = self._token
        if token is None or self._expiring(token):
            async with self._lock:
                # Another caller may have fetched while we waited for the lock.
                if self._token is None:
                    self._token = self._from_cache()
                    self._register_secrets(http)
                if self._token is None or self._expiring(self._token):
                    await self._renew(http)
            token = self._token
        assert token is not None
        # Remember, for this request's task only, which token it carried: a 401 refuses *that* one.
        _SENT_TOKEN.set((id(self), token["access_token"]))
        return {"Authorization": f"Bearer {token['access_token']}"}

    async def refresh(self, http: HttpClient) -> bool:
        """After a 401: get a new token once (shared by every request that saw the same 401)."""
        sent = _SENT_TOKEN.get(None)
        if sent is not None and sent[0] == id(self):
            refused = sent[1]
        else:
            refused = self._token["access_token"] if self._token else None
        async with self._lock:
            current = self._token["access_token"] if self._token else None
            if current is not None and current != refused:
                return True  # another request renewed it while we waited
            if self.cache is not None:
                self.cache.clear(self.cache_key)
            await self._renew(http)
            return True

    # ----------------------------------------------------------------- internals

    def _register_secrets(self, http: HttpClient) -> None:
        http.add_secret(self._password)
        if self._client_secret:
            http.add_secret(self._client_secret)
        if self._token:
            http.add_secret(self._token.get("access_token"))
            http.add_secret(self._token.get("refresh_token"))

    def _expiring(self, token: dict[str, Any]) -> bool:
        expires_at = token.get("expires_at")
        if not isinstance(expires_at, (int, float)):
            return False  # no expiry given: used until the server refuses it (then a 401 renews it)
        return self.clock() >= expires_at - self.refresh_margin

    def _from_cache(self) -> dict[str, Any] | None:
        if self.cache is None:
            return None
        token = self.cache.load(self.cache_key)
        if token is None:
            return None
        if token.get("credentials") != self.credentials_fingerprint:
            # Signed in with other credentials (a changed or wrong password or client secret, or
            # a cache written before fingerprints): never reused, and dropped, since whoever holds
            # the credentials it was issued to can sign in again.
            log.info("the PlaceOS credentials for %s changed since the session was cached; signing in again", self.host)
            self.cache.clear(self.cache_key)
            return None
        return token

    async def _renew(self, http: HttpClient) -> None:
        old = self._token
        if old and old.get("refresh_token") and await self._refresh_grant(http, old["refresh_token"]):
            return
        await self._password_grant(http)

    def _form(self, grant: dict[str, str]) -> dict[str, str]:
        form = dict(grant)
        form["client_id"] = self.client_id
        if self._client_secret:
            form["client_secret"] = self._client_secret
        if self.redirect_uri:
            form["redirect_uri"] = self.redirect_uri
        form["scope"] = self.scope
        return form

    async def _post_token(self, http: HttpClient, form: dict[str, str]):
        self.fetches += 1
        # A token request has no side effect worth protecting: retrying it on 503 is safe.
        return await http.request(
            "POST", f"{self.base_url}{TOKEN_PATH}", data=form, use_auth=False, idempotent=True,
            allow_status=(400, 401, 403),
        )

    async def _refresh_grant(self, http: HttpClient, refresh_token: str) -> bool:
        http.add_secret(refresh_token)
        response = await self._post_token(http, self._form({"grant_type": "refresh_token", "refresh_token": refresh_token}))
        if response.status_code >= 400:
            log.info("PlaceOS refused to refresh the session (HTTP %d); signing in again", response.status_code)
            return False
        self._accept(http, response)
        return True

    async def _password_grant(self, http: HttpClient) -> None:
        form = self._form({"grant_type": "password", "username": self.username, "password": self._password})
        response = await self._post_token(http, form)
        if response.status_code >= 400:
            raise self._refused(response)
        self._accept(http, response)

    def _refused(self, response) -> AuthError:
        code = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                code = str(body.get("error") or "")
        except ValueError:
            pass
        if code == "invalid_client":
            return AuthError(
                f"PlaceOS refused the client_id for {self.host}",
                hint="Check client_id (and client_secret / redirect_uri) in the tenant's settings (staffterm config show)",
            )
        if code in ("invalid_scope", "unauthorized_client"):
            return AuthError(
                f"PlaceOS does not allow this application to sign in with a password at {self.host} ({code})",
                hint="Ask a PlaceOS admin to enable the password grant and the 'public' scope for this client_id",
            )
        return AuthError(
            f"PlaceOS refused the username or password for {self.host}",
            hint="Check username and password in the tenant's settings (staffterm config show)",
        )

    def _accept(self, http: HttpClient, response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise UnavailableError(
                f"PlaceOS at {self.host} answered the sign-in without a token",
                hint="Check base_url: it may point at a proxy or web page instead of PlaceOS",
            )
        token: dict[str, Any] = {
            "access_token": body["access_token"],
            "token_type": body.get("token_type") or "Bearer",
        }
        if isinstance(body.get("refresh_token"), str) and body["refresh_token"]:
            token["refresh_token"] = body["refresh_token"]
        elif self._token and self._token.get("refresh_token"):
            token["refresh_token"] = self._token["refresh_token"]  # servers may keep the old refresh token valid
        expires_in = body.get("expires_in")
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
            token["expires_at"] = self.clock() + float(expires_in)
        http.add_secret(token["access_token"])
        http.add_secret(token.get("refresh_token"))
        token["credentials"] = self.credentials_fingerprint
        self._token = token
        if self.cache is not None:
            try:
                self.cache.save(self.cache_key, token)
            except OSError as exc:
                # Not fatal: this session works, the next one signs in again.
                log.warning("could not cache the PlaceOS session: %s", exc.strerror or type(exc).__name__)
