"""Admin · Tenants: every tenant in the config, the one in use, and a check of each that tries
its settings exactly as ``staffterm config check`` does. Secrets are never shown: settings are
described by where the data lives (URL, tenant id, domain, database file), not by credentials.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from staffterm.errors import StafftermError
from staffterm.ui.screens.admin.pane import AdminPane, fit_columns, plain, short_path, theme_style


def tenant_columns(width: int) -> list[tuple[str, str, int | None]]:
    """The table's columns; the check's outcome takes what the others leave."""
    return [
        ("tenant", "Tenant", 14),
        ("provider", "Provider", 8),
        ("in_use", "In use", 6),
        ("where", "Where", 30 if width >= 110 else 18),
        ("check", "Check", None),
    ]


@dataclass
class TenantRow:
    name: str
    provider: str
    in_use: bool
    where: str
    result: Any = None  # a TenantCheck once checked
    checking: bool = False


class TenantsPane(AdminPane):
    DEFAULT_CSS = """
    TenantsPane #tenants-table {
        height: auto;
        max-height: 50%;
    }
    TenantsPane #tenant-detail {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary 40%;
        overflow-y: auto;
    }
    """
    BINDINGS = [
        Binding("c", "check", "Check tenants", id="admin-check-tenants"),
        Binding("s", "sign_in", "Sign in", id="admin-tenant-sign-in"),
        Binding("a", "show_token", "Access token", id="admin-tenant-token"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, TenantRow] = {}
        self.config_source = ""
        self.problems: list[Any] = []
        self._check_when_loaded = False

    def compose(self) -> ComposeResult:
        yield DataTable(id="tenants-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading tenants…", id="tenant-detail")

    def focus_first(self) -> None:
        self.query_one("#tenants-table", DataTable).focus()

    # ----------------------------------------------------------------- list

    def load(self) -> None:
        self._load_tenants()

    @work(exclusive=True, group="admin-tenants", exit_on_error=False, name="load-tenants")
    async def _load_tenants(self) -> None:
        from staffterm.services.tenant_check import tenant_location

        session = self.app.session
        config = getattr(self.app, "config", None)
        rows: list[TenantRow] = []
        problems: list[Any] = []
        if config is None:
            # A console opened on a session alone (tests, embedding): only that tenant is known.
            rows.append(TenantRow(session.tenant_name, session.provider, True, ""))
            source = "no config: this console was opened on one tenant's session"
        else:
            from staffterm.config import check_config

            # Static checks look at files and PATH: off the UI thread.
            problems = await asyncio.to_thread(check_config, config)
            for name, settings in config.tenants.items():
                rows.append(TenantRow(name, settings.provider, name == session.tenant_name,
                                      short_path(tenant_location(settings))))
            source = short_path(str(config.source)) if config.source else "no config file: the built-in demo site"
        previous = self.rows
        for row in rows:  # a reload keeps the checks already made
            old = previous.get(row.name)
            if old is not None and old.provider == row.provider:
                row.result, row.checking = old.result, old.checking
        self.rows = {row.name: row for row in rows}
        self.config_source = source
        self.problems = problems
        self._fill()
        self.loaded()
        if self._check_when_loaded:
            self._check_when_loaded = False
            self.action_check()

    def _fill(self) -> None:
        table = self.query_one("#tenants-table", DataTable)
        keep = self._highlighted_name()
        width = table.size.width or self.size.width or 80
        fit_columns(table, tenant_columns(width), width, least=16)
        table.clear()
        for row in self.rows.values():
            table.add_row(*self._cells(row), key=row.name)
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_detail()

    def _cells(self, row: TenantRow) -> list[Text]:
        in_use = Text("● yes", style=theme_style(self.app, "success", bold=True)) if row.in_use else Text("")
        return [plain(row.name), plain(row.provider), in_use, plain(row.where), self._check_cell(row)]

    def _check_cell(self, row: TenantRow) -> Text:
        if row.checking:
            return Text("checking…", style="italic")
        if row.result is None:
            return Text("—", style="dim")
        result = row.result
        # Styled spans, not a base style: the reason after the outcome stays in plain colours.
        cell = Text(no_wrap=True, overflow="ellipsis")
        if result.ok and result.missing:
            # Works, but without an extra (desk names, booking limits): say so in the row itself.
            cell.append("ok", style=theme_style(self.app, "success", bold=True))
            cell.append(f" · {len(result.missing)} missing", style=theme_style(self.app, "warning", bold=True))
            summary = result.missing[0]
        elif result.ok:
            cell.append("ok", style=theme_style(self.app, "success", bold=True))
            summary = result.lines[-1] if result.lines else ""
        else:
            cell.append("failed", style=theme_style(self.app, "error", bold=True))
            summary = result.message
        if summary:
            cell.append(f" · {short_path(summary)}", style="dim" if result.ok else "")
        return cell

    def repaint_cells(self) -> None:
        if self.rows and self.is_mounted:
            self._fill()

    def _highlighted_name(self) -> str | None:
        table = self.query_one("#tenants-table", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except CellDoesNotExist:  # no valid cursor yet
            return None
        return key.value

    # ----------------------------------------------------------------- check

    def action_check(self) -> None:
        if self.app.session is None:
            self.app.notify("Still connecting…", timeout=3)
            return
        if not self.rows:  # asked before the list was read: check once it is
            self._check_when_loaded = True
            self.load()
            return
        for row in self.rows.values():
            row.checking = True
        self._fill()
        self._check_all(list(self.rows))

    @work(exclusive=True, group="admin-tenant-check", exit_on_error=False, name="check-tenants")
    async def _check_all(self, names: list[str]) -> None:
        for done in asyncio.as_completed([self._check_one(name) for name in names]):
            result = await done
            row = self.rows.get(result.tenant)
            if row is not None:
                row.result, row.checking = result, False
                self._update_row(row)
        failed = [r.name for r in self.rows.values() if r.result is not None and not r.result.ok]
        total = len(names)
        if failed:
            self.app.notify(f"{len(failed)} of {total} tenants failed the check: {', '.join(failed)}",
                            title="Tenant check", severity="warning", markup=False)
        else:
            self.app.notify(f"All {total} tenants passed the check." if total > 1 else "The tenant passed the check.",
                            title="Tenant check", markup=False)

    async def _check_one(self, name: str) -> Any:
        from staffterm.services import tenant_check

        session = self.app.session
        config = getattr(self.app, "config", None)
        if config is None:
            return await session.check()
        return await tenant_check.check_tenant(config, name, clock=session.clock)

    def _update_row(self, row: TenantRow) -> None:
        table = self.query_one("#tenants-table", DataTable)
        try:
            table.update_cell(row.name, "check", self._check_cell(row))
        except CellDoesNotExist:  # the table was rebuilt meanwhile: repaint it whole
            self._fill()
        if self._highlighted_name() == row.name:
            self._show_detail()

    # ----------------------------------------------------------------- sign-in and token

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sign in and the access token are offered (in the footer too) only on a tenant that has them."""
        if action not in ("sign_in", "show_token"):
            return True
        from staffterm.services import tenant_sign_in

        session, name = self.app.session, self._highlighted_name() if self.is_mounted else None
        if session is None or name is None:
            return False
        try:
            test = tenant_sign_in.can_sign_in if action == "sign_in" else tenant_sign_in.has_access_token
            return test(session, getattr(self.app, "config", None), name)
        except StafftermError:
            return False

    def action_sign_in(self) -> None:
        from staffterm.services import tenant_sign_in
        from staffterm.ui.dialogs.tenant_sign_in import DeviceSignInDialog

        session, config, name = self.app.session, getattr(self.app, "config", None), self._highlighted_name()
        if session is None or name is None:
            return
        if not tenant_sign_in.can_sign_in(session, config, name):
            self.app.notify(f"{name} does not sign in as a person: only a Microsoft 365 tenant with "
                            'auth_mode = "device_code" does.', title="Sign in", severity="warning", markup=False)
            return
        self.app.push_screen(DeviceSignInDialog(
            name, lambda show: tenant_sign_in.sign_in(session, config, name, show)))

    def action_show_token(self) -> None:
        from staffterm.services import tenant_sign_in
        from staffterm.ui.dialogs.access_token import ACCESS_TOKEN_WARNING
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        session, config, name = self.app.session, getattr(self.app, "config", None), self._highlighted_name()
        if session is None or name is None:
            return
        if not tenant_sign_in.has_access_token(session, config, name):
            self.app.notify(f"{name} has no access token to show.", title="Access token", severity="warning",
                            markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._show_token(name)

        self.app.push_screen(ConfirmDialog(ACCESS_TOKEN_WARNING, confirm_label="Show token",
                                           title=f"Show the access token of {name}?"), answered)

    @work(exclusive=True, group="admin-tenant-token", exit_on_error=False, name="access-token")
    async def _show_token(self, name: str) -> None:
        from staffterm.services import tenant_sign_in
        from staffterm.ui.dialogs.access_token import AccessTokenDialog

        token = await tenant_sign_in.access_token(self.app.session, getattr(self.app, "config", None), name)
        await self.app.push_screen(AccessTokenDialog(name, token))

    # ----------------------------------------------------------------- detail

    @on(DataTable.RowHighlighted, "#tenants-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#tenant-detail", Static)
        row = self.rows.get(self._highlighted_name() or "")
        parts: list[Any] = []
        if row is not None:
            parts += [(row.name, "bold"), f" ({row.provider})"]
            if row.in_use:
                parts.append(("  in use", "$text-success"))
            parts.append("\n")
            if row.where:
                parts += [("Where: ", "bold"), row.where, "\n"]
            parts += _result_parts(row)
            parts.append("\n")
        parts += [("Config: ", "bold"), self.config_source, "\n"]
        for problem in self.problems:
            style = "$text-error" if problem.severity == "error" else "$text-warning"
            key = f"{problem.key}: " if problem.key else ""
            parts += [(f"{problem.severity}: ", style), short_path(f"{key}{problem.message}"), "\n"]
        if not self.problems and getattr(self.app, "config", None) is not None:
            parts.append(("No problems found in the config.\n", "dim"))
        detail.update(Content.assemble(*parts))


def _result_parts(row: TenantRow) -> list[Any]:
    if row.checking:
        return [("Check: ", "bold"), ("checking…", "italic"), "\n"]
    result = row.result
    if result is None:
        return [("Check: ", "bold"), ("not checked yet: press c to try every tenant's settings", "dim"), "\n"]
    works = [f"  {short_path(line)}\n" for line in result.lines]
    missing: list[Any] = []
    for text in result.missing:
        missing += [("  missing: ", "bold $text-warning"), short_path(text), "\n"]
    if result.ok:
        return [("Check: ", "bold"), ("ok", "bold $text-success"), "\n", *works, *missing]
    failed: list[Any] = [("Check: ", "bold"), ("failed", "bold $text-error"), " — ", short_path(result.message), "\n"]
    if works:
        failed += [("  What works:\n", "dim"), *works]
    return failed + missing
