"""PlaceOS deletes whose first reply was lost: re-sent into "already deleted" (404) or "not
allowed in its state" (405/409), they are done when a lookup shows the item gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from staffterm.backends.placeos.backend import PlaceOSBackend
from staffterm.backends.placeos.write_outcomes import confirmed_delete
from staffterm.clock import FrozenClock
from staffterm.config.providers import PlaceOSSettings
from staffterm.errors import ConflictError, NotFoundError, ReplyLostError, UnavailableError
from staffterm.models import BookingDraft
from tests.fakes.placeos.server import FakePlaceOS

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class LoseFirstReply(httpx.AsyncBaseTransport):
    """Lets the first ``method`` request reach the fake, then resets the connection."""

    def __init__(self, fake: FakePlaceOS, method: str = "DELETE") -> None:
        self.inner, self.method, self.lost = fake.transport(), method, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == self.method and not self.lost:
            self.lost += 1
            raise httpx.ReadError("connection reset by peer")
        return response


async def _no_sleep(_s: float) -> None:
    return None


def backend_over(fake: FakePlaceOS, transport: httpx.AsyncBaseTransport, tmp_path) -> PlaceOSBackend:
    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": fake.base_url, "api_key": FakePlaceOS.API_KEY})
    return PlaceOSBackend("acme", settings, clock=FrozenClock(NOW), transport=transport,
                          token_dir=tmp_path, sleep=_no_sleep)


async def test_a_booking_delete_whose_reply_was_lost_is_done_when_the_booking_is_gone(tmp_path) -> None:
    fake = FakePlaceOS(now=NOW)
    transport = LoseFirstReply(fake)
    async with backend_over(fake, transport, tmp_path) as backend:
        start = NOW + timedelta(days=1)
        made = await backend.create_booking(BookingDraft(
            type="parking", asset_ids=["bay-1"], start=start, end=start + timedelta(hours=1),
            user_email="ada.lovelace@acme.example", zones=["zone-syd"]))
        await backend.delete_booking(made.id)  # the retry meets 405 "booking has been deleted"
    assert transport.lost == 1
    assert fake.state.bookings[int(made.id)]["deleted"] is True
    assert len(fake.requests_to("DELETE", f"/api/staff/v1/bookings/{made.id}")) == 2


async def test_a_delete_refused_on_its_first_try_is_still_an_error(tmp_path) -> None:
    fake = FakePlaceOS(now=NOW)
    async with backend_over(fake, fake.transport(), tmp_path) as backend:
        with pytest.raises(NotFoundError):
            await backend.delete_booking("999999")


def _refused_after_lost_reply() -> ConflictError:
    error = ConflictError("PlaceOS refused: booking has been deleted")
    error.details["after_lost_reply"] = True
    return error


async def test_a_refused_retry_of_an_item_still_there_is_reported_not_done() -> None:
    async def delete() -> None:
        raise _refused_after_lost_reply()

    async def is_gone() -> bool:
        return False

    with pytest.raises(ConflictError):
        await confirmed_delete(delete, is_gone, what="booking 7", check="`staffterm bookings show 7`")


async def test_a_refused_retry_whose_lookup_fails_may_have_happened_and_says_how_to_check() -> None:
    async def delete() -> None:
        raise _refused_after_lost_reply()

    async def is_gone() -> bool:
        raise UnavailableError("still down")

    with pytest.raises(ReplyLostError) as info:
        await confirmed_delete(delete, is_gone, what="booking 7", check="`staffterm bookings show 7`")
    assert info.value.applied is None and "staffterm bookings show 7" in str(info.value)


async def test_a_delete_that_may_have_happened_is_settled_by_the_lookup() -> None:
    async def delete() -> None:
        raise ReplyLostError("PlaceOS may have carried out DELETE", applied=None)

    async def gone() -> bool:
        raise NotFoundError("no such booking")

    await confirmed_delete(delete, gone, what="booking 7", check="x")


class LoseFirstThenRefuse(LoseFirstReply):
    """The first DELETE acts and its reply is lost; the re-sent one is refused with a bare 405, as
    staff-api's check_deleted refuses actions on a deleted booking (the strictest reading of
    src/controllers/bookings.cr for a second destroy)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" and self.lost:
            return httpx.Response(405, request=request)
        return await super().handle_async_request(request)


async def test_the_raw_booking_delete_settles_a_lost_reply_too(tmp_path) -> None:
    # `staffterm placeos booking_delete` calls the raw client: a lost reply re-sent into a refusal
    # must read as done there as well, when the booking is gone.
    fake = FakePlaceOS(now=NOW)
    transport = LoseFirstThenRefuse(fake)
    async with backend_over(fake, transport, tmp_path) as backend:
        start = NOW + timedelta(days=1)
        made = await backend.create_booking(BookingDraft(
            type="parking", asset_ids=["bay-1"], start=start, end=start + timedelta(hours=1),
            user_email="ada.lovelace@acme.example", zones=["zone-syd"]))
        await backend.staff.booking_delete(made.id)
    assert transport.lost == 1
    assert fake.state.bookings[int(made.id)]["deleted"] is True


async def test_the_raw_booking_delete_of_an_unknown_id_is_not_found(tmp_path) -> None:
    fake = FakePlaceOS(now=NOW)
    async with backend_over(fake, fake.transport(), tmp_path) as backend:
        with pytest.raises(NotFoundError):
            await backend.staff.booking_delete("999999")


async def test_a_booking_edit_whose_reply_was_lost_is_re_sent_and_done(tmp_path) -> None:
    # A PATCH of absolute values leaves the same booking however often it lands (staff-api
    # bookings.cr update copies the fields given; a second copy changes nothing, and the slot is
    # unchanged the second time, so no clash or limit check and no reset): safe to re-send.
    fake = FakePlaceOS(now=NOW)
    transport = LoseFirstReply(fake, method="PATCH")
    async with backend_over(fake, transport, tmp_path) as backend:
        start = NOW + timedelta(days=1)
        made = await backend.create_booking(BookingDraft(
            type="parking", asset_ids=["bay-1"], start=start, end=start + timedelta(hours=1),
            user_email="ada.lovelace@acme.example", zones=["zone-syd"]))
        edited = await backend.staff.update_booking(made.id, title="Moved to bay 1", booking_end=start + timedelta(hours=2))
    assert transport.lost == 1 and edited["title"] == "Moved to bay 1"
    assert fake.state.bookings[int(made.id)]["title"] == "Moved to bay 1"
