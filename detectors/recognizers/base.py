"""The shape every recognizer has, and a pattern recognizer most of them reuse.

A recognizer declares its type, its patterns, how a match is validated and
which words nearby raise (or veto) it; every finding says which pattern
matched and why it scored as it did.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from detectors.findings import Finding, FindingType

REGEX_TIMEOUT_SECONDS = 2.0  # one hostile input cannot hang a worker


@dataclass(frozen=True)
class Pattern:
    name: str
    expression: str
    score: float
    flags: int = 0


def window_before(text: str, start: int, size: int) -> str:
    return text[max(0, start - size) : start].lower()


@functools.lru_cache(maxsize=512)
def _words_pattern(words: tuple[str, ...]) -> regex.Pattern[str]:
    return regex.compile(r"(?<![\w])(?:" + "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w])")


def has_word(window: str, words: Iterable[str]) -> str | None:
    """One of ``words`` that stands in ``window`` as a whole word, or None."""
    words = tuple(words)
    if not words:
        return None
    match = _words_pattern(words).search(window)
    return match.group(0) if match else None


class Recognizer:
    """Base class: subclasses set the class attributes and may override hooks."""

    name: str = ""
    type: FindingType
    patterns: Sequence[Pattern] = ()
    context: Sequence[str] = ()  # words that raise the score when near
    negative_context: Sequence[str] = ()  # words that veto a match unless context is present
    context_window: int = 40
    context_score: float = 0.99
    requires_context: bool = False

    def validate(self, value: str) -> bool | None:
        """True: the checksum holds (score to the top); False: drop; None: no opinion."""
        return None

    def invalidate(self, value: str) -> bool:
        """True for known junk (all one digit, reserved ranges)."""
        return False

    def analyze(self, text: str, where: str) -> list[Finding]:
        found: list[Finding] = []
        for pattern in self.patterns:
            for match in _compiled(pattern.expression, pattern.flags).finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                value = match.group(0)
                finding = self._score(text, where, match.start(), match.end(), value, pattern)
                if finding is not None:
                    found.append(finding)
        return _dedupe(found)

    def _score(self, text: str, where: str, start: int, end: int, value: str, pattern: Pattern) -> Finding | None:
        if self.invalidate(value):
            return None
        valid = self.validate(value)
        if valid is False:
            return None
        before = window_before(text, start, self.context_window)
        positive = has_word(before, self.context)
        negative = has_word(before, self.negative_context)
        if positive is None and (negative is not None or self.requires_context):
            return None
        score = pattern.score
        reasons = [f"pattern {pattern.name}"]
        if valid:
            reasons.append("checksum valid")
        if positive is not None:
            score = max(score, self.context_score)
            reasons.append(f"context word '{positive}'")
        return Finding(
            type=self.type,
            where=where,
            start=start,
            end=end,
            text=value,
            score=score,
            detector=self.name,
            explanation="; ".join(reasons),
        )


@functools.lru_cache(maxsize=256)
def _compiled(expression: str, flags: int) -> regex.Pattern[str]:
    return regex.compile(expression, flags | regex.V0)


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Keep the best-scoring finding among overlapping ones of one recognizer.

    The kept spans of each ``where`` do not overlap, so in (start, end) order their
    ends rise too: a new finding overlaps one of them exactly when the last kept span
    starting before its end ends after its start. One look-up per finding instead of
    a pass over all kept ones (a text full of postcodes made that quadratic).
    """
    kept: list[Finding] = []
    spans: dict[str, list[tuple[int, int]]] = {}
    for f in sorted(findings, key=lambda f: (-f.score, -(f.end - f.start))):
        placed = spans.setdefault(f.where, [])
        before = bisect.bisect_left(placed, f.end, key=lambda span: span[0])
        if before and placed[before - 1][1] > f.start:
            continue
        bisect.insort(placed, (f.start, f.end))
        kept.append(f)
    return sorted(kept, key=lambda f: f.start)
