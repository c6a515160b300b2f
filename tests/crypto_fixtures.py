"""Real ciphertext for tests: OpenPGP from gpg and S/MIME from openssl, made in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _skip_or_fail(reason: str) -> None:
    # .ci/run installs gpg and openssl and sets DLP_REQUIRE_CRYPTO_TOOLS: there a missing tool fails.
    if os.environ.get("DLP_REQUIRE_CRYPTO_TOOLS"):
        pytest.fail(reason)
    pytest.skip(reason)


def _gpg(tmp: Path, home: str, user: str) -> list[str]:
    """gpg in its own home under ``tmp``, with a throwaway key for ``user`` made there."""
    if not shutil.which("gpg"):
        _skip_or_fail("gpg is not installed")
    folder = tmp / home
    folder.mkdir(mode=0o700, exist_ok=True)
    base = ["gpg", "--batch", "--homedir", str(folder), "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run([*base, "--quick-gen-key", user, "default", "default", "never"], check=True, capture_output=True)
    return base


def gpg_encrypt(tmp: Path, plaintext: bytes) -> str:
    """An ASCII-armoured OpenPGP message to a throwaway key."""
    base = _gpg(tmp, "gnupg", "Test <t@example.org>")
    try:
        out = subprocess.run([*base, "--trust-model", "always", "-ea", "-r", "t@example.org"], input=plaintext,
                             check=True, capture_output=True)
    finally:  # gpg starts an agent per home: stop it, or every test run leaves one behind
        subprocess.run(["gpgconf", "--homedir", str(tmp / "gnupg"), "--kill", "all"], check=False, capture_output=True)
    return out.stdout.decode()


def smime_encrypt(tmp: Path, mime_entity: bytes, headers: str) -> bytes:
    """An S/MIME enveloped-data message (openssl smime), with ``headers`` put on top."""
    if not shutil.which("openssl"):
        _skip_or_fail("openssl is not installed")
    key, cert = tmp / "key.pem", tmp / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-subj", "/CN=test", "-days", "2"], check=True, capture_output=True)
    out = subprocess.run(["openssl", "smime", "-encrypt", "-aes256", str(cert)], input=mime_entity,
                         check=True, capture_output=True).stdout
    return headers.encode() + out
