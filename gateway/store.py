"""The quarantine store (SQLAlchemy): held messages, written durably before the
SMTP reply. A fingerprint of envelope and content makes ``hold`` idempotent, so
an upstream retry after a 451 never stores the same message twice."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, create_engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class HeldMessage(Base):
    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sender: Mapped[str] = mapped_column(String(320))
    held_recipients: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # address, transport, action, rule
    all_recipients: Mapped[list[str]] = mapped_column(JSON)
    risk: Mapped[str] = mapped_column(String(16))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # masked: never a raw value
    status: Mapped[str] = mapped_column(String(16), default="held")
    message: Mapped[bytes] = mapped_column(LargeBinary)


def fingerprint(sender: str, recipients: Sequence[str], message: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(sender.lower().encode() + b"\0")
    for rcpt in sorted(r.lower() for r in recipients):
        digest.update(rcpt.encode() + b"\0")
    digest.update(message)
    return digest.hexdigest()


class QuarantineStore:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)

    def hold(self, *, sender: str, recipients: Sequence[str], message: bytes, held: list[dict[str, str]],
             risk: str, findings: list[dict[str, Any]], now: dt.datetime | None = None) -> str:
        """Store the message (once) and return its reference, e.g. ``Q-2026-000123``."""
        key = fingerprint(sender, recipients, message)
        now = now or dt.datetime.now(dt.UTC)
        with Session(self.engine) as session:
            existing = session.scalar(select(HeldMessage.reference).where(HeldMessage.fingerprint == key))
            if existing:
                return existing
            row = HeldMessage(fingerprint=key, received_at=now, sender=sender, held_recipients=held,
                              all_recipients=list(recipients), risk=risk, findings=findings, message=message)
            session.add(row)
            try:
                session.flush()
                row.reference = f"Q-{now.year}-{row.id:06d}"
                session.commit()
            except IntegrityError:
                # Another gateway instance stored the same message a moment ago.
                session.rollback()
                existing = session.scalar(select(HeldMessage.reference).where(HeldMessage.fingerprint == key))
                if existing is None:
                    raise
                return existing
            return row.reference

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(HeldMessage)) or 0)

    def get(self, reference: str) -> HeldMessage | None:
        with Session(self.engine) as session:
            return session.scalar(select(HeldMessage).where(HeldMessage.reference == reference))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a held message survives a power cut
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
