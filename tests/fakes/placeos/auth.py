"""Who is calling: X-API-Key or Bearer tokens from the OAuth password/refresh grants.

Tokens look like JWTs (header.claims.signature, base64url) with the UserJWT claims PlaceOS puts in
them, but the fake validates by looking them up, so expiry is checked against the fake's clock.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx

from tests.fakes.placeos.state import TokenRecord
from tests.fakes.placeos.wire import ApiError, json_response

if TYPE_CHECKING:
    from tests.fakes.placeos.server import FakePlaceOS


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    name: str
    permissions: int  # UserJWT u.p: 0 user, 1 support, 2 admin, 3 admin+support
    scope: tuple[str, ...]
    via: str  # "api_key" | "token"
    api_key: str | None = None

    @property
    def is_admin(self) -> bool:
        return bool(self.permissions & 2)

    @property
    def is_support(self) -> bool:
        return bool(self.permissions & 1)

    @property
    def privileged(self) -> bool:
        return self.is_admin or self.is_support


def permissions_of(user: dict[str, Any]) -> int:
    return (2 if user.get("sys_admin") else 0) | (1 if user.get("support") else 0)


def _principal_for(fake: FakePlaceOS, user_id: str, via: str, scope: tuple[str, ...],
                   api_key: str | None = None) -> Principal:
    user = fake.state.users.get(user_id)
    if user is None or user.get("deleted"):
        raise ApiError(401, "user no longer exists")
    return Principal(user["id"], user["email"], user["name"], permissions_of(user), scope, via, api_key)


def authenticate(fake: FakePlaceOS, request: httpx.Request, now: int) -> Principal:
    """staff-api's order: API key (header, query, cookie) first, then a bearer token."""
    state = fake.state
    key = request.headers.get("x-api-key") or request.url.params.get("api-key") or _cookie(request, "api-key")
    if key:
        user_id = state.api_keys.get(key)
        if user_id is None:
            raise ApiError(401, "unknown X-API-Key")
        return _principal_for(fake, user_id, "api_key", ("public",), api_key=key)
    token = _bearer(request)
    if not token:
        raise ApiError(401, "no authentication provided: send X-API-Key or Authorization: Bearer <token>")
    record = state.access_tokens.get(token)
    if record is None:
        raise ApiError(401, "invalid bearer token")
    if now >= record.expires_at:
        raise ApiError(401, "token expired")
    return _principal_for(fake, record.user_id, "token", record.scope)


def _bearer(request: httpx.Request) -> str | None:
    header = request.headers.get("authorization", "")
    for prefix in ("Bearer ", "Token "):
        if header.startswith(prefix):
            return header[len(prefix):].strip() or None
    return request.url.params.get("bearer_token") or _cookie(request, "bearer_token")


def _cookie(request: httpx.Request, name: str) -> str | None:
    for part in request.headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt_like(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{header}.{body}.{_b64(secrets.token_bytes(32))}"


def user_jwt_claims(fake: FakePlaceOS, user: dict[str, Any], issued: int, expires: int,
                    scope: tuple[str, ...]) -> dict[str, Any]:
    return {
        "iss": "POS", "iat": issued, "exp": expires, "jti": secrets.token_hex(8),
        "aud": fake.host, "sub": user["id"], "scope": list(scope),
        "u": {"n": user["name"], "e": user["email"], "p": permissions_of(user), "r": list(user.get("groups", []))},
    }


def _oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return json_response({"error": error, "error_description": description}, status)


def token_endpoint(fake: FakePlaceOS, request: httpx.Request, now: int) -> httpx.Response:
    """POST /auth/oauth/token — Doorkeeper's password and refresh_token grants (form or JSON body)."""
    form = _form(request)
    client_id = form.get("client_id", "")
    if client_id != fake.CLIENT_ID or not _client_secret_matches(fake, form.get("client_secret", "")):
        return _oauth_error(401, "invalid_client", "Client authentication failed due to unknown client, "
                            "no client authentication included, or unsupported authentication method.")
    grant = form.get("grant_type", "")
    scope = tuple((form.get("scope") or "public").split())
    state = fake.state
    if grant == "password":
        email = form.get("username", "").strip().lower()
        user = state.user_by_email(email)
        if user is None or not form.get("password") or state.passwords.get(email) != form.get("password"):
            return _oauth_error(400, "invalid_grant", "The provided authorization grant is invalid, expired, "
                                "revoked, does not match the redirection URI used in the authorization request, "
                                "or was issued to another client.")
        return json_response(_issue(fake, user, scope, client_id, now))
    if grant == "refresh_token":
        record = state.refresh_tokens.pop(form.get("refresh_token", ""), None)  # rotated: one use only
        user = state.users.get(record.user_id) if record else None
        if record is None or record.client_id != client_id or user is None or user.get("deleted"):
            return _oauth_error(400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
        return json_response(_issue(fake, user, record.scope, client_id, now))
    return _oauth_error(400, "unsupported_grant_type",
                        "The authorization grant type is not supported by the authorization server.")


def _client_secret_matches(fake: FakePlaceOS, secret: str) -> bool:
    """Doorkeeper ``Application.by_uid_and_secret`` (lib/doorkeeper/models/concerns/… application
    mixin): a blank secret finds a public (non-confidential) application by its uid alone; any
    secret that is sent must match, for public and confidential applications alike."""
    if not secret:
        return not fake.client_confidential
    return hmac.compare_digest(secret, fake.client_secret)


def _form(request: httpx.Request) -> dict[str, str]:
    raw = request.content.decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _issue(fake: FakePlaceOS, user: dict[str, Any], scope: tuple[str, ...], client_id: str,
           now: int) -> dict[str, Any]:
    lifetime = int(fake.token_lifetime)
    access = _jwt_like(user_jwt_claims(fake, user, now, now + lifetime, scope))
    refresh = secrets.token_urlsafe(32)
    fake.state.access_tokens[access] = TokenRecord(user["id"], now + lifetime, scope, client_id)
    fake.state.refresh_tokens[refresh] = TokenRecord(user["id"], 0, scope, client_id)
    return {"access_token": access, "token_type": "Bearer", "expires_in": lifetime,
            "refresh_token": refresh, "scope": " ".join(scope), "created_at": now}


def authority(fake: FakePlaceOS) -> dict[str, Any]:
    return {
        "id": "authority-acme",
        "name": fake.host,
        "description": "Acme (fake PlaceOS)",
        "domain": f"https://{fake.host}",
        "login_url": "/login?continue={{url}}",
        "logout_url": "/auth/logout",
        "session": {},
        "production": False,
        "config": {},
        "version": "fake-placeos",
    }


def inspect_api_key(fake: FakePlaceOS, principal: Principal, now: int) -> dict[str, Any]:
    """GET /api_keys/inspect: the UserJWT an API key stands for."""
    if principal.via != "api_key":
        raise ApiError(404, "no X-API-Key in this request")
    user = fake.state.users[principal.user_id]
    return user_jwt_claims(fake, user, now, now + 3600, principal.scope)
