"""Time every text recognizer, the PERSON rules and the layout and context scanners
on hostile inputs at two sizes, to catch patterns whose time grows faster than
the text (catastrophic or quadratic backtracking).

    python benchmarks/pathological.py [--sizes 5000 50000] [--only NAME] [--input SHAPE]

For each (scanner, input) it prints the seconds at each size and the ratio
large/small: a linear scanner shows about large/small (10 for the defaults);
a quadratic one about its square (100). A scanner that hits the 2 s regex
timeout shows "timeout". The spaCy model is not loaded: the PERSON rules are
timed on a recognizer built without it.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detectors import context, engine, layout  # noqa: E402
from detectors.names import first_names  # noqa: E402
from detectors.recognizers import build  # noqa: E402
from detectors.recognizers.date_of_birth import DateOfBirthRecognizer  # noqa: E402
from detectors.recognizers.person import (  # noqa: E402
    _FAMILY_OF,
    _LABEL,
    _SURNAME_FIRST,
    _TITLE,
    _TRIGGER,
    PersonRecognizer,
    Piece,
    is_professional,
    truecase_caps,
)
from gateway.config import detector_settings, load_config  # noqa: E402

TIMEOUT = 2.0  # what the recognizers pass to the regex module


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


# Each shape makes a text of exactly n characters.
_BASE_SHAPES: dict[str, Callable[[int], str]] = {
    "lower letters": _repeat("a"),
    "lower letters, mixed": _repeat("qwertyuiopasdfghjklzxcvbnm"),
    "capitalised words": _repeat("Abcde "),
    "capitalised run": _repeat("Ab"),
    "caps run": _repeat("A"),
    "caps words": _repeat("ABCD "),
    "lower words": _repeat("abcd "),
    "a'a'a'": _repeat("a'"),
    "ab'ab'": _repeat("ab'"),
    "AB'AB'": _repeat("AB'"),
    "Ab'Ab'": _repeat("Ab'"),
    "a.a.a.": _repeat("a."),
    "a-a-a-": _repeat("a-"),
    "ab-ab-": _repeat("ab-"),
    "AB-AB-": _repeat("AB-"),
    "Ab-Ab-": _repeat("Ab-"),
    "a_a_a_": _repeat("a_"),
    "a+a+a+": _repeat("a+"),
    "digits": _repeat("1"),
    "digits varied": _repeat("9434765919"),
    "1 1 1": _repeat("1 "),
    "1.1.1": _repeat("1."),
    "1/1/1": _repeat("1/"),
    "1-1-1": _repeat("1-"),
    "12 12 12": _repeat("12 "),
    "1234 1234": _repeat("1234 "),
    "digit letter": _repeat("1A"),
    "A1A1": _repeat("A1"),
    "spaces": _repeat(" "),
    "newlines": _repeat("\n"),
    "tabs and spaces": _repeat(" \t"),
    "Mr Mr Mr": _repeat("Mr "),
    "mum mum mum": _repeat("mum "),
    "Mum Mum": _repeat("Mum "),
    "Name: Name:": _repeat("Name: "),
    "name lines": _repeat("Name:\n"),
    "mother newlines": _repeat("mother" + "\n" * 50),
    "@@@@": _repeat("@"),
    "a@a@a@": _repeat("a@"),
    "a@a.a@a.": _repeat("a@a."),
    "a.a@": _repeat("a.a@"),
    "long apostrophe token": lambda n: "O" + _repeat("'Brien")(n - 1),
    "long hyphen token": lambda n: "Smith" + _repeat("-jones")(n - 5),
    "unicode letters": _repeat("ÉéßŁłŽžĀāДдЖж"),
    "unicode words": _repeat("Łukasz Żółć "),
    "quote prefixes": _repeat("> "),
    "quote lines": _repeat(">\n"),
    "dash lines": _repeat("-----\n"),
    "dashes": _repeat("-"),
    "underscores": _repeat("_"),
    "equals": _repeat("="),
    "From: lines": _repeat("From: a\n"),
    "On wrote": _repeat("On a "),
    "regards lines": _repeat("Regards\n"),
    "Hi lines": _repeat("Hi "),
    "name, dob": _repeat("jason moss, "),
    "dates": _repeat("1/1/2000 "),
    "Mr Ab dates": _repeat("Mr Ab 1/1/2000 "),
    "section 47": _repeat("section "),
    "commas": _repeat(", "),
    "parens": _repeat("("),
    "1 Ab Ab": _repeat("1 Ab "),
    "Flat 1": _repeat("Flat 1 "),
    "SMITH, John": _repeat("SMITH, "),
    "the family": _repeat("the Ab "),
    # Many real findings: what the Python around the patterns does per finding.
    "nhs numbers": _repeat("NHS 943 476 5919 "),
    "mobiles": _repeat("mum 07700 900123 "),
    "emails": _repeat("a.b@gmail.com "),
    "postcodes": _repeat("WA8 7QF "),
    "addresses": _repeat("12 Hill Road "),
    "ni numbers": _repeat("AB123456C "),
    "cards": _repeat("4111 1111 1111 1111 "),
    "dobs": _repeat("DOB 01/02/2015 "),
    "names and dobs": _repeat("Tilly Wood (DOB 12/08/2023) "),
}
# The regex module skips a search when a literal the pattern needs ("@", "-") is
# absent, so each shape is also timed with a tail that has them all.
TAIL = " x@y.com @b.co, (DOB 1/1/2000) - Ab: AB, Ab\n> From: x\n"


def _with_tail(make: Callable[[int], str]) -> Callable[[int], str]:
    return lambda n: make(n - len(TAIL)) + TAIL


SHAPES: dict[str, Callable[[int], str]] = {}
for _name, _make in _BASE_SHAPES.items():
    SHAPES[_name] = _make
    SHAPES[_name + " +tail"] = _with_tail(_make)


def scanners() -> dict[str, Callable[[str], object]]:
    settings = detector_settings(load_config(None))
    out: dict[str, Callable[[str], object]] = {}
    for recognizer in build((), settings.case_references):
        out[recognizer.name] = functools.partial(recognizer.analyze, where="body")
    person = PersonRecognizer.__new__(PersonRecognizer)
    person.first_names = first_names()
    dob = DateOfBirthRecognizer()

    def rules(text: str) -> list[object]:
        return list(person._rules(Piece("body", text, ())))

    def dob_after_names(text: str) -> object:
        spans = [(f.start, f.end) for f in person._rules(Piece("body", text, ()))]  # type: ignore[attr-defined]
        return dob.analyze(text, "body", spans)

    def professional(text: str) -> object:
        return [is_professional(text, i, i + 5) for i in range(0, len(text), 50)]

    out |= {
        "person: trigger": lambda t: list(_TRIGGER.finditer(t, timeout=TIMEOUT)),
        "person: title": lambda t: list(_TITLE.finditer(t, timeout=TIMEOUT)),
        "person: label": lambda t: list(_LABEL.finditer(t, timeout=TIMEOUT)),
        "person: surname first": lambda t: list(_SURNAME_FIRST.finditer(t, timeout=TIMEOUT)),
        "person: family of": lambda t: list(_FAMILY_OF.finditer(t, timeout=TIMEOUT)),
        "person: names before dates": lambda t: list(person._names_before_dates(t)),
        "person: all rules": rules,
        "person: truecase caps": truecase_caps,
        "person: clean span": lambda t: person._clean(t, 0, len(t)),
        "person: is_professional": professional,
        "date_of_birth": lambda t: dob.analyze(t, "body"),
        "date_of_birth after names": dob_after_names,
        "context: social care": context.social_care_hits,
        "context: urgent": context.is_urgent,
        "layout: headers": layout.header_spans,
        "layout: greetings": layout.greeting_spans,
        "layout: signatures": layout.signature_spans,
    }
    # detectors/layout.py and detectors/engine.py change under other hands: time what is there.
    try:
        layout.signature_spans("x", lambda line: True)  # type: ignore[call-arg]
        out["layout: signatures (staff lines)"] = lambda t: layout.signature_spans(t, lambda line: True)  # type: ignore[call-arg]
    except TypeError:
        pass
    if hasattr(engine, "_ORG_PLACE_WORDS"):
        out["engine: org place words"] = lambda t: list(engine._ORG_PLACE_WORDS.finditer(t, timeout=TIMEOUT))
    if hasattr(engine, "_EMAIL_DOMAIN"):
        out["engine: email domains"] = lambda t: list(engine._EMAIL_DOMAIN.finditer(t, timeout=TIMEOUT))
    if hasattr(engine, "_beside_organisation_email"):
        domains = frozenset({"halton.gov.uk"})
        out["engine: beside org email"] = lambda t: engine._beside_organisation_email(t, len(t) // 2, domains)
    return out


def timed(fn: Callable[[str], object], text: str) -> float | None:
    """Best of up to five runs (fewer when runs are slow); None on a regex timeout."""
    best = float("inf")
    spent = 0.0
    for _ in range(5):
        started = time.perf_counter()
        try:
            fn(text)
        except TimeoutError:
            return None
        took = time.perf_counter() - started
        best = min(best, took)
        spent += took
        if spent > 0.3:
            break
    return best


def show(seconds: float | None) -> str:
    return "timeout" if seconds is None else f"{seconds:.4f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=(5_000, 50_000), metavar=("SMALL", "LARGE"))
    parser.add_argument("--only", action="append", default=[], help="scanners whose name starts with this (repeatable)")
    parser.add_argument("--input", action="append", default=[], help="input shapes whose name starts with this (repeatable)")
    parser.add_argument("--all", action="store_true", help="print every row, not only the slow or super-linear ones")
    parser.add_argument("--slow", type=float, default=0.2, help="large-size seconds over which a row is flagged")
    parser.add_argument("--ratio", type=float, default=20.0, help="large/small ratio over which a row is flagged")
    args = parser.parse_args(argv)
    small, large = args.sizes
    expected = large / small
    chosen = {k: v for k, v in scanners().items() if not args.only or any(k.startswith(o) for o in args.only)}
    shapes = {k: v for k, v in SHAPES.items() if not args.input or any(k.startswith(i) for i in args.input)}
    print(f"sizes {small} and {large} characters; linear ratio ~{expected:.0f}, quadratic ~{expected ** 2:.0f}")
    print(f"| scanner | input | s @ {small} | s @ {large} | ratio | flag |")
    print("|---|---|---|---|---|---|")
    flagged = 0
    for name, fn in chosen.items():
        fn("warm up: Mr Ab Cd, 1/1/2000 a@b.com")
        for shape, make in shapes.items():
            t_small = timed(fn, make(small))
            t_large = timed(fn, make(large)) if t_small is not None else None
            ratio = "" if t_small is None or t_large is None else f"{t_large / max(t_small, 1e-4):.0f}"
            noisy = t_large is not None and t_large < 0.02  # too fast for the ratio to mean anything
            bad = t_large is None or t_large > args.slow or (not noisy and t_large / max(t_small or 0, 1e-4) > args.ratio)
            flagged += bad
            if bad or args.all:
                print(f"| {name} | {shape} | {show(t_small)} | {show(t_large)} | {ratio} | {'SLOW' if bad else ''} |", flush=True)
    print(f"\n{flagged} flagged (over {args.slow} s at {large} characters, or ratio over {args.ratio})")
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
