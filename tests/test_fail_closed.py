"""A detector that raises or times out makes that one message CANNOT_INSPECT.

The fault is real, not mocked: a site's case-reference pattern with catastrophic
backtracking (``(a+)+b``) times out in the `regex` engine on a run of letters.
It must not abort `dlp-gateway scan`, must not be taken for the relay's own scan
time-out (which rebuilds the worker pool and answers 451 for ever), and must
not let the message through.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from detectors.engine import Engine
from detectors.findings import FindingType
from detectors.settings import CaseReferencePattern
from tests.conftest import ROOT, make_email
from tests.relay_harness import Sink, start_gateway
from tests.test_relay import message, send

BAD_PATTERN = "(a+)+b"  # exponential backtracking on "aaaa…a!"
TRAP = "a" * 5000 + "!"
BAD_TOML = f"""
[[detectors.case_reference]]
name = "slow_ref"
pattern = '{BAD_PATTERN}'
"""


def _slow_engine(engine: Engine) -> Engine:
    settings = replace(engine.settings, case_references=(CaseReferencePattern("slow_ref", BAD_PATTERN),))
    slow = Engine.__new__(Engine)
    slow.__dict__.update(engine.__dict__)  # share the loaded spaCy pipeline
    from detectors.recognizers import build

    slow.settings = settings
    slow.recognizers = build(settings.disabled, settings.case_references)
    return slow


def test_a_timed_out_detector_makes_only_that_message_cannot_inspect(engine: Engine) -> None:
    slow = _slow_engine(engine)
    trap = make_email(f"Notes: {TRAP}")
    clean = make_email("The panel meets on Tuesday in room 4.")
    trapped, fine = slow.analyze_batch([trap, clean])
    assert not isinstance(trapped, Exception) and not isinstance(fine, Exception)
    problems = [f for f in trapped.findings if f.type is FindingType.CANNOT_INSPECT]
    assert problems and "slow_ref" in problems[0].explanation and "TimeoutError" in problems[0].explanation
    assert trapped.risk.value in ("medium", "high")
    assert not [f for f in fine.findings if f.type is FindingType.CANNOT_INSPECT]


def _config(tmp_path: Path) -> Path:
    shipped = (ROOT / "config" / "gateway.toml").read_text()
    path = tmp_path / "site.toml"
    path.write_text(shipped + BAD_TOML)
    return path


def test_scan_answers_every_file_when_one_trips_a_detector(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "a-trap.eml").write_bytes(make_email(f"Notes: {TRAP}", to="sam@example.com"))
    (folder / "b-clean.eml").write_bytes(make_email("The panel meets on Tuesday.", to="sam@example.com"))
    result = subprocess.run([sys.executable, "-m", "gateway.cli", "scan", "--json", str(folder), "--config", str(_config(tmp_path))],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["a-trap.eml", "b-clean.eml"], result.stderr
    assert lines[0]["recipients"][0]["action"] != "deliver"
    assert any(f["type"] == "CANNOT_INSPECT" for f in lines[0]["findings"])
    assert lines[1]["recipients"][0]["action"] == "deliver"
    assert result.returncode == 1 and "cannot load the detectors" not in result.stderr


def test_relay_holds_the_message_and_keeps_its_workers(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", extra_toml=BAD_TOML, timeout=60)
    try:
        workers = gw.worker_pids()
        code, _ = send(gw, message(f"Notes: {TRAP}", "a@example.com"), ["a@example.com"])
        assert code == 250  # decided (bounced to the sender), not 451 for ever
        assert not [m for m in sinks[0].messages if "a@example.com" in m.rcpt_tos]
        assert gw.worker_pids() == workers  # no pool rebuild: it was not the relay's own time-out
        assert send(gw, message("hello", "a@example.com"), ["a@example.com"])[0] == 250
        log = gw.log.read_text()
        assert "detector case_reference:slow_ref failed (TimeoutError)" in log
        assert "rebuilding the scan pool" not in log
    finally:
        gw.stop()


def test_text_past_the_name_models_budget_is_cannot_inspect(engine: Engine) -> None:
    # Padding a message past what the name model reads must not let a name through unseen.
    small = Engine.__new__(Engine)
    small.__dict__.update(engine.__dict__)
    small.settings = replace(engine.settings, ner_max_chars=2_000)
    body = "The panel met today. " * 200 + "Mum Sarah Quartermaine was present."
    analysis = small.analyze(make_email(body))
    problems = [f for f in analysis.findings if f.type is FindingType.CANNOT_INSPECT]
    assert problems and "names only partly checked" in problems[0].explanation
    assert analysis.risk.value in ("medium", "high")
    assert not [f for f in engine.analyze(make_email(body)).findings if f.type is FindingType.CANNOT_INSPECT]
