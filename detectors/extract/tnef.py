"""TNEF (``winmail.dat``, ``application/ms-tnef``) read with tnefparse.

Outlook wraps a message's rich body and its attachments in TNEF. Read: the
subject, each body it carries (plain text, HTML as text, compressed RTF
decompressed and read as RTF), a body that repeats another one being read
once; the attachments go back in ``embedded`` (an attached Outlook message is
itself TNEF and is read in turn by the caller). tnefparse logs and skips MAPI
properties it cannot decode instead of failing; those are reported as a
problem. If tnefparse fails, the file is unreadable; so is a file whose counts
would keep tnefparse looping (checked first: it trusts every count it reads).
"""

from __future__ import annotations

import logging
import struct
from typing import Any

from detectors.extract.collect import Collector, library_logs_kept
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument, decode_text, rtf_text
from detectors.extract.html_text import html_to_text
from detectors.extract.limits import ExtractionLimits

_SUBJECT_ATTRIBUTE = 0x8004  # attSubject
_MAPI_SUBJECT = 0x0037  # PR_SUBJECT


def tnef_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    from tnefparse import TNEF

    out = Collector(limits)
    try:
        _check_structure(data)
    except _Damaged as exc:
        raise UnreadableDocument(f"damaged TNEF (winmail.dat) ({exc})") from None
    with library_logs_kept("tnefparse") as records:
        try:
            tnef = TNEF(data)
        except Exception as exc:  # struct.error, ValueError, UnicodeDecodeError, AssertionError...
            raise UnreadableDocument(f"damaged TNEF (winmail.dat) ({type(exc).__name__})") from exc
        subject = _subject(tnef)
        if subject:
            out.add(f"Subject: {subject}")
        for body in _distinct(_bodies(tnef, out)):
            out.add(body)
        for number, attachment in enumerate(tnef.attachments, start=1):
            _attachment(attachment, number, out)
    if any(r.levelno >= logging.ERROR for r in records):
        # tnefparse logs a property it cannot decode and drops the rest of that property list.
        out.problem("part of the TNEF (winmail.dat) properties could not be decoded")
    return out.content()


class _Damaged(Exception):
    """The structure would send tnefparse into an endless loop or quadratic work (reason: no content)."""


_MAPI_PROPS, _RECIPIENTS, _ATTACHMENT_PROPS = 0x9003, 0x9004, 0x9005
_FIXED_SIZES = {0x0002: 2, 0x000B: 2, 0x0003: 4, 0x0004: 4, 0x000A: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8,
                0x0014: 8, 0x0040: 8, 0x0048: 16}
_VARIABLE = frozenset({0x0000, 0x000D, 0x001E, 0x001F, 0x0102})
_IMESSAGE_SIG = b"\x07\x03\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"
_MOST_VALUES = 200_000  # MAPI values in one file: a real winmail.dat has hundreds
_MOST_COPIED = 2_000_000_000  # tnefparse copies the rest of the file for each attribute


def _check_structure(data: bytes, depth: int = 0, values: list[int] | None = None) -> None:
    """Walks the attributes and MAPI property lists the way tnefparse will, and refuses counts the
    bytes cannot hold (tnefparse loops over a count of 4 billion one property at a time), too many
    values, or so many attributes that tnefparse's copy of the rest of the file per attribute explodes."""
    values = [0] if values is None else values
    if depth > 8:
        raise _Damaged("attached messages nested too deeply")
    n, offset, copied = len(data), 6, 0
    while offset + 12 < n:
        copied += n - offset
        if copied > _MOST_COPIED:
            raise _Damaged("too many attributes")
        (name,) = struct.unpack_from("<H", data, offset + 1)
        (length,) = struct.unpack_from("<I", data, offset + 5)
        end = min(n - offset, length + 11)
        body = data[offset + 9: offset + end - 2]
        if name in (_MAPI_PROPS, _ATTACHMENT_PROPS):
            _check_mapi(body, 0, depth, values)
        elif name == _RECIPIENTS and len(body) >= 4:
            (rows,) = struct.unpack_from("<I", body, 0)
            if rows > len(body) // 4:
                raise _Damaged("recipient count larger than the data")
            at: int | None = 4
            for _ in range(rows):
                at = _check_mapi(body, at, depth, values) if at is not None else None
        offset += end


def _check_mapi(data: bytes, offset: int, depth: int, values: list[int]) -> int | None:
    """One MAPI property list from ``offset``; its end, or None where tnefparse stops on an error."""
    n = len(data)

    def uint32(at: int) -> int | None:
        return struct.unpack_from("<I", data, at)[0] if at + 4 <= n else None

    count = uint32(offset)
    if count is None:
        return None
    offset += 4
    if count > (n - offset) // 4 + 1:
        raise _Damaged("property count larger than the data")
    for _ in range(count):
        if offset + 4 > n:
            return None
        kind, name = struct.unpack_from("<HH", data, offset)
        offset += 4
        if name >= 0x8000:  # a named property: GUID, then a number or a name
            named_kind = uint32(offset + 16)
            if named_kind is None:
                return None
            offset += 20
            if named_kind == 0:
                offset += 4
            else:
                size = uint32(offset)
                if size is None:
                    return None
                offset += 4 + size + (-size % 4)
        multi = None
        if kind & 0x1000:
            kind ^= 0x1000
            multi = uint32(offset)
            if multi is None:
                return None
            offset += 4
            if multi > (n - offset) // 2 + 1:
                raise _Damaged("value count larger than the data")
        for _ in range(multi or 1):
            values[0] += 1
            if values[0] > _MOST_VALUES:
                raise _Damaged("too many properties")
            if kind in _FIXED_SIZES:
                offset += _FIXED_SIZES[kind]
            elif kind in _VARIABLE:
                items = 1
                if not multi:
                    got = uint32(offset)
                    if got is None:
                        return None
                    items, offset = got, offset + 4
                    if items > (n - offset) // 4 + 1:
                        raise _Damaged("value count larger than the data")
                for _ in range(items):
                    size = uint32(offset)
                    if size is None:
                        return None
                    offset += 4
                    value = data[offset: offset + size]
                    if value.startswith(_IMESSAGE_SIG):  # an attached message: TNEF again
                        _check_structure(value[len(_IMESSAGE_SIG):], depth + 1, values)
                    offset += size + (-size % 4)
            else:
                return None  # tnefparse raises on an unknown type and stops this list
        if (multi or 1) % 2 and kind in (0x0002, 0x000B):
            offset += 2
    return offset


def _subject(tnef: Any) -> str:
    for prop in tnef.msgprops:
        if prop.name == _SUBJECT_ATTRIBUTE and isinstance(prop.data, str):
            return prop.data.strip()
    for prop in tnef.mapiprops:
        if prop.name == _MAPI_SUBJECT:
            value = prop.data
            return (decode_text(value) if isinstance(value, bytes) else str(value)).strip()
    return ""


def _bodies(tnef: Any, out: Collector) -> list[str]:
    bodies: list[str] = []
    if tnef.body:
        bodies.append(_as_text(tnef.body))
    if tnef.htmlbody:
        bodies.append(html_to_text(_as_text(tnef.htmlbody)))
    if getattr(tnef, "_rtfbody", None):
        try:
            from compressed_rtf import decompress

            rtf = decompress(tnef._rtfbody + b"\x00")
        except Exception as exc:
            out.problem(f"the RTF body could not be decompressed ({type(exc).__name__})")
        else:
            try:
                bodies.append(rtf_text(rtf))
            except UnreadableDocument as exc:
                out.problem(f"the RTF body could not be read ({exc})")
    return [b for b in bodies if b.strip()]


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return decode_text(value)
    if isinstance(value, list):  # some versions keep MAPI values as lists of parts
        return "".join(_as_text(v) for v in value)
    return str(value).replace("\r\n", "\n")


def _distinct(bodies: list[str]) -> list[str]:
    """Each body once: the same message as plain text, HTML and RTF is read once (the longest)."""
    kept: list[tuple[str, str]] = []
    for body in sorted(bodies, key=len, reverse=True):
        key = " ".join(body.split())
        if any(key in other for _, other in kept):
            continue
        kept.append((body, key))
    return [body for body, _ in kept]


def _attachment(attachment: Any, number: int, out: Collector) -> None:
    data = attachment.data
    if not isinstance(data, bytes) or not data:
        return
    try:
        name = attachment.long_filename() or attachment.name
    except Exception:  # a name in a codepage it cannot decode
        name = ""
    if isinstance(name, bytes):
        name = decode_text(name)
    name = str(name or "").strip("\x00 ") or f"attachment-{number}"
    if hasattr(attachment, "embed"):  # an attached Outlook message: TNEF again
        name = f"{name}.tnef" if not name.lower().endswith((".dat", ".tnef")) else name
    out.embed(name, data)
