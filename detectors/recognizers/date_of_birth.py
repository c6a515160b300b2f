"""Dates of birth: a real past date, and only with birth context ("DOB", "born")
or right after a person's name ("grace moss, 28/02/2014"). Meeting dates are not PII."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

import regex

from detectors.findings import Finding, FindingType
from detectors.recognizers.base import has_word, window_before

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = regex.compile(
    r"(?<![\w/.\-])(?:"
    r"(?P<d1>\d{1,2})[/.\-](?P<m1>\d{1,2})[/.\-](?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    r"|(?P<d3>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.replace("mon", "mon3") + r",?\s+(?P<y3>\d{4})"
    r"|" + _MONTH.replace("mon", "mon4") + r"\s+(?P<d4>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y4>\d{4})"
    r"|(?P<d5>\d{1,2})-" + _MONTH.replace("mon", "mon5") + r"-(?P<y5>\d{4}|\d{2})"
    r")(?![\w/\-]|\.\d)",
    regex.IGNORECASE,
)
BIRTH_CONTEXT = ("dob", "d.o.b", "d.o.b.", "date of birth", "born", "birth", "b.", "birthdate")
_AFTER_NAME = regex.compile(r"^\s*(?:[,(\-–:]\s*)*(?:dob|d\.o\.b\.?|born|b\.)?\s*:?\s*$", regex.IGNORECASE)


def _year(text: str, today: dt.date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= today.year % 100 else 1900
    return year


def parse_date(match: regex.Match[str], today: dt.date) -> dt.date | None:
    g = match.groupdict()
    try:
        if g["d1"]:
            return dt.date(_year(g["y1"], today), int(g["m1"]), int(g["d1"]))
        if g["y2"]:
            return dt.date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
        for day, mon, year in (("d3", "mon3", "y3"), ("d4", "mon4", "y4"), ("d5", "mon5", "y5")):
            if g[day]:
                return dt.date(_year(g[year], today), _MONTHS[g[mon].lower().rstrip(".")], int(g[day]))
    except ValueError:
        return None
    return None


def find_dates(text: str, today: dt.date | None = None) -> list[tuple[int, int, dt.date]]:
    today = today or dt.date.today()
    out = []
    for match in _DATE.finditer(text, timeout=2.0):
        date = parse_date(match, today)
        if date is not None:
            out.append((match.start(), match.end(), date))
    return out


class DateOfBirthRecognizer:
    name = "date_of_birth"
    type = FindingType.DATE_OF_BIRTH

    def analyze(self, text: str, where: str, person_spans: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        today = dt.date.today()
        found = []
        name_ends = sorted({p_end for _, p_end in person_spans})
        for start, end, date in find_dates(text, today):
            if date > today or date.year < 1900:
                continue
            context = has_word(window_before(text, start, 25), BIRTH_CONTEXT)
            # Names that end at most 12 characters before the date (a sorted look-up, not a scan of every name).
            nearby = name_ends[bisect.bisect_left(name_ends, start - 12) : bisect.bisect_right(name_ends, start)]
            after_name = any(_AFTER_NAME.match(text[p_end:start]) for p_end in nearby)
            if context is None and not after_name:
                continue
            why = f"context word '{context}'" if context else "date right after a person's name"
            found.append(Finding(self.type, where, start, end, text[start:end], 0.9, self.name, why))
        return found
