"""The policy: a pure function from (risk, message facts, recipients, config) to a
decision per recipient. Like a firewall table, the rules are read top to bottom
and the first that matches decides; each decision records the rule that did."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from detectors.extract import MessageFacts
from detectors.risk import Risk
from gateway.config import Config, PolicyException


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
    if domain_matches(domain, config.domains.all_secure):
        return Transport.SECURE
    if facts.encrypted:
        return Transport.ENCRYPTED
    if has_encryption_tag(facts.subject, config) and config.relay.encryption_relay:
        return Transport.ENCRYPTED
    return Transport.INSECURE


def _address_matches(address: str, pattern: str) -> bool:
    if pattern.startswith("*@"):
        return address.rsplit("@", 1)[-1] == pattern[2:]
    return address == pattern


def approved_flow(sender: str, recipient: str, config: Config, today: dt.date) -> PolicyException | None:
    """The first unexpired exception that covers this sender and recipient."""
    for exc in config.policy.exception:
        if exc.expires >= today and _address_matches(sender.lower(), exc.sender) and _address_matches(recipient, exc.recipient):
            return exc
    return None


def expired_exceptions(config: Config, today: dt.date) -> list[PolicyException]:
    return [e for e in config.policy.exception if e.expires < today]


@dataclass(frozen=True)
class _Context:
    recipient: Recipient
    risk: Risk
    facts: MessageFacts
    config: Config
    sender: str
    today: dt.date


Rule = tuple[str, Callable[[_Context], bool], Callable[[_Context], str]]


def _by_risk(c: _Context) -> str:
    return str(getattr(c.config.policy.actions, c.risk.value))


def _delivers(c: _Context) -> bool:
    return _by_risk(c) == "deliver"


RULES: tuple[Rule, ...] = (
    ("internal-recipient", lambda c: c.recipient.transport is Transport.INTERNAL, lambda c: "deliver"),
    ("secure-domain", lambda c: c.recipient.transport is Transport.SECURE, lambda c: "deliver"),
    # Real ciphertext (checked by the extractor, not taken from a label) protects the body only:
    # the subject travels in the clear, so what it says is judged like any insecure mail.
    ("already-encrypted", lambda c: c.recipient.transport is Transport.ENCRYPTED and c.facts.encrypted and _delivers(c), lambda c: "deliver"),
    ("clear-subject", lambda c: c.recipient.transport is Transport.ENCRYPTED and c.facts.encrypted, lambda c: _by_risk(c)),
    ("encryption-requested", lambda c: c.recipient.transport is Transport.ENCRYPTED, lambda c: "encrypt"),
    ("no-personal-data", lambda c: _delivers(c), lambda c: "deliver"),
    ("approved-flow", lambda c: approved_flow(c.sender, c.recipient.address, c.config, c.today) is not None, lambda c: "deliver"),
    ("insecure-by-risk", lambda c: True, lambda c: _by_risk(c)),
)


def decide(risk: Risk, facts: MessageFacts, recipients: Sequence[str], config: Config,
           sender: str | None = None, today: dt.date | None = None) -> list[Decision]:
    """One decision per recipient; the first matching rule of RULES decides."""
    today = today or dt.date.today()
    sender = (sender if sender is not None else facts.sender) or ""
    decisions = []
    for address in recipients:
        recipient = Recipient(address.lower(), classify(address, facts, config))
        context = _Context(recipient, risk, facts, config, sender, today)
        for name, matches, action in RULES:
            if matches(context):
                rule = name
                if name in ("insecure-by-risk", "no-personal-data"):
                    rule = f"insecure-by-risk:{risk.value}"
                elif name == "clear-subject":
                    rule = f"clear-subject:{risk.value}"
                elif name == "approved-flow":
                    exc = approved_flow(sender, recipient.address, config, today)
                    rule = f"approved-flow:{exc.owner if exc else ''}"
                decisions.append(Decision(recipient.address, recipient.transport, action(context), rule))
                break
    return decisions


def needs_scan(facts: MessageFacts, recipients: Sequence[str], config: Config) -> bool:
    """The cheap short cut: no insecure recipient means no content scan is needed to deliver.

    Encrypted mail to an outside address is still scanned: its subject is in the clear
    (the scan of real ciphertext reads the subject alone, so it is cheap)."""
    return any(
        classify(a, facts, config) is Transport.INSECURE
        or (facts.encrypted and classify(a, facts, config) is Transport.ENCRYPTED)
        for a in recipients
    )
