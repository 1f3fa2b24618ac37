"""Each sign-in failure the Microsoft 365 issue names is explained in plain words, with what to do
(in the Azure portal where the fix is there), as ``config check`` and the console show it."""

from __future__ import annotations

import pytest

from staffterm.backends.graph.aadsts import sign_in_error
from staffterm.errors import AuthError, ConfigError, PermissionDeniedError, ThrottledError, UnavailableError

# A Trace ID line as the platform appends it: the words must not depend on the raw text.
TAIL = "\r\nTrace ID: 0000aaaa-11bb\r\nCorrelation ID: aaaa0000-bb11\r\nTimestamp: 2026-03-02 00:00:00Z"


@pytest.mark.parametrize("code, error, words, todo, key", [
    (7000215, AuthError, "client secret is wrong", "Certificates & secrets", None),
    (7000222, AuthError, "client secret has expired", "Certificates & secrets", None),
    (700016, ConfigError, "no application with this client_id", "Application (client) ID", "client_id"),
    (90002, ConfigError, "tenant was not found", "Tenant ID", "tenant_id"),
    (65001, PermissionDeniedError, "not been consented", "Grant admin consent", None),
    (70011, ConfigError, "scope is not valid", "graph_url", "graph_url"),
    (1002012, ConfigError, "scope is not valid", "graph_url", "graph_url"),
])
def test_each_named_aadsts_error_has_plain_words_and_a_step(code, error, words, todo, key):
    found = sign_in_error({"error": "invalid_request", "error_description": f"AADSTS{code}: raw text{TAIL}",
                           "error_codes": [code]}, tenant="acme.example")
    assert isinstance(found, error) and words in found.message and f"AADSTS{code}" in found.message
    assert todo in (found.hint or "") and "Trace ID" not in found.message
    if key:
        assert found.key == key
    # The code alone in the description (some answers carry no error_codes) is read the same.
    again = sign_in_error({"error_description": f"AADSTS{code}: raw text{TAIL}"})
    assert type(again) is type(found)


@pytest.mark.parametrize("body, error", [
    ({"error": "temporarily_unavailable", "error_codes": [90033]}, UnavailableError),
    ({"error": "server_error", "error_description": "AADSTS90024: A transient error has occurred."}, UnavailableError),
    ({"error": "invalid_grant", "error_codes": [50196]}, ThrottledError),
])
def test_a_busy_platform_is_never_a_credentials_problem(body, error):
    found = sign_in_error(body, tenant="acme.example")
    assert isinstance(found, error)
    assert "secret" not in f"{found.message} {found.hint}".lower()
