"""The staff explanation: what was stopped, why in plain English (values masked),
the policy it enforces, and exactly how to send it securely. Rendered from
templates in config/ that a council can reword; sent only to internal senders."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2

from detectors.findings import Finding, FindingType
from gateway.policy import Decision, Transport

PLAIN_NAMES = {
    FindingType.PERSON: "a person's name",
    FindingType.NHS_NUMBER: "an NHS number",
    FindingType.NI_NUMBER: "a National Insurance number",
    FindingType.UPN: "a Unique Pupil Number",
    FindingType.ULN: "a Unique Learner Number",
    FindingType.DATE_OF_BIRTH: "a date of birth",
    FindingType.UK_POSTCODE: "a home postcode",
    FindingType.ADDRESS: "a home address",
    FindingType.PHONE: "a personal phone number",
    FindingType.EMAIL: "a personal email address",
    FindingType.BANK_ACCOUNT: "bank account details",
    FindingType.CARD_NUMBER: "a payment card number",
    FindingType.IBAN: "an IBAN",
    FindingType.PASSPORT: "a passport number",
    FindingType.DRIVING_LICENCE: "a driving licence number",
    FindingType.CASE_REFERENCE: "a case reference",
    FindingType.CANNOT_INSPECT: "an attachment that could not be checked",
}
OUTCOMES = {
    "quarantine": "held for review",
    "bounce": "not sent",
    "reject": "not sent",
}


def describe_findings(findings: Sequence[Finding], limit: int = 4) -> str:
    """'what looks like an NHS number (943 *** **19) and a person's name (T**** W***)'."""
    examples: OrderedDict[FindingType, list[str]] = OrderedDict()
    for f in sorted(findings, key=lambda f: -f.score):
        if f.score < 0.6 and f.type is not FindingType.CANNOT_INSPECT:
            continue
        shown = examples.setdefault(f.type, [])
        sample = f.explanation if f.type is FindingType.CANNOT_INSPECT else f.masked
        if not shown:  # one example per type is enough to recognise it
            shown.append(sample)
    parts = [f"{PLAIN_NAMES[t]} ({', '.join(s)})" for t, s in list(examples.items())[:limit]]
    if not parts:
        return "what looks like personal information about a service user"
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return "what looks like " + joined


@dataclass(frozen=True)
class NotificationSettings:
    from_address: str
    help_contact: str
    secure_domains: Sequence[str]
    encryption_tag: str | None  # None when no encryption relay is configured
    template_dir: Path


class Notifier:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(settings.template_dir)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def build(self, *, sender: str, subject: str, date: str, decisions: Sequence[Decision],
              findings: Sequence[Finding], reference: str | None, link: str | None = None) -> EmailMessage:
        stopped = [d for d in decisions if d.action in OUTCOMES]
        insecure = sorted({d.address.rsplit("@", 1)[-1] for d in stopped if d.transport is Transport.INSECURE})
        context = {
            "subject": _masked_subject(subject, findings),
            "date": date or "(no date)",
            "delivered": [d.address for d in decisions if d.action in ("deliver", "encrypt")],
            "stopped": [{"address": d.address, "outcome": OUTCOMES[d.action]} for d in stopped],
            "found": describe_findings(findings),
            "insecure_domains": ", ".join(insecure) or "the recipient's address",
            "insecure_count": max(len(insecure), 1),
            "secure_domains": ", ".join(self.settings.secure_domains) or "(none configured)",
            "encryption_tag": self.settings.encryption_tag,
            "reference": reference,
            "help_contact": self.settings.help_contact,
            "link": link,
        }
        msg = EmailMessage()
        msg["From"] = self.settings.from_address
        msg["To"] = sender
        msg["Subject"] = f"Not sent: {context['subject']}"[:200]
        msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        msg["Message-ID"] = make_msgid(domain=self.settings.from_address.rsplit("@", 1)[-1])
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        msg.set_content(self.env.get_template("notification.txt.j2").render(context))
        msg.add_alternative(self.env.get_template("notification.html.j2").render(context), subtype="html")
        return msg


def _masked_subject(subject: str, findings: Sequence[Finding]) -> str:
    return mask_spans(subject, [(f.start, f.end, f.masked) for f in findings if f.where == "subject"])


def mask_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, masked) span replaced by its masked form."""
    out, cursor = [], 0
    for start, end, masked in sorted(s for s in spans if s[1] > s[0]):
        if start < cursor:
            continue
        out += [text[cursor:start], masked]
        cursor = end
    return "".join(out) + text[cursor:]
