"""The analyzer: bytes of one message in, findings and a risk level out.

Extraction, the text recognizers, then the PERSON pass (with exclusions and
propagation), then dates of birth next to names, then the context adjustments
that need the whole message (signatures, organisation addresses, social care).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import regex

from detectors import layout
from detectors.context import is_urgent, near, social_care_hits
from detectors.extract import Extraction, MessageFacts, Unreadable, extract_message
from detectors.extract.message import NotAnEmail, facts_of, parse
from detectors.findings import Finding, FindingType
from detectors.names import ACRONYMS, NOT_NAME_WORDS, STOP, normalise_name
from detectors.normalise import Normalised, normalise
from detectors.recognizers import build
from detectors.recognizers.date_of_birth import DateOfBirthRecognizer
from detectors.recognizers.person import PersonRecognizer, Piece, is_professional, name_parts
from detectors.risk import Risk, assess
from detectors.settings import DetectorSettings

# Types that, inside a signature block or quoted header, belong to staff.
_FURNITURE_TYPES = frozenset(
    {FindingType.PERSON, FindingType.PHONE, FindingType.ADDRESS, FindingType.UK_POSTCODE, FindingType.EMAIL}
)
_ORG_PLACE_WORDS = regex.compile(
    r"(?i)\b(?:building|house|hall|hub|centre|center|station|school|academy|college|nursery|office|offices|"
    r"hospital|library|foodbank|church|surgery|clinic|court|council|police|town hall|civic|museum|stadium|"
    r"leisure|park|shopping|ltd|limited|plc)\b"
)
CONTEXT_WINDOW = 150
_LONG_TOKEN = regex.compile(r"\S{40,}")
# Words of a job title or an organisation: a signature line that carries one is staff's.
_JOB_TITLE = regex.compile(
    r"(?i)\b(?:worker|manager|officer|co-?ordinator|assistant|administrator|advis[oe]r|practitioner|lead|head of|"
    r"director|consultant|specialist|analyst|supervisor|clerk|apprentice|trainee|social work|team|service|services|"
    r"department|directorate|council|borough|unit|nurse|health visitor|therapist|psychologist|senco|iro|lado|"
    r"reviewing|independent|principal|deputy|business support|pa to|personal assistant|duty)\b"
)
_PHONE_LIKE = regex.compile(r"\+?\d[\d ()-]{7,16}\d")
_POSTCODE_LIKE = regex.compile(r"(?i)\b[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}\b")
_DOMAIN_LIKE = regex.compile(r"(?i)(?:@|www\.|https?://)([\w-]+(?:\.[\w-]+)+)")

log = logging.getLogger("dlp_gateway.detectors")


class DetectorFailed(Exception):
    """A detector raised or timed out on one piece of text: the message cannot be judged."""


@dataclass
class Analysis:
    facts: MessageFacts
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    risk: Risk = Risk.NONE
    social_care_context: bool = False
    urgent: bool = False  # child-protection context: a hold must reach a reviewer at once
    pieces: dict[str, str] = field(default_factory=dict)  # where -> extracted text


class Engine:
    """Load once (the spaCy pipeline is the expensive part), analyze many."""

    def __init__(self, settings: DetectorSettings) -> None:
        self.settings = settings
        self.recognizers = build(settings.disabled, settings.case_references)
        self.person = None if "person" in settings.disabled else PersonRecognizer(settings.spacy_pipeline)
        self.dob = None if "date_of_birth" in settings.disabled else DateOfBirthRecognizer()

    def analyze(self, raw: bytes) -> Analysis:
        result = self.analyze_batch([raw])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def analyze_batch(self, raws: Sequence[bytes], envelope: Sequence[str] = ()) -> list[Analysis | Exception]:
        """Analyze several messages, batching the NER over all their texts.

        ``envelope``: addresses from the SMTP envelope (MAIL FROM, RCPT TO); like the
        header addresses, their owners are correspondents, not service users.
        """
        extractions: list[Extraction | Exception] = []
        for raw in raws:
            try:
                extractions.append(extract_message(raw, self.settings.limits))
            except NotAnEmail as exc:
                extractions.append(exc)
            except Exception as exc:  # a parser bug on hostile bytes: this message cannot be inspected
                log.warning("extraction failed (%s): the message is held as CANNOT_INSPECT", type(exc).__name__)
                extractions.append(_unreadable_extraction(raw, f"the message could not be taken apart ({type(exc).__name__})"))
        pieces: list[Piece] = []
        normals: list[Normalised] = []
        owners: list[int] = []
        for index, extraction in enumerate(extractions):
            if isinstance(extraction, Exception):
                continue
            staff_line = self._staff_line_test(extraction.facts, envelope)
            for p in extraction.pieces:
                norm = normalise(p.text)  # detectors read the normalised copy; offsets are mapped back
                try:
                    furniture = (layout.signature_spans(norm.text, staff_line) + layout.header_spans(norm.text)
                                 + layout.greeting_spans(norm.text))
                except Exception as exc:
                    extraction.unreadable.append(_failed("layout", p.where, exc))
                    furniture = []
                pieces.append(Piece(p.where, norm.text, tuple(furniture)))
                normals.append(norm)
                owners.append(index)
        person_candidates = self._person_candidates(pieces, owners, extractions)
        results: list[Analysis | Exception] = []
        for index, extraction in enumerate(extractions):
            if isinstance(extraction, Exception):
                results.append(extraction)
                continue
            mine = [i for i, owner in enumerate(owners) if owner == index]
            originals = {p.where: p.text for p in extraction.pieces}
            try:
                analysis = self._analyze_one(
                    extraction, [pieces[i] for i in mine], [person_candidates[i] for i in mine], envelope
                )
            except Exception as exc:  # a bug or a timeout in the second pass: this message only
                extraction.unreadable.append(_failed("engine", "body", exc))
                analysis = self._analyze_one(extraction, [], [], envelope)
            analysis.findings = [_map_back(f, {pieces[i].where: normals[i] for i in mine}) for f in analysis.findings]
            analysis.pieces = originals
            results.append(analysis)
        return results

    def _person_candidates(self, pieces: list[Piece], owners: list[int], extractions: list[Extraction | Exception]) -> list[list[Finding]]:
        """NER and name rules over all pieces in one batch; a piece that breaks them breaks only its message."""
        if not self.person:
            return [[] for _ in pieces]
        safe = self._within_ner_budget(pieces, owners, extractions)
        try:
            return self.person.candidates(safe)
        except Exception:
            out: list[list[Finding]] = []
            for piece, owner in zip(safe, owners, strict=True):
                try:
                    out.append(self.person.candidates([piece])[0])
                except Exception as exc:
                    extraction = extractions[owner]
                    assert not isinstance(extraction, Exception)
                    extraction.unreadable.append(_failed("person", piece.where, exc))
                    out.append([])
            return out

    def _within_ner_budget(self, pieces: list[Piece], owners: list[int], extractions: list[Extraction | Exception]) -> list[Piece]:
        """The copies the name model reads: long tokens blanked, each message cut at its character budget.

        spaCy's tokenizer is quadratic in the length of a token without spaces (20,000 "=" take a
        minute); no name is 40 characters long, so such runs become spaces (offsets unchanged).
        """
        left: dict[int, int] = {}
        out: list[Piece] = []
        for piece, owner in zip(pieces, owners, strict=True):
            text = _LONG_TOKEN.sub(lambda m: " " * len(m.group(0)), piece.text, timeout=5.0)
            budget = left.setdefault(owner, self.settings.ner_max_chars)
            if len(text) > budget:
                text = text[:budget] + " " * (len(text) - budget)
                extraction = extractions[owner]
                assert not isinstance(extraction, Exception)
                extraction.unreadable.append(Unreadable(
                    piece.where, f"names only partly checked: the message has over {self.settings.ner_max_chars} characters of text"))
            left[owner] = max(0, budget - len(piece.text))
            out.append(replace(piece, text=text))
        return out

    def _staff_line_test(self, facts: MessageFacts, envelope: Sequence[str]) -> Callable[[str], bool]:
        """Whether a line of a sign-off block shows that the block is staff's (layout.signature_spans)."""
        s = self.settings
        names: set[str] = set()
        for name in facts.participant_names:
            names.update(p for p in name_parts(name) if len(p) >= 3 and p not in STOP)
        for address in (facts.sender, *facts.to, *envelope):
            local = address.split("@")[0].lower()
            names.update(p for p in regex.split(r"[._+-]+", regex.sub(r"\d+", "", local)) if len(p) >= 3)
        staff_pairs = {tuple(n.split()[:1] + n.split()[-1:]) for n in s.staff_names if " " in n}

        def is_staff_line(line: str) -> bool:
            lower = line.lower()
            words = regex.findall(r"[\p{L}'’-]+", lower)
            if names.intersection(words) or _JOB_TITLE.search(lower):
                return True
            if staff_pairs and any((a, b) in staff_pairs for a, b in zip(words, words[1:], strict=False)):
                return True
            for m in _PHONE_LIKE.finditer(line):
                national = "".join(ch for ch in m.group(0) if ch.isdigit())
                national = "0" + national[2:] if national.startswith("44") else national
                if any(national.startswith(p) for p in s.organisation_phones):
                    return True
            if any(m.group(0).replace(" ", "").upper() in s.organisation_postcodes for m in _POSTCODE_LIKE.finditer(line)):
                return True
            return any(_domain_in(m.group(1).lower(), s.organisation_domains) for m in _DOMAIN_LIKE.finditer(line))

        return is_staff_line

    # -- one message ---------------------------------------------------------
    def _analyze_one(self, extraction: Extraction, pieces: list[Piece], people: list[list[Finding]], envelope: Sequence[str]) -> Analysis:
        analysis = Analysis(facts=extraction.facts, unreadable=list(extraction.unreadable))
        hits = {p.where: social_care_hits(p.text) for p in pieces}
        analysis.social_care_context = any(hits.values())
        analysis.urgent = any(is_urgent(p.text) for p in pieces)

        not_users = self._non_service_user_names(extraction.facts, pieces, people, envelope)
        persons = self._people(pieces, people, not_users, hits)
        findings: list[Finding] = list(persons)
        for piece in pieces:
            structured: list[Finding] = []
            for recognizer in self.recognizers:
                try:
                    structured += recognizer.analyze(piece.text, piece.where)
                except Exception as exc:  # e.g. a regex timeout: this message cannot be judged, others go on
                    analysis.unreadable.append(_failed(recognizer.name, piece.where, exc))
            findings += _checksum_cluster(piece.text, self._adjust(piece, structured, extraction.facts))
            if self.dob:
                spans = [(f.start, f.end) for f in persons if f.where == piece.where]
                try:
                    findings += self.dob.analyze(piece.text, piece.where, spans)
                except Exception as exc:
                    analysis.unreadable.append(_failed("date_of_birth", piece.where, exc))
        for problem in analysis.unreadable:
            findings.append(
                Finding(FindingType.CANNOT_INSPECT, problem.where, 0, 0, problem.reason, 0.7, "extraction", problem.reason)
            )
        findings = [f for f in findings if f.score >= self.settings.min_score]
        analysis.findings = sorted(findings, key=lambda f: (f.where != "subject", f.where, f.start))
        analysis.risk = assess(analysis.findings, analysis.social_care_context)
        return analysis

    def _non_service_user_names(self, facts: MessageFacts, pieces: list[Piece], people: list[list[Finding]], envelope: Sequence[str]) -> tuple[set[str], set[str]]:
        """Full names and single name words of staff, correspondents and professionals."""
        full: set[str] = set(self.settings.staff_names) | set(self.settings.public_figures)
        words: set[str] = set()
        participants = list(facts.participant_names)
        for address in (facts.sender, *facts.to, *envelope):
            local = address.split("@")[0]
            if "." in local:
                participants.append(" ".join(regex.sub(r"\d+", "", part) for part in local.split(".")))
        for name in participants:
            full.add(normalise_name(name))
            words.update(name_parts(name))
        for piece, candidates in zip(pieces, people, strict=True):
            for f in candidates:
                in_furniture = layout.inside(piece.furniture, f.start, f.end)
                if in_furniture or is_professional(piece.text, f.start, f.end):
                    full.add(normalise_name(f.text))
                    if in_furniture:
                        words.update(name_parts(f.text))
        return full, words

    def _people(self, pieces: list[Piece], people: list[list[Finding]], not_users: tuple[set[str], set[str]], hits: dict[str, list[tuple[int, int]]]) -> list[Finding]:
        full, words = not_users
        accepted: list[Finding] = []
        for piece, candidates in zip(pieces, people, strict=True):
            staff_spans = _occurrences(piece.text, full)
            for f in candidates:
                if self._is_not_service_user(piece, f, full, words, staff_spans):
                    continue
                if f.score < 0.8 and near(hits[piece.where], f.start, f.end, CONTEXT_WINDOW):
                    # A lone word found only by the model stays below the reporting line.
                    boosted = f.score + 0.2 if " " in f.text.strip() else min(f.score + 0.2, 0.55)
                    f = replace(f, score=boosted, explanation=f.explanation + "; social-care context nearby")
                accepted.append(f)
        accepted = _merge(accepted)
        accepted += self._propagate(pieces, accepted, full, words)
        return _merge(accepted)

    def _is_not_service_user(self, piece: Piece, f: Finding, full: set[str], words: set[str], staff_spans: list[tuple[int, int]]) -> bool:
        if layout.inside(piece.furniture, f.start, f.end):
            return True
        if _beside_organisation_email(piece.text, f.start, self.settings.organisation_domains):
            return True  # a contact list or attendance sheet of staff
        if is_professional(piece.text, f.start, f.end):
            return True
        if layout.inside(staff_spans, f.start, f.end):
            return True
        name = normalise_name(f.text)
        if name in full or name in self.settings.place_names:
            return True
        parts = name_parts(f.text)
        if not parts or all(p in NOT_NAME_WORDS or p in STOP for p in parts):
            return True
        return len(parts) == 1 and parts[0] in words

    def _propagate(self, pieces: list[Piece], accepted: list[Finding], full: set[str], words: set[str]) -> list[Finding]:
        """Every other mention of an accepted name: 'Wiktoria' after 'Wiktoria Ashton'."""
        sources = [f for f in accepted if f.score >= 0.6]
        tokens: dict[str, tuple[float, bool]] = {}
        for f in sources:
            for part in name_parts(f.text):
                if len(part) < 3 or part in STOP or part in NOT_NAME_WORDS or part in words or part.upper() in ACRONYMS:
                    continue
                if part in self.settings.place_names:
                    continue
                lowered = any(w.islower() for w in f.text.split())
                best = tokens.get(part, (0.0, False))
                tokens[part] = (max(best[0], min(f.score, 0.8)), best[1] or lowered)
        if not tokens:
            return []
        pattern = regex.compile(r"(?i)(?<![\w])(?:" + "|".join(regex.escape(t) for t in sorted(tokens, key=len, reverse=True)) + r")(?![\w])")
        found: list[Finding] = []
        for piece in pieces:
            staff_spans = _occurrences(piece.text, full)
            for match in pattern.finditer(piece.text, timeout=2.0):
                word = match.group(0)
                score, lower_ok = tokens[word.lower()]
                if word.islower() and not lower_ok:
                    continue
                f = Finding(FindingType.PERSON, piece.where, match.start(), match.end(), word, score, "person", "same name as a person found elsewhere in the message")
                if any(f.overlaps(a) for a in accepted):
                    continue
                if layout.inside(piece.furniture, f.start, f.end) or layout.inside(staff_spans, f.start, f.end):
                    continue
                if is_professional(piece.text, f.start, f.end):
                    continue
                found.append(f)
        return found

    def _adjust(self, piece: Piece, findings: list[Finding], facts: MessageFacts) -> list[Finding]:
        """Drop staff and organisation details; raise postcodes that complete a home address."""
        s = self.settings
        addresses = [f for f in findings if f.type is FindingType.ADDRESS]
        participants = {facts.sender, *facts.to}  # header addresses; envelope ones are excluded by name
        out: list[Finding] = []
        for f in findings:
            if f.type in _FURNITURE_TYPES and layout.inside(piece.furniture, f.start, f.end):
                continue
            line_start = piece.text.rfind("\n", 0, f.start) + 1
            before_on_line = piece.text[line_start : f.start]
            if f.type is FindingType.UK_POSTCODE:
                if f.text.replace(" ", "").upper() in s.organisation_postcodes:
                    continue
                if any(0 <= f.start - a.end <= 60 for a in addresses):
                    f = replace(f, score=0.85, explanation=f.explanation + "; completes a street address")
                elif _ORG_PLACE_WORDS.search(before_on_line[-80:]):
                    continue
            elif f.type is FindingType.PHONE:
                national = "".join(ch for ch in f.text if ch.isdigit())
                national = "0" + national[2:] if national.startswith("44") else national
                if national in s.organisation_phones or any(national.startswith(p) for p in s.organisation_phones if len(p) < 11):
                    continue
            elif f.type is FindingType.EMAIL:
                address = f.text.lower()
                domain = address.rsplit("@", 1)[-1]
                if address in participants or _domain_in(domain, s.organisation_domains):
                    continue
            out.append(f)
        return out


_TEN_DIGITS = regex.compile(r"(?<![\w-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w-])|(?<![\w-])\d{3}[ -]\d{4}[ -]\d{3}(?![\w-])")
CLUSTER_SIZE = 3


def _checksum_cluster(text: str, findings: list[Finding]) -> list[Finding]:
    """A list where every ten-digit number passes the NHS mod-11 check is a list of NHS numbers.

    One random number in about eleven passes by chance; three or more that all pass, with no
    ten-digit number that fails, is about a one-in-a-thousand coincidence, whatever the
    column is called ("h" in a JSON export)."""
    nhs = [f for f in findings if f.type is FindingType.NHS_NUMBER]
    if len(nhs) < CLUSTER_SIZE or all(f.score >= 0.8 for f in nhs):
        return findings
    numbers = sum(1 for _ in _TEN_DIGITS.finditer(text, timeout=2.0))
    if numbers != len(nhs):
        return findings
    why = f"; one of {len(nhs)} ten-digit numbers that all pass the NHS checksum"
    return [replace(f, score=0.85, explanation=f.explanation + why) if f in nhs and f.score < 0.85 else f for f in findings]


def _failed(detector: str, where: str, exc: BaseException) -> Unreadable:
    # Only the detector's name and the error's type: never the text (it is personal data).
    log.warning("detector %s failed (%s): the message is held as CANNOT_INSPECT", detector, type(exc).__name__)
    return Unreadable(where, f"detector '{detector}' failed ({type(exc).__name__})")


def _map_back(finding: Finding, normals: dict[str, Normalised]) -> Finding:
    norm = normals.get(finding.where)
    if norm is None or norm.origin is None or finding.end == finding.start == 0:
        return finding
    start, end = norm.span(finding.start, finding.end)
    return replace(finding, start=start, end=end)


def _unreadable_extraction(raw: bytes, reason: str) -> Extraction:
    try:
        facts = facts_of(parse(raw))
    except Exception:
        facts = MessageFacts(message_id="", subject="", sender="", to=(), participant_names=(), encrypted=False, signed=False)
    return Extraction(facts=facts, unreadable=[Unreadable("body", reason)])


# The local part is read once per run of its characters: it can only end where the run
# ends (an "@" must follow), and (*SKIP) resumes after the run when no address follows.
_EMAIL_DOMAIN = regex.compile(r"[\w.+'-]++(*SKIP)@([\w-]++(?:\.[\w-]++)+)")


def _beside_organisation_email(text: str, position: int, domains: frozenset[str]) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return any(_domain_in(m.group(1).lower(), domains) for m in _EMAIL_DOMAIN.finditer(line))


def _domain_in(domain: str, patterns: frozenset[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if domain.endswith(pattern[1:]):
                return True
        elif domain == pattern or domain.endswith("." + pattern):
            return True
    return False


def _occurrences(text: str, names: set[str]) -> list[tuple[int, int]]:
    """Where the given full names stand in ``text`` (either name order, any case)."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for name in names:
        parts = name.split()
        if len(parts) < 2:
            continue
        variants = {name, f"{parts[-1]}, {' '.join(parts[:-1])}"}
        for variant in variants:
            start = lowered.find(variant)
            while start != -1:
                spans.append((start, start + len(variant)))
                start = lowered.find(variant, start + 1)
    return spans


def _merge(findings: list[Finding]) -> list[Finding]:
    """Overlapping PERSON findings become one: the widest span, the best score."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.where, f.start, -f.end)):
        if out and out[-1].where == f.where and f.start < out[-1].end:
            last = out[-1]
            if f.end > last.end or f.score > last.score:
                end = max(last.end, f.end)
                best = last if last.score >= f.score else f
                text = last.text + f.text[last.end - f.start :] if f.end > last.end else last.text
                out[-1] = replace(last, end=end, text=text, score=max(last.score, f.score), explanation=best.explanation)
            continue
        out.append(f)
    return out
