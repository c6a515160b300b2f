"""Byte-level mutation of real messages (the labelled corpus) for fuzzing.

Each operator is ``op(r, data) -> bytes`` for a ``random.Random`` ``r``; ``mutate``
stacks a few of them and returns the result with the names of the operators used,
so a crash can be described without showing the input.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus" / "messages"
MAX_BYTES = 4_000_000  # keep mutated inputs bounded (chunk duplication can grow them)

INTERESTING = [
    b"--", b"\r\n", b"\n", b"\r", b"\r\n\r\n", b"\n\n", b"=?", b"?=", b"=?utf-8?B?", b"=?utf-8?Q?", b"=", b"=\r\n",
    b"begin 644 x.csv\n", b"\nend\n", b"-----BEGIN PGP MESSAGE-----\n", b"-----END PGP MESSAGE-----\n",
    b"Content-Type: multipart/mixed; boundary=\"x\"\n", b"Content-Transfer-Encoding: base64\n",
    b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"\xc3", b"\xe2\x80\xae", b"<", b"<html>", b"<!--", b"\"", b";", b"*0*=utf-8''%", b"charset=utf-16",
    b"Content-Type: message/rfc822\n\n", b"\t", b" ", b"%", b"\\", b"\x1b$B", b"+AGEA-",
]

_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^";\r\n]+)"?', re.I)
_HEADER_VALUE = re.compile(rb"(?im)^(content-type|content-transfer-encoding|content-disposition)[ \t]*:[^\r\n]*")


def _pos(r: random.Random, data: bytes) -> int:
    return r.randint(0, len(data))


def bit_flip(r: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(r.choice([1, 1, 2, 4, 8, 32])):
        i = r.randrange(len(b))
        b[i] ^= 1 << r.randrange(8)
    return bytes(b)


def byte_set(r: random.Random, data: bytes) -> bytes:
    """Overwrite a byte with an interesting value (0x00, 0xff, a quote, a newline ...)."""
    if not data:
        return data
    b = bytearray(data)
    b[r.randrange(len(b))] = r.choice([0, 0xFF, 0x7F, 0x80, ord('"'), ord("\n"), ord("\r"), ord("="), ord("-"), ord(";")])
    return bytes(b)


def insert_bytes(r: random.Random, data: bytes) -> bytes:
    i = _pos(r, data)
    chunk = r.choice(INTERESTING) if r.random() < 0.6 else r.randbytes(r.randint(1, 64))
    return data[:i] + chunk * r.choice([1, 1, 1, 2, 10, 1000]) + data[i:]


def delete_bytes(r: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = r.randrange(len(data))
    n = r.choice([1, 1, 2, 8, 64, 1024, len(data)])
    return data[:i] + data[i + n :]


def duplicate_chunk(r: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    a = r.randrange(len(data))
    b = min(len(data), a + r.choice([1, 16, 256, 4096, len(data)]))
    times = r.choice([1, 1, 2, 5, 50])
    at = _pos(r, data)
    return data[:at] + data[a:b] * times + data[at:]


def corrupt_boundary(r: random.Random, data: bytes) -> bytes:
    """Break a multipart boundary: in the parameter, in one delimiter line, or the closing one."""
    found = list(_BOUNDARY.finditer(data))
    if not found:
        return insert_bytes(r, data)
    m = r.choice(found)
    value = m.group(1).strip()
    if not value:
        return data
    delim = b"--" + value
    how = r.randrange(8)
    if how == 0:  # change the parameter only: no delimiter matches any more
        return data[: m.start(1)] + value[:-1] + data[m.end(1) :]
    if how == 1:  # empty parameter
        return data[: m.start(1)] + data[m.end(1) :]
    if how == 2:  # drop the closing delimiter
        return data.replace(delim + b"--", b"", 1)
    if how == 3:  # damage one delimiter line
        spots = [i for i in range(len(data)) if data.startswith(delim, i)][:200]
        if not spots:
            return data
        i = r.choice(spots)
        j = i + r.randrange(len(delim))
        return data[:j] + bytes([data[j] ^ 0x20]) + data[j + 1 :]
    if how == 4:  # an extra delimiter somewhere random
        i = _pos(r, data)
        return data[:i] + b"\r\n" + delim + r.choice([b"", b"--"]) + b"\r\n" + data[i:]
    if how == 5:  # every delimiter loses the line break before it
        return data.replace(b"\r\n" + delim, delim).replace(b"\n" + delim, delim)
    if how == 6:  # a nested part reuses the outer boundary
        return data.replace(b"boundary=", b"boundary=\"" + value + b"\"; x=", 1) if len(found) > 1 else data
    return data.replace(value, value + b" ", 1)  # trailing space in the parameter only


def _split_head(data: bytes) -> tuple[list[bytes], bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = data.find(sep)
        if i >= 0:
            return data[:i].splitlines(keepends=True), data[i:]
    return data.splitlines(keepends=True), b""


def header_lines(r: random.Random, data: bytes) -> bytes:
    """Delete, duplicate, swap or break a line of the top-level header block."""
    lines, rest = _split_head(data)
    if not lines:
        return data
    i = r.randrange(len(lines))
    how = r.randrange(6)
    if how == 0:
        del lines[i]
    elif how == 1:
        lines.insert(i, lines[i] * r.choice([1, 1, 3, 100]))
    elif how == 2:
        j = r.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif how == 3:
        lines[i] = lines[i].replace(b":", b"", 1)  # no colon: the header block ends here
    elif how == 4:
        lines[i] = b" " + lines[i]  # becomes a continuation of the previous header
    else:
        lines.insert(i, b"X-Fuzz: " + b"A" * r.choice([100, 1000, 100_000]) + b"\r\n")
    return b"".join(lines) + rest


def mime_header_values(r: random.Random, data: bytes) -> bytes:
    """Rewrite one Content-Type / Content-Transfer-Encoding / Content-Disposition value anywhere."""
    found = list(_HEADER_VALUE.finditer(data))
    if not found:
        return header_lines(r, data)
    m = r.choice(found)
    name = m.group(1).lower()
    if name == b"content-type":
        value = r.choice([b"text/plain", b"text/html; charset=utf-16", b"application/octet-stream", b"multipart/mixed",
                          b"message/rfc822", b"application/pkcs7-mime; smime-type=enveloped-data", b"image/png",
                          b"application/zip", b"text/plain; charset=utf-7", b"", b"x/y", b"multipart/mixed; boundary=\"\""])
    elif name == b"content-transfer-encoding":
        value = r.choice([b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"bogus", b"base64 (x)", b"", b"BASE64 "])
    else:
        value = r.choice([b"attachment; filename*=utf-8''%E2%80%AE", b"attachment; filename=\"a.zip\"", b"inline", b"", b"attachment; filename"])
    return data[: m.start()] + m.group(1) + b": " + value + data[m.end() :]


def truncate(r: random.Random, data: bytes) -> bytes:
    return data[: _pos(r, data)]


def line_endings(r: random.Random, data: bytes) -> bytes:
    how = r.randrange(4)
    lf = data.replace(b"\r\n", b"\n")
    if how == 0:
        return lf
    if how == 1:
        return lf.replace(b"\n", b"\r\n")
    if how == 2:  # mixed line by line
        return b"".join(line + r.choice([b"\n", b"\r\n"]) for line in lf.split(b"\n"))
    return lf.replace(b"\n", b"\r")  # old Mac


def splice(r: random.Random, data: bytes, other: bytes) -> bytes:
    return data[: _pos(r, data)] + other[_pos(r, other) :]


OPERATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "bit_flip": bit_flip,
    "byte_set": byte_set,
    "insert_bytes": insert_bytes,
    "delete_bytes": delete_bytes,
    "duplicate_chunk": duplicate_chunk,
    "corrupt_boundary": corrupt_boundary,
    "header_lines": header_lines,
    "mime_header_values": mime_header_values,
    "truncate": truncate,
    "line_endings": line_endings,
}


def mutate(r: random.Random, data: bytes, other: bytes | None = None, max_ops: int = 4) -> tuple[bytes, list[str]]:
    """Apply 1..max_ops operators (and a splice with ``other`` now and then)."""
    ops: list[str] = []
    for _ in range(r.randint(1, max_ops)):
        if other is not None and r.random() < 0.1:
            data = splice(r, data, other)
            ops.append("splice")
        else:
            name = r.choice(sorted(OPERATORS))
            data = OPERATORS[name](r, data)
            ops.append(name)
        if len(data) > MAX_BYTES:
            data = data[:MAX_BYTES]
    return data, ops


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))


def mutated_corpus_input(r: random.Random, files: list[Path] | None = None) -> tuple[bytes, str]:
    """A mutated corpus message and a description (file names and operators, never content)."""
    files = files if files is not None else corpus_files()
    a, b = r.choice(files), r.choice(files)
    data, ops = mutate(r, a.read_bytes(), b.read_bytes())
    return data, f"{a.name}+{b.name}:{','.join(ops)}"
