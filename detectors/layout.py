"""Where a message's own furniture is: quoted-reply headers, greetings, signature
blocks and disclaimers. Names, phones and addresses there belong to staff and
correspondents, not to service users."""

from __future__ import annotations

from collections.abc import Sequence

import regex

Span = tuple[int, int]

_Q = r"(?:[>|]\s*)*"
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
_DISCLAIMER = regex.compile(rf"(?m)^{_Q}(?:-{{5,}}|={{5,}}|\*{{5,}})\s*$")
_GREETING = regex.compile(
    rf"(?im)^{_Q}(?:hi|hello|hey|dear|morning|good morning|good afternoon|afternoon|evening|good evening)\b[ \t]+"
    r"(?P<names>[^\n,!:.]{1,60})"
)
MAX_SIGNATURE_LINES = 14
MAX_SIGNATURE_WORDS = 14  # a longer line is prose, not a signature


def header_spans(text: str) -> list[Span]:
    spans = [(m.start(), m.end()) for m in _HEADER_LINE.finditer(text, timeout=2.0)]
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


def signature_spans(text: str) -> list[Span]:
    """Signature blocks (after the last valediction of each message in a thread) and disclaimers."""
    spans: list[Span] = []
    for seg_start, seg_end in _segments(text):
        segment = text[seg_start:seg_end]
        marks = list(_VALEDICTION.finditer(segment, timeout=2.0)) + list(_SENT_FROM.finditer(segment, timeout=2.0))
        # Every valediction starts a block (a thread or an HTML twin has several);
        # a block runs a bounded number of short lines and stops at prose.
        for mark in marks:
            start = mark.start()
            end = start
            lines = 0
            for line in regex.finditer(r"[^\n]*\n?", segment[start:]):
                content = line.group(0).strip(" >|\n")
                if not line.group(0) or len(content.split()) > MAX_SIGNATURE_WORDS:
                    break
                end = start + line.end()
                lines += 1 if content else 0
                if lines > MAX_SIGNATURE_LINES:
                    break
            spans.append((seg_start + start, seg_start + end))
        disclaimer = _DISCLAIMER.search(segment)
        if disclaimer:
            spans.append((seg_start + disclaimer.start(), seg_end))
    return sorted(spans)


def inside(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)
