"""Quarantine review: the one implementation behind the CLI (and later the console).

Every decision carries a recorded reason (policy: "The Council will always record
its reasons for deciding not to observe any duty of confidence"), every release is
audited and confirmed to the sender in writing, and a high-risk release needs a
second, different approver before anything is delivered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import delete, select

from gateway.config import Config
from gateway.crypto import MessageCipher
from gateway.delivery import Deliverer, PermanentDeliveryError, TemporaryDeliveryError, make_deliverer
from gateway.notify import mask_spans
from gateway.store import HeldMessage, QuarantineStore

DECIDED = ("released", "rejected")


class ReviewError(Exception):
    """A review action that was refused; the message says why, in plain words."""


def open_store(config: Config) -> QuarantineStore:
    q = config.quarantine
    return QuarantineStore(q.url, MessageCipher.from_settings(q.key_file, q.key_env))


def sender_address(config: Config) -> str:
    internal = config.domains.internal[0].lstrip("*.") if config.domains.internal else "localhost"
    return config.notify.from_address or f"postmaster@{internal}"


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    risk: str | None = None
    sender: str | None = None
    domain: str | None = None
    finding_type: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class Review:
    def __init__(self, config: Config, store: QuarantineStore | None = None,
                 next_hop: Deliverer | None = None, encryption_relay: Deliverer | None = None) -> None:
        self.config = config
        self.store = store or open_store(config)
        timeout, host = config.relay.timeout_seconds, config.smtp.hostname
        self.next_hop = next_hop or make_deliverer(config.relay.next_hop, timeout, host)
        self.encryption_relay = encryption_relay or (
            make_deliverer(config.relay.encryption_relay, timeout, host) if config.relay.encryption_relay else None)
        self._engine: Any = None  # loaded on first use: listing needs no model

    # -- who --------------------------------------------------------------------
    def identify(self, name: str | None) -> str:
        who = (name or getpass.getuser()).strip()
        allowed = self.config.review.reviewers
        if allowed and who not in allowed:
            raise ReviewError(f"{who!r} is not a configured reviewer ([review] reviewers)")
        return who

    # -- reading ------------------------------------------------------------------
    def search(self, filters: Filters = Filters()) -> list[HeldMessage]:
        query = select(HeldMessage).order_by(HeldMessage.urgent.desc(), HeldMessage.received_at)
        if filters.status:
            query = query.where(HeldMessage.status == filters.status)
        if filters.risk:
            query = query.where(HeldMessage.risk == filters.risk)
        if filters.sender:
            query = query.where(HeldMessage.sender == filters.sender.lower())
        if filters.domain:
            query = query.where(HeldMessage.recipient_domains.contains(f",{filters.domain.lower()},"))
        if filters.finding_type:
            query = query.where(HeldMessage.finding_types.contains(f",{filters.finding_type.upper()},"))
        if filters.since:
            query = query.where(HeldMessage.received_at >= filters.since)
        if filters.until:
            query = query.where(HeldMessage.received_at < filters.until)
        with self.store.session() as session:
            return list(session.scalars(query))

    def get(self, reference: str) -> HeldMessage:
        row = self.store.get(reference)
        if row is None:
            raise ReviewError(f"no held message {reference}")
        return row

    def show(self, reference: str, reveal_reason: str | None = None, actor: str | None = None) -> dict[str, Any]:
        """The message's facts and its findings in context, masked; raw values only with a reason (audited)."""
        row = self.get(reference)
        reveal = reveal_reason is not None
        if reveal:
            if not reveal_reason or not reveal_reason.strip():
                raise ReviewError("a reveal needs a reason (--reason TEXT): it is written to the audit log")
            actor = self.identify(actor)
        analysis, masked_texts = self._analysis(row)
        findings = []
        for f in analysis.findings:
            text = (analysis.pieces if reveal else masked_texts).get(f.where, "")
            before, after = text[max(0, f.start - 40) : f.start], text[f.end : f.end + 40]
            item = f.to_json(reveal=reveal)
            item["context"] = " ".join(f"{before}[{f.text if reveal else f.masked}]{after}".split())
            findings.append(item)
        if reveal:
            self.store.audit(str(actor), "reveal", reference, {"reason": reveal_reason, "findings": len(findings)})
        return {**summary(row, self.needs_second_approver(row)), "subject": self.store.subject_text(row) if reveal else _masked_subject(self.store.subject_text(row), findings),
                "findings": findings, "release_request": row.release_request}

    def _analysis(self, row: HeldMessage) -> tuple[Any, dict[str, str]]:
        """Re-run the detectors on the held message (raw values are never stored) and mask every finding.

        Masks keep lengths, so offsets into the masked texts are the findings' own."""
        from detectors.engine import Engine
        from gateway.config import detector_settings

        if self._engine is None:
            self._engine = Engine(detector_settings(self.config))
        analysis = self._engine.analyze(self.store.message_bytes(row))
        masked_texts = {}
        for where, text in analysis.pieces.items():
            chars = list(text)
            for f in analysis.findings:
                if f.where == where and f.end > f.start:
                    chars[f.start : f.end] = list(f.masked)
            masked_texts[where] = "".join(chars)
        return analysis, masked_texts

    def highlighted(self, reference: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
        """Each extracted text as segments (text, finding type or None), values masked."""
        analysis, masked = self._analysis(self.get(reference))
        out = []
        for where, text in masked.items():
            spans = sorted((f.start, f.end, f.type.value) for f in analysis.findings if f.where == where and f.end > f.start)
            segments: list[tuple[str, str | None]] = []
            cursor = 0
            for start, end, kind in spans:
                if start < cursor:
                    continue
                segments += [(text[cursor:start], None), (text[start:end], kind)]
                cursor = end
            segments.append((text[cursor:], None))
            out.append((where, segments))
        return out

    # -- senders (the signed link in their explanation) ----------------------------------
    def sender_reroute_encrypted(self, reference: str, sender: str) -> str:
        """The sender chose the encryption route: the transport becomes secure, so no reviewer is needed."""
        row = self.get(reference)
        if row.sender != sender.lower():
            raise ReviewError("this link is for another message")
        if self.encryption_relay is None:
            raise ReviewError("no encryption relay is configured")
        if row.status != "held":
            raise ReviewError(f"{reference} is {row.status}: it can no longer be re-routed")
        request = {"requested_by": f"sender:{sender}", "reason": "sender chose the encryption route", "basis": "sent encrypted",
                   "via": "encrypt", "at": dt.datetime.now(dt.UTC).isoformat()}
        return self._deliver(row, request, f"sender:{sender}", expected="held")

    def sender_asks_release(self, reference: str, sender: str, justification: str, basis: str) -> None:
        row = self.get(reference)
        if row.sender != sender.lower():
            raise ReviewError("this link is for another message")
        justification = _required(justification, "please say why it should be released")
        self.store.audit(f"sender:{sender}", "sender-release-request", reference, {"justification": justification, "basis": self._basis(basis)})

    def sender_reports_false_positive(self, reference: str, sender: str) -> None:
        from gateway.store import FalsePositiveReport

        row = self.get(reference)
        if row.sender != sender.lower():
            raise ReviewError("this link is for another message")
        now = dt.datetime.now(dt.UTC)
        with self.store.session() as session:
            for detector in sorted({f["detector"] for f in row.findings}):
                session.add(FalsePositiveReport(reference=reference, detector=detector, reported_at=now))
            session.commit()
        self.store.audit(f"sender:{sender}", "false-positive-report", reference, {"detectors": sorted({f["detector"] for f in row.findings})})

    # -- deciding ---------------------------------------------------------------
    def needs_second_approver(self, row: HeldMessage) -> bool:
        review = self.config.review
        types = {t for t in row.finding_types.split(",") if t}
        return row.risk in review.four_eyes_risks or bool(types & set(review.four_eyes_types))

    def release(self, reference: str, reason: str, actor: str | None = None, basis: str | None = None, via: str = "next-hop") -> str:
        actor = self.identify(actor)
        reason = _required(reason, "a release needs a reason (--reason TEXT)")
        basis = self._basis(basis)
        if via not in ("next-hop", "encrypt"):
            raise ReviewError("--via must be 'next-hop' or 'encrypt'")
        if via == "encrypt" and self.encryption_relay is None:
            raise ReviewError("no encryption relay is configured ([relay] encryption_relay)")
        row = self.get(reference)
        if row.status != "held":
            raise ReviewError(f"{reference} is {row.status}, not held")
        request = {"requested_by": actor, "reason": reason, "basis": basis, "via": via,
                   "at": dt.datetime.now(dt.UTC).isoformat()}
        if self.needs_second_approver(row):
            if not self.store.transition(reference, ["held"], "awaiting-approval", release_request=request):
                raise ReviewError(f"{reference} was decided by someone else a moment ago")
            self.store.audit(actor, "release-requested", reference, {"reason": reason, "basis": basis, "via": via})
            return f"{reference}: release requested; a second approver must run 'quarantine approve {reference}'"
        return self._deliver(row, request, actor, expected="held")

    def approve(self, reference: str, reason: str, actor: str | None = None) -> str:
        actor = self.identify(actor)
        reason = _required(reason, "an approval needs a reason (--reason TEXT)")
        row = self.get(reference)
        if row.status != "awaiting-approval" or not row.release_request:
            raise ReviewError(f"{reference} is {row.status}: there is no release waiting for approval")
        if actor == row.release_request.get("requested_by"):
            raise ReviewError("the second approval must come from a different person than the one who asked for the release")
        if self.config.review.approvers and actor not in self.config.review.approvers:
            raise ReviewError(f"{actor!r} is not a configured approver ([review] approvers)")
        self.store.audit(actor, "approve", reference, {"reason": reason})
        request = {**row.release_request, "approved_by": actor, "approval_reason": reason}
        return self._deliver(row, request, actor, expected="awaiting-approval")

    def reject(self, reference: str, reason: str, actor: str | None = None) -> str:
        actor = self.identify(actor)
        reason = _required(reason, "a rejection needs a reason (--reason TEXT)")
        row = self.get(reference)
        now = dt.datetime.now(dt.UTC)
        if not self.store.transition(reference, ["held", "awaiting-approval"], "rejected", decided_at=now):
            raise ReviewError(f"{reference} is {self.get(reference).status}: it can no longer be rejected")
        self.store.audit(actor, "reject", reference, {"reason": reason})
        self._tell_sender(row, released=False, request={"reason": reason, "requested_by": actor}, when=now)
        return f"{reference}: rejected; the sender has been told"

    def _deliver(self, row: HeldMessage, request: dict[str, Any], actor: str, expected: str) -> str:
        reference = str(row.reference)
        # Exactly once: only the process whose update moves the row wins the release.
        if not self.store.transition(reference, [expected], "releasing", release_request=request):
            raise ReviewError(f"{reference} is already being released or was decided by someone else")
        recipients = [h["address"] for h in row.held_recipients]
        deliverer = self.encryption_relay if request.get("via") == "encrypt" else self.next_hop
        assert deliverer is not None
        try:
            outcome = asyncio.run(deliverer.deliver(row.sender, recipients, self.store.message_bytes(row)))
        except (TemporaryDeliveryError, PermanentDeliveryError) as exc:
            self.store.transition(reference, ["releasing"], expected)
            self.store.audit(actor, "release-failed", reference, {"error": str(exc)[:200]})
            raise ReviewError(f"{reference} was NOT released and is still {expected}: {exc}") from exc
        now = dt.datetime.now(dt.UTC)
        self.store.transition(reference, ["releasing"], "released", decided_at=now)
        self.store.audit(actor, "release", reference, {
            "reason": request["reason"], "basis": request.get("basis"), "via": request.get("via"),
            "requested_by": request.get("requested_by"), "approved_by": request.get("approved_by"),
            "recipients": outcome.accepted, "refused": sorted(outcome.refused)})
        self._tell_sender(row, released=True, request=request, when=now, delivered=outcome.accepted)
        return f"{reference}: released to {', '.join(outcome.accepted) or 'nobody (all refused)'}; the sender has been told"

    def purge(self, actor: str | None = None, now: dt.datetime | None = None) -> int:
        """Delete decided messages older than the retention; their audit entries stay."""
        actor = self.identify(actor)
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=self.config.quarantine.retention_days)
        with self.store.session() as session:
            references = list(session.scalars(select(HeldMessage.reference).where(
                HeldMessage.status.in_(DECIDED), HeldMessage.decided_at < cutoff)))
            if references:
                session.execute(delete(HeldMessage).where(HeldMessage.reference.in_(references)))
                session.commit()
        self.store.audit(actor, "purge", None, {"deleted": references, "retention_days": self.config.quarantine.retention_days})
        return len(references)

    def rekey(self, actor: str | None = None) -> int:
        """Re-encrypt every held message with the first configured key (key rotation)."""
        actor = self.identify(actor)
        count = 0
        with self.store.session() as session:
            for row in session.scalars(select(HeldMessage)):
                row.message = self.store.cipher.rotate(row.message)
                row.subject = self.store.cipher.rotate(row.subject)
                count += 1
            session.commit()
        self.store.audit(actor, "rekey", None, {"messages": count})
        return count

    # -- writing to the sender -----------------------------------------------------
    def _tell_sender(self, row: HeldMessage, released: bool, request: dict[str, Any], when: dt.datetime,
                     delivered: Sequence[str] = ()) -> None:
        """Written confirmation (policy: "noted and confirmed in writing"). Failure is audited, not fatal."""
        subject = _masked_subject(self.store.subject_text(row), row.findings)
        lines = [f"Your message \"{subject}\" (held as {row.reference}) was "
                 + ("released." if released else "not released: it will not be sent."), ""]
        if released:
            route = "the council's encrypted email service" if request.get("via") == "encrypt" else "the normal mail route"
            lines += [f"Passed to: {', '.join(delivered)}", f"When: {when:%d %B %Y %H:%M} UTC", f"Route: {route}",
                      f"Legal basis: {request.get('basis')}", f"Reason recorded: {request['reason']}",
                      f"Released by: {request.get('requested_by')}" + (f", approved by {request['approved_by']}" if request.get("approved_by") else "")]
        else:
            lines += [f"When: {when:%d %B %Y %H:%M} UTC", f"Reason recorded: {request['reason']}", f"Decided by: {request.get('requested_by')}",
                      "", "To share this information, use a secure route: " + ", ".join(self.config.domains.secure)]
        msg = EmailMessage()
        msg["From"] = sender_address(self.config)
        msg["To"] = row.sender
        msg["Subject"] = f"{'Released' if released else 'Not released'}: {subject}"[:200]
        msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        msg["Message-ID"] = make_msgid(domain=sender_address(self.config).rsplit("@", 1)[-1])
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content("\n".join(lines) + "\n")
        try:
            asyncio.run(self.next_hop.deliver(sender_address(self.config), [row.sender], msg.as_bytes()))
        except (TemporaryDeliveryError, PermanentDeliveryError) as exc:
            self.store.audit("gateway", "confirmation-failed", row.reference, {"error": str(exc)[:200]})

    def _basis(self, basis: str | None) -> str:
        bases = self.config.review.legal_bases
        if not basis:
            raise ReviewError("a release needs a legal basis (--basis): one of " + "; ".join(repr(b) for b in bases))
        matches = [b for b in bases if b.lower().startswith(basis.lower())]
        if len(matches) != 1:
            raise ReviewError(f"unknown legal basis {basis!r}; allowed: " + "; ".join(repr(b) for b in bases))
        return matches[0]


def summary(row: HeldMessage, four_eyes: bool | None = None) -> dict[str, Any]:
    return {
        "id": row.reference,
        "status": row.status,
        "risk": row.risk,
        "urgent": row.urgent,
        "received_at": row.received_at.isoformat(),
        "sender": row.sender,
        "held_recipients": row.held_recipients,
        "finding_types": [t for t in row.finding_types.split(",") if t],
        "four_eyes": four_eyes,
    }


def _required(value: str | None, message: str) -> str:
    if value is None or not value.strip():
        raise ReviewError(message)
    return value.strip()


def _masked_subject(subject: str, findings: Sequence[dict[str, Any]]) -> str:
    return mask_spans(subject, [(f["start"], f["end"], f["masked"]) for f in findings if f.get("where") == "subject"])
