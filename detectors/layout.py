"""Where a message's own furniture is: quoted-reply headers, greetings, signature
blocks and disclaimers. Names, phones and addresses there belong to staff and
correspondents, not to service users.

Furniture is a claim about who the details belong to, so it needs evidence:
a "Thanks," line or a row of dashes proves nothing (anyone can type one above a
child's details). A block after a sign-off is a signature only when its first
lines carry evidence of staff (the caller's ``is_staff_line``: the sender's or a
correspondent's name, a staff-directory name, a job title, an organisation
phone, postcode or address); it runs only as far as that evidence does. A
rule of dashes starts a disclaimer only when disclaimer wording follows, and
quoted header lines count only in a block of two or more.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

import regex

Span = tuple[int, int]

# Quote markers before a line's text. Possessive: what follows them is a word, a
# dash or an underscore, never ">", "|" or a space, so giving any back only fails.
# A quote line inside a quoted block is not a start of its own: the block's first
# quote line reads on over it to the same place (and matched, or failed, there).
_Q = r"(?![>|](?<=^[>|][>|\s]*?\n[>|]))(?:[>|]\s*)*+"
_HEADER_LINE = regex.compile(rf"(?m)^{_Q}(?:From|Sent|To|Cc|Bcc|Subject|Date|Reply-To)\s*:.*$")
_BOUNDARY = regex.compile(
    rf"(?im)^{_Q}(?:On\b.{{3,200}}\bwrote:|-{{2,}}\s*(?:Original Message|Forwarded message)\s*-{{2,}}.*|_{{8,}}|Begin forwarded message:)\s*$"
)
_VALEDICTION = regex.compile(
    rf"(?im)^{_Q}(?:kind regards|warm regards|best regards|kindest regards|regards|many thanks|thanks(?: again| all| both)?|thank you|"
    r"best wishes|best|cheers|yours sincerely|yours faithfully|with thanks|speak soon|take care|all the best|sincerely|"
    r"thanks in advance|ta|bw|kr|rgds)[,.!]*\s*$"
)
_SENT_FROM = regex.compile(rf"(?im)^{_Q}sent from (?:my|outlook|mail|samsung|yahoo).*$")
_RULE_LINE = regex.compile(rf"(?m)^{_Q}(?:-{{5,}}|={{5,}}|\*{{5,}}|_{{5,}})\s*$")
_DISCLAIMER_WORDS = regex.compile(
    r"(?i)\b(?:confidential|intended (?:solely )?(?:only )?for|intended recipient|privileged|disclaimer|"
    r"received (?:this|it) in error|in error,? please|views (?:or opinions )?expressed|may be monitored|monitored|"
    r"virus|freedom of information|legally|unauthori[sz]ed|do not (?:copy|disclose)|recorded)\b"
)
# A line that labels a person's details ("DOB:", "Child:", "NHS no:") is content, never a signature.
_FIELD_LINE = regex.compile(
    r"(?i)^[ \t>|]*(?:dob|d\.o\.b\.?|date of birth|born|nhs(?: no\.?| number)?|ni(?: no\.?| number)|child(?:'s name)?|"
    r"young person|mother|father|mum|dad|parent|carer|sibling|pupil|upn|uln|case (?:ref|no|number)|home address|"
    r"name|surname|forename|school|gp|allergies|concerns?)\s*[:=\-]"
)
_GREETING = regex.compile(
    rf"(?im)^{_Q}(?:hi|hello|hey|dear|morning|good morning|good afternoon|afternoon|evening|good evening)\b[ \t]+"
    r"(?P<names>[^\n,!:.]{1,60})"
)
MAX_SIGNATURE_LINES = 14
MAX_SIGNATURE_WORDS = 14  # a longer line is prose, not a signature
EVIDENCE_WITHIN_LINES = 3  # the sign-off's first lines must show that it is staff's
TRAIL_LINES = 2  # a signature runs at most this many lines past its last piece of evidence


def header_spans(text: str) -> list[Span]:
    """Quoted reply headers (From/Sent/To/Cc/Date lines in a block of two or more) and "On ... wrote:"."""
    matches = list(_HEADER_LINE.finditer(text, timeout=2.0))
    line_numbers: list[int] = []
    line, counted = 0, 0
    for m in matches:  # counted on from the previous match, not from the start each time
        line += text.count("\n", counted, m.start())
        counted = m.start()
        line_numbers.append(line)
    spans: list[Span] = []
    for i, m in enumerate(matches):
        in_block = any(j != i and abs(line_numbers[j] - line_numbers[i]) <= 2 for j in range(max(0, i - 2), min(len(matches), i + 3)))
        if in_block and not regex.match(rf"{_Q}Subject\s*:", m.group(0)):
            spans.append((m.start(), m.end()))  # the subject of a quoted message is content, not furniture
    spans += [(m.start(), m.end()) for m in _BOUNDARY.finditer(text, timeout=2.0)]
    return sorted(spans)


def greeting_spans(text: str) -> list[Span]:
    return [(m.start("names"), m.end("names")) for m in _GREETING.finditer(text, timeout=2.0)]


def _segments(text: str) -> list[Span]:
    cuts = sorted({0, len(text), *(m.start() for m in _BOUNDARY.finditer(text, timeout=2.0))})
    # A block of quoted header lines also starts a new message in the thread.
    for m in _HEADER_LINE.finditer(text, timeout=2.0):
        if regex.match(rf"{_Q}From\s*:", m.group(0)):
            cuts.append(m.start())
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def signature_spans(text: str, is_staff_line: Callable[[str], bool] = lambda line: False) -> list[Span]:
    """Signature blocks (after a sign-off, with evidence that they are staff's) and disclaimers."""
    spans: list[Span] = []
    for seg_start, seg_end in _segments(text):
        segment = text[seg_start:seg_end]
        marks = list(_VALEDICTION.finditer(segment, timeout=2.0)) + list(_SENT_FROM.finditer(segment, timeout=2.0))
        for mark in marks:
            block = _signature_block(segment, mark.start(), mark.end(), is_staff_line)
            if block:
                spans.append((seg_start + block[0], seg_start + block[1]))
        paragraphs = _Paragraphs(segment)
        for rule in _RULE_LINE.finditer(segment, timeout=2.0):
            end = paragraphs.disclaimer_end(rule.end())
            if end is not None:
                spans.append((seg_start + rule.start(), seg_start + end))
    return sorted(spans)


def _signature_block(segment: str, start: int, mark_end: int, is_staff_line: Callable[[str], bool]) -> Span | None:
    """From the sign-off over the short lines after it, as far as the staff evidence reaches."""
    end = mark_end
    lines_seen = 0
    since_evidence: int | None = None
    evidenced = False
    for line in _LINE.finditer(segment, mark_end):  # from the mark on, without copying the rest
        raw = line.group(0)
        if not raw:
            break
        content = raw.strip(" >|\n\t\r")
        line_end = line.end()
        if not content:
            continue
        if len(content.split()) > MAX_SIGNATURE_WORDS or _FIELD_LINE.match(content):
            break
        lines_seen += 1
        if lines_seen > MAX_SIGNATURE_LINES:
            break
        if is_staff_line(content):
            evidenced = True
            since_evidence = 0
            end = line_end
        elif not evidenced:
            if lines_seen >= EVIDENCE_WITHIN_LINES:
                break
        else:
            assert since_evidence is not None
            since_evidence += 1
            if since_evidence > TRAIL_LINES:
                break
            end = line_end
    return (start, end) if evidenced else None


_BLANK_LINE = regex.compile(r"\n[ \t>|]*(?=\n)")
_LINE = regex.compile(r"[^\n]*\n?")
_NOT_SPACE = regex.compile(r"\S")


class _Paragraphs:
    """Where the disclaimer after each rule line of a segment ends, from one pass over the segment.

    A disclaimer runs over the paragraphs after the rule line (blank paragraphs read on)
    while each holds disclaimer wording. Blank lines and disclaimer words are found once
    (a disclaimer word never spans a line end, so it lies in a paragraph exactly when its
    start does), and ``run[j]`` is where the disclaimer ends once it reaches paragraph ``j``.
    """

    def __init__(self, segment: str) -> None:
        self.segment = segment
        self.cuts = [m.end() for m in _BLANK_LINE.finditer(segment, timeout=2.0)]
        self.words = [m.start() for m in _DISCLAIMER_WORDS.finditer(segment, timeout=2.0)]
        bounds = [*self.cuts, len(segment)]
        self.run: list[int | None] = [None] * len(bounds)
        for j in range(len(self.cuts) - 1, -1, -1):  # paragraph j: bounds[j] to bounds[j + 1]
            self.run[j] = self._step(bounds[j], bounds[j + 1], self.run[j + 1])

    def _step(self, a: int, b: int, later: int | None) -> int | None:
        if _NOT_SPACE.search(self.segment, a, b) is None:
            return later  # a blank paragraph: read on
        i = bisect.bisect_left(self.words, a)
        if i == len(self.words) or self.words[i] >= b:
            return None  # no disclaimer wording: stop here
        return later if later is not None else b

    def disclaimer_end(self, after: int) -> int | None:
        k = bisect.bisect_right(self.cuts, after)  # the paragraph breaks after the rule line
        b = self.cuts[k] if k < len(self.cuts) else len(self.segment)
        return self._step(after, b, self.run[k])


def inside(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)
