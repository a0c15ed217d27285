"""The operation's deconfliction key: a secret kept outside the database, under which identifiers are
keyed for matching (HMAC-SHA256 of kind and normalised value).

A bare SHA-256 of a phone number is brute-forced in minutes (there are about 10^10 of them); a keyed
hash is not, without the key. So a stolen database does not give up values it holds only keyed. The
key file (named by COORD_DECONFLICTION_KEY_FILE) holds 32 random bytes as 64 hex digits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coordination.errors import CoordinationError

ENVIRONMENT = "COORD_DECONFLICTION_KEY_FILE"
KEY_BYTES = 32
_FINGERPRINT_TEXT = b"coordination deconfliction key fingerprint"
HOW_TO_MAKE_ONE = ("Make one with `python -m coordination deconflict make-key FILE` and name it in "
                   f"{ENVIRONMENT} (`make run` makes a demo key under data/).")


class KeyMissing(CoordinationError, RuntimeError):
    """Deconfliction cannot run: no key, an unreadable key, or not the key the identifiers were keyed with."""


@dataclass(frozen=True)
class MatchingKey:
    secret: bytes

    def keyed(self, kind: str, normalised: str) -> str:
        """The match index entry of one identifier: never the plain value."""
        message = f"{kind}\x1f{normalised}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def keying(self) -> Callable[[str, str], str]:
        """`keyed` for many values at once (a rotation): the HMAC's keyed state is made once and copied
        for each value, the same digest for a third less time."""
        start = hmac.new(self.secret, digestmod=hashlib.sha256)

        def keyed(kind: str, normalised: str) -> str:
            mac = start.copy()
            mac.update(f"{kind}\x1f{normalised}".encode())
            return mac.hexdigest()
        return keyed

    @property
    def fingerprint(self) -> str:
        return hmac.new(self.secret, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def make_key_file(path: Path) -> Path:
    """A new random key, readable by its owner only; refuses to overwrite a key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


def read_key_file(path: Path) -> MatchingKey:
    try:
        text = path.read_text(encoding="ascii", errors="strict")[:1000].strip()
    except (OSError, UnicodeDecodeError) as error:
        raise KeyMissing(f"The deconfliction key file {path} cannot be read ({error.__class__.__name__}). "
                         + HOW_TO_MAKE_ONE) from None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise KeyMissing(f"The deconfliction key file {path} does not hold a key ({KEY_BYTES * 2} hex digits). "
                         + HOW_TO_MAKE_ONE)
    return MatchingKey(secret)


def configured() -> bool:
    """Whether the environment names a key file at all (whether it holds the right key is `load`'s)."""
    return bool(os.environ.get(ENVIRONMENT))


def load() -> MatchingKey:
    """The key named by the environment; KeyMissing, saying how to make one, when there is none."""
    name = os.environ.get(ENVIRONMENT)
    if not name:
        raise KeyMissing(f"Deconfliction needs a key and {ENVIRONMENT} is not set. " + HOW_TO_MAKE_ONE)
    return read_key_file(Path(name))
