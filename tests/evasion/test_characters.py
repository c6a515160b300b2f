"""Class 8: characters that are invisible or look like ASCII, inside the identifiers. On the
recipient's screen the referral reads exactly like the plain one."""

from __future__ import annotations

import base64

import pytest

from . import mime
from .checks import assert_stopped

ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, NBSP, NNBSP, FIGSP, THINSP = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u00a0", "\u202f", "\u2007", "\u2009")
IDENTIFIERS = {"name", "dob", "nhs", "postcode", "phone", "ni", "parent", "address", "first"}


def _interleave(value: str, mark: str) -> str:
    return mark.join(value)


def _fullwidth(value: str) -> str:
    return "".join(chr(ord(ch) - 0x30 + 0xFF10) if ch.isdigit() else ch for ch in value)


def _math_bold_digits(value: str) -> str:
    return "".join(chr(ord(ch) - 0x30 + 0x1D7CE) if ch.isdigit() else ch for ch in value)


_CYRILLIC = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
                           "x": "\u0445", "y": "\u0443", "A": "\u0410", "B": "\u0412", "E": "\u0415",
                           "H": "\u041d", "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420",
                           "C": "\u0421", "T": "\u0422", "X": "\u0425"})


def _spaces(value: str, space: str) -> str:
    return value.replace(" ", space)


def _mixed(kind: str, value: str) -> str:
    if kind in {"nhs", "dob", "phone"}:
        return _interleave(_fullwidth(_spaces(value, NBSP)), ZWSP)
    if kind in {"name", "parent", "first"}:
        return _interleave(value.translate(_CYRILLIC), SHY)
    return _spaces(value, NNBSP)


TRICKS = {
    "zero-width-space": lambda kind, v: _interleave(v, ZWSP),
    "zero-width-joiners": lambda kind, v: _interleave(v, ZWNJ + ZWJ),
    "word-joiner": lambda kind, v: _interleave(v, WJ),
    "bom-inside": lambda kind, v: _interleave(v, BOM),
    "soft-hyphen": lambda kind, v: _interleave(v, SHY),
    "fullwidth-digits": lambda kind, v: _fullwidth(v),
    "math-bold-digits": lambda kind, v: _math_bold_digits(v),
    "nbsp-separators": lambda kind, v: _spaces(v, NBSP),
    "figure-and-thin-spaces": lambda kind, v: _spaces(v, FIGSP if any(c.isdigit() for c in v) else THINSP),
    "cyrillic-homoglyph-letters": lambda kind, v: v.translate(_CYRILLIC),
    "mixed": _mixed,
}


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_character_trick_in_identifiers(scan, child, trick):
    body = child.letter(lambda kind, value: TRICKS[trick](kind, value) if kind in IDENTIFIERS else value)
    assert_stopped(scan(mime.plain(body)))


@pytest.mark.parametrize("trick", ["zero-width-space", "fullwidth-digits", "mixed"])
def test_character_trick_in_html_body(scan, child, trick):
    letter = child.letter(lambda kind, value: TRICKS[trick](kind, value) if kind in IDENTIFIERS else value)
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in letter.split("\n") if line) + "</body></html>"
    assert_stopped(scan(mime.message(mime.text(html, subtype="html"))))


def test_character_trick_in_subject_only(scan, child):
    subject = child.subject().replace(" ", NBSP)
    subject = _fullwidth(subject)
    encoded = "=?utf-8?b?" + base64.b64encode(subject.encode()).decode() + "?="
    assert_stopped(scan(mime.plain("Hi,\n\nSee subject.\n", subject=encoded)))
