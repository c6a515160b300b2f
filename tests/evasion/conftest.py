"""Fixtures for the evasion suite: one engine per session, a `scan(bytes)` helper, and
synthetic service users (see synth.py)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.config import load_config
from gateway.scanning import Scanner

from .mime import RECIPIENT, SENDER
from .synth import Child, make_children


def _skip_or_fail(reason: str) -> None:
    # .ci/run installs gpg and openssl and sets DLP_REQUIRE_CRYPTO_TOOLS: there a missing tool fails.
    if os.environ.get("DLP_REQUIRE_CRYPTO_TOOLS"):
        pytest.fail(reason)
    pytest.skip(reason)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return Scanner(load_config(ROOT / "config" / "gateway.toml"), SENDER, [RECIPIENT])


@pytest.fixture
def scan(scanner: Scanner, tmp_path: Path) -> Callable[[bytes], object]:
    """scan(raw) -> ScanResult for `raw` sent by jo.bloggs@halton.gov.uk to someone@gmail.com."""
    names = (f"m{i}.eml" if i else "m.eml" for i in itertools.count())

    def _scan(raw: bytes):
        path = tmp_path / next(names)
        path.write_bytes(raw)
        return scanner.scan_batch([path])[0]

    return _scan


@pytest.fixture(scope="session")
def children() -> list[Child]:
    return make_children(6)


@pytest.fixture(scope="session")
def child(children: list[Child]) -> Child:
    return children[0]


# -- real cryptography, for the controls and for "encrypted body, PII in the subject" ----------


@dataclass
class Gpg:
    home: str
    uid: str = "t@example.org"

    def run(self, *args: str, data: bytes = b"") -> bytes:
        done = subprocess.run(["gpg", "--batch", "--yes", "--quiet", "--homedir", self.home, *args], input=data,
                              capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gpg {args[0]} failed: {done.stderr.decode(errors='replace')[-500:]}")
        return done.stdout

    def encrypt(self, data: bytes) -> bytes:
        return self.run("--trust-model", "always", "-ea", "-r", self.uid, data=data)

    def clearsign(self, data: bytes) -> bytes:
        return self.run("--clearsign", data=data)


@pytest.fixture(scope="session")
def gpg() -> Iterator[Gpg]:
    if shutil.which("gpg") is None:
        _skip_or_fail("gpg is not installed: cannot make real OpenPGP mail")
    # A short path: gpg-agent's socket path must fit in sun_path.
    home = tempfile.mkdtemp(prefix="gpgev")
    os.chmod(home, 0o700)
    g = Gpg(home)
    try:
        g.run("--passphrase", "", "--pinentry-mode", "loopback", "--quick-gen-key", "Test <t@example.org>",
              "default", "default", "never")
        yield g
    finally:
        if shutil.which("gpgconf"):
            subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Smime:
    cert: Path
    key: Path

    def run(self, *args: str, data: bytes = b"") -> bytes:
        done = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace')[-500:]}")
        return done.stdout

    def encrypt(self, mime_entity: bytes) -> bytes:
        """A whole S/MIME enveloped entity (headers + base64 body), as `openssl smime` writes it."""
        return self.run("smime", "-encrypt", "-aes256", str(self.cert), data=mime_entity)

    def encrypt_cms(self, mime_entity: bytes) -> bytes:
        return self.run("cms", "-encrypt", "-aes256", "-recip", str(self.cert), data=mime_entity)

    def sign(self, mime_entity: bytes) -> bytes:
        return self.run("smime", "-sign", "-signer", str(self.cert), "-inkey", str(self.key), data=mime_entity)


@pytest.fixture(scope="session")
def smime(tmp_path_factory: pytest.TempPathFactory) -> Smime:
    if shutil.which("openssl") is None:
        _skip_or_fail("openssl is not installed: cannot make real S/MIME mail")
    d = tmp_path_factory.mktemp("smime")
    s = Smime(d / "cert.pem", d / "key.pem")
    s.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(s.key), "-out", str(s.cert),
          "-days", "30", "-subj", "/CN=Test Recipient/emailAddress=t@example.org")
    return s
