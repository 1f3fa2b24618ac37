"""``staffterm``: the console with no command, scriptable subcommands otherwise.

Kept light on purpose: this module imports only the standard library and the error taxonomy at
start-up; each command's code (and the backend it needs) is imported when that command runs, so
``staffterm rooms --json`` stays fast and never loads Textual.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any

from staffterm.errors import ConfigError, ConflictError, InvalidInputError, StafftermError

DEBUG_ENV = "STAFFTERM_DEBUG"


def main(argv: list[str] | None = None) -> int:
    """Run one command line; returns the exit status (0 ok, 1 failed, 2 bad usage)."""
    from staffterm.cli.parser import PROG, build_parser
    from staffterm.cli.streams import occupy_closed_standard_fds, say, tolerate_unencodable

    occupy_closed_standard_fds()
    tolerate_unencodable(sys.stdout)
    tolerate_unencodable(sys.stderr)
    argv = sys.argv[1:] if argv is None else list(argv)
    undecodable = _undecodable_argument(argv)
    if undecodable is not None:
        say(f"{PROG}: error: {undecodable}")
        return 2
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or bad usage (2)
        return exc.code if isinstance(exc.code, int) else 2

    from staffterm.cli.context import CommandContext

    ctx = CommandContext(args)
    if args.command is None:
        return _handled(ctx, lambda: _open_console(ctx))
    from staffterm.cli.streams import GuardedOutput

    # Every write to stdout while the command runs fails as one OutputFailed (see _handled).
    real_stdout = sys.stdout
    sys.stdout = GuardedOutput(real_stdout)  # type: ignore[assignment]
    try:
        return _handled(ctx, lambda: _run(_load_handler(args.handler), ctx))
    finally:
        sys.stdout = real_stdout


def _handled(ctx: Any, command: Callable[[], int]) -> int:
    """Run ``command``; every way it can fail becomes an exit status and at most one line."""
    from staffterm.cli.output import message
    from staffterm.cli.parser import PROG, UsageError
    from staffterm.cli.streams import OutputFailed, say

    try:
        status = command()
        sys.stdout.flush()  # a full disk or a closed pipe shows up here, inside the handling below
        return status
    except OutputFailed as exc:
        return _output_failed(ctx, exc)
    except UsageError as exc:
        say(f"{exc.prog}: error: {message(exc)}")
        return 2
    except StafftermError as exc:
        if getattr(exc, "applied", None) is True:
            return _applied_without_reply(ctx, exc)
        _report_failure(ctx, exc)
        return 1
    except KeyboardInterrupt:
        say(f"{PROG}: interrupted")
        return 130
    except OverflowError as exc:
        # A time or number that passed the parser but not the arithmetic after it (a day window
        # at the calendar's edge): still the operator's input, named here.
        if os.environ.get(DEBUG_ENV):
            raise
        say(f"{PROG}: error: {message(_out_of_range(ctx.args, exc))}")
        return 2
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into one line
        converted = _from_validation_error(exc)
        if converted is not None:
            _report_failure(ctx, converted)
            return 1
        if os.environ.get(DEBUG_ENV):
            raise
        say(message(f"{PROG}: unexpected error: {type(exc).__name__}: {exc} (run with {DEBUG_ENV}=1 for details)"))
        return 1


def _output_failed(ctx: Any, exc: Any) -> int:
    """stdout failed after the command did its work: a write is still done (exit 0, and said
    so on stderr), a read failed (exit 1)."""
    from staffterm.cli.output import message
    from staffterm.cli.parser import PROG, command_writes
    from staffterm.cli.streams import say, silence

    silence(getattr(sys.stdout, "stream", sys.stdout))
    if command_writes(ctx.args):
        say(message(f"{PROG}: the change was saved, but its confirmation could not be printed: {exc.reason}"))
        return 0
    if not exc.closed_pipe:
        # A reader that stopped early (`staffterm bookings | head`) asked for no more: no message.
        say(message(f"{PROG}: could not print the result: {exc.reason}"))
    return 1


def _out_of_range(args: Any, exc: OverflowError) -> str:
    typed = [f"--{side} {arg.text}" for side in ("start", "end") if (arg := getattr(args, side, None)) is not None]
    if typed:
        return f"{' '.join(typed)} is too near the edge of the calendar to work with ({exc})"
    return f"a number or date in the arguments is out of range ({exc})"


def _undecodable_argument(argv: list[str]) -> str | None:
    """The first argument that is not UTF-8 text, described; file names may be any bytes.

    Python hands non-UTF-8 argv bytes over as lone surrogates; they cannot name a booking, be
    sent to a server or be stored, so they are refused here rather than fail somewhere deeper.
    """
    from staffterm.cli.output import visible

    path_options = ("--config", "--svg", "--png")
    previous = ""
    for position, token in enumerate(argv, start=1):
        is_path = previous in path_options or token.startswith(tuple(f"{o}=" for o in path_options)) or token.startswith("@")
        previous = token
        if is_path:
            continue
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:
            return f"argument {position} ('{visible(token)}') is not UTF-8 text; staffterm reads arguments as UTF-8"
    return None


def _load_handler(spec: str) -> Callable[..., Any]:
    module_name, _, function_name = spec.partition(":")
    module = importlib.import_module(f"staffterm.cli.{module_name}")
    return getattr(module, function_name)


def _run(handler: Callable[..., Any], ctx: Any) -> int:
    if inspect.iscoroutinefunction(handler):
        result = asyncio.run(handler(ctx))
    else:
        result = handler(ctx)
    return int(result or 0)


def _open_console(ctx: Any) -> int:
    # The config is read by the console after its first paint (a bad one is shown on screen),
    # so opening the console costs no pydantic import up front.
    from staffterm.paths import config_file

    try:
        from staffterm.ui.app import run_console
    except ModuleNotFoundError as exc:
        if exc.name not in ("staffterm.ui", "staffterm.ui.app"):
            raise
        raise StafftermError(
            "the console is not available in this installation",
            hint="Use a subcommand instead; see `staffterm --help`.",
        ) from None
    kwargs: dict[str, Any] = {"tenant": ctx.requested_tenant, "config_path": config_file(getattr(ctx.args, "config", None))}
    if ctx.frozen_clock is not None:
        kwargs["clock"] = ctx.frozen_clock
    return int(run_console(**kwargs) or 0)


def _applied_without_reply(ctx: Any, err: StafftermError) -> int:
    """The service accepted the write (a 2xx arrived) but its reply was cut off: the change is
    done, so the exit status is 0; only the details the reply would have carried are missing."""
    from staffterm.cli.output import emit_json, message
    from staffterm.cli.streams import OutputFailed, say

    say(message(f"staffterm: done, but the details could not be shown: {err.message}"))
    if ctx.json:
        try:
            emit_json(err.to_json_dict())
        except OutputFailed:
            pass
    return 0


def _report_failure(ctx: Any, err: StafftermError) -> None:
    from staffterm.cli.output import describe_clash, emit_json, message
    from staffterm.cli.streams import OutputFailed, say

    if isinstance(err, ConfigError):
        # The loader lists one problem per line (each naming the file and key): kept as lines.
        for line in f"staffterm: {err}".split("\n"):
            say(message(line))
    else:
        say(message(f"staffterm: {err}"))
    if isinstance(err, ConflictError) and err.clashes:
        say("clashes with:")
        for clash in err.clashes:
            say(message(f"  {describe_clash(clash, ctx.display_tz, place=ctx.target)}"))
    if ctx.json:
        try:
            emit_json(err.to_json_dict())
        except OutputFailed:
            pass  # the failure is already on stderr; the JSON copy of it had nowhere to go


def _from_validation_error(exc: Exception) -> InvalidInputError | None:
    """A pydantic ``ValidationError`` that escaped a command is still the operator's bad input."""
    if type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic"):
        from staffterm.errors import invalid_input_from

        return invalid_input_from(exc)
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
