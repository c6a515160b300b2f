"""The aiosmtpd handler: protocol in, facts out, then act on the policy's decisions.

Order of work for one message (DESIGN.md, "The flow of one message"): classify
recipients cheaply; scan only when a recipient is insecure (or audit asks);
decide; then act durably *before* replying: hold in quarantine (idempotent),
relay to the encryption service, relay to the next hop. Only then 250. Any
failure before that is a 451 and the upstream MTA keeps the message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from detectors.engine import Analysis
from detectors.extract.message import MessageFacts, NotAnEmail, facts_of, parse
from detectors.findings import Finding, FindingType
from detectors.risk import Risk
from gateway import replies
from gateway.alerts import announce_urgent
from gateway.config import Config
from gateway.delivery import Deliverer, DeliveryOutcome, PermanentDeliveryError, TemporaryDeliveryError
from gateway.metrics import Metrics
from gateway.notify import Notifier, describe_findings
from gateway.policy import Decision, decide, domain_matches, needs_scan
from gateway.store import QuarantineStore
from gateway.workers import ScanFailed, ScanPool

log = logging.getLogger("dlp_gateway.relay")


@dataclass
class Outcome:
    reply: str
    decisions: list[Decision] = field(default_factory=list)
    analysis: Analysis | None = None
    reference: str | None = None


class RelayHandler:
    def __init__(self, config: Config, scanner: ScanPool, next_hop: Deliverer, encryption_relay: Deliverer | None,
                 store: QuarantineStore, notifier: Notifier | None, metrics: Metrics) -> None:
        self.config = config
        self.scanner = scanner
        self.next_hop = next_hop
        self.encryption_relay = encryption_relay
        self.store = store
        self.notifier = notifier
        self.metrics = metrics
        self.networks = [ipaddress.ip_network(n, strict=False) for n in config.smtp.allowed_networks]
        self.links: Any = None  # SenderLinks, when the console is reachable (set by the server)
        self.in_flight = 0

    # -- SMTP commands ----------------------------------------------------------
    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]) -> str:
        if not (self._client_allowed(session.peer) or session.authenticated):
            return replies.CLIENT_NOT_ALLOWED
        if address and not domain_matches(address.rsplit("@", 1)[-1], self.config.domains.internal):
            return replies.SENDER_NOT_INTERNAL
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return replies.OK_SENDER

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if len(envelope.rcpt_tos) >= self.config.smtp.max_recipients:
            return replies.TOO_MANY_RECIPIENTS
        if "@" not in address or parseaddr(address)[1] != address:
            return replies.BAD_ADDRESS
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return replies.OK_RECIPIENT

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.in_flight += 1
        try:
            raw = envelope.original_content or b""
            outcome = await self.process(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
            return outcome.reply
        finally:
            self.in_flight -= 1

    async def handle_exception(self, error: Exception) -> str:
        log.error("unexpected error in an SMTP session: %s", type(error).__name__)
        return replies.TEMP_LOCAL_ERROR

    def _client_allowed(self, peer: Any) -> bool:
        host = peer[0] if isinstance(peer, tuple) else str(peer or "")
        try:
            address = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    # -- one message --------------------------------------------------------------
    async def process(self, sender: str, recipients: Sequence[str], raw: bytes) -> Outcome:
        started = time.perf_counter()
        queue_id = uuid.uuid4().hex[:12]
        facts = _cheap_facts(raw)
        analysis: Analysis | None = None
        risk = Risk.NONE
        if facts is None or needs_scan(facts, recipients, self.config) or self.config.policy.scan_all:
            try:
                result = await self.scanner.analyze(raw, [sender, *recipients])
            except ScanFailed as exc:
                log.warning("queue_id=%s scan failed (%s): 451", queue_id, exc)
                self.metrics.message("tempfail")
                return Outcome(replies.TEMP_SCAN_FAILED)
            if isinstance(result, Exception):
                # Not parseable as an email: nothing can be inspected, so hold it.
                analysis = _unreadable_analysis(facts, str(result))
            else:
                analysis = result
            facts, risk = analysis.facts, analysis.risk
        assert facts is not None
        decisions = decide(risk, facts, recipients, self.config, sender=sender)
        outcome = await self.act(queue_id, sender, recipients, raw, facts, decisions, analysis)
        self._log(queue_id, sender, decisions, analysis, outcome, started)
        return outcome

    async def act(self, queue_id: str, sender: str, recipients: Sequence[str], raw: bytes, facts: MessageFacts,
                  decisions: list[Decision], analysis: Analysis | None) -> Outcome:
        findings = analysis.findings if analysis else []
        if decisions and all(d.action == "reject" for d in decisions):
            return Outcome(replies.rejected_for_pii(describe_findings(findings).removeprefix("what looks like ")), decisions, analysis)
        held = [d for d in decisions if d.action == "quarantine"]
        deliver = [d.address for d in decisions if d.action == "deliver"]
        encrypt = [d.address for d in decisions if d.action == "encrypt"]
        reference = None
        if held:
            try:
                reference = await asyncio.to_thread(self.store.hold, sender=sender, recipients=recipients, message=raw,
                                             held=[_decision_json(d) for d in held], risk=analysis.risk.value if analysis else "none",
                                             findings=[f.to_json(reveal=False) for f in findings], subject=facts.subject,
                                             urgent=bool(analysis and analysis.urgent))
            except Exception as exc:  # any database failure: the upstream MTA keeps the message
                log.error("queue_id=%s quarantine store failed (%s): 451", queue_id, type(exc).__name__)
                self.metrics.message("tempfail")
                return Outcome(replies.TEMP_STORE, decisions, analysis)
        refused: dict[str, str] = {}
        try:
            if encrypt:
                if self.encryption_relay is None:
                    raise TemporaryDeliveryError("no encryption relay configured")
                refused.update((await self.encryption_relay.deliver(sender, encrypt, raw)).refused)
            if deliver:
                outcome: DeliveryOutcome = await self.next_hop.deliver(sender, deliver, raw)
                refused.update(outcome.refused)
        except TemporaryDeliveryError as exc:
            log.warning("queue_id=%s next hop: %s: 451", queue_id, exc)
            self.metrics.message("tempfail")
            return Outcome(replies.TEMP_NEXT_HOP, decisions, analysis, reference)
        except PermanentDeliveryError as exc:
            self.metrics.message("refused")
            return Outcome(replies.next_hop_permanent(exc.code, exc.message), decisions, analysis, reference)
        if reference and analysis and analysis.urgent:
            await announce_urgent(self.store, self.next_hop, self.config, reference)
        stopped = [d for d in decisions if d.action in ("quarantine", "bounce", "reject")]
        if stopped and self.notifier is not None:
            await self._notify(queue_id, sender, facts, decisions, findings, reference, raw)
        for d in decisions:
            self.metrics.message(d.action)
        if refused:
            log.warning("queue_id=%s next hop refused %d recipient(s)", queue_id, len(refused))
        return Outcome(replies.OK, decisions, analysis, reference)

    async def _notify(self, queue_id: str, sender: str, facts: MessageFacts, decisions: list[Decision],
                      findings: Sequence[Finding], reference: str | None, raw: bytes) -> None:
        """Tell an internal sender; never an external one (no backscatter). Failure loses nothing."""
        if not sender or not domain_matches(sender.rsplit("@", 1)[-1], self.config.domains.internal):
            return
        assert self.notifier is not None
        try:
            link = None
            if reference and self.links is not None and self.config.console.public_url:
                link = f"{self.config.console.public_url.rstrip('/')}/s/{self.links.make(reference, sender)}"
            message = self.notifier.build(sender=sender, subject=facts.subject, date=_date_header(raw),
                                          decisions=decisions, findings=findings, reference=reference, link=link)
            await self.next_hop.deliver(self.notifier.settings.from_address, [sender], message.as_bytes())
        except Exception as exc:  # the original is already handled; the notice is best effort
            log.warning("queue_id=%s sender notification not sent (%s)", queue_id, type(exc).__name__)

    def _log(self, queue_id: str, sender: str, decisions: list[Decision], analysis: Analysis | None, outcome: Outcome, started: float) -> None:
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        counts = Counter(f.type.value for f in (analysis.findings if analysis else []) if f.score >= 0.6 or f.type is FindingType.CANNOT_INSPECT)
        self.metrics.scanned(elapsed_ms / 1000, counts)
        log.info(json.dumps({
            "queue_id": queue_id,
            "sender_domain": sender.rsplit("@", 1)[-1] if sender else "",
            "recipients": len(decisions),
            "transports": dict(Counter(d.transport.value for d in decisions)),
            "actions": dict(Counter(d.action for d in decisions)),
            "findings": dict(counts),
            "risk": analysis.risk.value if analysis else "not-scanned",
            "quarantine": outcome.reference,
            "reply": outcome.reply[:3],
            "ms": elapsed_ms,
        }, sort_keys=True))


def _cheap_facts(raw: bytes) -> MessageFacts | None:
    try:
        # No ciphertext check here (it reads the whole payload, on the event loop): "not
        # encrypted" only means the message is scanned, where the full check runs.
        return facts_of(parse(raw), check_encryption=False)
    except (NotAnEmail, ValueError, LookupError):
        return None


def _unreadable_analysis(facts: MessageFacts | None, reason: str) -> Analysis:
    facts = facts or MessageFacts(message_id="", subject="", sender="", to=(), participant_names=(), encrypted=False, signed=False)
    finding = Finding(FindingType.CANNOT_INSPECT, "body", 0, 0, reason, 0.7, "extraction", reason)
    return Analysis(facts=facts, findings=[finding], risk=Risk.MEDIUM)


def _decision_json(d: Decision) -> dict[str, str]:
    return {"address": d.address, "transport": d.transport.value, "action": d.action, "rule": d.rule}


def _date_header(raw: bytes) -> str:
    head = raw[:8192].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(b"date:"):
            return line[5:].decode("ascii", "replace").strip()
    return ""

