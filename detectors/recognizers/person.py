"""PERSON: service users' names, from the spaCy pipeline plus the rules the small
model misses, minus the people who are not service users.

Candidates come from
  * spaCy NER, run on a copy of the text where ALL-CAPS words are title-cased
    (same length, so offsets hold) because the model misses "PRECIOUS ABDI-OKONKWO";
  * kinship and role triggers: "Mum Hayley WOOD", "mum annette moss", "carers Leanne Kenyon";
  * titles ("Mrs Kenyon"), labels ("Name: ...", "Child: ..."), "SURNAME, Firstname";
  * a name right before a date of birth ("jason moss (DOB 05/03/1994)").
Then staff (sender, recipients, directory, signatures, quoted headers, greetings),
professionals ("DC ...", "... (Health Visitor)") and public figures are removed,
and every other mention of an accepted name in the message is found too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from detectors.findings import Finding, FindingType
from detectors.names import (
    ACRONYMS,
    KIN_TRIGGERS,
    NOT_NAME_WORDS,
    PROFESSIONAL_TITLES,
    ROLE_WORDS,
    STOP,
    TITLES,
    first_names,
    normalise_name,
)

_UP = r"\p{Lu}"
_LO = r"\p{Ll}"
_TITLE_TOKEN = rf"{_UP}[{_LO}'’]+(?:-{_UP}?[{_LO}'’]+)*"
_CAPS_TOKEN = rf"{_UP}{{2,}}(?:[-'’]{_UP}+)*"
_LOWER_TOKEN = rf"{_LO}[{_LO}'’]+(?:-{_LO}+)*"
_PARTICLE = r"(?:ap|ab|van|von|de|der|da|di|du|la|le|bin|binti|bint|al|el|ul|o')"
_ANY_TOKEN = regex.compile(rf"(?:{_TITLE_TOKEN}|{_CAPS_TOKEN}|{_LOWER_TOKEN}|{_UP}\.)")

# The same tokens for the rules that scan whole texts, written so that a scan
# stays linear in the text (a PDF extracted without spaces gives runs of
# thousands of letters; a hostile sender can type anything). They match
# exactly what the tokens above match where they are used (tests/test_linear_time.py
# compares them on random text):
#  * a run of letters is possessive (``++``): where these rules use a token, what
#    follows it is never a letter or an apostrophe, so a token cut inside its own
#    run could only fail -- and the regex module pays for each letter given back
#    on every later step of the same match, which made one long token quadratic;
#  * for the same reason a token gives back only whole "-part"s (a match may end
#    before a dash), never an "'PART" of capitals;
#  * a scan does not start a token where an earlier start in the same run already
#    covers every way the token could end (see _names_before_dates).
_TITLE_RUN = rf"{_UP}[{_LO}'’]++(?:-{_UP}?[{_LO}'’]++)*"
_CAPS_RUN = rf"{_UP}{{2,}}+(?:['’]{_UP}++)*+(?:-{_UP}++(?:['’]{_UP}++)*+)*"
_LOWER_RUN = rf"{_LO}[{_LO}'’]++(?:-{_LO}++)*"
# A title-case name that may end before an apostrophe ("Jo" in "Jo'"), for rules
# followed by a word boundary: the letter runs are possessive, the apostrophes not.
_TITLE_NAME = rf"{_UP}(?:{_LO}++|['’])+(?:-{_UP}?(?:{_LO}++|['’])+)*"

_TRIGGER = regex.compile(
    r"(?i)(?<![\w])(?:" + "|".join(regex.escape(t) for t in sorted(KIN_TRIGGERS, key=len, reverse=True)) + r")"
    r"(?:'s)?(?:\s*[:,\-–]\s*|\s+)(?:(?:is|was|named|called)\s+)?"
)
_TITLE = regex.compile(r"(?<![\w])(?:" + "|".join(TITLES) + r")\.?\s+", regex.IGNORECASE)
_LABEL = regex.compile(
    r"(?im)^[ \t>]*(?:(?:child|young person|mother|father|mum|dad|parent|carer|sibling|subject|"
    r"full|first|last|sur|given|pupil|student|service user|client)(?:'s)?\s*)?(?:name|child|mother|father|"
    r"mum|dad|parent|carer|sibling|surname|forename|forenames)(?:\s*\(s\))?\s*[:|]\s*"
)
# "SURNAME, Firstname". A capitals token can only end where its run of capitals and
# apostrophes/hyphens ends (a comma or space must follow), so it is atomic; and no
# match starts inside such a run after a token of two capitals that starts a word
# ("AB'CD'EF..."): that token reached every end this one could, and failed.
_SURNAME_FIRST = regex.compile(
    rf"(?<![\w])(?={_UP}{{2}})(?<!(?<![\w]){_UP}{{2,}}[-'’](?:{_UP}[-'’])*)"
    rf"(?P<last>(?>{_CAPS_TOKEN})(?:\s(?>{_CAPS_TOKEN}))?),\s(?P<first>{_TITLE_NAME}(?:\s{_TITLE_NAME})?)(?![\w])"
)
# A name token here must be followed by a space, so it can only end where its run ends: atomic.
_FAMILY_OF = regex.compile(
    rf"(?:(?<=\bthe\s)|(?<=^)|(?<=-\s))(?P<name>(?>{_TITLE_TOKEN})|(?>{_CAPS_TOKEN}))\s+(?:siblings|family|children|twins|household|boys|girls)\b",
    regex.MULTILINE,
)
_PRO_TITLE_BEFORE = regex.compile(
    r"(?i)(?<![\w])(?:" + "|".join(PROFESSIONAL_TITLES) + r")\.?\s+$"
)
_ROLE = "|".join(regex.escape(w) for w in sorted(ROLE_WORDS, key=len, reverse=True))
_ROLE_AFTER = regex.compile(
    rf"(?i)^(?:'s)?\s*(?:\([^)\n]{{0,60}}?\b(?:{_ROLE})\b[^)\n]{{0,60}}\)|,\s*(?:the\s+|our\s+|their\s+)?(?:{_ROLE})\b|\s+from\s+(?:the\s+)?[\w ]{{0,40}}?\b(?:{_ROLE})\b)"
    # introduced by an organisation: "Rachel Green from the NSPCC", "from Barnardo's"
    rf"|^\s+(?:from|of|at)\s+(?:the\s+)?(?-i:\p{{Lu}}{{2,}}\b|\p{{Lu}}[\w'’&-]+(?:\s\p{{Lu}}[\w'’&-]+)*\s(?:Trust|Service|Services|Council|Charity|Foundation|Society|Partnership|Academy|School|College|University))"
)
_ROLE_BEFORE = regex.compile(rf"(?i)(?<![\w])(?:{_ROLE})(?:\s*\([^)]*\))?\s*[:,\-–]?\s*$")
# Up to four name tokens right before a comma, bracket or dash (where a date of birth
# may follow). A lower-case token does not start right after a letter (or a letter
# and apostrophes): the token starting at that letter covers every end this one
# could reach, so if that one failed this one fails too (and if it matched, this
# position is inside its match). Likewise a capitals token does not start right
# after a capital, nor after an apostrophe that ends a chain of capitals
# ("AB'C'DE"). Dashes are left out of that chain: a match may end before one.
_NAME_BEFORE_DATE = regex.compile(
    rf"(?:{_TITLE_RUN}"
    rf"|(?={_UP}{{2}})(?<!{_UP})(?<!{_UP}{{2}}['’](?:{_UP}['’])*){_CAPS_RUN}"
    rf"|(?={_LO})(?<![{_UP}{_LO}]['’]*){_LOWER_RUN})"
    rf"(?:\s(?:{_TITLE_RUN}|{_CAPS_RUN}|{_LOWER_RUN}|{_PARTICLE})){{0,3}}(?=\s*[,(\-–])"
)
# One word of a name as the model found it ("Wood,", "O'Neil's"), for fullmatch. A token
# that matches at all matches up to where its run ends (a shorter one leaves letters or
# "-PART"s that the ",'s" after it cannot take), so each is atomic.
_NAME_WORD = regex.compile(rf"(?:(?>{_TITLE_TOKEN})|(?>{_CAPS_TOKEN})|{_PARTICLE}|{_UP}\.|(?>{_LOWER_TOKEN}))[,.:;]?(?:'s|’s)?")
_DOB_AFTER = regex.compile(
    r"(?i)^\s*(?:[,(\-–]\s*)*(?:dob|d\.o\.b\.?|born|b\.)?\s*:?\s*(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?\s+\d{4})"
)

# The small pipeline's NER carries its own tok2vec: the shared one only feeds the tagger and parser.
SPACY_EXCLUDE = ("tok2vec", "parser", "lemmatizer", "attribute_ruler", "tagger", "senter")


@dataclass(frozen=True)
class Piece:
    where: str
    text: str
    furniture: tuple[tuple[int, int], ...]  # signature, quoted headers, greetings


def truecase_caps(text: str) -> str:
    """Title-case ALL-CAPS words (not acronyms) without changing any offset."""

    def fix(match: regex.Match[str]) -> str:
        word = match.group(0)
        if word in ACRONYMS or len(word) < 3:
            return word
        titled = "-".join(p[:1] + p[1:].lower() for p in word.split("-"))
        return titled if len(titled) == len(word) else word

    return regex.sub(rf"(?<![\w]){_CAPS_TOKEN}(?![\w])", fix, text)


class PersonRecognizer:
    name = "person"
    type = FindingType.PERSON

    def __init__(self, pipeline: str) -> None:
        import spacy

        self.nlp = spacy.load(pipeline, exclude=list(SPACY_EXCLUDE))
        # Extraction caps each text at ExtractionLimits.max_text_chars (1,000,000 by default).
        self.nlp.max_length = max(self.nlp.max_length, 2_000_000)
        self.first_names = first_names()

    # -- candidates ----------------------------------------------------------
    def candidates(self, pieces: Sequence[Piece]) -> list[list[Finding]]:
        texts = [truecase_caps(p.text) for p in pieces]
        out: list[list[Finding]] = []
        for piece, doc in zip(pieces, self.nlp.pipe(texts, batch_size=32), strict=True):
            found = [f for f in self._spacy(piece, doc)]
            found += self._rules(piece)
            out.append(found)
        return out

    def _spacy(self, piece: Piece, doc: object) -> Iterable[Finding]:
        for ent in doc.ents:  # type: ignore[attr-defined]
            if ent.label_ != "PERSON":
                continue
            span = self._clean(piece.text, ent.start_char, ent.end_char)
            if span is None:
                continue
            start, end = span
            tokens = piece.text[start:end].split()
            score = 0.5 if len(tokens) > 1 else 0.35
            yield self._finding(piece, start, end, score, "spaCy NER")

    def _rules(self, piece: Piece) -> Iterable[Finding]:
        text = piece.text
        for match in _TRIGGER.finditer(text, timeout=2.0):
            span = self._name_after(text, match.end(), allow_lower=True)
            if span:
                yield self._finding(piece, *span, 0.85, f"after '{match.group(0).strip()}'")
        for match in _TITLE.finditer(text, timeout=2.0):
            span = self._name_after(text, match.end(), allow_lower=False)
            if span:
                yield self._finding(piece, *span, 0.8, "after a title")
        for match in _LABEL.finditer(text, timeout=2.0):
            span = self._name_after(text, match.end(), allow_lower=True, label=True)
            if span:
                yield self._finding(piece, *span, 0.9, "in a name field")
        for match in _SURNAME_FIRST.finditer(text, timeout=2.0):
            if match.group("last") not in ACRONYMS:
                yield self._finding(piece, match.start(), match.end(), 0.85, "SURNAME, Firstname")
        for match in _FAMILY_OF.finditer(text, timeout=2.0):
            word = match.group("name")
            if word.lower() not in NOT_NAME_WORDS and word.lower() not in STOP and word not in ACRONYMS:
                yield self._finding(piece, match.start("name"), match.end("name"), 0.7, "family name")
        for span in self._names_before_dates(text):
            yield self._finding(piece, *span, 0.9, "name before a date of birth")

    def _names_before_dates(self, text: str) -> Iterable[tuple[int, int]]:
        for match in _NAME_BEFORE_DATE.finditer(text, timeout=2.0):
            if not _DOB_AFTER.match(text[match.end() : match.end() + 40]):
                continue
            # Walk back from the date over name-like tokens only.
            words = list(regex.finditer(r"\S+", match.group(0)))
            kept: list[regex.Match[str]] = []
            for word in reversed(words):
                w = word.group(0)
                if w.lower() in STOP or w.lower() in NOT_NAME_WORDS or w in ACRONYMS:
                    break
                kept.insert(0, word)
            if not kept or len(kept) > 4:
                continue
            if len(kept) == 1 and kept[0].group(0).islower() and kept[0].group(0) not in self.first_names:
                continue
            yield match.start() + kept[0].start(), match.start() + kept[-1].end()

    def _name_after(self, text: str, pos: int, allow_lower: bool, label: bool = False) -> tuple[int, int] | None:
        """Up to four name tokens starting at ``pos`` (single spaces between them)."""
        end = pos
        count = 0
        lower_run = False
        cursor = pos
        while count < 4:
            match = _ANY_TOKEN.match(text, cursor)
            if not match:
                break
            word = match.group(0)
            low = word.lower()
            is_lower = word.islower()
            if low in STOP or low in NOT_NAME_WORDS or word in ACRONYMS or low in ROLE_WORDS:
                if count and regex.fullmatch(_PARTICLE, low) and count < 3:
                    nxt = _ANY_TOKEN.match(text, match.end() + 1)
                    if nxt and nxt.group(0)[:1].isupper():
                        cursor = match.end() + 1
                        continue
                break
            if is_lower:
                if not allow_lower:
                    break
                if count == 0 and not label and low not in self.first_names:
                    break
                if count > 0 and not lower_run and not label:
                    break
                lower_run = True
            elif len(word) == 2 and word.endswith("."):
                pass  # an initial: "N. Iqbal"
            end = match.end()
            count += 1
            nxt = text[end : end + 1]
            if nxt != " " or text[end + 1 : end + 2] in ("", "\n"):
                break
            cursor = end + 1
        if count == 0:
            return None
        if text[pos:end].endswith("."):
            end -= 1
        return (pos, end) if end > pos else None

    def _clean(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Trim an NER span to the name itself; None when it is not a person's name."""
        value = text[start:end]
        if any(ch.isdigit() for ch in value) or "@" in value or "\n" in value:
            return None
        words = list(regex.finditer(r"[^\s]+", value))
        # Cut at the first word that cannot be part of a name ("Tilly Wood - joint").
        for i, w in enumerate(words):
            if not _NAME_WORD.fullmatch(w.group(0)):
                words = words[:i]
                break
        first = 0  # trimmed by index: popping the front of a long list is quadratic
        while first < len(words) and (words[first].group(0).lower().strip(":,") in NOT_NAME_WORDS or words[first].group(0).lower() in STOP):
            first += 1
        words = words[first:]
        while words and (words[-1].group(0).lower().strip(".,:") in NOT_NAME_WORDS or words[-1].group(0).lower() in STOP):
            words.pop()
        if not words or len(words) > 4:
            return None
        s, e = start + words[0].start(), start + words[-1].end()
        if text[s:e].endswith(("'s", "’s")):
            e -= 2
        e = s + len(text[s:e].rstrip(".,:;'’"))
        if e <= s or not text[s].isalpha():
            return None
        return s, e

    def _finding(self, piece: Piece, start: int, end: int, score: float, why: str) -> Finding:
        return Finding(FindingType.PERSON, piece.where, start, end, piece.text[start:end], score, self.name, why)


# -- who is not a service user -------------------------------------------------

def is_professional(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    after = text[end : end + 80]
    return bool(_PRO_TITLE_BEFORE.search(before) or _ROLE_AFTER.match(after) or _ROLE_BEFORE.search(before))


def name_parts(name: str) -> list[str]:
    return [p for p in regex.split(r"[\s,]+", normalise_name(name)) if len(p) > 1]
