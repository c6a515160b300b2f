"""Reviewer alerts, so a child-protection referral never sits unnoticed:
urgent holds are announced at once, undecided ones escalate to the duty contacts
after `[review] urgent_minutes`, and the rest go into a daily digest.
Alerts carry references, risk and finding types, never a value."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select, update

from gateway.config import Config
from gateway.delivery import Deliverer, PermanentDeliveryError, TemporaryDeliveryError
from gateway.review import sender_address
from gateway.store import HeldMessage, QuarantineStore

WAITING = ("held", "awaiting-approval")


def _line(row: HeldMessage) -> str:
    types = ", ".join(t for t in row.finding_types.split(",") if t)
    domains = ", ".join(d for d in row.recipient_domains.split(",") if d)
    return f"{row.reference}  risk {row.risk}  {row.status}  from {row.sender.rsplit('@', 1)[-1]}  to {domains}  ({types})"


def _email(config: Config, to: Sequence[str], subject: str, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender_address(config)
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender_address(config).rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg.as_bytes()


async def _send(deliverer: Deliverer, config: Config, to: Sequence[str], subject: str, body: str) -> bool:
    if not to:
        return False
    try:
        await deliverer.deliver(sender_address(config), list(to), _email(config, to, subject, body))
        return True
    except (TemporaryDeliveryError, PermanentDeliveryError):
        return False


async def announce_urgent(store: QuarantineStore, deliverer: Deliverer, config: Config, reference: str) -> None:
    row = store.get(reference)
    if row is None or not row.urgent:
        return
    body = (f"An urgent message is held for review (child-protection context):\n\n{_line(row)}\n\n"
            f"Review it now: dlp-gateway quarantine show {reference}\n"
            f"If it is not decided within {config.review.urgent_minutes} minutes the duty contacts are told.\n")
    if await _send(deliverer, config, config.review.reviewer_emails, f"URGENT hold {reference}", body):
        await asyncio.to_thread(_mark, store, reference, "notified_at")
        await asyncio.to_thread(store.audit, "gateway", "urgent-alert", reference, {"to": len(config.review.reviewer_emails)})


def _mark(store: QuarantineStore, reference: str, column: str) -> None:
    with store.session() as session:
        session.execute(update(HeldMessage).where(HeldMessage.reference == reference).values({column: dt.datetime.now(dt.UTC)}))
        session.commit()


async def escalate_overdue(store: QuarantineStore, deliverer: Deliverer, config: Config, now: dt.datetime | None = None) -> list[str]:
    """Urgent holds still undecided after `urgent_minutes` go to the duty contacts (once each)."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(minutes=config.review.urgent_minutes)
    with store.session() as session:
        rows = list(session.scalars(select(HeldMessage).where(
            HeldMessage.urgent.is_(True), HeldMessage.status.in_(WAITING), HeldMessage.escalated_at.is_(None),
            HeldMessage.received_at < cutoff)))
    escalated = []
    for row in rows:
        body = (f"An urgent held message has not been decided within {config.review.urgent_minutes} minutes:\n\n"
                f"{_line(row)}\n\nPlease make sure a reviewer decides it now.\n")
        if await _send(deliverer, config, config.review.duty_contacts, f"ESCALATION: undecided urgent hold {row.reference}", body):
            assert row.reference is not None
            await asyncio.to_thread(_mark, store, row.reference, "escalated_at")
            await asyncio.to_thread(store.audit, "gateway", "escalate", row.reference, {"minutes": config.review.urgent_minutes})
            escalated.append(row.reference)
    return escalated


async def send_digest(store: QuarantineStore, deliverer: Deliverer, config: Config) -> int:
    with store.session() as session:
        rows = list(session.scalars(select(HeldMessage).where(HeldMessage.status.in_(WAITING)).order_by(HeldMessage.received_at)))
    body = (f"{len(rows)} message(s) waiting for review:\n\n" + "\n".join(_line(r) for r in rows) + "\n") if rows else "Nothing is waiting for review.\n"
    sent = await _send(deliverer, config, config.review.reviewer_emails, f"Quarantine digest: {len(rows)} waiting", body)
    if sent:
        await asyncio.to_thread(store.audit, "gateway", "digest", None, {"waiting": len(rows)})
    return len(rows)


async def run_schedule(store: QuarantineStore, deliverer: Deliverer, config: Config, stop: asyncio.Event) -> None:
    """In `serve`: escalate every minute; the digest once a day at `digest_time`."""
    last_digest: dt.date | None = None
    while not stop.is_set():
        await escalate_overdue(store, deliverer, config)
        now = dt.datetime.now()
        hour, minute = (int(x) for x in config.review.digest_time.split(":"))
        if last_digest != now.date() and (now.hour, now.minute) >= (hour, minute):
            await send_digest(store, deliverer, config)
            last_digest = now.date()
        try:
            await asyncio.wait_for(stop.wait(), timeout=60)
        except TimeoutError:
            pass
