"""Encryption at rest for held messages (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from a file (one key per line) or an environment variable (keys
separated by commas). The first key encrypts; every key decrypts, which is how a
key is rotated: put the new key first, keep the old one, run
`dlp-gateway quarantine rekey`, then drop the old key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MARK = b"dlpgw-fernet:"  # stored values that are encrypted start with this


class KeyError_(Exception):
    """A key that is configured but cannot be used; the message says which setting."""


class MessageCipher:
    def __init__(self, keys: list[bytes]) -> None:
        self.enabled = bool(keys)
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys]) if keys else None
        except (ValueError, TypeError) as exc:
            raise KeyError_("a quarantine key is not a valid Fernet key (32 url-safe base64 bytes)") from exc

    @classmethod
    def from_settings(cls, key_file: str, key_env: str) -> MessageCipher:
        keys: list[bytes] = []
        if key_file:
            try:
                keys += [line.strip().encode() for line in Path(key_file).read_text().splitlines() if line.strip() and not line.startswith("#")]
            except OSError as exc:
                raise KeyError_(f"[quarantine.key_file] cannot read {key_file}: {exc.strerror}") from exc
        if key_env:
            value = os.environ.get(key_env, "")
            if not value:
                raise KeyError_(f"[quarantine.key_env] environment variable {key_env} is not set")
            keys += [k.strip().encode() for k in value.split(",") if k.strip()]
        return cls(keys)

    def seal(self, data: bytes) -> bytes:
        if self._fernet is None:
            return data
        return MARK + self._fernet.encrypt(data)

    def open(self, data: bytes) -> bytes:
        if not data.startswith(MARK):
            return data  # stored before a key was configured
        if self._fernet is None:
            raise KeyError_("this message is encrypted at rest and no quarantine key is configured")
        try:
            return self._fernet.decrypt(data[len(MARK):])
        except InvalidToken as exc:
            raise KeyError_("no configured quarantine key opens this message") from exc

    def rotate(self, data: bytes) -> bytes:
        if self._fernet is None or not data.startswith(MARK):
            return self.seal(data)
        return MARK + self._fernet.rotate(data[len(MARK):])


def new_key() -> str:
    return Fernet.generate_key().decode()
