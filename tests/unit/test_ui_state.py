"""Remembered UI state: a small JSON file that never stops the console from starting."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from staffterm import files  # the atomic write the state goes through
from staffterm.errors import ConfigError, InvalidInputError
from staffterm.ui import state as ui_state
from staffterm.ui.state import UiState, UiStateWriteError, load_ui_state, save_ui_state, update_ui_state

FULL = UiState(theme="staffterm-high-contrast", building_id="bld-london", last_screen="guests")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_file_gives_defaults(tmp_path):
    assert load_ui_state(tmp_path / "nope.json") == UiState(theme=None, building_id=None, last_screen=None)


def test_round_trip(tmp_path):
    path = tmp_path / "ui-state.json"
    save_ui_state(FULL, path)
    assert load_ui_state(path) == FULL
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk == {
        "version": 1,
        "theme": "staffterm-high-contrast",
        "building_id": "bld-london",
        "last_screen": "guests",
    }


def test_round_trip_of_partly_empty_state(tmp_path):
    path = tmp_path / "ui-state.json"
    save_ui_state(UiState(building_id="b1"), path)
    assert load_ui_state(path) == UiState(building_id="b1")


def test_default_location_is_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    assert ui_state.ui_state_path() == tmp_path / "data" / "ui-state.json"
    save_ui_state(FULL)  # creates the missing data dir
    assert (tmp_path / "data" / "ui-state.json").is_file()
    assert load_ui_state() == FULL


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"not json at all",
        b"\xff\xfe\x00\x01",
        b"[1, 2, 3]",
        b'"staffterm-dark"',
        b"null",
        b"[" * 50_000,
        b'{"theme": "' + b"x" * 100_000 + b'"}',
    ],
    ids=["empty", "truncated", "text", "binary", "list", "string", "null", "deep", "huge"],
)
def test_corrupt_file_gives_defaults(tmp_path, content):
    path = tmp_path / "ui-state.json"
    path.write_bytes(content)
    assert load_ui_state(path) == UiState()


def test_one_bad_field_keeps_the_good_ones(tmp_path):
    path = tmp_path / "ui-state.json"
    path.write_text(
        json.dumps({"theme": 42, "building_id": "  bld-nyc  ", "last_screen": "", "from_the_future": [1]}),
        encoding="utf-8",
    )
    assert load_ui_state(path) == UiState(theme=None, building_id="bld-nyc", last_screen=None)


def test_control_characters_are_not_trusted(tmp_path):
    path = tmp_path / "ui-state.json"
    path.write_text(json.dumps({"theme": "dark\x1b[31m", "last_screen": "rooms"}), encoding="utf-8")
    assert load_ui_state(path) == UiState(last_screen="rooms")


def test_a_directory_in_the_way_gives_defaults(tmp_path):
    (tmp_path / "ui-state.json").mkdir()
    assert load_ui_state(tmp_path / "ui-state.json") == UiState()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_saved_file_is_private(tmp_path):
    path = tmp_path / "ui-state.json"
    path.write_text("{}", encoding="utf-8")
    os.chmod(path, 0o644)
    old_umask = os.umask(0)
    try:
        save_ui_state(FULL, path)
    finally:
        os.umask(old_umask)
    assert mode_of(path) == 0o600


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "ui-state.json"
    save_ui_state(FULL, path)
    before = path.read_bytes()
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src, dst):
        # The new content is complete in the temp file before it takes the real name.
        assert Path(src).parent == path.parent and Path(src) != path
        assert json.loads(Path(src).read_text(encoding="utf-8"))["theme"] == "staffterm-light"
        assert path.read_bytes() == before
        replaced.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", spy)
    save_ui_state(UiState(theme="staffterm-light"), path)
    assert replaced and replaced[0][1] == str(path)
    assert load_ui_state(path) == UiState(theme="staffterm-light")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ui-state.json"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "ui-state.json"
    save_ui_state(FULL, path)
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    with pytest.raises(UiStateWriteError) as caught:
        save_ui_state(UiState(theme="staffterm-light"), path)
    error = caught.value
    assert isinstance(error, ConfigError) and isinstance(error, OSError)
    assert error.path == str(path)
    assert "No space left on device" in str(error)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ui-state.json"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_an_unwritable_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(UiStateWriteError, match="Could not save"):
            save_ui_state(FULL, folder / "ui-state.json")
    finally:
        os.chmod(folder, 0o700)


def test_a_file_in_place_of_the_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(UiStateWriteError, match="Could not save the console's remembered settings"):
        save_ui_state(FULL, blocker / "ui-state.json")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (UiState(theme=""), "theme"),
        (UiState(building_id=" padded "), "building_id"),
        (UiState(last_screen="a\nb"), "last_screen"),
        (UiState(theme=7), "theme"),  # type: ignore[arg-type]
        (UiState(building_id="b" * 600), "building_id"),
    ],
)
def test_values_that_cannot_be_read_back_are_refused(tmp_path, bad, field):
    path = tmp_path / "ui-state.json"
    save_ui_state(FULL, path)
    before = path.read_bytes()
    with pytest.raises(InvalidInputError) as caught:
        save_ui_state(bad, path)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"Cannot remember {field}")
    assert path.read_bytes() == before


def test_update_merges_with_what_is_on_disk(tmp_path):
    path = tmp_path / "ui-state.json"
    save_ui_state(FULL, path)
    # Another console changed the building meanwhile; this one only changes the theme.
    save_ui_state(UiState(theme=FULL.theme, building_id="bld-nyc", last_screen="guests"), path)
    result = update_ui_state(path, theme="staffterm-light")
    assert result == UiState(theme="staffterm-light", building_id="bld-nyc", last_screen="guests")
    assert load_ui_state(path) == result
    assert update_ui_state(path, building_id=None).building_id is None


def test_update_refuses_unknown_fields(tmp_path):
    path = tmp_path / "ui-state.json"
    with pytest.raises(InvalidInputError, match="colour"):
        update_ui_state(path, colour="red")
    assert not path.exists()


def test_state_is_immutable():
    with pytest.raises(AttributeError):
        FULL.theme = "x"  # type: ignore[misc]
