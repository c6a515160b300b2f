"""Scan many .eml files with the detectors, using every core: each worker
process loads the spaCy pipeline once and batches its messages through it."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from detectors.engine import Analysis, Engine
from gateway.config import Config, detector_settings
from gateway.policy import Decision, decide

BATCH = 8


@dataclass
class ScanResult:
    file: str
    analysis: Analysis | None
    decisions: list[Decision]
    seconds: float
    error: str | None = None

    @property
    def delivered_everywhere(self) -> bool:
        return self.error is None and all(d.action == "deliver" for d in self.decisions)


def collect_files(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Expand directories to their .eml files (sorted); report paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.eml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


class Scanner:
    def __init__(self, config: Config, sender: str | None = None, recipients: Sequence[str] = ()) -> None:
        self.config = config
        self.sender = sender
        self.recipients = list(recipients)
        self.engine = Engine(detector_settings(config))

    def scan_batch(self, files: Sequence[Path]) -> list[ScanResult]:
        raws: list[bytes | None] = []
        errors: dict[int, str] = {}
        for i, path in enumerate(files):
            try:
                raws.append(path.read_bytes())
            except OSError as exc:
                raws.append(None)
                errors[i] = f"cannot read file: {exc.strerror}"
        started = time.perf_counter()
        readable = [r for r in raws if r is not None]
        envelope = [a for a in (self.sender, *self.recipients) if a]
        analyses = iter(self.engine.analyze_batch(readable, envelope)) if readable else iter(())
        per_message = (time.perf_counter() - started) / max(len(readable), 1)
        results = []
        for i, (path, raw) in enumerate(zip(files, raws, strict=True)):
            if raw is None:
                results.append(ScanResult(str(path), None, [], 0.0, errors[i]))
                continue
            analysis = next(analyses)
            if isinstance(analysis, Exception):
                results.append(ScanResult(str(path), None, [], per_message, str(analysis)))
                continue
            recipients = self.recipients or list(analysis.facts.to)
            decisions = decide(analysis.risk, analysis.facts, recipients, self.config)
            results.append(ScanResult(str(path), analysis, decisions, per_message))
        return results


_worker: Scanner | None = None


def _init_worker(config: Config, sender: str | None, recipients: Sequence[str]) -> None:
    global _worker
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one worker per core: Tesseract (OCR) keeps to its own
    _worker = Scanner(config, sender, recipients)


def _scan_in_worker(files: list[Path]) -> list[ScanResult]:
    assert _worker is not None
    return _worker.scan_batch(files)


def scan_files(config: Config, files: Sequence[Path], sender: str | None = None, recipients: Sequence[str] = ()) -> Iterator[ScanResult]:
    """Results in input order. Few files: in this process; many: one worker per core."""
    workers = config.detectors.workers or os.cpu_count() or 1
    batches = [list(files[i : i + BATCH]) for i in range(0, len(files), BATCH)]
    if workers == 1 or len(files) <= BATCH * 2:
        scanner = Scanner(config, sender, recipients)
        for batch in batches:
            yield from scanner.scan_batch(batch)
        return
    context = multiprocessing.get_context("spawn")  # fork after spaCy has threads is unsafe
    with context.Pool(workers, initializer=_init_worker, initargs=(config, sender, list(recipients))) as pool:
        for results in pool.imap(_scan_in_worker, batches):
            yield from results
