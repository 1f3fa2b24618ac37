"""Visit ids that name where a visit lives, so a check-in goes straight to it.

``booking:<booking id>:<email>`` is a visitor booking (PlaceOS); ``event:<calendar>:<event id>:<email>``
is a guest invited to a meeting, ``<calendar>`` naming the calendar the meeting was read from
(a PlaceOS system id, or a Microsoft 365 room's mailbox) and ``<event id>`` the meeting's id
there. Anything else is a provider's own guest key (an email, a numeric id).
"""

from __future__ import annotations


def booking_guest_id(booking_id: str, email: str) -> str:
    return f"booking:{booking_id}:{email.strip().lower()}"


def event_guest_id(system_id: str, event_id: str, email: str) -> str:
    return f"event:{system_id}:{event_id}:{email.strip().lower()}"


def parse_guest_id(guest_id: str) -> tuple[str, dict[str, str]]:
    """``booking:<id>:<email>`` -> ("booking", {booking_id, email});
    ``event:<system>:<event>:<email>`` -> ("event", {system_id, event_id, email});
    anything else -> ("guest", {id}) (an email or a provider's own guest id).

    Emails cannot contain ':', nor do PlaceOS system ids or mailbox addresses, so the email is split off the end
    and the system id off the front; whatever remains is the (provider's) event id.
    """
    text = guest_id.strip() if isinstance(guest_id, str) else ""
    if text.startswith("booking:"):
        booking_id, sep, email = text[len("booking:") :].rpartition(":")
        if sep and booking_id and "@" in email:
            return "booking", {"booking_id": booking_id, "email": email.lower()}
    elif text.startswith("event:"):
        system_id, sep, rest = text[len("event:") :].partition(":")
        event_id, sep2, email = rest.rpartition(":")
        if sep and sep2 and event_id and "@" in email:
            return "event", {"system_id": system_id, "event_id": event_id, "email": email.lower()}
    return "guest", {"id": text}
