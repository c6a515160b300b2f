"""Transfer encodings read as mail clients read them, and the bytes of a part as sent.

``Content-Transfer-Encoding: base64 `` (a trailing space), ``base64 (comment)``,
a folded or upper-case value, two headers that disagree, base64 with junk or
broken padding, uuencode, quoted-printable, RFC 3676 ``format=flowed``: each is
decoded the way a recipient's client would, so the scanner reads what the
recipient will read. An encoding that cannot be trusted is reported with the
bytes, never dropped.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from email.message import Message

import regex

IDENTITY_ENCODINGS = frozenset({"", "7bit", "8bit", "binary", "7-bit", "8-bit"})


def cte(part: Message) -> str:
    return _cte_token(str(part.get("content-transfer-encoding", "") or ""))


def _cte_token(value: str) -> str:
    """The transfer-encoding token as mail clients read it: unfolded, comments and spaces gone."""
    value = " ".join(value.split())
    value = regex.sub(r"\([^()]*\)", " ", value)
    tokens = regex.split(r"[\s;]+", value.strip())
    return tokens[0].strip("\"'").lower() if tokens and tokens[0] else ""


def payload_bytes(part: Message) -> tuple[bytes, str | None]:
    """A leaf part's decoded bytes, and a reason when the decoding could not be trusted.

    Two Content-Transfer-Encoding headers that disagree: clients differ in which they
    obey, so the part is decoded both ways and both readings are kept."""
    # The parser keeps 8-bit bytes as surrogates; get_payload() would decode them with the
    # declared charset (lossily, and it raises on a charset such as "idna" or one with a NUL),
    # so the bytes as sent are taken from the stored payload.
    stored = getattr(part, "_payload", None)
    if isinstance(stored, list) or part.is_multipart():
        return b"", None
    raw = as_bytes(stored if isinstance(stored, str) else str(part.get_payload()))
    tokens = list(dict.fromkeys(_cte_token(str(v)) for v in part.get_all("content-transfer-encoding", [])))
    if len(tokens) > 1:
        readings = [_decode_as(raw, token) for token in tokens]
        return b"\n".join(dict.fromkeys(r[0] for r in readings)), next((r[1] for r in readings if r[1]), None)
    return _decode_as(raw, tokens[0] if tokens else "")


def _decode_as(raw: bytes, encoding: str) -> tuple[bytes, str | None]:
    if encoding in IDENTITY_ENCODINGS:
        return raw, None
    if encoding == "base64":
        return lenient_base64(raw)
    if encoding == "quoted-printable":
        return quopri.decodestring(raw), None
    if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
        lines = raw.decode("latin-1").split("\n")
        body = [line.rstrip("\r") for line in lines if not line.startswith("begin ") and line.strip() not in ("end", "")]
        try:
            return uu_decode(body), None
        except (binascii.Error, ValueError):
            return raw, "damaged uuencoded part"
    return raw, "unknown transfer encoding: read as it stands"


def unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next (delsp drops that space)."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line.rstrip() != "--":
            current += line[:-1] if delsp else line
            continue
        out.append(current + line)
        current = ""
    if current:
        out.append(current)
    return "\n".join(out)


def as_bytes(payload: str) -> bytes:
    # compat32 keeps undecodable bytes as surrogates, exactly as email.message does.
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return payload.encode("utf-8", "surrogateescape")


def lenient_base64(raw: bytes) -> tuple[bytes, str | None]:
    """Decode as mail clients do: skip characters outside the alphabet, mend the padding."""
    cleaned = regex.sub(rb"[^A-Za-z0-9+/=]", b"", raw)
    problem = None
    chunks = [c for c in regex.split(rb"=+", cleaned) if c]
    out = bytearray()
    for chunk in chunks:  # several encoded runs back to back
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
            problem = "damaged base64 part"
        try:
            out += base64.b64decode(chunk + b"=" * (-len(chunk) % 4))
        except (binascii.Error, ValueError):
            return raw, "damaged base64 part"
    return bytes(out), problem


def uu_decode(lines: list[str]) -> bytes:
    out = bytearray()
    for line in lines:
        line = line.rstrip("\r\n")
        if not line or line in ("`", " "):
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Some encoders pad lines wrongly; decode the length the first character announces.
            nbytes = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            out += binascii.a2b_uu(line[:nbytes])
    return bytes(out)


def rfc822_bytes(part: Message) -> bytes:
    """A message/rfc822 part that a client base64- or QP-encoded (not allowed, but seen)."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        inner = payload[0]
        # The parser read the encoded text as a message; give it back as the text it was.
        text = inner.get_payload() if not inner.keys() else inner.as_string()
        payload = text if isinstance(text, str) else ""
    if not isinstance(payload, str):
        return b""
    raw = as_bytes(payload)
    encoding = cte(part)
    if encoding == "base64":
        return lenient_base64(raw)[0]
    if encoding == "quoted-printable":
        return quopri.decodestring(raw)
    return raw
