"""Admin · Tenants detail: a tenant that works without an extra says what is missing, and a
failed one still says what worked (the same steps ``staffterm config check`` prints)."""

from __future__ import annotations

from staffterm.services.tenant_check import TenantCheck
from staffterm.ui.screens.admin.tenants import TenantRow, _result_parts


def _text(parts) -> str:
    return "".join(p if isinstance(p, str) else p[0] for p in parts)


def test_a_passing_check_lists_what_is_missing():
    row = TenantRow("acme", "placeos", True, "https://placeos.test", result=TenantCheck(
        "acme", "placeos", True, ["signed in", "3 buildings"],
        missing=["desk lists: not found; desks are shown by id"]))
    text = _text(_result_parts(row))
    assert "ok" in text and "3 buildings" in text
    assert "missing: desk lists: not found; desks are shown by id" in text


def test_a_failed_check_says_what_worked_before_it_failed():
    row = TenantRow("acme", "placeos", True, "https://placeos.test", result=TenantCheck(
        "acme", "placeos", False, ["reached the server", "signed in"], message="rooms: PlaceOS refused"))
    text = _text(_result_parts(row))
    assert "failed — rooms: PlaceOS refused" in text
    assert "What works" in text and "signed in" in text
