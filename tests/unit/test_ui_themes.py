"""Themes: the shipped TOML files, user overrides, soft failure on broken files, contrast."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Static

from staffterm.errors import ConfigError
from staffterm.ui import themes
from staffterm.ui.themes import (
    APP_VARIABLES,
    BUILTIN_THEME_ORDER,
    DEFAULT_THEME_NAME,
    StafftermThemeProvider,
    check_contrast,
    choose_theme,
    contrast_ratio,
    load_theme_file,
    load_themes,
    parse_theme,
    theme_names_for_palette,
    variable_defaults_for,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_DIR = ROOT / "themes"
REQUIRED = ("staffterm-dark", "staffterm-light", "staffterm-high-contrast")
HIGH_CONTRAST = ("staffterm-high-contrast", "staffterm-high-contrast-light")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shipped() -> list[Theme]:
    result = load_themes(user_dir=Path("/nonexistent-staffterm-themes"))
    assert result.problems == []
    return result.themes


# ----------------------------------------------------------------------------- shipped themes


def test_builtin_folder_is_the_top_level_themes_folder():
    assert themes.builtin_themes_dir() == SHIPPED_DIR


def test_builtin_folder_falls_back_to_the_installed_share_folder(tmp_path, monkeypatch):
    import staffterm

    share = tmp_path / "prefix" / "share" / "staffterm" / "themes"
    write(share / "staffterm-dark.toml", (SHIPPED_DIR / "staffterm-dark.toml").read_text(encoding="utf-8"))
    # Someone else's "themes" folder beside the package in site-packages is not ours.
    write(tmp_path / "site-packages" / "themes" / "solarized.toml", 'name = "x"\nprimary = "#000000"\n')
    monkeypatch.setattr(staffterm, "__file__", str(tmp_path / "site-packages" / "staffterm" / "__init__.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert themes.builtin_themes_dir() == share
    (share / "staffterm-dark.toml").unlink()
    assert themes.builtin_themes_dir() is None


def test_every_shipped_theme_loads_in_the_picker_order():
    names = [theme.name for theme in shipped()]
    for name in REQUIRED:
        assert name in names
    assert names[: len(REQUIRED)] == list(REQUIRED)
    # One file per theme, named after it.
    assert sorted(path.stem for path in SHIPPED_DIR.glob("*.toml")) == sorted(names)


@pytest.mark.parametrize("path", sorted(SHIPPED_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_each_shipped_file_converts_to_a_textual_theme(path):
    theme = load_theme_file(path)
    assert isinstance(theme, Theme)
    assert theme.name == path.stem
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert theme.primary == data["primary"]
    assert theme.dark == data["dark"]
    # Every field is explicit in our own themes: nothing left to Textual's guesses.
    for key in ("foreground", "background", "surface", "panel", "secondary", "accent", "warning", "error", "success"):
        assert getattr(theme, key) == data[key], key
    colours = theme.to_color_system().generate()
    assert colours["background"].lower() == data["background"].lower()


@pytest.mark.parametrize("theme", shipped(), ids=lambda t: t.name)
def test_every_shipped_theme_defines_the_app_variables_as_hex(theme):
    for name in APP_VARIABLES:
        value = theme.variables[name]
        assert len(value) == 7 and value.startswith("#"), (name, value)
        int(value[1:], 16)


def test_the_light_and_dark_themes_say_which_they_are():
    by_name = {theme.name: theme for theme in shipped()}
    assert by_name["staffterm-dark"].dark and by_name["staffterm-high-contrast"].dark
    assert not by_name["staffterm-light"].dark


class ThemedApp(App[None]):
    """Uses every app variable in its CSS, the way the console's TCSS does."""

    CSS = "\n".join(
        f"#{name} {{ background: ${name}; color: $text; }}" for name in APP_VARIABLES
    )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults_for(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in APP_VARIABLES:
            yield Static(name, id=name)


async def test_app_applies_each_shipped_theme_and_its_variables():
    app = ThemedApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for theme in shipped():
            app.register_theme(theme)
        for theme in shipped():
            app.theme = theme.name
            await pilot.pause()
            for name in APP_VARIABLES:
                background = app.query_one(f"#{name}", Static).styles.background
                assert background.hex6.lower() == theme.variables[name], (theme.name, name)


async def test_textual_themes_fall_back_to_the_default_variables():
    app = ThemedApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for textual_name, defaults in (
            ("textual-dark", themes.THEME_VARIABLE_DEFAULTS),
            ("textual-light", themes.LIGHT_THEME_VARIABLE_DEFAULTS),
        ):
            app.theme = textual_name
            await pilot.pause()
            for name in APP_VARIABLES:
                assert app.query_one(f"#{name}", Static).styles.background.hex6.lower() == defaults[name]


# ---------------------------------------------------------------------------------- contrast


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#3a7bd5", "#3a7bd5") == pytest.approx(1.0)
    # Well-known values: #777 on white is just under AA, #767676 just over.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#fff", "#000") == pytest.approx(21.0)


def test_contrast_ratio_refuses_translucent_colours():
    with pytest.raises(ValueError, match="translucent"):
        contrast_ratio("#ffffff80", "#000000")


@pytest.mark.parametrize("theme", shipped(), ids=lambda t: t.name)
def test_every_shipped_theme_passes_the_contrast_check(theme):
    assert check_contrast(theme) == []


@pytest.mark.parametrize("name", HIGH_CONTRAST)
def test_high_contrast_themes_reach_aaa_on_every_text_pair(name):
    theme = next(theme for theme in shipped() if theme.name == name)
    assert check_contrast(theme, text_minimum=7.0) == []
    css = themes.resolved_variables(theme)
    assert contrast_ratio(css["foreground"], css["background"]) >= 15


def test_high_contrast_theme_has_a_dark_background():
    theme = next(theme for theme in shipped() if theme.name == "staffterm-high-contrast")
    assert theme.dark
    assert themes.relative_luminance(theme.background) < 0.01


@pytest.mark.parametrize("theme", shipped(), ids=lambda t: t.name)
def test_our_slot_colours_also_read_as_text(theme):
    # Screens may print "busy until 11:30" in the slot colour, on the background or a surface.
    css = themes.resolved_variables(theme)
    for name in themes.FREE_BUSY_VARIABLES:
        for backdrop in ("background", "surface"):
            assert contrast_ratio(css[name], css[backdrop]) >= themes.MIN_TEXT_CONTRAST, (name, backdrop)


def test_the_aaa_check_is_stricter_than_aa():
    # The ordinary themes pass AA but not AAA: the threshold really is applied.
    theme = next(theme for theme in shipped() if theme.name == "staffterm-light")
    assert check_contrast(theme) == []
    assert check_contrast(theme, text_minimum=7.0) != []


def test_contrast_check_names_each_failing_pair():
    murky = Theme(
        name="murky",
        primary="#4c9be8",
        foreground="#555555",
        background="#333333",
        surface="#333333",
        panel="#3a3a3a",
        variables={
            "fb-free": "#4caf5a",
            "fb-busy": "#3a2020",  # too close to the background to see
            "fb-tentative": "#e0b03a",
            "fb-oof": "#b48ae8",
            "checkin-ok": "#6ccf70",
            "checkin-late": "#f5a053",
        },
    )
    failures = check_contrast(murky)
    labels = " | ".join(failures)
    assert "murky: foreground on background" in labels
    assert "foreground on surface" in labels
    assert "foreground on panel" in labels
    assert "fb-busy against background" in labels
    assert "fb-free" not in labels and "checkin" not in labels
    assert all("needs" in failure for failure in failures)


def test_contrast_check_sees_text_on_slot_colours():
    # A mid-grey slot: neither black nor white text reads well enough on it.
    theme = next(theme for theme in shipped() if theme.name == "staffterm-dark")
    grey = dataclasses.replace(theme, name="grey-slots", variables={**theme.variables, "fb-oof": "#7a7a7a"})
    failures = check_contrast(grey)
    assert any("text on fb-oof" in failure for failure in failures)


def test_default_variables_are_legible_on_textuals_own_themes():
    for theme in BUILTIN_THEMES.values():
        app_pairs = [f for f in check_contrast(theme) if any(name in f for name in APP_VARIABLES)]
        assert app_pairs == [], theme.name


# ------------------------------------------------------------------------- user themes, errors


GOOD_USER_THEME = """
name = "lobby-blue"
primary = "#2a6fdb"
background = "#0e1a2b"
foreground = "#f0f4fa"

[variables]
fb-busy = "#ff8a80"
"""


def test_the_example_in_the_themes_readme_is_a_valid_theme():
    readme = (SHIPPED_DIR / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    theme = parse_theme(tomllib.loads(example), source="README.md")
    assert theme.name == "lobby-blue"
    assert set(APP_VARIABLES) <= set(theme.variables)
    assert check_contrast(theme) == []


def test_user_themes_are_added_after_ours(tmp_path):
    write(tmp_path / "lobby.toml", GOOD_USER_THEME)
    result = load_themes(user_dir=tmp_path)
    assert result.problems == []
    assert result.names[: len(REQUIRED)] == list(REQUIRED)
    assert result.names[-1] == "lobby-blue"
    assert result.sources["lobby-blue"] == tmp_path / "lobby.toml"
    assert result.get("lobby-blue").variables == {"fb-busy": "#ff8a80"}


def test_default_user_folder_is_the_config_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STAFFTERM_CONFIG_DIR", str(tmp_path / "cfg"))
    write(tmp_path / "cfg" / "themes" / "lobby.toml", GOOD_USER_THEME)
    assert themes.user_themes_dir() == tmp_path / "cfg" / "themes"
    result = load_themes()
    assert "lobby-blue" in result.names
    assert result.user_dir == tmp_path / "cfg" / "themes"


def test_a_user_theme_overrides_a_builtin_of_the_same_name(tmp_path):
    write(tmp_path / "my-dark.toml", 'name = "staffterm-dark"\nprimary = "#ff00ff"\n')
    result = load_themes(user_dir=tmp_path)
    assert result.problems == []
    assert result.names.count("staffterm-dark") == 1
    assert result.names[0] == "staffterm-dark"  # keeps its place in the picker
    assert result.get("staffterm-dark").primary == "#ff00ff"
    assert result.sources["staffterm-dark"] == tmp_path / "my-dark.toml"
    assert len(result.themes) == len(shipped())


BROKEN = {
    "syntax.toml": ('name = "x"\nprimary = \n', None, "not valid TOML"),
    "colour.toml": ('name = "bad-colour"\nprimary = "#12345z"\n', "primary", "not a colour"),
    "typo.toml": ('name = "typo"\nprimay = "#123456"\nprimary = "#123456"\n', "primay", "did you mean 'primary'"),
    "noname.toml": ('primary = "#123456"\n', "name", "missing"),
    "comma.toml": ('name = "a,b"\nprimary = "#123456"\n', "name", "no spaces or commas"),
    "dark.toml": ('name = "d"\nprimary = "#123456"\ndark = "yes"\n', "dark", "true or false"),
    "alpha.toml": ('name = "a"\nprimary = "#123456"\ntext_alpha = 2\n', "text_alpha", "at most 1"),
    "fbvar.toml": ('name = "v"\nprimary = "#123456"\n[variables]\nfb-busy = "red"\n', "variables.fb-busy", "#rrggbb"),
    "cssvar.toml": (
        'name = "c"\nprimary = "#123456"\n[variables]\nfooter-key-foreground = "blurple"\n',
        "variables.footer-key-foreground",
        "not a colour",
    ),
    "alphavar.toml": (
        'name = "al"\nprimary = "#123456"\n[variables]\ninput-selection-background = "#81a1c1 350%"\n',
        "variables.input-selection-background",
        "0% to 100%",
    ),
    "stylevar.toml": (
        'name = "s"\nprimary = "#123456"\n[variables]\nblock-cursor-text-style = "shouty"\n',
        "variables.block-cursor-text-style",
        "text styles",
    ),
    "vartable.toml": ('name = "t"\nprimary = "#123456"\nvariables = "fb-busy"\n', "variables", "must be a table"),
    "noprimary.toml": ('name = "p"\n', "primary", "missing"),
    "binary.toml": (b"\xff\xfe\x00name", None, "not UTF-8"),
    # tomllib recurses once per nesting level: this used to raise RecursionError out of the app.
    "deep.toml": ('name = "deep"\nprimary = "#123456"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", None, "nested too deeply"),
    "deeptable.toml": ('name = "dt"\nprimary = "#123456"\nx = ' + "{ a = " * 5000 + "1" + " }" * 5000 + "\n",
                       None, "nested too deeply"),
}


def test_broken_user_themes_are_reported_not_raised(tmp_path):
    for file_name, (content, _key, _text) in BROKEN.items():
        path = tmp_path / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            write(path, content)
    write(tmp_path / "lobby.toml", GOOD_USER_THEME)

    result = load_themes(user_dir=tmp_path)

    assert "lobby-blue" in result.names
    assert result.names[: len(REQUIRED)] == list(REQUIRED)
    assert len(result.problems) == len(BROKEN)
    for file_name, (_content, key, text) in BROKEN.items():
        problem = next(p for p in result.problems if p.startswith(file_name + ":"))
        assert text in problem, problem
        if key is not None:
            assert f"{key}:" in problem, problem
    summary = result.problem_summary()
    assert summary.startswith("Some themes could not be loaded:")
    assert summary.count("•") == len(BROKEN)
    assert str(tmp_path) in summary


def test_a_theme_that_breaks_the_parser_does_not_stop_the_console(monkeypatch, tmp_path):
    from staffterm.ui.app import StafftermApp

    monkeypatch.setenv("STAFFTERM_CONFIG_DIR", str(tmp_path))
    write(tmp_path / "themes" / "deep.toml", 'name = "deep"\nprimary = "#123456"\nx = ' + "[" * 5000 + "]" * 5000)
    app = StafftermApp(ui_state_path=tmp_path / "ui-state.json")
    assert app.theme == DEFAULT_THEME_NAME
    assert app._theme_load.problems == ["deep.toml: not valid TOML (its lists or tables are nested too deeply)"]


def test_a_theme_that_fails_in_an_unforeseen_way_is_skipped_too(monkeypatch, tmp_path):
    write(tmp_path / "odd.toml", GOOD_USER_THEME)

    def explode(*_args, **_kwargs):
        raise ValueError("something no check foresaw")

    monkeypatch.setattr(themes, "parse_theme", explode)
    result = load_themes(user_dir=tmp_path, builtin_dir=tmp_path / "none")
    assert "odd.toml: could not be loaded (ValueError); file skipped" in result.problems


def test_a_file_with_several_mistakes_names_every_key(tmp_path):
    path = write(tmp_path / "many.toml", 'name = "m"\nprimary = "nope"\nsurface = 3\nwat = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_theme_file(path)
    error = caught.value
    assert error.path == str(path)
    assert error.key == "wat"
    for key in ("wat:", "primary:", "surface:"):
        assert key in error.message


def test_parse_theme_accepts_textual_variable_forms():
    theme = parse_theme(
        {
            "name": "forms",
            "primary": "rgb(10, 20, 30)",
            "accent": "hsl(210, 50%, 40%)",
            "luminosity_spread": 1,
            "variables": {
                "input-selection-background": "#81a1c1 35%",
                "block-cursor-foreground": "auto 90%",
                "footer-key-background": "transparent",
                "block-cursor-text-style": "bold not underline",
            },
        },
        source="forms.toml",
    )
    assert theme.luminosity_spread == 1.0
    assert theme.variables["input-selection-background"] == "#81a1c1 35%"
    theme.to_color_system().generate()


def test_two_files_with_one_name_keep_the_first(tmp_path):
    write(tmp_path / "a.toml", 'name = "twin"\nprimary = "#111111"\n')
    write(tmp_path / "b.toml", 'name = "twin"\nprimary = "#222222"\n')
    result = load_themes(user_dir=tmp_path)
    assert result.get("twin").primary == "#111111"
    assert result.problems == ["b.toml: name: 'twin' is already used by a.toml; file skipped"]


def test_other_files_and_hidden_files_are_ignored(tmp_path):
    write(tmp_path / "notes.txt", "not a theme")
    write(tmp_path / ".draft.toml", "broken = ")
    assert load_themes(user_dir=tmp_path).problems == []


def test_a_user_themes_path_that_is_a_file_is_reported(tmp_path):
    not_a_folder = write(tmp_path / "themes", "oops")
    result = load_themes(user_dir=not_a_folder)
    assert len(result.problems) == 1 and "cannot list themes" in result.problems[0]
    assert result.names[: len(REQUIRED)] == list(REQUIRED)


def test_a_missing_builtin_folder_is_reported_not_raised(tmp_path, monkeypatch):
    result = load_themes(user_dir=tmp_path, builtin_dir=tmp_path / "gone")
    assert result.themes == []
    assert result.problems == [f"the built-in themes folder {tmp_path / 'gone'} is missing"]
    monkeypatch.setattr(themes, "builtin_themes_dir", lambda: None)
    assert "reinstall" in load_themes(user_dir=tmp_path).problems[0]


def test_no_problems_means_no_summary():
    assert load_themes(user_dir=Path("/nonexistent-staffterm-themes")).problem_summary() == ""


# ----------------------------------------------------------------------------- picking themes


def test_choose_theme_prefers_remembered_then_configured_then_ours():
    available = ["textual-dark", "staffterm-dark", "staffterm-light"]
    assert choose_theme(available, "staffterm-light", "staffterm-dark") == "staffterm-light"
    assert choose_theme(available, "deleted-theme", "staffterm-light") == "staffterm-light"
    assert choose_theme(available, None, "nope") == "staffterm-dark"
    assert choose_theme(["textual-dark"], None) == "textual-dark"


def test_palette_lists_ours_first_then_textuals(tmp_path):
    write(tmp_path / "nord.toml", 'name = "nord"\nprimary = "#ff0000"\n')  # replaces Textual's nord
    write(tmp_path / "zz.toml", 'name = "aa-mine"\nprimary = "#ff0000"\n')
    available = dict(BUILTIN_THEMES)
    for theme in load_themes(user_dir=tmp_path).themes:
        available[theme.name] = theme
    names = theme_names_for_palette(available)
    ours = [name for name in BUILTIN_THEME_ORDER if name in available]
    assert names[: len(ours)] == ours
    assert names[len(ours) : len(ours) + 2] == ["aa-mine", "nord"]
    rest = names[len(ours) + 2 :]
    assert rest == sorted(name for name in BUILTIN_THEMES if name != "nord")


async def test_theme_provider_offers_ours_first_and_switches_theme():
    app = ThemedApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for theme in shipped():
            app.register_theme(theme)
        provider = StafftermThemeProvider(app.screen)
        commands = provider.commands
        assert [name for name, _ in commands[: len(REQUIRED)]] == list(REQUIRED)
        dict(commands)["staffterm-high-contrast"]()
        await pilot.pause()
        assert app.theme == "staffterm-high-contrast"


# ------------------------------------------------------------------------------ start-up cost


def test_loading_themes_imports_no_pydantic_or_http():
    code = (
        "import sys, json\n"
        "from staffterm.ui.themes import load_themes\n"
        "result = load_themes()\n"
        "assert not result.problems, result.problems\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not {"pydantic", "httpx", "msal", "google"} & modules
