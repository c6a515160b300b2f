"""Quarantine review against a real SQLite file and the real PostgreSQL on this machine."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from detectors.engine import Engine
from gateway.alerts import announce_urgent, escalate_overdue
from gateway.config import Config, detector_settings
from gateway.crypto import MessageCipher, new_key
from gateway.review import Review, ReviewError
from gateway.store import QuarantineStore
from tests.conftest import ROOT, make_email
from tests.relay_harness import Sink, free_port

NHS = "943 476 5919"  # synthetic, checksum-valid
HIGH = f"Section 47 enquiry for Kacper Nowak (DOB 01/02/2015), NHS number {NHS}.\n\nThanks,\nJo Bloggs\n"
MEDIUM = "Please ask Mum Anna Nowak to ring the office about the school trip.\n\nThanks,\nJo Bloggs\n"
SENDER = "jo.bloggs@halton.gov.uk"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'q.db'}"
        return
    if not _postgres_available():
        if os.environ.get("DLP_REQUIRE_POSTGRES"):
            pytest.fail("DLP_REQUIRE_POSTGRES is set (as in .ci/run) but no PostgreSQL answers at 127.0.0.1:5432")
        pytest.skip("no PostgreSQL reachable at 127.0.0.1:5432 (database test, trust auth)")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    QuarantineStore.close_all()  # before DROP SCHEMA, which waits for open sessions
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    s = Sink().start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _clear(sink: Sink) -> Iterator[None]:
    sink.handler.messages.clear()
    yield
    QuarantineStore.close_all()


def make_config(db_url: str, next_hop_port: int, **review: object) -> Config:
    return Config.model_validate({
        "relay": {"next_hop": f"smtp://127.0.0.1:{next_hop_port}", "timeout_seconds": 5},
        "domains": {"internal": ["halton.gov.uk"], "secure": ["nhs.net"]},
        "quarantine": {"url": db_url, "retention_days": 30},
        "review": {"reviewers": ["alice", "bob", "carol"], "reviewer_emails": ["dpo@halton.gov.uk"],
                   "duty_contacts": ["duty@halton.gov.uk"], **review},
    })


_ENGINE: Engine | None = None


def hold(store: QuarantineStore, config: Config, body: str, to: str = "someone@gmail.com", when: dt.datetime | None = None,
         subject: str | None = None) -> str:
    global _ENGINE
    subject = subject or ("Referral" if "Section 47" in body else "School trip")
    _ENGINE = _ENGINE or Engine(detector_settings(config))
    raw = make_email(body, subject=subject, to=to, sender=f"Jo Bloggs <{SENDER}>")
    analysis = _ENGINE.analyze(raw)
    return store.hold(sender=SENDER, recipients=[to], message=raw,
                      held=[{"address": to, "transport": "insecure", "action": "quarantine", "rule": "insecure-by-risk:high"}],
                      risk=analysis.risk.value, findings=[f.to_json() for f in analysis.findings], subject=subject,
                      urgent=analysis.urgent, now=when)


def delivered_to(sink: Sink, address: str) -> list[bytes]:
    return [m.content for m in sink.messages if m.rcpt_tos == [address]]


def test_high_risk_release_needs_a_second_different_approver(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, HIGH)
    assert review.get(ref).risk == "high"
    message = review.release(ref, "parent consented in writing", actor="alice", basis="consent")
    assert "second approver" in message and review.get(ref).status == "awaiting-approval"
    assert not delivered_to(sink, "someone@gmail.com")
    with pytest.raises(ReviewError, match="different person"):
        review.approve(ref, "looks fine", actor="alice")
    with pytest.raises(ReviewError, match="needs a reason"):
        review.approve(ref, "  ", actor="bob")
    review.approve(ref, "consent form seen", actor="bob")
    assert review.get(ref).status == "released"
    assert len(delivered_to(sink, "someone@gmail.com")) == 1
    [confirmation] = delivered_to(sink, SENDER)
    body = confirmation.decode()
    assert "someone@gmail.com" in body and "consent of the person" in body and "parent consented in writing" in body
    assert "approved by bob" in body and NHS not in body
    actions = [e.action for e in review.store.audit_entries()]
    assert actions == ["quarantine", "release-requested", "approve", "release"]


def test_refusals_without_reasons(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, MEDIUM)
    with pytest.raises(ReviewError, match="needs a reason"):
        review.release(ref, "", actor="alice", basis="consent")
    with pytest.raises(ReviewError, match="legal basis"):
        review.release(ref, "ok", actor="alice")
    with pytest.raises(ReviewError, match="reveal needs a reason"):
        review.show(ref, reveal_reason="", actor="alice")
    with pytest.raises(ReviewError, match="not a configured reviewer"):
        review.release(ref, "ok", actor="mallory", basis="consent")
    assert review.get(ref).status == "held"


def test_show_is_masked_and_reveal_is_audited(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, HIGH)
    shown = json.dumps(review.show(ref))
    assert "943 *** **19" in shown and NHS not in shown and "Kacper" not in shown
    revealed = review.show(ref, reveal_reason="checking the NHS number with health", actor="carol")
    assert any(f.get("text") == NHS for f in revealed["findings"])
    [entry] = [e for e in review.store.audit_entries() if e.action == "reveal"]
    assert entry.actor == "carol" and "checking the NHS number" in entry.details


def test_medium_risk_release_is_direct_and_happens_once(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, MEDIUM)
    assert review.get(ref).risk == "medium"
    review.release(ref, "carer asked for it", actor="alice", basis="safeguarding")
    with pytest.raises(ReviewError):
        review.release(ref, "again", actor="bob", basis="safeguarding")
    assert len(delivered_to(sink, "someone@gmail.com")) == 1


def test_release_while_next_hop_is_down_keeps_it_held(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, free_port())
    review = Review(config)
    ref = hold(review.store, config, MEDIUM)
    with pytest.raises(ReviewError, match="NOT released and is still held"):
        review.release(ref, "ok", actor="alice", basis="consent")
    assert review.get(ref).status == "held"
    assert [e.action for e in review.store.audit_entries()][-1] == "release-failed"


def test_reject_tells_the_sender(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, HIGH)
    review.reject(ref, "no lawful basis to share", actor="alice")
    assert review.get(ref).status == "rejected"
    assert b"no lawful basis to share" in delivered_to(sink, SENDER)[0]
    with pytest.raises(ReviewError):
        review.release(ref, "changed my mind", actor="bob", basis="consent")


def test_audit_chain_detects_edit_removal_and_reorder(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    for _ in range(3):
        review.reject(hold(review.store, config, MEDIUM + uuid.uuid4().hex), "no", actor="alice")
    store = review.store
    assert store.verify_audit() == []
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET details = '{\"reason\":\"yes\"}' WHERE seq = 2"))
    assert any("edited" in p.problem for p in store.verify_audit())
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert any("removed or reordered" in p.problem for p in store.verify_audit())
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET seq = 100 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 100"))
    assert store.verify_audit()


def test_encrypted_at_rest_and_key_rotation(tmp_path: Path, sink: Sink) -> None:
    db = tmp_path / "q.db"
    old, new = new_key(), new_key()
    config = make_config(f"sqlite:///{db}", sink.port)
    store = QuarantineStore(config.quarantine.url, MessageCipher([old.encode()]))
    ref = hold(store, config, HIGH)
    raw_file = db.read_bytes() + (tmp_path / "q.db-wal").read_bytes() if (tmp_path / "q.db-wal").exists() else db.read_bytes()
    assert b"Kacper" not in raw_file and NHS.encode() not in raw_file and b"Referral" not in raw_file
    keyless = Review(config, QuarantineStore(config.quarantine.url))
    with pytest.raises(Exception, match="no quarantine key is configured"):
        keyless.show(ref)
    rotated = Review(config, QuarantineStore(config.quarantine.url, MessageCipher([new.encode(), old.encode()])))
    assert rotated.rekey(actor="alice") == 1
    only_new = Review(config, QuarantineStore(config.quarantine.url, MessageCipher([new.encode()])))
    assert "943 *** **19" in json.dumps(only_new.show(ref))


def test_purge_deletes_decided_messages_and_keeps_the_audit(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    old = hold(review.store, config, MEDIUM, when=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    review.reject(old, "not needed", actor="alice")
    waiting = hold(review.store, config, HIGH)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert review.purge(actor="alice", now=later) == 1
    assert review.store.get(old) is None and review.store.get(waiting) is not None  # undecided ones stay
    assert any(e.reference == old for e in review.store.audit_entries())
    assert review.store.verify_audit() == []


def test_urgent_hold_alerts_and_escalates_once(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port, urgent_minutes=30)
    review = Review(config)
    ref = hold(review.store, config, HIGH)
    assert review.get(ref).urgent
    asyncio.run(announce_urgent(review.store, review.next_hop, config, ref))
    [alert] = delivered_to(sink, "dpo@halton.gov.uk")
    assert ref.encode() in alert and b"Kacper" not in alert
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    assert asyncio.run(escalate_overdue(review.store, review.next_hop, config, now=soon)) == []
    late = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    assert asyncio.run(escalate_overdue(review.store, review.next_hop, config, now=late)) == [ref]
    assert asyncio.run(escalate_overdue(review.store, review.next_hop, config, now=late)) == []
    assert len(delivered_to(sink, "duty@halton.gov.uk")) == 1
    assert not hold_is_urgent(review, config)


def hold_is_urgent(review: Review, config: Config) -> bool:
    ref = hold(review.store, config, MEDIUM, subject="School trip")
    return review.get(ref).urgent


def test_cli_concurrent_release_delivers_once(tmp_path: Path, sink: Sink) -> None:
    db_url = f"sqlite:///{tmp_path / 'q.db'}"
    config = make_config(db_url, sink.port)
    review = Review(config)
    ref = hold(review.store, config, MEDIUM)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[relay]\nnext_hop = "smtp://127.0.0.1:{sink.port}"\n[domains]\ninternal = ["halton.gov.uk"]\n'
                   f'[quarantine]\nurl = "{db_url}"\n[review]\nreviewers = ["alice", "bob"]\n')
    cmd = [sys.executable, "-m", "gateway.cli", "quarantine", "release", ref, "--reason", "ok", "--basis", "consent", "--config", str(cfg)]
    procs = [subprocess.Popen([*cmd, "--as", who], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in ("alice", "bob")]
    results = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], results
    assert len(delivered_to(sink, "someone@gmail.com")) == 1
    verify = subprocess.run([sys.executable, "-m", "gateway.cli", "audit", "verify", "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True)
    assert verify.returncode == 0 and "hash chain intact" in verify.stdout
    listing = subprocess.run([sys.executable, "-m", "gateway.cli", "quarantine", "list", "--json", "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True)
    assert json.loads(listing.stdout)[0]["id"] == ref and json.loads(listing.stdout)[0]["status"] == "released"
    export = subprocess.run([sys.executable, "-m", "gateway.cli", "audit", "export", "--csv", "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True)
    assert export.stdout.splitlines()[0].startswith("seq,at,actor,action") and ",release," in export.stdout


def test_list_filters(db_url: str, sink: Sink) -> None:
    config = make_config(db_url, sink.port)
    review = Review(config)
    from gateway.review import Filters

    high = hold(review.store, config, HIGH, to="a@gmail.com")
    medium = hold(review.store, config, MEDIUM, to="b@example.org")
    assert [r.reference for r in review.search(Filters(risk="high"))] == [high]
    assert [r.reference for r in review.search(Filters(domain="example.org"))] == [medium]
    assert [r.reference for r in review.search(Filters(finding_type="NHS_NUMBER"))] == [high]
    assert review.search(Filters(since=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))) == []
