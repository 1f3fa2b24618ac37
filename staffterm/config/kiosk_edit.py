"""Writing the kiosk's admin PIN hash into the config file, changing nothing else.

The ``pin_hash`` line of the ``[kiosk]`` table is replaced, or added to it, or a ``[kiosk]``
table is appended. The result is parsed back and compared with the file before: anything but
the one key changing refuses the edit (the operator edits by hand then).
"""

from __future__ import annotations

from pathlib import Path

from staffterm.config.checks import file_mode
from staffterm.config.editing import (
    NEW_FILE_MODE,
    _newline_of,
    _real_target,
    table_headers,
    toml_string,
)
from staffterm.config.loading import parse_config_text, parse_toml, read_config_text
from staffterm.config.models import Config
from staffterm.errors import ConfigError
from staffterm.files import write_atomically


def set_pin_hash(path: str | Path, pin_hash: str) -> Config:
    target = _real_target(path)
    exists = target.exists()
    old_text = read_config_text(target) if exists else ""
    old_raw = parse_toml(old_text, target)
    newline = _newline_of(old_text)
    lines = old_text.splitlines(keepends=True)
    headers = table_headers([line.rstrip("\r\n") for line in lines])
    entry = f"pin_hash = {toml_string(pin_hash)}{newline}"
    kiosk = next((i for i, (index, key) in enumerate(headers) if key == ("kiosk",)), None)
    if kiosk is None:
        prefix = old_text if not old_text or old_text.endswith(("\n", "\r")) else old_text + newline
        new_text = prefix + (newline if prefix.strip() else "") + f"[kiosk]{newline}" + entry
    else:
        start = headers[kiosk][0] + 1
        end = headers[kiosk + 1][0] if kiosk + 1 < len(headers) else len(lines)
        body = lines[start:end]
        at = next((i for i, line in enumerate(body) if line.split("=")[0].strip() == "pin_hash"), None)
        if at is not None:
            body[at] = entry
        else:
            body.insert(0, entry)
        new_text = "".join(lines[:start] + body + lines[end:])
    new_raw = parse_toml(new_text, target)
    expected = dict(old_raw)
    expected["kiosk"] = {**old_raw.get("kiosk", {}), "pin_hash": pin_hash}
    if new_raw != expected:
        raise ConfigError(
            f"{target}: cannot set kiosk.pin_hash automatically without changing other settings; nothing was changed",
            path=str(target), key="kiosk.pin_hash", hint=f"Add pin_hash = \"{pin_hash}\" to [kiosk] by hand.",
        )
    mode = (file_mode(target) if exists else NEW_FILE_MODE) or NEW_FILE_MODE
    config = parse_config_text(new_text, target, mode=mode)
    write_atomically(target, new_text, mode)
    return config
