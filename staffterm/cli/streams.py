"""The CLI's standard streams made to fail plainly.

A command's stdout is wrapped in ``GuardedOutput`` while it runs, so a write that fails
(``> /dev/full``, a closed stdout, a reader that went away) surfaces as one ``OutputFailed``
the CLI can answer, instead of an ``OSError`` from deep inside a command that may already have
saved its change. stderr is written through ``say``, which never raises: there is nowhere left
to report a failure to report.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any


class OutputFailed(Exception):
    """stdout could not take what a command printed."""

    def __init__(self, reason: str, *, closed_pipe: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        # The reader stopped early (``staffterm bookings | head``): a choice, not a fault.
        self.closed_pipe = closed_pipe


def _failure(exc: BaseException) -> OutputFailed:
    if isinstance(exc, BrokenPipeError) or getattr(exc, "errno", None) == errno.EPIPE:
        return OutputFailed("the program reading the output has stopped", closed_pipe=True)
    if isinstance(exc, UnicodeEncodeError):
        return OutputFailed(f"the output's encoding ({exc.encoding}) cannot show some characters")
    if isinstance(exc, OSError):
        return OutputFailed(exc.strerror or str(exc))
    return OutputFailed("standard output is closed")


class GuardedOutput:
    """A text stream that turns every failure of the stream under it into ``OutputFailed``.

    ``None`` stands for a stdout that was closed before we started (Python sets ``sys.stdout``
    to ``None`` then).
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if self.stream is None:
            raise OutputFailed("standard output is closed")
        try:
            return int(self.stream.write(text) or 0)
        except (OSError, ValueError) as exc:  # ValueError: I/O on a closed file, an encoding error
            raise _failure(exc) from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except (OSError, ValueError) as exc:
            raise _failure(exc) from None

    def __getattr__(self, name: str) -> Any:
        # encoding, isatty, fileno, ...: the real stream's (``None`` has none of them).
        return getattr(self.stream, name)


def say(line: str) -> None:
    """One line on stderr; a stderr that is closed or full is ignored."""
    stream = sys.stderr
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        stream.write(line + "\n")
        stream.flush()


def tolerate_unencodable(stream: Any) -> None:
    """Show characters the stream's encoding lacks as ``\\u`` escapes instead of failing
    (``PYTHONIOENCODING=ascii``, ``LANG=C``): an é in a title must not cost the whole listing."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or getattr(stream, "errors", None) == "backslashreplace":
        return
    with contextlib.suppress(ValueError, OSError, io.UnsupportedOperation, TypeError):
        reconfigure(errors="backslashreplace")


def silence(stream: Any) -> None:
    """Point a failed stream's file descriptor at the null device, so the interpreter's final
    flush of what is still buffered cannot fail a second time (and print a traceback)."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def occupy_closed_standard_fds() -> None:
    """Open the null device on fds 0-2 when they are closed (``staffterm ... >&-``).

    Otherwise the next file opened (the SQLite site) would be given fd 1, and anything written
    to "stdout" would land in it.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                opened = os.open(os.devnull, os.O_RDWR)
                if opened != fd:
                    os.dup2(opened, fd)
                    os.close(opened)
