"""The Microsoft identity platform endpoints msal talks to, and the access tokens Graph routes check.

- Instance discovery ``GET /common/discovery/instance`` (what msal's ``authority.py`` calls unless
  ``instance_discovery=False``) and OIDC discovery ``GET /{tenant}/v2.0/.well-known/openid-configuration``.
- ``POST /{tenant}/oauth2/v2.0/token``: ``client_credentials`` (entra docs
  identity-platform/v2-oauth2-client-creds-grant-flow.md) and the device code grant
  (identity-platform/v2-oauth2-device-code.md); ``POST /{tenant}/oauth2/v2.0/devicecode``.
- Errors are the platform's bodies: ``error``, ``error_description`` ("AADSTS<code>: text\\r\\nTrace
  ID: ...\\r\\nCorrelation ID: ...\\r\\nTimestamp: ..."), ``error_codes``, ``timestamp``, ``trace_id``,
  ``correlation_id`` (the v1 protocol page's "error response" table, which Azure SDKs say still
  applies to v2). Codes and their meaning: identity-platform/reference-error-codes.md.
- Outages (``fail_identity``): a throttled token endpoint answers 429 with ``Retry-After`` ("For
  client_credentials grant, Microsoft Entra ID will reply with 429 Too Many Requests, with a
  Retry-After: 60 header": MSAL.NET docs, advanced/client-and-server-throttling). Its body is not
  documented; users of msal report it as the plain text "Too Many Requests" (AzureAD
  microsoft-authentication-library-for-dotnet issue 2855), so that is what the fake sends. A
  failing platform answers 503 with the error shape above, ``error`` ``temporarily_unavailable``
  ("The server is temporarily too busy to handle the request. Retry the request.":
  reference-error-codes.md, the error table) and AADSTS90033 MsodsServiceUnavailable (same page).
  Which code Entra puts in a 503 is not documented: that pairing is ours.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import httpx

from tests.fakes.graph.state import DeviceCode, TokenRecord
from tests.fakes.graph.wire import GraphError, json_response

if TYPE_CHECKING:
    from tests.fakes.graph.server import FakeGraph

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
RESERVED_SCOPES = {"openid", "profile", "offline_access"}
_OIDC = re.compile(r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration$")
_TOKEN = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")
_DEVICE = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/devicecode$")


@dataclass
class _Outage:
    status: int
    retry_after: int | None
    remaining: int
    endpoints: tuple[str, ...]


_OUTAGES: weakref.WeakKeyDictionary[FakeGraph, list[_Outage]] = weakref.WeakKeyDictionary()


def fail_identity(fake: FakeGraph, status: int, *, retry_after: int | None = None, times: int = 1,
                  endpoints: tuple[str, ...] = ("token", "devicecode")) -> None:
    """The next ``times`` requests to these endpoints (``token``, ``devicecode``) answer ``status``:
    429 (throttled, with ``Retry-After`` when given) or a 5xx (the platform failing)."""
    if status != 429 and status < 500:
        raise ValueError("an identity outage is a 429 or a 5xx")
    _OUTAGES.setdefault(fake, []).append(_Outage(status, retry_after, times, endpoints))


def _outage(fake: FakeGraph, request: httpx.Request, endpoint: str) -> httpx.Response | None:
    for outage in _OUTAGES.get(fake, []):
        if outage.remaining > 0 and endpoint in outage.endpoints:
            outage.remaining -= 1
            headers = {"Retry-After": str(outage.retry_after)} if outage.retry_after is not None else {}
            if outage.status == 429:
                return httpx.Response(429, text="Too Many Requests", headers=headers)
            response = aadsts(fake, request, outage.status, "temporarily_unavailable", 90033,
                              "MsodsServiceUnavailable - The Microsoft Online Directory Service (MSODS) isn't "
                              "available.")
            response.headers.update(headers)
            return response
    return None


def is_identity_path(path: str) -> bool:
    return path == "/common/discovery/instance" or any(p.match(path) for p in (_OIDC, _TOKEN, _DEVICE))


def aadsts(fake: FakeGraph, request: httpx.Request, status: int, error: str, code: int, text: str) -> httpx.Response:
    now = fake.now()
    stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    trace_id = str(uuid.uuid4())
    correlation_id = request.headers.get("client-request-id") or str(uuid.uuid4())
    description = (f"AADSTS{code}: {text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\n"
                   f"Timestamp: {stamp}")
    return json_response({
        "error": error, "error_description": description, "error_codes": [code], "timestamp": stamp,
        "trace_id": trace_id, "correlation_id": correlation_id,
        "error_uri": f"{_origin(request)}/error?code={code}",
    }, status)


def _origin(request: httpx.Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc.decode()}"


def _tenant_not_found(fake: FakeGraph, request: httpx.Request, tenant: str, error: str) -> httpx.Response:
    # reference-error-codes.md: AADSTS90002 InvalidTenantName - the tenant name wasn't found.
    return aadsts(fake, request, 400, error, 90002, f"Tenant '{tenant}' not found. Check to make sure you have the "
                  "correct tenant ID and are signing into the correct cloud. Check with your subscription "
                  "administrator, this may happen if there are no active subscriptions for the tenant.")


def serve(fake: FakeGraph, request: httpx.Request) -> httpx.Response:
    path, method = request.url.path, request.method.upper()
    if path == "/common/discovery/instance" and method == "GET":
        return _instance_discovery(fake, request)
    found = _OIDC.match(path)
    if found and method == "GET":
        return _openid_configuration(fake, request, found["tenant"])
    found = _TOKEN.match(path)
    if found and method == "POST":
        return _outage(fake, request, "token") or _token(fake, request, found["tenant"])
    found = _DEVICE.match(path)
    if found and method == "POST":
        return _outage(fake, request, "devicecode") or _devicecode(fake, request, found["tenant"])
    return json_response({"error": "invalid_request", "error_description": f"{method} {path} is not served"}, 405)


def _instance_discovery(fake: FakeGraph, request: httpx.Request) -> httpx.Response:
    """msal (authority.py ``_instance_discovery``) asks with ``authorization_endpoint`` and reads
    ``tenant_discovery_endpoint`` (or ``error == "invalid_instance"``)."""
    endpoint = request.url.params.get("authorization_endpoint", "")
    parsed = urlparse(endpoint)
    tenant = parsed.path.strip("/").split("/")[0] if parsed.path.strip("/") else "common"
    host = request.url.netloc.decode()
    if parsed.netloc and parsed.netloc != host:
        return aadsts(fake, request, 400, "invalid_instance", 50049,
                      "Unknown or invalid instance.")
    return json_response({
        "tenant_discovery_endpoint": f"{_origin(request)}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    })


def _openid_configuration(fake: FakeGraph, request: httpx.Request, tenant: str) -> httpx.Response:
    if not fake.state.knows_tenant(tenant):
        return _tenant_not_found(fake, request, tenant, "invalid_tenant")
    origin, tid = _origin(request), fake.state.tenant_id
    return json_response({
        "token_endpoint": f"{origin}/{tid}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{origin}/{tid}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{origin}/{tid}/v2.0",
        "authorization_endpoint": f"{origin}/{tid}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{origin}/{tid}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{origin}/{tid}/oauth2/v2.0/logout",
        "tenant_region_scope": "OC",
    })


def _form(request: httpx.Request) -> dict[str, str]:
    parsed = parse_qs(request.content.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _client_secret(request: httpx.Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_post or client_secret_basic (both advertised in the discovery document)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return user, password
        except ValueError:
            return None, None
    return form.get("client_id"), form.get("client_secret")


def _token(fake: FakeGraph, request: httpx.Request, tenant: str) -> httpx.Response:
    form = _form(request)
    if not fake.state.knows_tenant(tenant):
        return _tenant_not_found(fake, request, tenant, "invalid_request")
    grant = form.get("grant_type")
    client_id, secret = _client_secret(request, form)
    app = fake.state.apps.get(client_id or "")
    if app is None:
        # reference-error-codes.md: AADSTS700016 UnauthorizedClient_DoesNotMatchRequest.
        return aadsts(fake, request, 400, "unauthorized_client", 700016,
                      f"Application with identifier '{client_id}' was not found in the directory "
                      f"'{fake.state.tenant_domains[0]}'. This can happen if the application has not been installed "
                      "by the administrator of the tenant or consented to by any user in the tenant. You may have "
                      "sent your authentication request to the wrong tenant.")
    if grant == "client_credentials":
        return _client_credentials(fake, request, form, app, secret)
    if grant == DEVICE_CODE_GRANT:
        return _redeem_device_code(fake, request, form, app)
    if grant == "refresh_token":
        return _redeem_refresh_token(fake, request, form, app)
    return aadsts(fake, request, 400, "unsupported_grant_type", 70003,
                  f"The app requested an unsupported grant type '{grant}'.")


def _client_credentials(fake: FakeGraph, request: httpx.Request, form: dict[str, str], app, secret: str | None
                        ) -> httpx.Response:
    if not secret:
        return aadsts(fake, request, 401, "invalid_client", 7000216, "'client_assertion', 'client_secret' or "
                      "'request' is required for the 'client_credentials' grant type.")
    if app.secret_expired:
        # reference-error-codes.md: AADSTS7000222 InvalidClientSecretExpiredKeysProvided.
        return aadsts(fake, request, 401, "invalid_client", 7000222,
                      f"The provided client secret keys for app '{app.client_id}' are expired. Visit the Azure "
                      "portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using "
                      "certificate credentials for added security: https://aka.ms/certCreds.")
    if not secrets.compare_digest(secret, app.secret):
        # reference-error-codes.md: AADSTS7000215 - invalid client secret is provided.
        return aadsts(fake, request, 401, "invalid_client", 7000215,
                      "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                      f"secret value, not the client secret ID, for a secret added to app '{app.client_id}'.")
    scopes = form.get("scope", "").split()
    # v2-oauth2-client-creds-grant-flow.md: the scope is the resource's "/.default" and nothing else.
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        return aadsts(fake, request, 400, "invalid_scope", 70011,
                      f"The provided request must include a 'scope' input parameter. The provided value for the "
                      f"input parameter 'scope' is not valid. The scope {' '.join(scopes)} is not valid.")
    return _issue(fake, app.client_id, roles=app.roles, scopes=frozenset(), user=None)


def _issue(fake: FakeGraph, app_id: str, *, roles: frozenset[str], scopes: frozenset[str], user: str | None,
           refresh: bool = False) -> httpx.Response:
    now = fake.now()
    lifetime = fake.token_lifetime
    claims = {"aud": "https://graph.microsoft.com", "tid": fake.state.tenant_id, "appid": app_id,
              "exp": int((now + timedelta(seconds=lifetime)).timestamp()), "jti": uuid.uuid4().hex}
    if roles:
        claims["roles"] = sorted(roles)
    if user:
        claims["upn"] = user
        claims["scp"] = " ".join(sorted(scopes))
    token = ".".join(_b64(json.dumps(part)) for part in ({"typ": "JWT", "alg": "RS256"}, claims)) + "." + \
        _b64(secrets.token_hex(16))
    fake.state.tokens[token] = TokenRecord(app_id, fake.state.tenant_id, now + timedelta(seconds=lifetime),
                                           roles, scopes, user)
    body = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}
    if user:
        body["scope"] = " ".join(sorted(scopes))
        if refresh:
            body["refresh_token"] = secrets.token_urlsafe(32)
            fake.state.refresh_tokens[body["refresh_token"]] = (app_id, user, scopes)
    return json_response(body)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _requested_scopes(form: dict[str, str]) -> tuple[str, ...]:
    return tuple(s for s in form.get("scope", "").split() if s)


def _devicecode(fake: FakeGraph, request: httpx.Request, tenant: str) -> httpx.Response:
    form = _form(request)
    if not fake.state.knows_tenant(tenant):
        return _tenant_not_found(fake, request, tenant, "invalid_request")
    app = fake.state.apps.get(form.get("client_id", ""))
    if app is None:
        return aadsts(fake, request, 400, "unauthorized_client", 700016,
                      f"Application with identifier '{form.get('client_id')}' was not found in the directory "
                      f"'{fake.state.tenant_domains[0]}'.")
    scopes = _requested_scopes(form)
    if not scopes:
        return aadsts(fake, request, 400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'scope'.")
    # v2-oauth2-device-code.md: the user has 15 minutes (expires_in 900) and polls every `interval` s.
    code = DeviceCode(device_code=secrets.token_urlsafe(48), user_code=secrets.token_hex(4).upper()[:8],
                      client_id=app.client_id, scopes=scopes, expires_at=fake.now() + timedelta(seconds=900),
                      interval=5)
    fake.state.device_codes[code.device_code] = code
    uri = "https://microsoft.com/devicelogin"
    return json_response({
        "user_code": code.user_code, "device_code": code.device_code, "verification_uri": uri,
        "expires_in": 900, "interval": code.interval,
        "message": f"To sign in, use a web browser to open the page {uri} and enter the code {code.user_code} "
                   "to authenticate.",
    })


def _redeem_device_code(fake: FakeGraph, request: httpx.Request, form: dict[str, str], app) -> httpx.Response:
    code = fake.state.device_codes.get(form.get("device_code", ""))
    now = fake.now()
    if code is None or code.client_id != app.client_id:
        return aadsts(fake, request, 400, "bad_verification_code", 70000,
                      "The provided value for the input parameter 'device_code' is not valid.")
    if not app.public_client:
        # reference-error-codes.md: AADSTS7000218 - the app is not enabled for public client flows.
        return aadsts(fake, request, 401, "invalid_client", 7000218,
                      "The request body must contain the following parameter: 'client_assertion' or "
                      "'client_secret'.")
    if now >= code.expires_at:
        return aadsts(fake, request, 400, "expired_token", 70019, "Verification code expired.")
    polled_too_soon = code.last_poll is not None and now - code.last_poll < timedelta(seconds=code.interval)
    code.last_poll = now
    if code.declined:
        return aadsts(fake, request, 400, "authorization_declined", 70000, "The user declined the request.")
    if code.approved_by is None:
        if fake.slow_down_fast_polls and polled_too_soon:
            # RFC 8628 section 3.5 slow_down; the Entra device code page lists only the other
            # errors, so this is off unless a test asks for it.
            return aadsts(fake, request, 400, "slow_down", 70016, "Polling too frequently; slow down.")
        return aadsts(fake, request, 400, "authorization_pending", 70016, "The provided request has not yet "
                      "been authorized by the user. The user must input their code.")
    if not app.consented:
        # reference-error-codes.md: AADSTS65001 DelegationDoesNotExist.
        return aadsts(fake, request, 400, "invalid_grant", 65001,
                      f"The user or administrator has not consented to use the application with ID "
                      f"'{app.client_id}' named '{app.display_name}'. Send an interactive authorization request "
                      "for this user and resource.")
    del fake.state.device_codes[code.device_code]
    granted = frozenset(s.rsplit("/", 1)[-1] for s in code.scopes if s not in RESERVED_SCOPES)
    issued = _issue(fake, app.client_id, roles=frozenset(), scopes=granted, user=code.approved_by, refresh=True)
    if "openid" not in code.scopes:
        return issued
    # v2-oauth2-device-code.md, "Successful authentication response": id_token is "issued if the
    # original scope parameter included the openid scope" (msal always asks for it, and builds
    # the signed-in account from it). Claims as id-token-claims-reference.md (v2.0 tokens).
    body = issued.json()
    body["id_token"] = _id_token(fake, request, app.client_id, code.approved_by)
    return json_response(body)


def _redeem_refresh_token(fake: FakeGraph, request: httpx.Request, form: dict[str, str], app) -> httpx.Response:
    """v2-oauth2-auth-code-flow.md, "Refresh the access token": grant_type=refresh_token gives a
    new access token and a new refresh token (the old one stays valid until it expires; the fake
    keeps it). An unknown refresh token is invalid_grant; AADSTS9002313 is the code users report
    for a malformed one, the page does not list codes."""
    found = fake.state.refresh_tokens.get(form.get("refresh_token", ""))
    if found is None or found[0] != app.client_id:
        return aadsts(fake, request, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    _, user, scopes = found
    return _issue(fake, app.client_id, roles=frozenset(), scopes=scopes, user=user, refresh=True)


def _id_token(fake: FakeGraph, request: httpx.Request, client_id: str, upn: str) -> str:
    now = fake.now()
    user = fake.state.user(upn) or {}
    tid = fake.state.tenant_id
    claims = {"ver": "2.0", "iss": f"{_origin(request)}/{tid}/v2.0", "aud": client_id, "tid": tid,
              "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
              "exp": int((now + timedelta(hours=1)).timestamp()), "oid": user.get("id") or upn,
              "sub": _b64(f"{client_id}:{user.get('id') or upn}")[:43], "preferred_username": upn,
              "name": user.get("displayName") or upn}
    return ".".join(_b64(json.dumps(part)) for part in ({"typ": "JWT", "alg": "RS256"}, claims)) + "." + \
        _b64(secrets.token_hex(16))


# -- what the Graph routes check ---------------------------------------------------------------------
def authenticate(fake: FakeGraph, request: httpx.Request, now: datetime) -> TokenRecord:
    """401 InvalidAuthenticationToken with the messages Graph sends (observed in Graph sample and SDK
    issues: "Access token is empty.", "CompactToken parsing failed ...", "Access token has expired or
    is not yet valid.", "Access token validation failure.")."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not value.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    token = value.strip()
    if token.count(".") != 2:
        raise GraphError(401, "InvalidAuthenticationToken", "CompactToken parsing failed with error code: 80049217")
    record = fake.state.tokens.get(token)
    if record is None:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.")
    if now >= record.expires_at:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
    return record
