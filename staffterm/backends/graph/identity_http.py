"""The HTTP client msal talks to the Microsoft identity platform through: a ``requests`` session
that turns a throttled (429) or failing (5xx) answer into ``IdentityPlatformBusy``, so that a busy
platform is said as "try again later" and never read as a sign-in failure.

Why here and not in msal's own result: msal raises a bare ``MsalServiceError("HTTP Error: 503")``
for a 5xx token answer, fails to parse the 429 body Entra sends ("Too Many Requests", plain text:
AzureAD microsoft-authentication-library-for-dotnet issue 2855), and keeps either answer in its
HTTP cache for the ``Retry-After`` (msal/throttled_http_client.py, ThrottledHttpClient), handing it
back without asking again. Raised from below that cache, the outage is never cached: the next try
after the wait really asks. The exception is a ``requests`` ``RequestException``, which is what
msal's silent sign-in treats as a network failure, falling back to a still-valid cached token
(msal/application.py, _acquire_token_silent_with_error).

Imported only inside msal's worker threads (it imports requests).
"""

from __future__ import annotations

from typing import Any

import requests


class IdentityPlatformBusy(requests.exceptions.RequestException):
    """A 429 or 5xx from the identity platform. ``retry_after`` in seconds, when it said."""

    def __init__(self, status: int, retry_after: float | None, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status} from the Microsoft identity platform")
        self.status = status
        self.retry_after = retry_after
        self.body = body  # the AADSTS error body when it sent one (no secrets: it is an error answer)


def _retry_after(value: str | None) -> float | None:
    # Entra sends whole seconds (the MSAL.NET throttling page shows "Retry-After: 60").
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_body(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) and "access_token" not in body else {}


class OutageAwareSession:
    """msal's ``http_client`` (msal/oauth2cli/http.py, HttpClient: ``post`` and ``get``)."""

    def __init__(self, session: Any = None) -> None:
        if session is None:
            # What msal builds when given none (msal/application.py, ClientApplication.__init__).
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(max_retries=1)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._session = session

    def _checked(self, response: Any) -> Any:
        status = int(getattr(response, "status_code", 0) or 0)
        if status == 429 or status >= 500:
            raise IdentityPlatformBusy(status, _retry_after(response.headers.get("Retry-After")), _error_body(response))
        return response

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        return self._checked(self._session.post(url, params=params, data=data, headers=headers, **kwargs))

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        return self._checked(self._session.get(url, params=params, headers=headers, **kwargs))

    def close(self) -> None:
        self._session.close()
