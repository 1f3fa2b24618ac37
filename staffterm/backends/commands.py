"""A provider's raw commands, as data: ``staffterm <provider> COMMAND`` is built from each
provider's ``COMMANDS`` table (named in ``registry.py``), so integrators reach what the provider's
own driver does with the words they know from it. Data only: it imports nothing, so the CLI's
parser can read a table cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

# Parameter kinds: how the CLI parses the text given for them.
STR, INT, BOOL, JSON, TIME, LIST = "str", "int", "bool", "json", "time", "list"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = STR
    required: bool = False
    help: str = ""
    # Extra spellings accepted on the command line (the seed's typo ``foce_removal``).
    aliases: tuple[str, ...] = ()
    # What place the value names, so times typed without an offset are read in that building's
    # zone: "time_zone" (an IANA name), "zone", "room" (a room's id or mailbox; a person's is
    # passed over) or "booking". Empty: found from the name PlaceOS gives such parameters.
    place: str = ""


@dataclass(frozen=True)
class DriverCommand:
    name: str
    # The backend attribute holding the raw client ("engine", "staff" for PlaceOS, "driver" for
    # Graph), or "module:factory" for commands served above the backend (QR codes, mail
    # templates): the factory gets the open backend and the config.
    api: str
    method: str
    help: str
    params: tuple[Param, ...] = ()
    # True for the seed driver's own commands; False for the extras staffterm adds.
    in_seed: bool = True
    writes: bool = False
    # Said on stderr before the answer is printed (a command whose answer is a credential).
    warning: str = ""
