"""Commands about people and mail: ``users``, ``groups``, ``mail outbox``."""

from __future__ import annotations

from staffterm.cli.context import CommandContext
from staffterm.cli.output import emit_fields, emit_json, emit_line, emit_table, format_time, join, yes_no


async def list_users(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        found = await backend.list_users(query=ctx.args.query)
    if ctx.json:
        emit_json(found)
        return 0
    rows = [(u.id, u.name, u.email, u.department, u.title, "suspended" if u.suspended else "") for u in found]
    emit_table(("ID", "NAME", "EMAIL", "DEPARTMENT", "TITLE", ""), rows, empty="No people match.")
    return 0


async def show_user(ctx: CommandContext) -> int:
    async with ctx.session() as session:
        details = await session.directory.person_details(ctx.args.user_id)
    if ctx.json:
        emit_json(details)
        return 0
    user = details.user
    manager = details.manager
    emit_fields(
        [
            ("id", user.id),
            ("name", user.name),
            ("email", user.email),
            ("phone", user.phone),
            ("department", user.department),
            ("title", user.title),
            ("office", user.office_location),
            ("manager", f"{manager.name} <{manager.email}>" if manager is not None else ""),
            ("suspended", yes_no(user.suspended) or "no"),
            ("groups", join((g.name for g in details.groups), ", ")),
        ]
    )
    if details.unsupported:
        emit_line(f"not available on this backend: {join(details.unsupported, ', ')}")
    if details.calendars:
        emit_line("calendars:")
        for cal in details.calendars:
            flags = join([f for f, on in (("primary", cal.primary), ("can edit", cal.can_edit)) if on], ", ")
            emit_line(f"  {cal.id}  {cal.name}" + (f"  ({flags})" if flags else ""))
    return 0


async def list_groups(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        found = await backend.list_groups(query=ctx.args.query)
    if ctx.json:
        emit_json(found)
        return 0
    rows = [(g.id, g.name, g.email, g.description) for g in found]
    emit_table(("ID", "NAME", "EMAIL", "DESCRIPTION"), rows, empty="No groups match.")
    return 0


async def group_members(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        found = await backend.group_members(ctx.args.group_id)
    if ctx.json:
        emit_json(found)
        return 0
    rows = [(u.id, u.name, u.email, u.department) for u in found]
    emit_table(("ID", "NAME", "EMAIL", "DEPARTMENT"), rows, empty="The group has no members.")
    return 0


async def mail_outbox(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        found = await backend.list_outbox(limit=ctx.args.limit)
    if ctx.json:
        emit_json(found)
        return 0
    rows = [(m.id or "", format_time(m.sent_at, None), join(m.to, ", "), m.subject) for m in found]
    emit_table(("ID", "SENT", "TO", "SUBJECT"), rows, empty="The outbox is empty.")
    return 0
