"""Provider-neutral domain model.

Every backend converts its wire format to and from these models at its edge (PlaceOS epoch
seconds, Graph dateTime + timeZone, Google RFC 3339). All datetimes are timezone-aware; a
building's zone carries its IANA time zone so the UI can show times in the building's zone.

Field names are the stable keys of the CLI's ``--json`` output: rename with care.

Over 400 lines on purpose: it is the one vocabulary every layer shares, read as a whole; its
sections (places, events, bookings, guests, directory) are each small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator


class Model(BaseModel):
    """Base for all domain models: unknown keys are refused, values are validated on assignment."""

    # defer_build: a schema is built when a model is first used, not at import (~130 ms saved).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True, defer_build=True)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``--json`` form: field names as keys, datetimes as ISO 8601 with offset."""
        return self.model_dump(mode="json")


def check_timezone(name: str | None) -> str | None:
    """Validate an IANA zone name, returning it unchanged; ``None`` passes through."""
    if name is None or name == "":
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name like Europe/London)") from exc
    return name


def _check_period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise ValueError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")


# --------------------------------------------------------------------------- zones and rooms


class ZoneKind(StrEnum):
    ORG = "org"
    REGION = "region"
    BUILDING = "building"
    LEVEL = "level"
    AREA = "area"
    OTHER = "other"


class Zone(Model):
    """A place that groups rooms and assets: an organisation, a building, a level, an area."""

    id: str
    name: str
    kind: ZoneKind = ZoneKind.OTHER
    parent_id: str | None = None
    timezone: str | None = None
    tags: list[str] = Field(default_factory=list)
    description: str = ""

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))


class Room(Model):
    """A bookable (or not) meeting room. ``email`` is its calendar/resource mailbox."""

    id: str
    email: str
    name: str
    zone_ids: list[str] = Field(default_factory=list)
    capacity: int = Field(default=0, ge=0)
    features: list[str] = Field(default_factory=list)
    bookable: bool = True
    accessible: bool = False
    description: str = ""

    def in_zone(self, zone_id: str) -> bool:
        return zone_id in self.zone_ids

    def has_features(self, wanted: list[str] | set[str]) -> bool:
        have = {f.lower() for f in self.features}
        return all(w.lower() in have for w in wanted)


class BusyStatus(StrEnum):
    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OOF = "oof"
    ELSEWHERE = "elsewhere"


class BusyBlock(Model):
    start: AwareDatetime
    end: AwareDatetime
    status: BusyStatus = BusyStatus.BUSY
    # Set where the backend may tell (local site, PlaceOS); absent for Graph/Google free/busy.
    event_id: str | None = None
    title: str | None = None
    private: bool = False

    @model_validator(mode="after")
    def _period(self) -> BusyBlock:
        _check_period(self.start, self.end)
        return self


class RoomAvailability(Model):
    """Busy blocks of one room over a window. ``error`` is set when this room alone failed."""

    room_id: str
    email: str = ""
    start: AwareDatetime
    end: AwareDatetime
    blocks: list[BusyBlock] = Field(default_factory=list)
    error: str | None = None

    def busy_at(self, moment: datetime) -> BusyBlock | None:
        for block in self.blocks:
            if block.status != BusyStatus.FREE and block.start <= moment < block.end:
                return block
        return None

    def is_free(self, start: datetime, end: datetime) -> bool:
        return not any(
            b.status not in (BusyStatus.FREE,) and b.start < end and start < b.end for b in self.blocks
        )


@dataclass(frozen=True)
class Asset:
    """A bookable thing that is not a meeting room: a desk, a parking space, a locker."""

    id: str
    type: str
    name: str
    zone_ids: tuple[str, ...] = ()
    features: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "zone_ids": list(self.zone_ids),
            "features": list(self.features),
        }


# --------------------------------------------------------------------------- calendar events


class ResponseStatus(StrEnum):
    NEEDS_ACTION = "needsAction"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class Attendee(Model):
    email: str
    name: str = ""
    response: ResponseStatus = ResponseStatus.NEEDS_ACTION
    resource: bool = False
    organizer: bool = False
    checked_in: bool = False
    visit_expected: bool = False
    organisation: str = ""
    phone: str = ""

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower()


class EventStatus(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class Event(Model):
    id: str
    calendar_id: str
    ical_uid: str = ""
    title: str = ""
    body: str = ""
    host: str = ""
    attendees: list[Attendee] = Field(default_factory=list)
    location: str = ""
    room_ids: list[str] = Field(default_factory=list)
    start: AwareDatetime
    end: AwareDatetime
    timezone: str | None = None
    all_day: bool = False
    private: bool = False
    recurring: bool = False
    status: EventStatus = EventStatus.CONFIRMED
    online_meeting_url: str | None = None
    online_meeting_provider: str | None = None
    # How to join by phone or from a video room, where the provider says (the seed's
    # create_event: id, phones, pin, sip); empty for providers that give only a link.
    online_meeting_id: str | None = None
    online_meeting_phones: list[str] = Field(default_factory=list)
    online_meeting_pin: str | None = None
    online_meeting_sip: str | None = None
    created: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    extension_data: dict[str, Any] = Field(default_factory=dict)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @model_validator(mode="after")
    def _period(self) -> Event:
        _check_period(self.start, self.end)
        return self

    def display_title(self, *, masked: bool = False) -> str:
        """The title to show; private meetings show as "Private" when ``masked``."""
        if masked and self.private:
            return "Private meeting"
        return self.title or "(no title)"


class EventDraft(Model):
    """What a caller supplies to create an event."""

    title: str = ""
    start: AwareDatetime
    end: AwareDatetime
    host: str = ""
    attendees: list[Attendee] = Field(default_factory=list)
    room_ids: list[str] = Field(default_factory=list)
    body: str = ""
    location: str = ""
    timezone: str | None = None
    private: bool = False
    all_day: bool = False
    online_meeting_provider: str | None = None
    extension_data: dict[str, Any] = Field(default_factory=dict)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @model_validator(mode="after")
    def _period(self) -> EventDraft:
        _check_period(self.start, self.end)
        return self


class EventPatch(Model):
    """A partial update; ``None`` means unchanged."""

    title: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    body: str | None = None
    attendees: list[Attendee] | None = None
    room_ids: list[str] | None = None
    location: str | None = None
    private: bool | None = None
    extension_data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _period(self) -> EventPatch:
        _check_period(self.start, self.end)
        return self


# --------------------------------------------------------------------------- bookings


class BookingState(StrEnum):
    """PlaceOS's computed booking states, used by every backend."""

    RESERVED = "reserved"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    NO_SHOW = "no_show"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ENDED = "ended"
    UNKNOWN = "unknown"


class BookingType(StrEnum):
    DESK = "desk"
    PARKING = "parking"
    LOCKER = "locker"
    VISITOR = "visitor"
    ROOM = "room"
    ASSET = "asset-request"
    GROUP_EVENT = "group-event"


class HistoryEntry(Model):
    state: str
    time: AwareDatetime
    source: str | None = None
    by: str | None = None


class Booking(Model):
    id: str
    # Free text on PlaceOS; the BookingType values are the common ones.
    type: str
    asset_ids: list[str] = Field(min_length=1)
    zones: list[str] = Field(default_factory=list)
    user_email: str = ""
    user_name: str = ""
    booked_by_email: str = ""
    booked_by_name: str = ""
    start: AwareDatetime
    end: AwareDatetime
    timezone: str | None = None
    title: str = ""
    description: str = ""
    all_day: bool = False
    checked_in: bool = False
    checked_in_at: AwareDatetime | None = None
    checked_out_at: AwareDatetime | None = None
    approved: bool = False
    approved_at: AwareDatetime | None = None
    rejected: bool = False
    rejected_at: AwareDatetime | None = None
    approver_email: str | None = None
    deleted: bool = False
    deleted_at: AwareDatetime | None = None
    # The computed state (reserved, checked_in, …); ``process_state`` is a free-text workflow state.
    state: BookingState = BookingState.RESERVED
    process_state: str | None = None
    attendees: list[Attendee] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    extension_data: dict[str, Any] = Field(default_factory=dict)
    created: AwareDatetime | None = None
    updated: AwareDatetime | None = None

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @model_validator(mode="after")
    def _period(self) -> Booking:
        _check_period(self.start, self.end)
        return self

    @property
    def asset_id(self) -> str:
        return self.asset_ids[0]

    @property
    def pending_approval(self) -> bool:
        return not self.approved and not self.rejected and not self.deleted


class BookingDraft(Model):
    type: str
    asset_ids: list[str] = Field(min_length=1)
    start: AwareDatetime
    end: AwareDatetime
    user_email: str = ""
    user_name: str = ""
    zones: list[str] = Field(default_factory=list)
    timezone: str | None = None
    title: str = ""
    description: str = ""
    all_day: bool = False
    approved: bool = False
    attendees: list[Attendee] = Field(default_factory=list)
    extension_data: dict[str, Any] = Field(default_factory=dict)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("booking type must not be empty")
        return v

    @model_validator(mode="after")
    def _period(self) -> BookingDraft:
        _check_period(self.start, self.end)
        if len(set(self.asset_ids)) != len(self.asset_ids):
            raise ValueError("asset_ids must be unique")
        return self


class BookingPatch(Model):
    asset_ids: list[str] | None = None
    zones: list[str] | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    title: str | None = None
    description: str | None = None
    user_email: str | None = None
    user_name: str | None = None
    attendees: list[Attendee] | None = None
    extension_data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _period(self) -> BookingPatch:
        _check_period(self.start, self.end)
        return self


class BookingQuery(Model):
    """Filters for listing bookings; every filter is optional except the window."""

    start: AwareDatetime
    end: AwareDatetime
    type: str | None = None
    zone_ids: list[str] = Field(default_factory=list)
    user_email: str | None = None
    asset_ids: list[str] = Field(default_factory=list)
    approved: bool | None = None
    rejected: bool | None = None
    checked_in: bool | None = None
    include_checked_out: bool = False
    include_deleted: bool = False

    @model_validator(mode="after")
    def _period(self) -> BookingQuery:
        _check_period(self.start, self.end)
        return self


# --------------------------------------------------------------------------- guests


class Guest(Model):
    """A visitor expected at (or visiting) a building."""

    id: str
    email: str
    name: str = ""
    phone: str = ""
    organisation: str = ""
    notes: str = ""
    host_email: str = ""
    host_name: str = ""
    visit_start: AwareDatetime | None = None
    visit_end: AwareDatetime | None = None
    zone_ids: list[str] = Field(default_factory=list)
    checked_in: bool = False
    checked_in_at: AwareDatetime | None = None
    checked_out_at: AwareDatetime | None = None
    visit_expected: bool = True
    booking_id: str | None = None
    event_id: str | None = None
    # The calendar holding ``event_id`` when it is not the host's: on Microsoft 365 a visit is
    # found on the room's copy of the meeting, whose id means nothing in the host's mailbox.
    event_calendar: str | None = None
    extension_data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower()

    @model_validator(mode="after")
    def _period(self) -> Guest:
        _check_period(self.visit_start, self.visit_end)
        return self


class GuestDraft(Model):
    email: str
    name: str
    host_email: str
    visit_start: AwareDatetime
    visit_end: AwareDatetime
    phone: str = ""
    organisation: str = ""
    notes: str = ""
    zone_ids: list[str] = Field(default_factory=list)
    extension_data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("email", "host_email")
    @classmethod
    def _email(cls, v: str) -> str:
        v = v.strip().lower()
        if "@" not in v or v.startswith("@") or v.endswith("@"):
            raise ValueError(f"{v!r} is not an email address")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("a guest needs a name")
        return v

    @model_validator(mode="after")
    def _period(self) -> GuestDraft:
        _check_period(self.visit_start, self.visit_end)
        return self


class GuestPatch(Model):
    name: str | None = None
    phone: str | None = None
    organisation: str | None = None
    notes: str | None = None
    host_email: str | None = None
    visit_start: AwareDatetime | None = None
    visit_end: AwareDatetime | None = None
    extension_data: dict[str, Any] | None = None


# --------------------------------------------------------------------------- directory and mail


class User(Model):
    id: str
    email: str
    name: str = ""
    phone: str = ""
    department: str = ""
    title: str = ""
    office_location: str = ""
    manager_email: str | None = None
    suspended: bool = False


class Group(Model):
    id: str
    name: str
    email: str = ""
    description: str = ""


class Calendar(Model):
    id: str
    name: str = ""
    owner_email: str = ""
    primary: bool = False
    can_edit: bool = False


class MailMessage(Model):
    """A mail to send, or one the local site recorded in its outbox."""

    to: list[str] = Field(min_length=1)
    subject: str
    text: str = ""
    html: str = ""
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    reply_to: str | None = None
    sender: str | None = None
    id: str | None = None
    sent_at: AwareDatetime | None = None
