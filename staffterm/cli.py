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

from staffterm.errors import ConflictError, InvalidInputError, StafftermError

DEBUG_ENV = "STAFFTERM_DEBUG"


def main(argv: list[str] | None = None) -> int:
    """Run one command line; returns the exit status (0 ok, 1 failed, 2 bad usage)."""
    from staffterm.cli_parser import PROG, UsageError, build_parser

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or bad usage (2)
        return exc.code if isinstance(exc.code, int) else 2

    from staffterm.cli_context import CommandContext

    ctx = CommandContext(args)
    try:
        if args.command is None:
            return _open_console(ctx)
        status = _run(_load_handler(args.handler), ctx)
        sys.stdout.flush()  # a closed pipe shows up here, inside the handling below
        return status
    except BrokenPipeError:
        # The reader stopped early (`staffterm bookings | head`): no message, and no second
        # error when the interpreter flushes stdout on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except UsageError as exc:
        sys.stderr.write(f"{exc.prog}: error: {exc}\n")
        return 2
    except StafftermError as exc:
        _report_failure(ctx, exc)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into one line
        converted = _from_validation_error(exc)
        if converted is not None:
            _report_failure(ctx, converted)
            return 1
        if os.environ.get(DEBUG_ENV):
            raise
        sys.stderr.write(
            f"{PROG}: unexpected error: {type(exc).__name__}: {exc} "
            f"(run with {DEBUG_ENV}=1 for details)\n"
        )
        return 1


def _load_handler(spec: str) -> Callable[..., Any]:
    module_name, _, function_name = spec.partition(":")
    module = importlib.import_module(f"staffterm.cli_{module_name}")
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


def _report_failure(ctx: Any, err: StafftermError) -> None:
    from staffterm.cli_output import describe_clash, emit_json

    sys.stderr.write(f"staffterm: {err}\n")
    if isinstance(err, ConflictError) and err.clashes:
        sys.stderr.write("clashes with:\n")
        for clash in err.clashes:
            sys.stderr.write(f"  {describe_clash(clash, ctx.display_tz, place=ctx.target)}\n")
    if ctx.json:
        emit_json(err.to_json_dict())


def _from_validation_error(exc: Exception) -> InvalidInputError | None:
    """A pydantic ``ValidationError`` that escaped a command is still the operator's bad input."""
    if type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic"):
        from staffterm.errors import invalid_input_from

        return invalid_input_from(exc)
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
