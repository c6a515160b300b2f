"""The copy of a text that the detectors read: NFKC-normalised, invisible characters gone.

"943\u200b476\u00ad5919" and full-width "９４３ ４７６ ５９１９" are an NHS number to a
reader; detectors see them as one once zero-width characters, soft hyphens and
bidi controls are dropped and compatibility forms folded (NFKC: full-width
digits to ASCII, no-break spaces to spaces, ligatures split). Findings are
made on the copy and mapped back to offsets in the original text, so masking
and highlighting still point at what the sender wrote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

# Default-ignorable code points that render as nothing: zero-width space/joiners, word joiner,
# soft hyphen, bidi controls, BOM, variation selectors, tag characters, fillers.
_INVISIBLE = regex.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


_MARK_AFTER_DIGIT = regex.compile(r"\d\p{Mn}")


@dataclass(frozen=True)
class Normalised:
    text: str
    # origin[i]: the original offset of normalised character i (plus one sentinel at the end);
    # None when the text needed no change.
    origin: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """An original span for the normalised span [start, end)."""
        if self.origin is None:
            return start, end
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _INVISIBLE.search(text)
                          and not _MARK_AFTER_DIGIT.search(text)):
        return Normalised(text)
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if ord(ch) < 128:
            chars.append(ch)
            origin.append(index)
            continue
        if _INVISIBLE.match(ch):
            continue
        if chars and chars[-1].isdigit() and unicodedata.category(ch) == "Mn":
            continue  # a mark over a digit ("9\u0336" struck through) leaves the digit to a reader
        for folded in unicodedata.normalize("NFKC", ch):
            chars.append(folded)
            origin.append(index)
    origin.append(len(text))
    return Normalised("".join(chars), tuple(origin))
