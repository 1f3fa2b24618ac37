"""Signing in to Microsoft 365: app-only client credentials or delegated device code (msal), or
an access token printed by ``token_command``. Each class implements ``backends.http.HttpAuth``.

msal is synchronous (requests underneath) and even its constructor does network I/O (OIDC
discovery of the tenant), so every msal call runs in a worker thread (``asyncio.to_thread``)
and never blocks the event loop. One ``asyncio.Lock`` per auth: twenty screens starting at once
ask msal once. The access token is kept in memory until five minutes before it expires.

msal's token cache is persisted in ``<data dir>/tokens/graph-<hash>.json``, mode 0600, where the
hash covers the authority host, tenant, client id and the client secret (hashed, never stored):
a changed secret finds no cache and signs in again, so a wrong new secret fails at once instead
of riding on a token the old one obtained.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from staffterm.backends.graph.aadsts import SIGN_IN_COMMAND, busy_error, sign_in_error
from staffterm.errors import AuthError, ConfigError, StafftermError, ThrottledError, UnavailableError
from staffterm.http.token_cache import read_private_text, write_private_text

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient

log = logging.getLogger("staffterm.graph")

# Hosts msal knows (msal/authority.py WELL_KNOWN_AUTHORITY_HOSTS); any other host (a test server,
# a private endpoint) needs instance discovery off, or msal asks the public cloud about it first.
KNOWN_AUTHORITY_HOSTS = frozenset({
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
    "login.microsoftonline.us", "login-us.microsoftonline.com", "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
})
# The delegated permissions of the app registration steps, qualified to the tenant's Graph host
# (a national cloud's tokens are for its own Graph). msal adds openid/profile/offline_access.
DELEGATED_PERMISSIONS = ("Calendars.ReadWrite", "Calendars.ReadWrite.Shared", "User.Read.All", "Group.Read.All",
                         "Place.Read.All", "Mail.Send")
RENEW_MARGIN = 300.0  # seconds before expiry at which a token is renewed
MAX_POLL_OUTAGES = 3  # device-code polls in a row the platform may answer 429/5xx before we give up


class _WithholdTokenReplies(logging.Filter):
    """msal logs a token reply it cannot parse with its body (msal/oauth2cli/oauth2.py,
    _obtain_token: "Token response is not in json format: %s"). A reply cut off on the way is
    such a body, and it carries the access (or refresh) token: the record keeps its words and its
    traceback, never the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Token response is not in json format"):
            record.msg, record.args = "Token response is not in json format (body withheld: it may carry tokens)", ()
        return True


logging.getLogger("msal.oauth2cli.oauth2").addFilter(_WithholdTokenReplies())


def cache_fingerprint(authority_host: str, tenant: str, client_id: str, secret: str | None, mode: str) -> str:
    """The token cache's file key: who signs in where, and with which secret (hashed)."""
    material = json.dumps(["staffterm-graph-cache-v1", authority_host.rstrip("/").lower(), tenant.lower(),
                           client_id, secret or "", mode], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class _PersistedCache:
    """msal's ``SerializableTokenCache``, loaded from and saved to one private file."""

    def __init__(self, path: Path | None) -> None:
        import msal

        self.path = path
        self.cache = msal.SerializableTokenCache()
        if path is not None:
            text = read_private_text(path)
            if text:
                try:
                    self.cache.deserialize(text)
                except ValueError:
                    log.warning("ignoring a corrupt Microsoft token cache %s; it will be replaced", path)

    def save(self) -> None:
        if self.path is not None and self.cache.has_state_changed:
            write_private_text(self.path, self.cache.serialize())
            self.cache.has_state_changed = False

    def forget_access_tokens(self) -> None:
        import msal

        # Listed first: ``search`` is a generator over msal's own dict, which ``remove_at`` changes.
        for item in list(self.cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            self.cache.remove_at(item)
        self.save()


class _MsalAuth:
    """What app-only and device-code sign-in share: the msal app built off the loop, the token
    kept in memory, a 401 handled by dropping the cached token once."""

    kind = "msal"

    def __init__(self, *, authority_host: str, tenant: str, client_id: str, graph_url: str,
                 cache_dir: Path | None, secret: str | None, session: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.authority_host = authority_host.rstrip("/")
        self.tenant = tenant
        self.client_id = client_id
        self.graph_url = graph_url.rstrip("/")
        self._secret = secret
        self._session = session
        self._clock = clock
        key = cache_fingerprint(self.authority_host, tenant, client_id, secret, self.kind)
        self._cache_path = (cache_dir / f"graph-{key}.json") if cache_dir is not None else None
        self._cache: _PersistedCache | None = None
        self._app: Any = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never the secret or the token
        return f"{type(self).__name__}({self.authority_host}/{self.tenant}, client {self.client_id})"

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant}"

    def _app_kwargs(self) -> dict[str, Any]:
        from urllib.parse import urlsplit

        from staffterm.backends.graph.identity_http import OutageAwareSession

        kwargs: dict[str, Any] = {"authority": self.authority, "token_cache": self._cache.cache,  # type: ignore[union-attr]
                                  "http_client": OutageAwareSession(self._session)}
        if (urlsplit(self.authority_host).hostname or "").lower() not in KNOWN_AUTHORITY_HOSTS:
            kwargs["instance_discovery"] = False
        return kwargs

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # in a worker thread
        """An msal call, with the identity platform's outages said as such (retry later)."""
        from staffterm.backends.graph.identity_http import IdentityPlatformBusy

        try:
            return method(*args, **kwargs)
        except IdentityPlatformBusy as exc:
            raise busy_error(exc.status, exc.retry_after, exc.body) from None

    def _build_app(self) -> Any:  # in a worker thread
        raise NotImplementedError

    def _ensure_app(self) -> Any:  # in a worker thread
        if self._app is None:
            self._cache = _PersistedCache(self._cache_path)
            try:
                self._app = self._call(self._build_app)
            except StafftermError:
                self._cache = None
                raise
            except ValueError as exc:
                # msal raises ValueError when the tenant's OIDC discovery fails: the identity
                # platform answers 400 AADSTS90002 for a tenant it does not know.
                raise sign_in_error({"error_codes": [90002], "error_description": str(exc)},
                                    tenant=self.tenant) from None
            except Exception as exc:  # requests' connection errors, TLS failures
                raise UnavailableError(f"cannot reach the Microsoft sign-in service at {self.authority_host}: "
                                       f"{type(exc).__name__}",
                                       hint="Check authority_host and this machine's network.") from None
        return self._app

    def _acquire(self) -> dict[str, Any]:  # in a worker thread
        raise NotImplementedError

    def _acquire_checked(self) -> dict[str, Any]:  # in a worker thread
        self._ensure_app()
        try:
            result = self._call(self._acquire)
        except StafftermError:
            raise
        except Exception as exc:
            raise UnavailableError(f"signing in to Microsoft at {self.authority_host} failed: {type(exc).__name__}",
                                   hint="Check authority_host and this machine's network.") from None
        finally:
            if self._cache is not None:
                self._cache.save()
        if not isinstance(result, dict) or "access_token" not in result:
            raise sign_in_error(result or {}, tenant=self.tenant)
        return result

    async def token(self, http: HttpClient | None = None) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at - RENEW_MARGIN:
                result = await asyncio.to_thread(self._acquire_checked)
                self._token = str(result["access_token"])
                self._expires_at = self._clock() + float(result.get("expires_in") or 3600)
            if http is not None:
                http.add_secret(self._token)
            return self._token

    async def headers(self, http: HttpClient) -> dict[str, str]:
        if self._secret:
            http.add_secret(self._secret)
        return {"Authorization": f"Bearer {await self.token(http)}"}

    async def refresh(self, http: HttpClient) -> bool:
        async with self._lock:
            self._token = None
            if self._cache is not None:
                await asyncio.to_thread(self._cache.forget_access_tokens)
        return True


class ClientCredentialsAuth(_MsalAuth):
    """App-only: ``ConfidentialClientApplication.acquire_token_for_client`` with ``<graph>/.default``
    (msal checks its cache before asking the identity platform, since msal 1.23)."""

    kind = "app"

    def _build_app(self) -> Any:
        import msal

        return msal.ConfidentialClientApplication(self.client_id, client_credential=self._secret,
                                                  **self._app_kwargs())

    def _acquire(self) -> dict[str, Any]:
        return self._app.acquire_token_for_client(scopes=[f"{self.graph_url}/.default"])


class DeviceCodeAuth(_MsalAuth):
    """Delegated: an admin signs in as themselves with a code shown in the console or the CLI
    (``sign_in``); afterwards msal renews silently from its cached refresh token."""

    kind = "device_code"

    @property
    def scopes(self) -> list[str]:
        return [f"{self.graph_url}/{name}" for name in DELEGATED_PERMISSIONS]

    def _build_app(self) -> Any:
        import msal

        return msal.PublicClientApplication(self.client_id, **self._app_kwargs())

    def _acquire(self) -> dict[str, Any]:
        accounts = self._app.get_accounts()
        result = self._app.acquire_token_silent(self.scopes, account=accounts[0]) if accounts else None
        if not result:
            raise AuthError("nobody is signed in to this Microsoft 365 tenant on this machine",
                            hint=f"Sign in with: {SIGN_IN_COMMAND} (a code to enter at the shown URL)")
        return result

    async def sign_in(self, show: Callable[[str, str, str], Any], *,
                      sleep: Callable[[float], Any] = asyncio.sleep) -> str:
        """Start a device-code sign-in, ``show(user_code, verification_uri, message)``, then poll
        until the user has signed in (or the code expires). Returns the account's name.

        msal's own polling blocks until done; with ``exit_condition`` answering True it polls
        once and returns, so we poll from here and wait with the loop's sleep in between."""
        await asyncio.to_thread(self._ensure_app)
        flow = await asyncio.to_thread(self._call, self._app.initiate_device_flow, scopes=self.scopes)
        if "user_code" not in flow:
            raise sign_in_error(flow, tenant=self.tenant)
        shown = show(flow["user_code"], flow.get("verification_uri", ""), flow.get("message", ""))
        if asyncio.iscoroutine(shown):
            await shown
        interval = float(flow.get("interval") or 5)
        outages = 0
        while True:
            try:
                result = await asyncio.to_thread(self._call, self._app.acquire_token_by_device_flow, flow,
                                                 exit_condition=lambda _flow: True)
            except (ThrottledError, UnavailableError) as exc:
                # The code stays valid while the platform is busy: wait as told and poll again,
                # but not forever (the code expires anyway; a platform down for a few polls is said).
                outages += 1
                if outages > MAX_POLL_OUTAGES:
                    raise
                await sleep(max(interval, getattr(exc, "retry_after", None) or interval))
                continue
            outages = 0
            error = result.get("error") if isinstance(result, dict) else None
            if isinstance(result, dict) and "access_token" in result:
                break
            if error not in ("authorization_pending", "slow_down"):
                raise sign_in_error(result or {}, tenant=self.tenant)
            await sleep(interval)
        await asyncio.to_thread(self._cache.save)  # type: ignore[union-attr]
        async with self._lock:
            self._token = str(result["access_token"])
            self._expires_at = self._clock() + float(result.get("expires_in") or 3600)
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or claims.get("name") or "the signed-in account")


class TokenCommandAuth:
    """An access token printed by a command (``token_command``), for admins who already have one.
    Run in a worker thread; run again once after a 401 (the token may have expired)."""

    kind = "token_command"

    def __init__(self, command: Any) -> None:
        self._command = command  # a SecretRef: a command, or an env/file reference
        self._token: str | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return "TokenCommandAuth(<command>)"

    async def _run(self) -> str:
        try:
            token = (await asyncio.to_thread(self._command.resolve)).strip()
        except ConfigError as exc:
            raise ConfigError(f"token_command failed: {exc.message}", key="token_command", hint=exc.hint) from None
        if not token or any(ch.isspace() for ch in token):
            raise ConfigError("token_command did not print an access token (one line, no spaces)",
                              key="token_command")
        return token

    async def headers(self, http: HttpClient) -> dict[str, str]:
        async with self._lock:
            if self._token is None:
                self._token = await self._run()
            http.add_secret(self._token)
            return {"Authorization": f"Bearer {self._token}"}

    async def refresh(self, http: HttpClient) -> bool:
        async with self._lock:
            old, self._token = self._token, await self._run()
            return self._token != old
