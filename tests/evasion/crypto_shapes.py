"""Wrapping real (and fake) ciphertext the way mail clients do."""

from __future__ import annotations

import base64

from . import mime

PGP_VERSION_PART = mime.entity("application/pgp-encrypted", "Version: 1\n",
                               headers=["Content-Description: PGP/MIME version identification"])


def pgp_mime(payload: bytes, *extra_parts: bytes) -> bytes:
    """RFC 3156 multipart/encrypted around `payload` (normally ASCII-armoured ciphertext)."""
    encrypted = mime.entity('application/octet-stream; name="encrypted.asc"', payload,
                            headers=["Content-Description: OpenPGP encrypted message",
                                     'Content-Disposition: inline; filename="encrypted.asc"'])
    return mime.multipart("encrypted", PGP_VERSION_PART, encrypted, *extra_parts,
                          params='; protocol="application/pgp-encrypted"')


def _crc24(data: bytes) -> bytes:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return base64.b64encode((crc & 0xFFFFFF).to_bytes(3, "big"))


def fake_armour(data: bytes) -> bytes:
    """An armour block that looks right (headers, 64-column base64, CRC-24 line) but whose
    body is base64 of `data` itself: no encryption at all."""
    flat = base64.b64encode(data)
    lines = [flat[i : i + 64] for i in range(0, len(flat), 64)]
    return (b"-----BEGIN PGP MESSAGE-----\r\nVersion: GnuPG v2\r\n\r\n" + b"\r\n".join(lines) + b"\r\n="
            + _crc24(data) + b"\r\n-----END PGP MESSAGE-----\r\n")


def label_only_armour(text: str) -> bytes:
    """Armour lines around clear text."""
    return mime.crlf("-----BEGIN PGP MESSAGE-----\n\n" + text + "-----END PGP MESSAGE-----\n").encode("utf-8")


def smime_entity(openssl_output: bytes) -> bytes:
    """`openssl smime -encrypt/-sign` output as a MIME entity: CRLF line ends, no MIME-Version
    (the envelope headers carry it)."""
    text = openssl_output.decode("ascii").replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    head = "\n".join(line for line in head.split("\n") if not line.lower().startswith("mime-version:"))
    return mime.crlf(head + "\n\n" + body).encode("ascii")
