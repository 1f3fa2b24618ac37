"""People, groups, calendars, the mail outbox and the audit trail of the local site."""

from __future__ import annotations

from typing import Any

from staffterm.backends.local.store import (
    Session,
    dumps,
    find_room,
    find_user,
    group_from_row,
    loads,
    new_id,
    user_from_row,
)
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import Calendar, Group, MailMessage, User
from staffterm.times import from_epoch, to_epoch


def _limit(limit: int, field: str = "limit") -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInputError(f"{field} must be a whole number of 1 or more, got {limit!r}", field=field)
    return limit


def list_users(s: Session, *, query: str | None = None, limit: int = 100) -> list[User]:
    _limit(limit)
    users = [user_from_row(r) for r in s.conn.execute("SELECT * FROM users ORDER BY name, email")]
    text = (query or "").strip().lower()
    if text:
        users = [
            u for u in users if text in u.name.lower() or text in u.email or text in u.department.lower()
        ]
    return users[:limit]


def require_user(s: Session, user_id: str) -> User:
    user = find_user(s.conn, user_id) if isinstance(user_id, str) and user_id.strip() else None
    if user is None:
        raise NotFoundError(f"no person with id or email {user_id!r} in the directory")
    return user


def user_manager(s: Session, user_id: str) -> User | None:
    user = require_user(s, user_id)
    if not user.manager_email:
        return None
    return find_user(s.conn, user.manager_email)


def list_groups(s: Session, *, query: str | None = None) -> list[Group]:
    groups = [group_from_row(r) for r in s.conn.execute("SELECT * FROM directory_groups ORDER BY name")]
    text = (query or "").strip().lower()
    if text:
        groups = [g for g in groups if text in g.name.lower() or text in g.email.lower()]
    return groups


def user_groups(s: Session, user_id: str) -> list[Group]:
    user = require_user(s, user_id)
    rows = s.conn.execute(
        "SELECT g.* FROM directory_groups g JOIN group_members m ON m.group_id = g.id "
        "WHERE m.user_email = ? ORDER BY g.name",
        (user.email,),
    )
    return [group_from_row(r) for r in rows]


def group_members(s: Session, group_id: str) -> list[User]:
    row = s.conn.execute("SELECT id FROM directory_groups WHERE id = ? OR email = ?", (group_id, group_id.lower())).fetchone()
    if row is None:
        raise NotFoundError(f"no group with id {group_id!r}")
    rows = s.conn.execute(
        "SELECT u.* FROM users u JOIN group_members m ON m.user_email = u.email "
        "WHERE m.group_id = ? ORDER BY u.name",
        (row["id"],),
    )
    return [user_from_row(r) for r in rows]


def list_calendars(s: Session, user_id: str) -> list[Calendar]:
    """A person's primary calendar (their email); a room id or email gives the room's calendar."""
    room = find_room(s.conn, user_id) if isinstance(user_id, str) and user_id.strip() else None
    if room is not None:
        return [Calendar(id=room.email, name=room.name, owner_email=room.email, primary=True, can_edit=True)]
    user = require_user(s, user_id)
    return [Calendar(id=user.email, name=user.name or user.email, owner_email=user.email, primary=True, can_edit=True)]


# --------------------------------------------------------------------------- mail


def send_mail(s: Session, message: MailMessage) -> MailMessage:
    for address in [*message.to, *message.cc, *message.bcc]:
        text = address.strip()
        if "@" not in text or text.startswith("@") or text.endswith("@"):
            raise InvalidInputError(f"{address!r} is not an email address", field="to")
    if not message.subject.strip():
        raise InvalidInputError("a mail needs a subject", field="subject")
    stored = message.model_copy(
        update={
            "id": new_id("mail"),
            "sent_at": s.now,
            "sender": message.sender or s.config.mail_from,
            "to": [a.strip() for a in message.to],
        }
    )
    s.conn.execute(
        "INSERT INTO outbox(id, sent_ts, message) VALUES (?, ?, ?)",
        (stored.id, to_epoch(s.now), dumps(stored.model_dump(mode="json"))),
    )
    s.audit("mail", stored.id or "", "sent", stored.subject)
    return stored


def notify(s: Session, recipients: list[str], subject: str, text: str) -> MailMessage | None:
    """Send a notice to each distinct recipient; nothing when nobody is left to tell."""
    to = list(dict.fromkeys(r for r in recipients if r))
    if not to:
        return None
    return send_mail(s, MailMessage(to=to, subject=subject, text=text))


def list_outbox(s: Session, *, limit: int = 100) -> list[MailMessage]:
    _limit(limit)
    rows = s.conn.execute("SELECT message FROM outbox ORDER BY sent_ts DESC, seq DESC LIMIT ?", (limit,))
    return [MailMessage.model_validate(loads(r["message"], {})) for r in rows]


# --------------------------------------------------------------------------- audit


def list_audit(s: Session, *, limit: int = 100) -> list[dict[str, Any]]:
    _limit(limit)
    rows = s.conn.execute("SELECT * FROM audit ORDER BY seq DESC LIMIT ?", (limit,))
    return [
        {
            "time": from_epoch(r["time_ts"]),
            "kind": r["kind"],
            "item_id": r["item_id"],
            "action": r["action"],
            "detail": r["detail"],
        }
        for r in rows
    ]
