"""Microsoft identity platform sign-in failures (AADSTS codes) in plain words, each with what to
do in the Azure portal, following the app-registration steps admins already know (Azure portal,
App registrations: create the app, API permissions + "Grant admin consent", Certificates &
secrets: New client secret, copy its Value).

Codes and names: Microsoft Entra "Error codes" reference (learn.microsoft.com/entra/identity-
platform/reference-error-codes). msal does not raise for these: it returns a dict with
``error``, ``error_description`` (starting ``AADSTS<code>:``) and ``error_codes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from staffterm.errors import (
    AuthError,
    ConfigError,
    PermissionDeniedError,
    StafftermError,
    ThrottledError,
    UnavailableError,
)

_CODE = re.compile(r"AADSTS(\d+)")
_PORTAL = "In the Azure portal (portal.azure.com, or portal.azure.us / portal.azure.cn for national clouds)"

# code -> (error class, what went wrong, what to do, the setting it concerns)
SIGN_IN_COMMAND = "staffterm tenant sign-in NAME"  # NAME: the tenant's name in the config

EXPLAINED: dict[int, tuple[type[StafftermError], str, str, str | None]] = {
    7000215: (AuthError, "the client secret is wrong",
              f"{_PORTAL}: App registrations > your app > Certificates & secrets > New client secret, then put its "
              "Value (not its Secret ID) in client_secret.", "client_secret"),
    7000222: (AuthError, "the client secret has expired",
              f"{_PORTAL}: App registrations > your app > Certificates & secrets: add a new client secret and put "
              "its Value in client_secret; delete the expired one.", "client_secret"),
    700016: (ConfigError, "no application with this client_id exists in the tenant",
             f"{_PORTAL}: App registrations > your app > Overview: copy the Application (client) ID into client_id, "
             "and check tenant_id and authority_host name the tenant and cloud the app was registered in.",
             "client_id"),
    90002: (ConfigError, "the tenant was not found",
            f"{_PORTAL}: Microsoft Entra ID > Overview: copy the Tenant ID (or a verified domain) into tenant_id; "
            "a tenant in a national cloud needs that cloud's authority_host and graph_url.", "tenant_id"),
    65001: (PermissionDeniedError, "the app's permissions have not been consented to",
            f"{_PORTAL}: App registrations > your app > API permissions: add the Microsoft Graph permissions "
            "and click \"Grant admin consent\".", None),
    70011: (ConfigError, "the requested scope is not valid for this sign-in",
            "App-only sign-in asks for <graph_url>/.default: check that graph_url names the Graph host of the "
            "tenant's cloud (e.g. https://graph.microsoft.us for US Government).", "graph_url"),
    # "Client credential flows must have a scope value with /.default suffixed to the resource
    # identifier (application ID URI)" (AADSTS1002012, as the platform words it).
    1002012: (ConfigError, "the requested scope is not valid for this sign-in",
              "App-only sign-in asks for <graph_url>/.default and nothing else: check that graph_url is the bare "
              "Graph host of the tenant's cloud (e.g. https://graph.microsoft.com, no path).", "graph_url"),
    7000218: (ConfigError, "device-code sign-in is not allowed for this app",
              f"{_PORTAL}: App registrations > your app > Authentication: set \"Allow public client flows\" to Yes.",
              "auth_mode"),
    50034: (AuthError, "that account does not exist in this tenant",
             "Sign in with an account of the tenant named by tenant_id.", None),
    700082: (AuthError, "the saved sign-in has expired after a period of inactivity",
             f"Sign in again ({SIGN_IN_COMMAND}).", None),
    # identity-platform/v2-oauth2-device-code.md, expected errors: expired_token, "at least
    # expires_in seconds have passed"; reference-error-codes.md: AADSTS70019 "Verification code expired".
    70019: (AuthError, "the sign-in code expired before it was entered (codes last 15 minutes)",
            f"Start the sign-in again ({SIGN_IN_COMMAND}) and enter the new code soon.", None),
    50076: (AuthError, "this account must complete multi-factor authentication",
            "Sign in again with the device code and complete the MFA prompt.", None),
    53003: (PermissionDeniedError, "a Conditional Access policy blocked the sign-in",
            "Ask the tenant's administrator to allow this app or device in Conditional Access.", None),
}


# The platform busy or failing, not the credentials: reference-error-codes.md, AADSTS90024
# RequestBudgetExceededError ("A transient error has occurred. Try again."), AADSTS90033
# MsodsServiceUnavailable, and the OAuth error ``temporarily_unavailable`` ("The server is
# temporarily too busy to handle the request. Retry the request."); AADSTS50196 LoopDetected is how
# Entra throttles user sign-ins (MSAL.NET docs, advanced/client-and-server-throttling).
TRANSIENT_CODES = frozenset({90024, 90033})
THROTTLED_CODES = frozenset({50196})
RETRY_LATER = "Nothing is wrong with the settings; staffterm tries again on the next refresh, or try again shortly."


def busy_error(status: int, retry_after: float | None, body: Mapping[str, Any] | None = None) -> StafftermError:
    """A 429 (throttled) or 5xx (failing) answer of the identity platform: retry later."""
    wait = f" in {retry_after:g} s" if retry_after else " shortly"
    code = next(iter(aadsts_codes(body or {})), None)
    named = f", AADSTS{code}" if code else ""
    if status == 429:
        return ThrottledError(f"the Microsoft sign-in service is throttling this app (HTTP 429{named}): "
                              f"try again{wait}", retry_after=retry_after, hint=RETRY_LATER)
    return UnavailableError(f"the Microsoft sign-in service is failing (HTTP {status}{named}): try again{wait}",
                            hint=RETRY_LATER)


def aadsts_codes(result: Mapping[str, Any]) -> list[int]:
    codes = [int(c) for c in result.get("error_codes") or [] if isinstance(c, int) or str(c).isdigit()]
    if not codes:
        codes = [int(m) for m in _CODE.findall(str(result.get("error_description") or ""))[:1]]
    return codes


def sign_in_error(result: Mapping[str, Any], *, tenant: str = "") -> StafftermError:
    """The plain-words error for an msal failure dict (or a token endpoint's error body)."""
    codes = aadsts_codes(result)
    where = f" (tenant {tenant})" if tenant else ""
    if THROTTLED_CODES.intersection(codes):
        return busy_error(429, None, result)
    if TRANSIENT_CODES.intersection(codes) or result.get("error") == "temporarily_unavailable":
        return busy_error(503, None, result)
    for code in codes:
        if code in EXPLAINED:
            cls, what, todo, key = EXPLAINED[code]
            message = f"Microsoft sign-in failed{where}: {what} (AADSTS{code})"
            error = ConfigError(message, key=key, hint=todo) if cls is ConfigError else cls(message, hint=todo)
            error.details["aadsts"] = code
            return error
    first_line = str(result.get("error_description") or result.get("error") or "unknown error").splitlines()[0]
    return AuthError(f"Microsoft sign-in failed{where}: {first_line}",
                     hint="Check tenant_id, client_id and client_secret (staffterm config check).")
