"""The quarantine store and its audit log (SQLAlchemy 2, schema by Alembic).

SQLite (WAL) by default; PostgreSQL by URL so several gateways share one
quarantine. Held messages and their subjects are sealed with the quarantine key
when one is configured. A fingerprint of envelope and content makes ``hold``
idempotent: an upstream retry after a 451 never stores a message twice.

Status of a held message::

    held --release--> releasing --> released
    held --release (four-eyes)--> awaiting-approval --approve--> releasing --> released
    held | awaiting-approval --reject--> rejected
    a failed delivery puts `releasing` back to where it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, LargeBinary, String, Text, create_engine, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from gateway.crypto import MessageCipher

GENESIS = "0" * 64


class Base(DeclarativeBase):
    pass


class HeldMessage(Base):
    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    sender: Mapped[str] = mapped_column(String(320), index=True)
    held_recipients: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # address, transport, action, rule
    all_recipients: Mapped[list[str]] = mapped_column(JSON)
    recipient_domains: Mapped[str] = mapped_column(String(2000), default="")  # ",a.com,b.org," for filtering
    risk: Mapped[str] = mapped_column(String(16), index=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # masked: never a raw value
    finding_types: Mapped[str] = mapped_column(String(500), default="")  # ",NHS_NUMBER,PERSON,"
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), default="held", index=True)
    subject: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    message: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    release_request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    reference: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON; masked values only
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class ConsoleUser(Base):
    __tablename__ = "console_users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LinkUse(Base):
    __tablename__ = "link_uses"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FalsePositiveReport(Base):
    __tablename__ = "false_positive_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32))
    detector: Mapped[str] = mapped_column(String(100), index=True)
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def fingerprint(sender: str, recipients: Sequence[str], message: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(sender.lower().encode() + b"\0")
    for rcpt in sorted(r.lower() for r in recipients):
        digest.update(rcpt.encode() + b"\0")
    digest.update(message)
    return digest.hexdigest()


def entry_hash(seq: int, at: dt.datetime, actor: str, action: str, reference: str | None, details: str, prev: str) -> str:
    material = json.dumps([seq, as_utc(at).isoformat(), actor, action, reference, details, prev], separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


class QuarantineStore:
    _open: weakref.WeakSet[QuarantineStore] = weakref.WeakSet()

    def __init__(self, url: str, cipher: MessageCipher | None = None) -> None:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self.cipher = cipher or MessageCipher([])
        migrate(self.engine)
        QuarantineStore._open.add(self)

    def close(self) -> None:
        self.engine.dispose()

    def __del__(self) -> None:
        # Close pooled connections explicitly; a driver warns when one is garbage-collected open.
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()

    @classmethod
    def close_all(cls) -> None:
        """Close every store's connections (at shutdown, and between tests)."""
        for store in list(cls._open):
            store.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # -- holding -------------------------------------------------------------
    def hold(self, *, sender: str, recipients: Sequence[str], message: bytes, held: list[dict[str, str]],
             risk: str, findings: list[dict[str, Any]], subject: str = "", urgent: bool = False,
             now: dt.datetime | None = None) -> str:
        """Store the message (once) and return its reference, e.g. ``Q-2026-000123``."""
        key = fingerprint(sender, recipients, message)
        now = now or dt.datetime.now(dt.UTC)
        with self.session() as session:
            existing = session.scalar(select(HeldMessage.reference).where(HeldMessage.fingerprint == key))
            if existing:
                return existing
            row = HeldMessage(
                fingerprint=key, received_at=now, sender=sender.lower(), held_recipients=held,
                all_recipients=list(recipients),
                recipient_domains="," + ",".join(sorted({h["address"].rsplit("@", 1)[-1] for h in held})) + ",",
                risk=risk, findings=findings, finding_types="," + ",".join(sorted({f["type"] for f in findings})) + ",",
                urgent=urgent, status="held", subject=self.cipher.seal(subject.encode()), message=self.cipher.seal(message),
            )
            session.add(row)
            try:
                session.flush()
                row.reference = f"Q-{now.year}-{row.id:06d}"
                self._append(session, "gateway", "quarantine", row.reference,
                             {"risk": risk, "held": [h["address"].rsplit("@", 1)[-1] for h in held],
                              "finding_types": sorted({f["type"] for f in findings}), "urgent": urgent}, now)
                session.commit()
            except IntegrityError:
                # Another gateway instance stored the same message a moment ago.
                session.rollback()
                existing = session.scalar(select(HeldMessage.reference).where(HeldMessage.fingerprint == key))
                if existing is None:
                    raise
                return existing
            assert row.reference is not None
            return row.reference

    def get(self, reference: str) -> HeldMessage | None:
        with self.session() as session:
            return session.scalar(select(HeldMessage).where(HeldMessage.reference == reference))

    def transition(self, reference: str, expected: Sequence[str], new: str, **values: Any) -> bool:
        """Move a message from one of ``expected`` to ``new`` atomically; False if someone else did first."""
        with self.session() as session:
            result = session.execute(
                update(HeldMessage).where(HeldMessage.reference == reference, HeldMessage.status.in_(list(expected)))
                .values(status=new, **values)
            )
            session.commit()
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def message_bytes(self, row: HeldMessage) -> bytes:
        return self.cipher.open(row.message)

    def subject_text(self, row: HeldMessage) -> str:
        return self.cipher.open(row.subject).decode("utf-8", "replace")

    # -- audit ---------------------------------------------------------------
    def audit(self, actor: str, action: str, reference: str | None, details: dict[str, Any]) -> None:
        with self.session() as session:
            self._append(session, actor, action, reference, details, dt.datetime.now(dt.UTC))
            session.commit()

    def _append(self, session: Session, actor: str, action: str, reference: str | None, details: dict[str, Any], now: dt.datetime) -> None:
        # Taking the chain head's row first serialises writers (a row lock in
        # PostgreSQL, the write lock in SQLite), so the chain never forks.
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
        head = session.scalars(select(AuditHead).where(AuditHead.id == 1)).one()
        session.refresh(head)
        text = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = entry_hash(head.seq, now, actor, action, reference, text, head.last_hash)
        session.add(AuditEntry(seq=head.seq, at=now, actor=actor, action=action, reference=reference, details=text,
                               prev_hash=head.last_hash, entry_hash=digest))
        head.last_hash = digest

    def record_start(self, config_hash: str) -> None:
        """Audit each start; a configuration that differs from the last start is a config change."""
        with self.session() as session:
            last = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(["start", "config-change"]))
                                   .order_by(AuditEntry.id.desc()).limit(1)).first()
        changed = last is None or json.loads(last.details).get("config_sha256") != config_hash
        self.audit("gateway", "config-change" if changed else "start", None, {"config_sha256": config_hash})

    def audit_entries(self) -> list[AuditEntry]:
        with self.session() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))

    def audit_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["seq", "at", "actor", "action", "reference", "details", "prev_hash", "entry_hash"])
        for e in self.audit_entries():
            writer.writerow([e.seq, as_utc(e.at).isoformat(), e.actor, e.action, e.reference or "", e.details, e.prev_hash, e.entry_hash])
        return out.getvalue()

    def verify_audit(self) -> list[ChainProblem]:
        """Every edited, removed or reordered entry shows as a broken link."""
        problems: list[ChainProblem] = []
        prev, expected_seq = GENESIS, 1
        entries = self.audit_entries()
        for entry in entries:
            if entry.seq != expected_seq:
                problems.append(ChainProblem(entry.seq, f"expected entry {expected_seq} here: entries removed or reordered"))
            if entry.prev_hash != prev:
                problems.append(ChainProblem(entry.seq, "does not follow the entry before it"))
            if entry_hash(entry.seq, entry.at, entry.actor, entry.action, entry.reference, entry.details, entry.prev_hash) != entry.entry_hash:
                problems.append(ChainProblem(entry.seq, "content does not match its hash: edited"))
            prev, expected_seq = entry.entry_hash, entry.seq + 1
        with self.session() as session:
            head = session.scalars(select(AuditHead).where(AuditHead.id == 1)).one()
        if head.last_hash != prev or head.seq != expected_seq - 1:
            problems.append(ChainProblem(head.seq, "the newest entries are missing"))
        return problems


def migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin_immediate)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a held message survives a power cut
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock at BEGIN: two processes deciding on one message serialise
    # instead of failing with "database is locked" half-way through.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
