"""The policy: a pure function from (risk, message facts, recipients, config) to a
decision per recipient. Like a firewall table, the rules are read top to bottom
and the first that matches decides; each decision records the rule that did."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from detectors.extract import MessageFacts
from detectors.risk import Risk
from gateway.config import Config


class Transport(enum.StrEnum):
    INTERNAL = "internal"
    SECURE = "secure"
    ENCRYPTED = "encrypted"
    INSECURE = "insecure"


@dataclass(frozen=True)
class Recipient:
    address: str
    transport: Transport


@dataclass(frozen=True)
class Decision:
    address: str
    transport: Transport
    action: str  # deliver | quarantine | bounce | reject | encrypt
    rule: str  # the rule that decided, for audit and explanations


def domain_matches(domain: str, patterns: Sequence[str]) -> bool:
    """'a.nhs.net' matches '*.nhs.net'; 'nhs.net' matches 'nhs.net' only."""
    domain = domain.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if domain.endswith(pattern[1:]) and domain != pattern[2:]:
                return True
        elif domain == pattern:
            return True
    return False


def has_encryption_tag(subject: str, config: Config) -> bool:
    upper = subject.upper()
    return any(tag.upper() in upper for tag in config.policy.encryption.subject_tags)


def classify(address: str, facts: MessageFacts, config: Config) -> Transport:
    domain = address.rsplit("@", 1)[-1]
    if domain_matches(domain, config.domains.internal):
        return Transport.INTERNAL
    if domain_matches(domain, config.domains.secure):
        return Transport.SECURE
    if facts.encrypted:
        return Transport.ENCRYPTED
    if has_encryption_tag(facts.subject, config) and config.relay.encryption_relay:
        return Transport.ENCRYPTED
    return Transport.INSECURE


Rule = tuple[str, Callable[[Recipient, Risk, MessageFacts, Config], bool], Callable[[Risk, Config], str]]

RULES: tuple[Rule, ...] = (
    ("internal-recipient", lambda r, risk, f, c: r.transport is Transport.INTERNAL, lambda risk, c: "deliver"),
    ("secure-domain", lambda r, risk, f, c: r.transport is Transport.SECURE, lambda risk, c: "deliver"),
    ("already-encrypted", lambda r, risk, f, c: r.transport is Transport.ENCRYPTED and f.encrypted, lambda risk, c: "deliver"),
    ("encryption-requested", lambda r, risk, f, c: r.transport is Transport.ENCRYPTED, lambda risk, c: "encrypt"),
    ("insecure-by-risk", lambda r, risk, f, c: True, lambda risk, c: getattr(c.policy.actions, risk.value)),
)


def decide(risk: Risk, facts: MessageFacts, recipients: Sequence[str], config: Config) -> list[Decision]:
    decisions = []
    for address in recipients:
        recipient = Recipient(address.lower(), classify(address, facts, config))
        for name, matches, action in RULES:
            if matches(recipient, risk, facts, config):
                rule = f"{name}:{risk.value}" if name == "insecure-by-risk" else name
                decisions.append(Decision(recipient.address, recipient.transport, action(risk, config), rule))
                break
    return decisions


def needs_scan(facts: MessageFacts, recipients: Sequence[str], config: Config) -> bool:
    """The cheap short cut: no insecure recipient means no content scan is needed to deliver."""
    return any(classify(a, facts, config) is Transport.INSECURE for a in recipients)
