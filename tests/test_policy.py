"""The policy as a pure function: transport classes and actions per recipient."""

from __future__ import annotations

from dataclasses import replace

import pytest

from detectors.extract import MessageFacts
from detectors.risk import Risk
from gateway.config import Config, DomainsConfig, RelayConfig
from gateway.policy import Transport, classify, decide, domain_matches, needs_scan

FACTS = MessageFacts(message_id="<m>", subject="Update", sender="jo@halton.gov.uk", to=(), participant_names=(), encrypted=False, signed=False)
CONFIG = Config(domains=DomainsConfig(internal=["halton.gov.uk"], secure=["nhs.net", "*.nhs.net", "*.police.uk"]))


@pytest.mark.parametrize(
    "domain, patterns, expected",
    [("nhs.net", ["nhs.net"], True), ("a.nhs.net", ["*.nhs.net"], True), ("nhs.net", ["*.nhs.net"], False),
     ("evilnhs.net", ["*.nhs.net"], False), ("cheshire.police.uk", ["*.police.uk"], True), ("NHS.NET", ["nhs.net"], True)],
)
def test_domain_matches(domain: str, patterns: list[str], expected: bool) -> None:
    assert domain_matches(domain, patterns) is expected


def test_transports() -> None:
    assert classify("a@halton.gov.uk", FACTS, CONFIG) is Transport.INTERNAL
    assert classify("a@gp.nhs.net", FACTS, CONFIG) is Transport.SECURE
    assert classify("a@gmail.com", FACTS, CONFIG) is Transport.INSECURE
    assert classify("a@gmail.com", replace(FACTS, encrypted=True), CONFIG) is Transport.ENCRYPTED


def test_subject_tag_needs_an_encryption_relay() -> None:
    tagged = replace(FACTS, subject="[SECURE] Referral")
    assert classify("a@gmail.com", tagged, CONFIG) is Transport.INSECURE  # no relay configured: cannot honour it
    with_relay = CONFIG.model_copy(update={"relay": RelayConfig(encryption_relay="smtp://127.0.0.1:2525")})
    decision = decide(Risk.HIGH, tagged, ["a@gmail.com"], with_relay)[0]
    assert (decision.transport, decision.action) == (Transport.ENCRYPTED, "encrypt")


@pytest.mark.parametrize("risk, action", [(Risk.NONE, "deliver"), (Risk.LOW, "deliver"), (Risk.MEDIUM, "bounce"), (Risk.HIGH, "quarantine")])
def test_insecure_action_follows_risk(risk: Risk, action: str) -> None:
    decisions = decide(risk, FACTS, ["a@gmail.com", "b@halton.gov.uk", "c@nhs.net"], CONFIG)
    assert [d.action for d in decisions] == [action, "deliver", "deliver"]
    assert decisions[0].rule == f"insecure-by-risk:{risk.value}"


def test_already_encrypted_is_delivered_when_its_clear_subject_is_clean() -> None:
    decision = decide(Risk.NONE, replace(FACTS, encrypted=True), ["a@gmail.com"], CONFIG)[0]
    assert decision.action == "deliver" and decision.rule == "already-encrypted"


def test_encrypted_mail_whose_clear_subject_names_a_child_is_stopped() -> None:
    # Only the subject was read (the body is ciphertext): its risk decides, never "encrypt".
    decision = decide(Risk.HIGH, replace(FACTS, encrypted=True), ["a@gmail.com"], CONFIG)[0]
    assert decision.action == "quarantine" and decision.rule == "clear-subject:high"
    assert needs_scan(replace(FACTS, encrypted=True), ["a@gmail.com"], CONFIG)


def test_scan_short_cut() -> None:
    assert not needs_scan(FACTS, ["a@halton.gov.uk", "b@nhs.net"], CONFIG)
    assert needs_scan(FACTS, ["a@halton.gov.uk", "b@gmail.com"], CONFIG)


def test_approved_flow_applies_until_it_expires() -> None:
    import datetime as dt

    from gateway.config import PolicyConfig, PolicyException

    exc = PolicyException(sender="jo@halton.gov.uk", recipient="*@court.example.co.uk", owner="DPO", reason="care proceedings", expires=dt.date(2026, 12, 31))
    config = CONFIG.model_copy(update={"policy": PolicyConfig(exception=[exc])})
    before = decide(Risk.HIGH, FACTS, ["clerk@court.example.co.uk", "x@gmail.com"], config, sender="jo@halton.gov.uk", today=dt.date(2026, 12, 1))
    assert [(d.action, d.rule) for d in before] == [("deliver", "approved-flow:DPO"), ("quarantine", "insecure-by-risk:high")]
    after = decide(Risk.HIGH, FACTS, ["clerk@court.example.co.uk"], config, sender="jo@halton.gov.uk", today=dt.date(2027, 1, 1))
    assert after[0].action == "quarantine"
    other_sender = decide(Risk.HIGH, FACTS, ["clerk@court.example.co.uk"], config, sender="sam@halton.gov.uk", today=dt.date(2026, 12, 1))
    assert other_sender[0].action == "quarantine"


def test_bounce_needs_notifications() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="use 'reject' or enable notifications"):
        Config.model_validate({"notify": {"enabled": False}, "policy": {"actions": {"medium": "bounce"}}})
