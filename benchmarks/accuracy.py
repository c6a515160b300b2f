"""Accuracy and speed of the detectors on a labelled folder of .eml files.

    python benchmarks/accuracy.py tests/corpus/messages [--config FILE] [--compare presidio]

Message level: a PII-bearing message is caught when its risk would stop it for
an insecure recipient (medium or high); a benign one is a false positive when it
would be stopped. Per type: a finding matches a label when the types agree, the
`where` agrees and the spans overlap an occurrence of the labelled value.
Speed: messages/s and MB/s on one process, model load timed separately.
`--compare presidio` runs Presidio's AnalyzerEngine (same spaCy pipeline, its UK
recognizers on) over the same extracted text and prints both side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detectors.engine import Analysis, Engine  # noqa: E402
from detectors.extract import extract_message  # noqa: E402
from detectors.risk import REPORT_SCORE, Risk  # noqa: E402
from gateway.config import detector_settings, load_config  # noqa: E402

STRUCTURED = {"NHS_NUMBER", "NI_NUMBER", "UPN", "ULN", "BANK_ACCOUNT", "CARD_NUMBER", "IBAN", "PASSPORT", "DRIVING_LICENCE", "CASE_REFERENCE", "UK_POSTCODE", "PHONE", "EMAIL", "DATE_OF_BIRTH"}
IDENTIFIERS = {"NHS_NUMBER", "NI_NUMBER", "UPN", "ULN", "BANK_ACCOUNT", "CARD_NUMBER", "IBAN", "PASSPORT", "DRIVING_LICENCE"}

Span = tuple[str, str, int, int]  # type, where, start, end


@dataclass
class Tally:
    tp_labels: int = 0
    labels: int = 0
    tp_findings: int = 0
    findings: int = 0

    def scores(self) -> tuple[float, float, float]:
        p = self.tp_findings / self.findings if self.findings else 1.0
        r = self.tp_labels / self.labels if self.labels else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Result:
    name: str
    per_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    caught: int = 0
    pii_messages: int = 0
    false_positives: int = 0
    benign_messages: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    missed: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(value)
    while start != -1:
        spans.append((start, start + len(value)))
        start = text.find(value, start + 1)
    return spans


def score_message(result: Result, label: dict, pieces: dict[str, str], findings: list[Span], flagged: bool) -> None:
    if label["category"] == "encrypted":
        return
    if label["has_pii"]:
        result.pii_messages += 1
        result.caught += flagged
        if not flagged:
            result.missed.append(label["file"])
    else:
        result.benign_messages += 1
        result.false_positives += flagged
        if flagged:
            result.flagged.append(label["file"])
    label_spans: list[Span] = []
    for item in label["pii"]:
        spans = occurrences(pieces.get(item["where"], ""), item["value"])
        tally = result.per_type[item["type"]]
        tally.labels += 1
        if any(t == item["type"] and w == item["where"] and s < e2 and s2 < e for t, w, s, e in findings for s2, e2 in spans):
            tally.tp_labels += 1
        label_spans += [(item["type"], item["where"], s, e) for s, e in spans]
    for t, w, s, e in findings:
        tally = result.per_type[t]
        tally.findings += 1
        if any(t == lt and w == lw and s < le and ls < e for lt, lw, ls, le in label_spans):
            tally.tp_findings += 1


def run_ours(files: list[Path], labels: dict[str, dict], config_path: str | None) -> tuple[Result, dict[str, dict[str, str]]]:
    result = Result("dlp-gateway")
    started = time.perf_counter()
    engine = Engine(detector_settings(load_config(config_path)))
    result.load_seconds = time.perf_counter() - started
    raws = [f.read_bytes() for f in files]
    all_pieces: dict[str, dict[str, str]] = {}
    started = time.perf_counter()
    analyses: list[Analysis | Exception] = []
    for i in range(0, len(raws), 8):
        analyses += engine.analyze_batch(raws[i : i + 8])
    result.seconds = time.perf_counter() - started
    for path, analysis in zip(files, analyses, strict=True):
        label = labels[path.name]
        if isinstance(analysis, Exception):
            score_message(result, label, {}, [], True)
            continue
        all_pieces[path.name] = analysis.pieces
        spans = [(f.type.value, f.where, f.start, f.end) for f in analysis.findings if f.score >= REPORT_SCORE]
        score_message(result, label, analysis.pieces, spans, analysis.risk in (Risk.MEDIUM, Risk.HIGH))
    return result, all_pieces


def parallel_throughput(files: list[Path], config_path: str | None, workers: int) -> float:
    """Messages/s of the scan command's worker pool, timed after every worker has loaded its model."""
    import multiprocessing

    from gateway import scanning

    config = load_config(config_path)
    batches = [files[i : i + scanning.BATCH] for i in range(0, len(files), scanning.BATCH)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=scanning._init_worker, initargs=(config, None, [])) as pool:
        pool.map(scanning._scan_in_worker, [batches[0][:1]] * workers * 2)  # warm up: models loaded
        started = time.perf_counter()
        count = sum(len(r) for r in pool.imap(scanning._scan_in_worker, batches))
        return count / (time.perf_counter() - started)


PRESIDIO_TYPES = {
    "PERSON": "PERSON", "UK_NHS": "NHS_NUMBER", "UK_NINO": "NI_NUMBER", "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL", "DATE_TIME": "DATE_OF_BIRTH", "CREDIT_CARD": "CARD_NUMBER", "IBAN_CODE": "IBAN",
    "UK_POSTCODE": "UK_POSTCODE", "UK_PASSPORT": "PASSPORT", "UK_DRIVING_LICENCE": "DRIVING_LICENCE", "LOCATION": "ADDRESS",
}


def run_presidio(files: list[Path], labels: dict[str, dict], pipeline: str) -> Result:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        UkDrivingLicenceRecognizer,
        UkNinoRecognizer,
        UkPassportRecognizer,
        UkPostcodeRecognizer,
    )

    result = Result("presidio")
    started = time.perf_counter()
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": pipeline}]})
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    for recognizer in (UkNinoRecognizer(), UkPostcodeRecognizer(), UkPassportRecognizer(), UkDrivingLicenceRecognizer()):
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry, supported_languages=["en"])
    result.load_seconds = time.perf_counter() - started
    extracted = []
    for path in files:
        try:
            extracted.append(extract_message(path.read_bytes()))
        except Exception:
            extracted.append(None)
    started = time.perf_counter()
    outputs = []
    for ex in extracted:
        spans: list[Span] = []
        if ex is not None:
            for piece in ex.pieces:
                for hit in analyzer.analyze(piece.text, language="en"):
                    if hit.entity_type in PRESIDIO_TYPES and hit.score >= 0.5:
                        spans.append((PRESIDIO_TYPES[hit.entity_type], piece.where, hit.start, hit.end))
        outputs.append(spans)
    result.seconds = time.perf_counter() - started
    for path, ex, spans in zip(files, extracted, outputs, strict=True):
        pieces = {} if ex is None else {p.where: p.text for p in ex.pieces}
        score_message(result, labels[path.name], pieces, spans, bool(spans))
    return result


def table(results: list[Result], total_bytes: int, count: int) -> str:
    lines = []
    head = "| metric | " + " | ".join(r.name for r in results) + " |"
    lines += [head, "|---|" + "---|" * len(results)]

    def row(name: str, fn: Callable[[Result], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(fn(r) for r in results) + " |")

    row("message recall (PII mail stopped)", lambda r: f"{r.caught / max(r.pii_messages, 1):.3f} ({r.caught}/{r.pii_messages})")
    row("false-positive rate (benign mail stopped)", lambda r: f"{r.false_positives / max(r.benign_messages, 1):.3f} ({r.false_positives}/{r.benign_messages})")
    row("structured identifiers recall", lambda r: _recall(r, IDENTIFIERS))
    types = sorted({t for r in results for t in r.per_type})
    for t in types:
        row(f"{t} P / R / F1", lambda r, t=t: "{:.2f} / {:.2f} / {:.2f}".format(*r.per_type[t].scores()) + f" (n={r.per_type[t].labels})")
    row("messages/s (1 process)", lambda r: f"{count / r.seconds:.1f}")
    row("MB/s (1 process)", lambda r: f"{total_bytes / 1e6 / r.seconds:.2f}")
    row("model load (s)", lambda r: f"{r.load_seconds:.2f}")
    return "\n".join(lines)


def _recall(r: Result, types: Iterable[str]) -> str:
    tp = sum(r.per_type[t].tp_labels for t in types if t in r.per_type)
    n = sum(r.per_type[t].labels for t in types if t in r.per_type)
    return f"{tp / n:.4f} ({tp}/{n})" if n else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--config", help="gateway configuration (default: the shipped one)")
    parser.add_argument("--labels", help="labels.jsonl (default: FOLDER/labels.jsonl)")
    parser.add_argument("--compare", choices=["presidio"])
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="also time the scan worker pool with this many processes (0: skip)")
    args = parser.parse_args()
    folder = Path(args.folder)
    labels = {json.loads(line)["file"]: json.loads(line) for line in open(args.labels or folder / "labels.jsonl", encoding="utf-8")}
    files = [folder / name for name in sorted(labels)]
    total_bytes = sum(f.stat().st_size for f in files)
    ours, _ = run_ours(files, labels, args.config)
    results = [ours]
    if args.compare == "presidio":
        results.append(run_presidio(files, labels, load_config(args.config).detectors.spacy_pipeline))
    print(f"{len(files)} messages, {total_bytes / 1e6:.1f} MB, from {folder}\n")
    print(table(results, total_bytes, len(files)))
    if len(results) > 1:
        print(f"\nthroughput ratio dlp-gateway / presidio, both in one process: {results[1].seconds / results[0].seconds:.1f}x")
    if args.workers:
        rate = parallel_throughput(files, args.config, args.workers)
        print(f"dlp-gateway scan with {args.workers} worker processes: {rate:.1f} messages/s ({total_bytes / 1e6 / (len(files) / rate):.2f} MB/s)")
        if len(results) > 1:
            print(f"throughput ratio dlp-gateway ({args.workers} workers) / presidio (1 process, as AnalyzerEngine runs): {rate / (len(files) / results[1].seconds):.1f}x")
    if args.show_misses:
        print("\nmissed:", " ".join(ours.missed))
        print("false positives:", " ".join(ours.flagged))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
