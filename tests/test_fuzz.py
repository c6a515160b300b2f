"""Fuzzing, bounded for CI: every input gets a decision (or, for bytes that are not an
email, a per-file error) - never a crash, never a hang, never over the scan budget.

Two generators: Hypothesis over random MIME trees (tests/fuzz_strategies.py) and
seeded byte-level mutation of corpus messages (tests/fuzz_mutate.py). The long run
is benchmarks/fuzz.py. A failing input is written under FUZZ_CRASH_DIR
(/tmp/fuzz-crashes/pytest by default) and the assertion names the file, not the content.

Sizes (about 25 s on one core when nothing fails): FUZZ_MIME_EXAMPLES (100),
FUZZ_RAW_EXAMPLES (40), FUZZ_MUTATION_CASES (300). The examples are derandomized, so a
CI run is repeatable; raise the sizes locally to search further.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from detectors.engine import Analysis, Engine
from gateway import scanning
from gateway.config import Config, detector_settings, load_config
from gateway.policy import decide
from tests import fuzz_mutate, fuzz_strategies

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 30.0  # the shipped detectors.scan_timeout_seconds
ACTIONS = {"deliver", "quarantine", "bounce", "reject", "encrypt"}
RECIPIENT = "someone@gmail.com"
CRASH_DIR = Path(os.environ.get("FUZZ_CRASH_DIR", "/tmp/fuzz-crashes/pytest"))

# Third-party warnings that hostile input may legitimately raise and that the extractors
# turn into CANNOT_INSPECT on their own: (category name, part of the warning's file path),
# e.g. ("DecompressionBombWarning", "PIL/"). Empty: no library has warned during fuzzing
# so far, and any warning that appears is a finding to look at, not noise.
ALLOWED_WARNINGS: frozenset[tuple[str, str]] = frozenset()


def fuzz_settings(max_examples: int) -> settings:
    """Deterministic (the same examples on every CI run), no per-example deadline (the budget is
    checked by hand), no example database written into the tree, and no shrinking: one
    example costs up to a few seconds, so shrinking a failure could run for many minutes
    (benchmarks/fuzz.py minimises its crashes itself). The failing input is saved to a file."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# Hypothesis refuses function-scoped fixtures in @given, so the engine is cached per module instead.
@functools.cache
def _config() -> Config:
    return load_config(ROOT / "config" / "gateway.toml")


@functools.cache
def _engine() -> Engine:
    return Engine(detector_settings(_config()))


def _save(raw: bytes, tag: str) -> Path:
    CRASH_DIR.mkdir(parents=True, exist_ok=True)
    path = CRASH_DIR / f"{tag}-{hashlib.sha256(raw).hexdigest()[:16]}.eml"
    path.write_bytes(raw)
    return path


def _echoes_input(text: str, raw: bytes) -> bool:
    """Whether ``text`` (an error message or a reason) repeats content of the input."""
    if fuzz_strategies.CANARY in text and fuzz_strategies.CANARY.encode() in raw:
        return True
    for line in raw.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if len(line) >= 16 and line in text:
            return True
    return False


def _warning_label(w: warnings.WarningMessage) -> str:
    return f"{w.category.__name__} from {w.filename}:{w.lineno}"


def check_input(raw: bytes, tag: str) -> Analysis | Exception:
    """The property every input must satisfy; returns the result for extra checks."""
    raw = bytes(raw)
    engine, config = _engine(), _config()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        # Record, do not raise: a warning turned into an error deep inside a parser would be
        # swallowed by the engine's safety net (or escape it), which production never sees.
        warnings.simplefilter("always")
        try:
            results = engine.analyze_batch([raw], [RECIPIENT])
        except Exception as exc:
            path = _save(raw, tag)
            raise AssertionError(f"analyze_batch raised {type(exc).__name__}; input saved to {path}") from exc
    seconds = time.perf_counter() - started
    unexpected = [w for w in caught
                  if not any(w.category.__name__ == c and (w.filename or "").find(m) >= 0 for c, m in ALLOWED_WARNINGS)]
    if unexpected:
        path = _save(raw, tag + "-warning")
        raise AssertionError(f"warnings on hostile input: {sorted({_warning_label(w) for w in unexpected})}; input saved to {path}")
    if seconds > BUDGET_SECONDS:
        path = _save(raw, tag + "-slow")
        raise AssertionError(f"{seconds:.1f} s for one input (budget {BUDGET_SECONDS} s); input saved to {path}")
    assert isinstance(results, list) and len(results) == 1, "one result per input"
    result = results[0]
    if isinstance(result, Exception):
        if _echoes_input(str(result), raw):
            path = _save(raw, tag + "-echo")
            raise AssertionError(f"per-file error {type(result).__name__} repeats the input; input saved to {path}")
        return result
    if not isinstance(result, Analysis):
        path = _save(raw, tag + "-type")
        raise AssertionError(f"result is a {type(result).__name__}, not Analysis or Exception; input saved to {path}")
    for problem in result.unreadable:
        if fuzz_strategies.CANARY in problem.reason or fuzz_strategies.CANARY in problem.where:
            path = _save(raw, tag + "-echo")
            raise AssertionError(f"an unreadable reason repeats message text; input saved to {path}")
    for recipients in ([RECIPIENT], [*list(result.facts.to)[:20], RECIPIENT]):
        try:
            decisions = decide(result.risk, result.facts, recipients, config)
        except Exception as exc:
            path = _save(raw, tag + "-decide")
            raise AssertionError(f"decide raised {type(exc).__name__}; input saved to {path}") from exc
        assert len(decisions) == len(recipients), f"one decision per recipient (input saved to {_save(raw, tag)})"
        assert all(d.action in ACTIONS for d in decisions), f"invalid action (input saved to {_save(raw, tag)})"
    return result


# -- Hypothesis over generated MIME --------------------------------------------------


@fuzz_settings(int(os.environ.get("FUZZ_MIME_EXAMPLES", "100")))
@given(raw=fuzz_strategies.messages())
def test_generated_mime_always_gets_a_decision(raw: bytes) -> None:
    check_input(raw, "mime")


@fuzz_settings(int(os.environ.get("FUZZ_RAW_EXAMPLES", "40")))
@given(raw=fuzz_strategies.non_emails())
def test_any_bytes_get_a_decision_or_a_per_file_error(raw: bytes) -> None:
    check_input(raw, "raw")


# -- seeded mutation of corpus messages ----------------------------------------------

MUTATION_CASES = int(os.environ.get("FUZZ_MUTATION_CASES", "300"))
SAMPLE = fuzz_mutate.corpus_files()[::16]  # a fixed sample of 60 corpus messages


@pytest.mark.parametrize("seed", range(MUTATION_CASES))
def test_mutated_corpus_message_gets_a_decision(seed: int) -> None:
    r = random.Random(f"fuzz-mutation-{seed}")
    raw, _how = fuzz_mutate.mutated_corpus_input(r, SAMPLE)
    check_input(raw, f"mutation-{seed}")


# -- the gateway layer: a batch through Scanner.scan_batch ------------------------------


def test_scanner_batch_of_hostile_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mixed batch (messages, not-emails, an unreadable path): one ScanResult per file, in order."""
    monkeypatch.setattr(scanning, "Engine", lambda settings: _engine())  # reuse the loaded pipeline
    r = random.Random("fuzz-batch")
    raws = [fuzz_strategies.generate_message(r) for _ in range(6)]
    raws += [fuzz_strategies.generate_non_email(r) for _ in range(3)]
    raws += [fuzz_mutate.mutated_corpus_input(r, SAMPLE)[0] for _ in range(4)]
    raws += [b"", b"\x00\x01\x02", b"From: a@b.c\n\nhello"]
    files = []
    for i, raw in enumerate(raws):
        path = tmp_path / f"{i:02d}.eml"
        path.write_bytes(raw)
        files.append(path)
    files.insert(5, tmp_path / "missing.eml")
    scanner = scanning.Scanner(_config(), "jo.bloggs@halton.gov.uk", [RECIPIENT, "x@nhs.net"])
    results = scanner.scan_batch(files)
    assert [res.file for res in results] == [str(f) for f in files]
    for res in results:
        if res.error is not None:
            assert res.analysis is None and res.decisions == []
            assert fuzz_strategies.CANARY not in res.error
        else:
            assert res.analysis is not None
            assert [d.address for d in res.decisions] == [RECIPIENT, "x@nhs.net"]
            assert all(d.action in ACTIONS for d in res.decisions)
        assert res.seconds <= BUDGET_SECONDS
    assert results[5].error is not None and results[5].error.startswith("cannot read file")
