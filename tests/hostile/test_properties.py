"""Generated hostile input (hypothesis) on the demo site: ids, times, numbers and whole argument
lists nobody would type. Each run ends in exit 0/1/2 with plain output, and changes nothing
unless it was a valid write."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import shown
from tests.hostile.corpus import MUST_FAIL, READS, TIME_SLOTS, argv_for

# One site for all examples of a test (a new one per example would be most of the time spent).
HOSTILE = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that hurts: controls, bidi and separators, surrogates, path and SQL punctuation, and
# plain letters in between so some of it looks almost like an id.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp", "Cs", "Co"]),
        st.sampled_from(list("/.%_*?#'\"\\;-@ ,=&")),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xA0),
    ),
    max_size=40,
)


def fill(slot: str, *values: str) -> list[str]:
    """The slot's argv with its ``{}`` places filled in order (a slot may have one or two)."""
    pending = iter(values)
    return [next(pending) if part == "{}" else part for part in slot.split(" ")]


def _assert_behaved(site, argv, **kwargs) -> None:
    problems = site.check(argv, **kwargs)
    assert not problems, f"{shown(argv)}: {problems}"


@HOSTILE
@given(slot=st.sampled_from(MUST_FAIL), value=hostile_text)
def test_lookups_and_writes_of_hostile_ids_are_refused_plainly(site, slot, value):
    _assert_behaved(site, argv_for(slot, value), must_fail=True)


@HOSTILE
@given(slot=st.sampled_from(READS), value=hostile_text)
def test_listings_filtered_by_hostile_text_answer_plainly(site, slot, value):
    _assert_behaved(site, argv_for(slot, value), must_fail=False)


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))


def _iso(moment: datetime, shape: int) -> str:
    if shape == 0:
        return moment.date().isoformat()
    if shape == 1:
        return moment.replace(tzinfo=None).isoformat(timespec="minutes")
    return moment.isoformat(timespec="minutes")


def _moments(low: datetime, high: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=low, max_value=high, timezones=offsets)


# Anywhere in the calendar, and often in its first and last days, where the arithmetic breaks.
any_time = st.builds(
    _iso,
    st.one_of(
        _moments(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)),
        _moments(datetime(1, 1, 1), datetime(1, 1, 5)),
        _moments(datetime(9999, 12, 26), datetime(9999, 12, 31, 23, 59)),
    ),
    st.integers(0, 2),
)
# Before the frozen now (2026-11-21 07:00Z), or in the calendar's last days: never bookable.
unbookable_time = st.builds(
    _iso,
    st.one_of(
        _moments(datetime(1, 1, 1), datetime(2026, 11, 19)),
        _moments(datetime(9999, 12, 30), datetime(9999, 12, 31, 23, 59)),
    ),
    st.integers(0, 2),
)
READ_TIME_SLOTS = [slot for slot, writes in TIME_SLOTS if not writes]
WRITE_TIME_SLOTS = [slot for slot, writes in TIME_SLOTS if writes]


@HOSTILE
@given(slot=st.sampled_from(READ_TIME_SLOTS), start=any_time, end=any_time)
def test_listings_over_any_window_of_the_calendar_answer_plainly(site, slot, start, end):
    argv = fill(slot, start, end)
    _assert_behaved(site, argv, must_fail=False)


@HOSTILE
@given(slot=st.sampled_from(WRITE_TIME_SLOTS), start=unbookable_time, end=unbookable_time)
def test_bookings_at_unbookable_times_are_refused_and_change_nothing(site, slot, start, end):
    argv = fill(slot, start, end)
    _assert_behaved(site, argv, must_fail=True)


numbers = st.one_of(st.integers(), st.integers(min_value=2**31 - 5, max_value=2**31 + 5), st.integers(min_value=10**17))


@HOSTILE
@given(number=numbers)
def test_counts_and_sizes_of_any_magnitude_answer_plainly(site, tmp_path, number):
    for slot in ("rooms --capacity {}", "mail outbox --limit {}"):
        _assert_behaved(site, argv_for(slot, str(number)), must_fail=False)
    if number > 4096 or number < 1:
        # The billion-pixel PNG: refused at once, and nothing written.
        png = tmp_path / "big.png"
        _assert_behaved(site, ["qr", "hello", "--png", str(png), "--size", str(number)], must_fail=True)
        assert not png.exists()


COMMANDS = ["zones", "rooms", "freebusy", "events", "bookings", "guests", "users", "groups", "mail", "qr", "config",
            "tenant", "placeos", "bookings show", "events create", "guests check-in"]


OPTIONS = ["--start", "--end", "--zone", "--json", "--size", "--room", "--", "-"]


@settings(HOSTILE, max_examples=120)
@given(command=st.sampled_from(COMMANDS), tail=st.lists(st.one_of(hostile_text, st.sampled_from(OPTIONS)), max_size=4))
def test_any_argument_list_gets_an_exit_status_and_plain_lines(site, command, tail):
    _assert_behaved(site, [*command.split(" "), *tail], must_fail=False)
