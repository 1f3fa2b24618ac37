from __future__ import annotations

import logging

import pytest

from staffterm.errors import ConfigError, InvalidInputError
from staffterm.services.mail_templates import DEFAULT_TEMPLATES, MailTemplates, render


def test_render_replaces_known_and_keeps_unknown() -> None:
    out = render("%{name} has arrived at %{time}; %{missing} stays", {"name": "Ada", "time": "09:30"})
    assert out == "Ada has arrived at 09:30; %{missing} stays"


def test_render_uses_str_of_values_and_repeats() -> None:
    assert render("%{n}/%{n} %{x}", {"n": 3, "x": None}) == "3/3 None"


def test_render_does_not_expand_placeholders_inside_values() -> None:
    assert render("%{name} for %{host}", {"name": "%{host}", "host": "Grace"}) == "%{host} for Grace"


def test_default_checkin_template_matches_driver() -> None:
    assert DEFAULT_TEMPLATES["visitor"]["checkin"] == {
        "subject": "%{name} has arrived",
        "text": "for your meeting at %{time}",
    }
    templates = MailTemplates()
    for group, who in [("visitor", "checkout"), ("event", "cancelled"), ("booking", "approved"), ("booking", "rejected")]:
        assert templates.get(group, who) is not None


def test_overrides_merge_field_by_field() -> None:
    templates = MailTemplates({"visitor": {"checkin": {"subject": "Your guest %{name} is here", "html": "<b>%{name}</b>"}}})
    message = templates.build("visitor", "checkin", ["host@acme.example"], {"name": "Ada", "time": "10:00"})
    assert message is not None
    assert message.subject == "Your guest Ada is here"
    assert message.text == "for your meeting at 10:00"  # default text kept
    assert message.html == "<b>Ada</b>"
    assert message.to == ["host@acme.example"]
    # Defaults themselves are untouched by an override.
    assert MailTemplates().get("visitor", "checkin")["subject"] == "%{name} has arrived"


def test_override_adds_new_trigger_and_can_disable() -> None:
    templates = MailTemplates({"parking": {"reminder": {"subject": "Bay %{bay}"}}, "visitor": {"checkin": None}})
    assert templates.fields("parking", "reminder") == ["bay"]
    assert ("parking", "reminder") in templates.triggers()
    assert templates.get("visitor", "checkin") is None


def test_build_without_template_warns_and_returns_none(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        assert MailTemplates().build("nope", "never", ["a@b.example"], {}) is None
    assert "nope/never" in caplog.text


def test_build_needs_a_recipient() -> None:
    with pytest.raises(InvalidInputError):
        MailTemplates().build("visitor", "checkin", ["  "], {"name": "x"})


def test_fields_lists_placeholders_once_in_order() -> None:
    templates = MailTemplates({"visitor": {"checkin": {"html": "%{time} %{host_name} %{name}"}}})
    assert templates.fields("visitor", "checkin") == ["name", "time", "host_name"]
    assert templates.fields("missing", "x") == []


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"visitor": "oops"}, "mail.templates.visitor"),
        ({"visitor": {"checkin": ["x"]}}, "mail.templates.visitor.checkin"),
        ({"visitor": {"checkin": {"body": "x"}}}, "mail.templates.visitor.checkin.body"),
        ({"visitor": {"checkin": {"subject": 3}}}, "mail.templates.visitor.checkin.subject"),
    ],
)
def test_bad_overrides_name_the_key(overrides, key) -> None:
    with pytest.raises(ConfigError) as info:
        MailTemplates(overrides)
    assert info.value.key == key
