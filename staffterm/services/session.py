"""One tenant's working set: its backend, the clock, mail templates and the services over them.

The console and the CLI each hold one ``Session`` per tenant; ``async with`` opens and closes
the backend's connections. The console reaches the backend only through these services and
the few questions the session answers about it (what it can do, its request queue, its
warnings, a check that it works).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from staffterm.backends.base import Backend
from staffterm.capabilities import Capability
from staffterm.clock import SYSTEM_CLOCK, Clock
from staffterm.services.booking import BookingService
from staffterm.services.bookings import BookingsService
from staffterm.services.directory import DirectoryService
from staffterm.services.estate import Estate
from staffterm.services.mail_templates import MailTemplates
from staffterm.services.meetings import MeetingsService
from staffterm.services.reception import ReceptionService
from staffterm.services.room_board import RoomBoard

if TYPE_CHECKING:
    from staffterm.config import Config


class Session:
    def __init__(
        self,
        backend: Backend,
        *,
        clock: Clock | None = None,
        templates: MailTemplates | None = None,
        tenant_name: str | None = None,
        provider: str | None = None,
        sender: str | None = None,
        booking_horizon_days: int | None = None,
    ) -> None:
        self.backend = backend
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.tenant_name = tenant_name if tenant_name is not None else backend.tenant_name
        self.provider = provider or backend.provider
        self.templates = templates or MailTemplates()
        # One estate (zones and rooms) shared by every service: read once, not once per service.
        self.estate = Estate(backend)
        self.board = RoomBoard(backend, self.clock, self.estate)
        horizon = {} if booking_horizon_days is None else {"horizon_days": booking_horizon_days}
        self.booking = BookingService(backend, self.clock, self.estate, **horizon)
        self.reception = ReceptionService(backend, self.templates, self.clock, sender=sender, estate=self.estate)
        self.directory = DirectoryService(backend)
        self.bookings = BookingsService(backend)
        self.meetings = MeetingsService(backend)

    def supports(self, capability: Capability) -> bool:
        """Whether this tenant's backend can do it: the console hides what it cannot."""
        return self.backend.supports(capability)

    def request_stats(self) -> tuple[int, int]:
        """Requests queued and in flight (0, 0 for a backend without a network queue)."""
        return self.backend.request_stats()

    def on_warning(self, sink: Callable[[str], None] | None) -> None:
        """Where the backend's warnings (a partial read, a capped listing) go."""
        self.backend.warning_sink = sink

    async def check(self) -> Any:
        """Try this open tenant the way ``staffterm config check`` does (a ``TenantCheck``)."""
        from staffterm.services.tenant_check import check_open_backend

        return await check_open_backend(self.tenant_name, self.provider, self.backend)

    @classmethod
    def from_config(cls, config: Config, tenant: str | None = None, *, clock: Clock | None = None) -> Session:
        """The session for ``tenant`` (the config's default when None); the backend is built but
        not opened. Only the configured provider's module is imported."""
        from staffterm.backends.registry import create_backend

        name, settings = config.tenant(tenant)
        provider: str = settings.provider
        effective_clock = clock or SYSTEM_CLOCK
        backend = create_backend(name, provider, settings, clock=effective_clock)
        mail: Any = getattr(config, "mail", None)
        # A tenant's email_templates (the Graph API driver's setting) merge over [mail.templates]:
        # the host's check-in mail is the one that tenant's admins wrote.
        templates = MailTemplates(getattr(mail, "templates", None) or None, getattr(settings, "email_templates", None))
        # A tenant's own mailer_from wins over the config-wide sender.
        sender = getattr(settings, "mailer_from", None) or getattr(mail, "sender", None) or None
        horizon_days = getattr(getattr(config, "booking", None), "horizon_days", None)
        return cls(
            backend, clock=effective_clock, templates=templates, tenant_name=name, provider=provider, sender=sender,
            booking_horizon_days=horizon_days,
        )

    @classmethod
    def for_backend(
        cls, backend: Backend, *, clock: Clock | None = None, templates: MailTemplates | None = None
    ) -> Session:
        return cls(backend, clock=clock, templates=templates)

    async def open(self) -> None:
        await self.backend.open()

    async def close(self) -> None:
        await self.backend.close()

    async def __aenter__(self) -> Session:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"Session(tenant={self.tenant_name!r}, provider={self.provider!r})"
