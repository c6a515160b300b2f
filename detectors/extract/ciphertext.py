"""Is it really ciphertext, or a signature? Judged from the bytes, never the label.

A part labelled ``multipart/encrypted`` or ``smime-type=enveloped-data``, or a
body that opens with ``-----BEGIN PGP MESSAGE-----``, proves nothing: anyone
can write the label over clear text. A message counts as encrypted only when
its payload parses as ciphertext:

* OpenPGP (RFC 4880 / 9580): one or more encrypted session-key packets
  (public-key tag 1 or symmetric tag 3), then one encrypted-data packet
  (tag 9, 18 or 20) that runs to the end of the data;
* CMS (RFC 5652) EnvelopedData or AuthEnvelopedData, parsed with asn1crypto,
  with at least one recipient and encrypted content present.

In both cases the encrypted bytes must also look like ciphertext: not mostly
printable, and not a deflate stream that inflates to text (the cheapest way to
dress clear text up as "encrypted data" behind forged packet headers).

Signatures are checked the same way: a part is skipped as "a signature" only
when it parses as one (OpenPGP signature packets, CMS SignedData).
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections import Counter
from dataclasses import dataclass

import regex

_ARMOUR = regex.compile(
    r"-----BEGIN PGP (?P<kind>MESSAGE|SIGNATURE|SIGNED MESSAGE|PUBLIC KEY BLOCK)-----[ \t]*\r?\n"
    r"(?P<body>(?:(?!-----BEGIN PGP )[^\n]*\n){0,100000}?)"
    r"-----END PGP (?P=kind)-----"
)
_ESK_TAGS = frozenset({1, 3})  # public-key / symmetric-key encrypted session key
_DATA_TAGS = frozenset({9, 18, 20})  # symmetrically encrypted data, SEIPD, AEAD
_MARKER_TAG = 10
_SIGNATURE_TAG = 2
_PARTIAL_OK_TAGS = frozenset({8, 9, 11, 18, 20})
MIN_CIPHERTEXT_BYTES = 16


@dataclass(frozen=True)
class ArmourBlock:
    kind: str  # MESSAGE, SIGNATURE, SIGNED MESSAGE, PUBLIC KEY BLOCK
    start: int
    end: int
    payload: bytes | None  # the decoded packets; None when the armour does not decode
    headers: str = ""  # armour header lines ("Comment: ..."): clear text a sender can write into


def armour_blocks(text: str) -> list[ArmourBlock]:
    blocks = []
    for match in _ARMOUR.finditer(text, timeout=5.0):
        payload, headers = (None, "") if match.group("kind") == "SIGNED MESSAGE" else _dearmour(match.group("body"))
        blocks.append(ArmourBlock(match.group("kind"), match.start(), match.end(), payload, headers))
    return blocks


def _dearmour(body: str) -> tuple[bytes | None, str]:
    """(the packets, the armour header lines). The CRC line is not checked: it is optional
    (RFC 9580), and the packet structure and the randomness of the data decide."""
    lines = body.replace("\r", "").split("\n")
    # Armour headers ("Version: ...", "Comment: ...") come first; base64 has no colon.
    headers = []
    while lines and ":" in lines[0]:
        headers.append(lines.pop(0))
    data_lines = [line.strip() for line in lines if line.strip() and not (line.strip().startswith("=") and len(line.strip()) == 5)]
    try:
        data = base64.b64decode("".join(data_lines), validate=True)
    except (binascii.Error, ValueError):
        return None, "\n".join(headers)
    return data or None, "\n".join(headers)


def _packets(data: bytes) -> list[tuple[int, bytes]] | None:
    """(tag, body) of each OpenPGP packet; None unless the bytes are nothing but packets."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        first = data[pos]
        if not first & 0x80:
            return None
        pos += 1
        if first & 0x40:  # new format
            tag = first & 0x3F
            body = bytearray()
            while True:
                if pos >= len(data):
                    return None
                o1 = data[pos]
                if o1 < 192:
                    length, pos, partial = o1, pos + 1, False
                elif o1 < 224:
                    if pos + 1 >= len(data):
                        return None
                    length, pos, partial = ((o1 - 192) << 8) + data[pos + 1] + 192, pos + 2, False
                elif o1 == 255:
                    if pos + 4 >= len(data):
                        return None
                    length, pos, partial = int.from_bytes(data[pos + 1 : pos + 5], "big"), pos + 5, False
                else:
                    if tag not in _PARTIAL_OK_TAGS:
                        return None
                    length, pos, partial = 1 << (o1 & 0x1F), pos + 1, True
                if pos + length > len(data):
                    return None
                body += data[pos : pos + length]
                pos += length
                if not partial:
                    break
            out.append((tag, bytes(body)))
        else:  # old format
            tag = (first >> 2) & 0x0F
            length_type = first & 0x03
            if length_type == 3:
                length = len(data) - pos
            else:
                size = (1, 2, 4)[length_type]
                if pos + size > len(data):
                    return None
                length = int.from_bytes(data[pos : pos + size], "big")
                pos += size
            if pos + length > len(data):
                return None
            out.append((tag, data[pos : pos + length]))
            pos += length
        if tag == 0:
            return None
    return out


def looks_random(data: bytes) -> bool:
    """Ciphertext all through: no block of it mostly printable or with a skewed byte distribution,
    and it does not inflate to text. Every block is checked, so readable text cannot follow a
    random-looking start."""
    if len(data) < MIN_CIPHERTEXT_BYTES:
        return False
    if _TEXT_RUN.search(data):
        return False  # a printable run this long turns up in random bytes about once in 20 GB
    for offset in range(0, len(data), BLOCK):
        block = data[offset : offset + BLOCK]
        if len(block) >= 16 and len(block.translate(None, _PRINTABLE)) < len(block) * 0.25:
            return False  # over 75 % printable: text
        if len(block) >= 512 and _entropy(block) < MIN_ENTROPY_BITS:
            return False  # e.g. clear text XORed with one byte: as skewed as the text was
    return not _inflates_to_text(data[:65536])


BLOCK = 4096
_TEXT_RUN = regex.compile(rb"[\x20-\x7e\t\n\r]{24}")
_PRINTABLE = bytes(range(32, 127)) + b"\t\n\r"
MIN_ENTROPY_BITS = 7.0  # bits per byte; ciphertext is close to 8, text about 4.5


def _entropy(data: bytes) -> float:
    counts = Counter(data)
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _inflates_to_text(data: bytes) -> bool:
    for offset in range(0, 4):
        for wbits in (-15, 15, 31):
            try:
                out = zlib.decompressobj(wbits).decompress(data[offset:], 4096)
            except zlib.error:
                continue
            if len(out) >= 32 and sum(1 for b in out if 32 <= b < 127 or b in (9, 10, 13)) / len(out) > 0.8:
                return True
    return False


def is_openpgp_ciphertext(data: bytes) -> bool:
    packets = _packets(data)
    if not packets:
        return False
    tags = [tag for tag, _ in packets if tag != _MARKER_TAG]
    if len(tags) < 2 or tags[-1] not in _DATA_TAGS or not all(t in _ESK_TAGS for t in tags[:-1]):
        return False
    for tag, body in packets:
        if tag == 1 and (len(body) < 10 or body[0] not in (3, 6)):
            return False
        if tag == 3 and (len(body) < 2 or body[0] not in (4, 5, 6)):
            return False
    data_body = packets[-1][1]
    if packets[-1][0] in (18, 20):
        data_body = data_body[1:]  # version octet
    return looks_random(data_body)


_KEY_TAGS = frozenset({2, 6, 12, 13, 14, 17})  # signature, public key, trust, user ID, subkey, user attribute


def public_key_user_ids(data: bytes) -> list[str] | None:
    """The user IDs ("Name <address>") of a public-key block; None when it is not one."""
    packets = _packets(data)
    if not packets or packets[0][0] != 6 or not all(tag in _KEY_TAGS for tag, _ in packets):
        return None
    return [body.decode("utf-8", "replace") for tag, body in packets if tag == 13]


def is_openpgp_signature(data: bytes) -> bool:
    packets = _packets(data)
    return bool(packets) and all(tag == _SIGNATURE_TAG and len(body) >= 10 for tag, body in packets or [])


def _parses(info: object) -> bool:
    try:
        _ = info["content"].native  # type: ignore[index]
    except Exception:  # asn1crypto raises many types on malformed DER
        return False
    return True


def _all_random(data: bytes) -> bool:
    return len(data) >= 512 and looks_random(data)


@dataclass(frozen=True)
class CmsContent:
    kind: str  # "enveloped", "signed" or "other"
    encrypted_ok: bool = False  # enveloped: recipients present and the content looks like ciphertext
    signed_content: bytes | None = None  # signed: the encapsulated content (None when detached)


def cms_content(data: bytes) -> CmsContent | None:
    """What a DER (or base64 DER) CMS object holds; None when it is not CMS at all."""
    from asn1crypto import cms

    der = data
    if not data[:1] == b"\x30":
        try:
            der = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return None
    try:
        info = cms.ContentInfo.load(der, strict=True)
        content_type = info["content_type"].native
        if content_type in ("enveloped_data", "authenveloped_data") and not _parses(info):
            # The envelope's inner structure does not parse (an unusual encoder, or a made-up
            # sample): it still counts when everything inside looks like ciphertext.
            return CmsContent("enveloped", encrypted_ok=_all_random(info["content"].contents))
        content = info["content"]
        if content_type in ("enveloped_data", "authenveloped_data"):
            key = "encrypted_content_info" if content_type == "enveloped_data" else "auth_encrypted_content_info"
            recipients = content["recipient_infos"]
            encrypted = content[key]["encrypted_content"].native
            ok = len(recipients) > 0 and isinstance(encrypted, bytes) and looks_random(encrypted)
            return CmsContent("enveloped", encrypted_ok=ok)
        if content_type == "signed_data":
            inner = content["encap_content_info"]["content"]
            if inner.native is None:
                return CmsContent("signed", signed_content=None)  # detached: the content is elsewhere
            return CmsContent("signed", signed_content=bytes(inner.contents))
        return CmsContent("other")
    except Exception:  # asn1crypto raises many types on hostile DER; any of them means "not CMS"
        return None
