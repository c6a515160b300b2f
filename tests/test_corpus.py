"""The corpus generator is reproducible and its labels point at real text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from detectors.extract import extract_message
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus" / "messages"


def _labels(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


def test_committed_corpus_size_and_balance() -> None:
    labels = _labels(CORPUS)
    assert sum(x["has_pii"] for x in labels) >= 400
    assert sum(not x["has_pii"] for x in labels) >= 400


def test_every_label_value_is_in_the_extracted_text() -> None:
    missing = []
    for label in _labels(CORPUS):
        pieces = {p.where: p.text for p in extract_message((CORPUS / label["file"]).read_bytes()).pieces}
        missing += [(label["file"], item["type"], item["where"]) for item in label["pii"] if item["value"] not in pieces.get(item["where"], "")]
    assert not missing, missing[:10]


def test_generator_is_reproducible(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "tests" / "corpus" / "generate.py"), "--out", str(tmp_path)], check=True, capture_output=True, timeout=300)
    assert (tmp_path / "labels.jsonl").read_text() == (CORPUS / "labels.jsonl").read_text()
