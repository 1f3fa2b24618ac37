"""Writing a file whole or not at all: the config file, the console's saved state.

The new content goes to a temporary file beside the target (created 0600 by ``mkstemp``, so it is
never briefly readable by others), is flushed to disk, given its final mode and renamed over the
target; a failure at any step leaves the old file as it was and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes | str, mode: int) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8, newlines untouched)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
