"""Raw MIME, byte by byte. The evasion shapes need exact bytes (odd header spellings,
folded values, unterminated multiparts), so nothing here goes through email.message."""

from __future__ import annotations

import base64
import itertools
import quopri
from collections.abc import Sequence

SENDER = "jo.bloggs@halton.gov.uk"
RECIPIENT = "someone@gmail.com"

_ids = itertools.count(1)


def crlf(text: str) -> str:
    """LF or CRLF line ends -> CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def b64(data: bytes, width: int = 76) -> bytes:
    """Base64 in CRLF-terminated lines of `width` characters."""
    flat = base64.b64encode(data)
    return b"".join(flat[i : i + width] + b"\r\n" for i in range(0, len(flat), width))


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _bytes(body: bytes | str) -> bytes:
    return crlf(body).encode("utf-8") if isinstance(body, str) else body


def entity(content_type: str | None, body: bytes | str, *, cte: str | None = None, headers: Sequence[str] = ()) -> bytes:
    """A MIME entity: its headers exactly as given, a blank line, the body as given."""
    lines = []
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if cte is not None:
        lines.append(f"Content-Transfer-Encoding: {cte}")
    lines.extend(headers)
    return ("".join(line + "\r\n" for line in lines) + "\r\n").encode("utf-8") + _bytes(body)


def text(body: str, subtype: str = "plain", charset: str = "utf-8", cte: str = "quoted-printable",
         headers: Sequence[str] = ()) -> bytes:
    """A text part encoded the way a mail client would (quoted-printable by default)."""
    raw = crlf(body).encode(charset)
    if cte == "quoted-printable":
        encoded = qp(raw)
    elif cte == "base64":
        encoded = b64(raw)
    else:
        encoded = raw
    return entity(f'text/{subtype}; charset="{charset}"', encoded, cte=cte, headers=headers)


def attachment(data: bytes, content_type: str, filename: str | None, *, cte: str = "base64",
               disposition: str = "attachment", headers: Sequence[str] = ()) -> bytes:
    """An attachment; `filename` None leaves both the name parameter and the disposition out."""
    body = b64(data) if cte.strip().lower() == "base64" else _bytes(data)
    if filename is None:
        return entity(content_type, body, cte=cte, headers=headers)
    return entity(f'{content_type}; name="{filename}"', body, cte=cte,
                  headers=[f'Content-Disposition: {disposition}; filename="{filename}"', *headers])


def new_boundary() -> str:
    return f"----=_Part_{next(_ids):05d}_evasion.halton"


def multipart(subtype: str, *parts: bytes, params: str = "", boundary: str | None = None, preamble: bytes = b"",
              epilogue: bytes = b"", close: bool = True, headers: Sequence[str] = ()) -> bytes:
    b = (boundary or new_boundary()).encode("ascii")
    body = preamble
    for part in parts:
        body += b"--" + b + b"\r\n" + part + (b"" if part.endswith(b"\r\n") else b"\r\n")
    if close:
        body += b"--" + b + b"--\r\n"
    body += epilogue
    return entity(f'multipart/{subtype}; boundary="{b.decode()}"{params}', body, headers=headers)


def envelope_headers(subject: str = "Update", *, to: str = RECIPIENT, extra: Sequence[str] = ()) -> bytes:
    lines = [
        f"From: Jo Bloggs <{SENDER}>",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Thu, 14 May 2026 10:15:00 +0100",
        f"Message-ID: <evasion-{next(_ids)}@halton.gov.uk>",
        "MIME-Version: 1.0",
        *extra,
    ]
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def message(body_entity: bytes, subject: str = "Update", *, extra_headers: Sequence[str] = ()) -> bytes:
    """A whole message: envelope headers, then the entity (its own headers start the rest)."""
    return envelope_headers(subject, extra=extra_headers) + body_entity


def plain(body: str, subject: str = "Update", **kwargs) -> bytes:
    return message(text(body, **kwargs), subject)


def with_attachment(att: bytes, note: str = "Hi,\n\nPlease see attached.\n\nJo\n", subject: str = "Update") -> bytes:
    """The common shape: a harmless covering note and one attachment."""
    return message(multipart("mixed", text(note), att), subject)
