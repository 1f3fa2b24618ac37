"""Console themes: TOML data files loaded into Textual's Theme API.

Built-in themes live in the top-level ``themes/`` folder (one file per theme); a person's own
themes live in ``<config dir>/themes`` and override a built-in of the same name. A broken file
never stops the console: it is skipped and described in ``ThemeLoadResult.problems`` so the app
can show one grouped notification.

This module runs before the first paint, so it validates with plain code (no pydantic) and
imports nothing beyond the standard library and the parts of Textual the app loads anyway.

Over 400 lines: loading and validating theme files, and the contrast checks run on them. The
contrast checks are the next piece to stand apart when this grows.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import BUILTIN_THEMES, Theme, ThemeProvider

from staffterm.errors import ConfigError

DEFAULT_THEME_NAME = "staffterm-dark"

#: Our built-ins, in the order the theme picker lists them.
BUILTIN_THEME_ORDER: tuple[str, ...] = (
    "staffterm-dark",
    "staffterm-light",
    "staffterm-high-contrast",
    "staffterm-high-contrast-light",
)

#: Variables the console's TCSS uses beyond Textual's own. Every staffterm theme defines them;
#: these values are the fallback for themes that do not (Textual's built-ins, a user's theme).
#: Bright enough that Textual's automatic text on them is black and that they stand out from
#: any dark background.
THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    "fb-free": "#4caf5a",
    "fb-busy": "#ef6a5f",
    "fb-tentative": "#e0b03a",
    "fb-oof": "#b48ae8",
    "checkin-ok": "#6ccf70",
    "checkin-late": "#f5a053",
}

#: Fallbacks for light themes without the variables: darker, so text in these colours reads on
#: a pale background.
LIGHT_THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    "fb-free": "#1a7030",
    "fb-busy": "#b3261e",
    "fb-tentative": "#8a5a00",
    "fb-oof": "#6a3fa0",
    "checkin-ok": "#1b6b2e",
    "checkin-late": "#a13f00",
}

APP_VARIABLES: tuple[str, ...] = tuple(THEME_VARIABLE_DEFAULTS)
FREE_BUSY_VARIABLES: tuple[str, ...] = ("fb-free", "fb-busy", "fb-tentative", "fb-oof")
CHECKIN_VARIABLES: tuple[str, ...] = ("checkin-ok", "checkin-late")

#: WCAG 2.x: 4.5:1 for normal text (1.4.3), 3:1 for shapes that carry meaning (1.4.11).
MIN_TEXT_CONTRAST = 4.5
MIN_NON_TEXT_CONTRAST = 3.0

USER_THEMES_DIR_NAME = "themes"
THEME_FILE_SUFFIX = ".toml"

_COLOUR_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_ALLOWED_KEYS: tuple[str, ...] = ("name", *_COLOUR_FIELDS, "dark", "luminosity_spread", "text_alpha", "variables")

# No commas: Textual reads "a,b" as "a, else b" when looking a theme up.
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_HEX6 = re.compile(r"#[0-9a-fA-F]{6}")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)%")
_KEYWORD_COLOURS = frozenset({"auto", "transparent", "initial"})


# ------------------------------------------------------------------------------- where themes live


def builtin_themes_dir() -> Path | None:
    """The folder of shipped themes: beside the package in a checkout, else ``<prefix>/share``."""
    import staffterm

    candidates = (
        Path(staffterm.__file__).resolve().parent.parent / "themes",
        Path(sys.prefix) / "share" / "staffterm" / "themes",
    )
    for candidate in candidates:
        # Beside an installed package is site-packages, where another project's "themes"
        # folder may sit: only a folder holding our default theme is ours.
        if (candidate / f"{DEFAULT_THEME_NAME}{THEME_FILE_SUFFIX}").is_file():
            return candidate
    return None


def user_themes_dir() -> Path:
    """Where a person drops their own ``*.toml`` themes."""
    from staffterm import paths

    return paths.config_dir() / USER_THEMES_DIR_NAME


# ------------------------------------------------------------------------------------ validation


def parse_theme(data: Mapping[str, Any], *, source: str, path: str | None = None) -> Theme:
    """Build a Textual ``Theme`` from a theme file's table.

    Raises ``ConfigError`` naming the file (``source``) and every key that is wrong, so one
    message tells the person everything to fix.
    """
    errors: list[tuple[str, str]] = []

    def bad(key: str, message: str) -> None:
        errors.append((key, message))

    for key in data:
        if key not in _ALLOWED_KEYS:
            bad(key, f"unknown key{_did_you_mean(key, _ALLOWED_KEYS)}")

    name = data.get("name")
    if name is None:
        bad("name", "missing; give the theme a name, e.g. name = \"my-theme\"")
    elif not isinstance(name, str) or not _THEME_NAME.fullmatch(name):
        bad("name", "must be 1-64 letters, digits, '-', '_', '.' or '+' (no spaces or commas)")

    if data.get("primary") is None:
        bad("primary", "missing; every theme needs a primary colour, e.g. primary = \"#4c9be8\"")
    colours: dict[str, str] = {}
    for key in _COLOUR_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        problem = _colour_problem(value)
        if problem:
            bad(key, problem)
        else:
            colours[key] = value

    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        bad("dark", "must be true or false")
    numbers: dict[str, float] = {}
    for key, default in (("luminosity_spread", 0.15), ("text_alpha", 0.95)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            bad(key, "must be a number greater than 0 and at most 1")
        else:
            numbers[key] = float(value)

    variables = _check_variables(data.get("variables", {}), bad)

    if errors:
        first_key = errors[0][0]
        detail = "; ".join(f"{key}: {message}" for key, message in errors)
        raise ConfigError(f"{source}: {detail}", path=path or source, key=first_key)
    return Theme(
        name=name,
        dark=dark,
        variables=variables,
        luminosity_spread=numbers["luminosity_spread"],
        text_alpha=numbers["text_alpha"],
        **colours,
    )


def _check_variables(value: Any, bad: Callable[[str, str], None]) -> dict[str, str]:
    if not isinstance(value, dict):
        bad("variables", "must be a table: [variables] followed by name = \"value\" lines")
        return {}
    variables: dict[str, str] = {}
    for name, raw in value.items():
        key = f"variables.{name}"
        if not _VARIABLE_NAME.fullmatch(name):
            bad(key, "variable names are letters, digits, '-' and '_'")
            continue
        if not isinstance(raw, str):
            bad(key, "must be a string, e.g. \"#2e7d32\"")
            continue
        if name in APP_VARIABLES:
            problem = None if _HEX6.fullmatch(raw) else "must be a colour written \"#rrggbb\""
        elif name.endswith("style"):
            problem = _style_problem(raw)
        else:
            problem = _css_colour_problem(raw)
        if problem:
            bad(key, problem)
        else:
            variables[name] = raw
    return variables


def _colour_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a colour in quotes, e.g. \"#4c9be8\""
    if value.startswith("ansi_"):
        return "ANSI colours are not supported in theme files; use \"#rrggbb\""
    try:
        Color.parse(value)
    except ColorParseError as error:
        return f"not a colour ({error})"
    return None


def _css_colour_problem(value: str) -> str | None:
    """A Textual colour variable: a colour or ``auto``, optionally followed by an alpha ``NN%``."""
    words = value.split()
    if not words or len(words) > 2:
        return "must be a colour, optionally followed by a percentage, e.g. \"#81a1c1 35%\""
    if len(words) == 2:
        percent = _PERCENT.fullmatch(words[1])
        if percent is None or float(percent.group(1)) > 100:
            return f"{words[1]!r} is not a percentage from 0% to 100%, such as 40%"
    if words[0] in _KEYWORD_COLOURS:
        return None
    return _colour_problem(words[0])


def _style_problem(value: str) -> str | None:
    unknown = [word for word in value.split() if word not in VALID_STYLE_FLAGS]
    if not value.split() or unknown:
        return f"must be text styles from: {', '.join(sorted(VALID_STYLE_FLAGS))}"
    return None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(_ALLOWED_KEYS)})"


def load_theme_file(path: Path) -> Theme:
    """Read and validate one theme file; ``ConfigError`` if it cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: not valid TOML ({error})", path=str(path)) from None
    except RecursionError:  # tomllib recurses once per nesting level; a theme nests two at most
        raise ConfigError(f"{path.name}: not valid TOML (its lists or tables are nested too deeply)", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text", path=str(path)) from None
    except OSError as error:
        raise ConfigError(f"{path.name}: cannot be read ({error.strerror or error})", path=str(path)) from None
    return parse_theme(data, source=path.name, path=str(path))


# --------------------------------------------------------------------------------------- loading


@dataclass
class ThemeLoadResult:
    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: The file each theme came from, by theme name.
    sources: dict[str, Path] = field(default_factory=dict)
    #: The folder the person's own themes were read from.
    user_dir: Path | None = None

    @property
    def names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    def get(self, name: str) -> Theme | None:
        return next((theme for theme in self.themes if theme.name == name), None)

    def problem_summary(self) -> str:
        """One notification's text for everything that was skipped ("" when nothing was)."""
        if not self.problems:
            return ""
        head = "A theme could not be loaded:" if len(self.problems) == 1 else "Some themes could not be loaded:"
        lines = [head, *(f"• {problem}" for problem in self.problems)]
        if self.user_dir is not None:
            lines.append(f"Your themes folder: {self.user_dir}")
        return "\n".join(lines)


def load_themes(*, user_dir: Path | None = None, builtin_dir: Path | None = None) -> ThemeLoadResult:
    """Load the shipped themes, then the person's own (which win on a name clash).

    Never raises for a bad file or folder: each is skipped and described in ``problems``.
    ``user_dir`` defaults to ``<config dir>/themes``; ``builtin_dir`` to ``builtin_themes_dir()``.
    """
    own = user_dir if user_dir is not None else user_themes_dir()
    result = ThemeLoadResult(user_dir=own)
    by_name: dict[str, Theme] = {}

    shipped_dir = builtin_dir if builtin_dir is not None else builtin_themes_dir()
    if shipped_dir is None:
        result.problems.append("the built-in themes folder was not found; reinstall staffterm")
    else:
        _load_folder(shipped_dir, by_name, result, shipped=True)
    _load_folder(own, by_name, result, shipped=False)

    order = {name: index for index, name in enumerate(BUILTIN_THEME_ORDER)}
    # Python dicts keep insertion order, so an override stays where the built-in was.
    result.themes = sorted(by_name.values(), key=lambda theme: order.get(theme.name, len(order)))
    return result


def _load_folder(folder: Path, by_name: dict[str, Theme], result: ThemeLoadResult, *, shipped: bool) -> None:
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == THEME_FILE_SUFFIX and not p.name.startswith("."))
    except FileNotFoundError:
        # Most people have no themes folder of their own; only a missing shipped one is news.
        if shipped:
            result.problems.append(f"the built-in themes folder {folder} is missing")
        return
    except OSError as error:
        result.problems.append(f"{folder}: cannot list themes ({error.strerror or error})")
        return
    seen_here: dict[str, str] = {}
    for path in files:
        try:
            theme = load_theme_file(path)
        except ConfigError as error:
            result.problems.append(error.message)
            continue
        except Exception as error:  # noqa: BLE001 - a theme file, whatever it holds, never stops the console
            result.problems.append(f"{path.name}: could not be loaded ({type(error).__name__}); file skipped")
            continue
        if theme.name in seen_here:
            result.problems.append(
                f"{path.name}: name: {theme.name!r} is already used by {seen_here[theme.name]}; file skipped"
            )
            continue
        seen_here[theme.name] = path.name
        by_name[theme.name] = theme
        result.sources[theme.name] = path


def variable_defaults_for(theme: Theme | None) -> dict[str, str]:
    """What ``App.get_theme_variable_defaults()`` should return while ``theme`` is active."""
    if theme is not None and not theme.dark:
        return dict(LIGHT_THEME_VARIABLE_DEFAULTS)
    return dict(THEME_VARIABLE_DEFAULTS)


def choose_theme(available: Iterable[str], *preferred: str | None) -> str:
    """The first preferred name that is available (remembered, then configured), else ours."""
    names = set(available)
    for name in preferred:
        if name and name in names:
            return name
    return DEFAULT_THEME_NAME if DEFAULT_THEME_NAME in names else "textual-dark"


# ---------------------------------------------------------------------------------- the picker


def theme_names_for_palette(available: Mapping[str, Theme]) -> list[str]:
    """Theme names for the picker: ours (shipped, then the person's) first, then Textual's."""
    order = {name: index for index, name in enumerate(BUILTIN_THEME_ORDER)}

    def is_textuals(name: str, theme: Theme) -> bool:
        # A user theme that reuses a Textual name replaces it, so compare objects, not names.
        return BUILTIN_THEMES.get(name) is theme

    ours = [name for name, theme in available.items() if not is_textuals(name, theme)]
    textuals = [name for name, theme in available.items() if is_textuals(name, theme)]
    ours.sort(key=lambda name: (order.get(name, len(order)), name))
    textuals.sort()
    return ours + textuals


class StafftermThemeProvider(ThemeProvider):
    """The theme picker's command provider, listing staffterm's themes first.

    Use it from ``App.search_themes``:
    ``self.push_screen(CommandPalette(providers=[StafftermThemeProvider], placeholder=...))``.
    """

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        app = self.app

        def choose(name: str) -> Callable[[], None]:
            def set_theme() -> None:
                app.theme = name

            return set_theme

        return [(name, choose(name)) for name in theme_names_for_palette(app.available_themes)]


# ------------------------------------------------------------------------------------- contrast


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an opaque colour (0 = black, 1 = white)."""
    r, g, b = (_linear(channel / 255) for channel in _opaque(Color.parse(colour)).rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _opaque(colour: Color) -> Color:
    if colour.a < 1:
        raise ValueError(f"{colour.hex} is translucent; blend it over its background first")
    return colour


def contrast_ratio(hex_a: str, hex_b: str) -> float:
    """WCAG contrast ratio between two opaque colours: 1.0 (none) to 21.0 (black on white)."""
    lighter, darker = sorted((relative_luminance(hex_a), relative_luminance(hex_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def resolved_variables(theme: Theme, defaults: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every CSS variable as the app will see it (mirrors ``App.get_css_variables``)."""
    base = variable_defaults_for(theme) if defaults is None else dict(defaults)
    return {**base, **theme.to_color_system().generate(), **theme.variables}


def _paint(value: str, over: Color) -> Color:
    """The opaque colour a CSS colour value shows when drawn over ``over``."""
    words = value.split()
    alpha = float(words[1][:-1]) / 100 if len(words) > 1 else 1.0
    if words[0] in ("transparent", "initial"):
        return over
    if words[0] == "auto":
        return over + over.get_contrast_text(alpha)
    colour = Color.parse(words[0])
    return over + colour.multiply_alpha(alpha)


def check_contrast(
    theme: Theme,
    *,
    defaults: Mapping[str, str] | None = None,
    text_minimum: float = MIN_TEXT_CONTRAST,
) -> list[str]:
    """Colour pairs the console draws that fall under WCAG minimums; empty when all pass.

    Text pairs need ``text_minimum`` (4.5:1, AA; pass 7.0 to hold a theme to AAA); the
    free/busy slot colours against the background and the surface need 3:1.
    An ANSI theme takes its colours from the terminal, so there is nothing to check.
    """
    if theme.ansi:
        return []
    css = resolved_variables(theme, defaults)
    background = _paint(css["background"], Color(0, 0, 0) if theme.dark else Color(255, 255, 255))

    def layer(name: str, over: Color = background) -> Color:
        return _paint(css[name], over)

    surface, panel = layer("surface"), layer("panel")
    footer = layer("footer-background")
    cursor = layer("block-cursor-background")
    pairs: list[tuple[str, Color, Color, float]] = [
        ("foreground on background", layer("foreground"), background, text_minimum),
        ("foreground on surface", layer("foreground", surface), surface, text_minimum),
        ("foreground on panel", layer("foreground", panel), panel, text_minimum),
        ("muted text on background", layer("text-muted"), background, text_minimum),
        ("muted text on surface", layer("text-muted", surface), surface, text_minimum),
        ("footer key on footer", layer("footer-key-foreground", footer), footer, text_minimum),
        ("footer text on footer", layer("footer-description-foreground", footer), footer, text_minimum),
        ("cursor text on cursor", layer("block-cursor-foreground", cursor), cursor, text_minimum),
    ]
    for name in FREE_BUSY_VARIABLES:
        slot = layer(name)
        pairs.append((f"text on {name}", layer("text", slot), slot, text_minimum))
        pairs.append((f"{name} against background", slot, background, MIN_NON_TEXT_CONTRAST))
        # The timeline draws its cells on the surface colour.
        pairs.append((f"{name} against surface", layer(name, surface), surface, MIN_NON_TEXT_CONTRAST))
    for name in CHECKIN_VARIABLES:
        pairs.append((f"{name} on background", layer(name), background, text_minimum))
        pairs.append((f"{name} on surface", layer(name, surface), surface, text_minimum))

    failures = []
    for label, front, back, minimum in pairs:
        ratio = contrast_ratio(front.hex6, back.hex6)
        if ratio < minimum:
            failures.append(f"{theme.name}: {label} is {ratio:.2f}:1 ({front.hex6} on {back.hex6}; needs {minimum:g}:1)")
    return failures
