"""Class 9: pathological text in front of (or around) the referral: long runs that make naive
regexes or parsers slow or give up. Every message must still get a decision -- stopped,
since the referral is there -- within LIMIT seconds."""

from __future__ import annotations

import time

import pytest

from . import mime
from .checks import assert_stopped

LIMIT = 20.0


def _timed(scan, raw: bytes):
    started = time.perf_counter()
    result = scan(raw)
    return result, time.perf_counter() - started


def _lowercase_run(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[(i * 7) % 26] for i in range(n))


PADDING = {
    "5000-lowercase-letters": lambda: _lowercase_run(5000) + "\n\n",
    "3000-a-apostrophe": lambda: "a'" * 3000 + "\n\n",
    "20000-spaces": lambda: " " * 20000 + "\n",
    "50000-digits": lambda: "".join(str(i % 10) for i in range(50000)) + "\n\n",
    "20000-digits-with-single-spaces": lambda: " ".join(str(i % 10) for i in range(20000)) + "\n\n",
    "10000-dob-words": lambda: "DOB " * 10000 + "\n\n",
    "5000-mr-titles": lambda: "Mr " * 5000 + "\n\n",
    "5000-capitalised-words": lambda: " ".join(["Smith", "Jones", "Lane", "Road"] * 1250) + "\n\n",
    "20000-dots": lambda: "." * 20000 + "\n\n",
    "3000-blank-lines": lambda: "\n" * 3000,
    "4000-slashes-and-digits": lambda: "1/" * 4000 + "\n\n",
}


@pytest.mark.parametrize("padding", sorted(PADDING))
def test_referral_after_pathological_padding(scan, child, padding):
    result, seconds = _timed(scan, mime.plain(PADDING[padding]() + child.letter()))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_referral_between_two_long_runs(scan, child):
    body = _lowercase_run(5000) + "\n" + child.letter() + "\n" + "a'" * 3000 + "\n"
    result, seconds = _timed(scan, mime.plain(body))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_deeply_nested_html_then_referral(scan, child):
    html = "<div>" * 3000 + "x" + "</div>" * 3000 + "".join(f"<p>{line}</p>" for line in child.letter().split("\n"))
    result, seconds = _timed(scan, mime.message(mime.text(f"<html><body>{html}</body></html>", subtype="html")))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_unclosed_html_tags_then_referral(scan, child):
    html = "<b><i><span>" * 2000 + "".join(f"<p>{line}" for line in child.letter().split("\n"))
    result, seconds = _timed(scan, mime.message(mime.text(html, subtype="html")))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_multipart_nested_60_deep_with_referral_at_the_bottom(scan, child):
    entity = mime.text(child.letter())
    for _ in range(60):
        entity = mime.multipart("mixed", entity)
    result, seconds = _timed(scan, mime.message(entity))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_2000_empty_parts_then_referral(scan, child):
    parts = [mime.text("") for _ in range(2000)]
    result, seconds = _timed(scan, mime.message(mime.multipart("mixed", *parts, mime.text(child.letter()))))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"


def test_one_300k_character_line_holding_the_referral(scan, child):
    body = _lowercase_run(150_000) + " " + child.letter().replace("\n", " ") + " " + _lowercase_run(150_000)
    result, seconds = _timed(scan, mime.plain(body))
    assert_stopped(result)
    assert seconds < LIMIT, f"scan took {seconds:.1f}s (limit {LIMIT}s)"
