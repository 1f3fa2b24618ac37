"""The kiosk's admin PIN: stored as a salted scrypt hash, checked in constant time, and guarded
by a back-off that doubles after each wrong try so a stranger cannot guess it at the screen.

The hash is written as ``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>`` so its cost travels with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from staffterm.errors import InvalidInputError

# scrypt cost: n=2**14, r=8 is the interactive-login setting (about 16 MiB, tens of ms), fine
# for a PIN checked a few times a day, and slow enough to make guessing a stolen hash costly.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16

MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 12

#: Wrong tries allowed before the back-off starts, its first wait and its cap (seconds).
FREE_TRIES = 3
FIRST_WAIT = 30.0
MAX_WAIT = 15 * 60.0


def check_pin_text(pin: str) -> str:
    """A PIN is 4 to 12 digits: the kiosk's keypad is the keyboard's digits."""
    text = (pin or "").strip()
    if not text.isdigit() or not MIN_PIN_DIGITS <= len(text) <= MAX_PIN_DIGITS or not text.isascii():
        raise InvalidInputError(f"a kiosk PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits", field="pin")
    return text


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    text = check_pin_text(pin)
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(text.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored`` (a hash from ``hash_pin``); a malformed hash matches nothing."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, key = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
        # A hash with an absurd cost must not tie the kiosk up (or exhaust memory).
        n_i, r_i, p_i = int(n), int(r), int(p)
        if not (2 <= n_i <= 2**17 and 1 <= r_i <= 16 and 1 <= p_i <= 4):
            return False
    except ValueError:
        return False
    if not pin or not pin.isdigit() or len(pin) > MAX_PIN_DIGITS:
        return False
    got = hashlib.scrypt(pin.encode(), salt=salt, n=n_i, r=r_i, p=p_i, dklen=len(key), maxmem=64 * 1024 * 1024)
    return hmac.compare_digest(got, key)


def verify_plain(pin: str, secret: str) -> bool:
    """A PIN given as a secret reference (not hashed): compared in constant time."""
    return bool(secret) and hmac.compare_digest(pin.encode(), secret.strip().encode())


@dataclass
class PinGate:
    """Wrong tries and the back-off. ``clock`` is monotonic seconds; nothing here sleeps."""

    check: Callable[[str], bool]
    clock: Callable[[], float]
    failures: int = 0
    locked_until: float = 0.0
    _history: list[float] = field(default_factory=list)

    def wait_left(self) -> float:
        return max(0.0, self.locked_until - self.clock())

    def attempt(self, pin: str) -> bool:
        """Check ``pin``; while locked nothing is checked (the try does not count either)."""
        if self.wait_left() > 0:
            return False
        if self.check(pin):
            self.failures = 0
            self.locked_until = 0.0
            return True
        self.failures += 1
        self._history.append(self.clock())
        if self.failures >= FREE_TRIES:
            wait = min(MAX_WAIT, FIRST_WAIT * 2 ** (self.failures - FREE_TRIES))
            self.locked_until = self.clock() + wait
        return False


def gate_for(pin_hash: str | None, plain_pin: str | None, clock: Callable[[], float]) -> PinGate | None:
    """The gate for the configured PIN, or None when no PIN is set (then the admin menu stays shut)."""
    if pin_hash:
        return PinGate(lambda pin: verify_pin(pin, pin_hash), clock)
    if plain_pin:
        return PinGate(lambda pin: verify_plain(pin, plain_pin), clock)
    return None
