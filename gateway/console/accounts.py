"""Console accounts: argon2 password hashes, roles, lockout after repeated failures."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from gateway.store import ConsoleUser, QuarantineStore, as_utc

ROLES = ("reviewer", "approver", "auditor", "admin")
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
_hasher = PasswordHasher()


class AccountError(Exception):
    pass


def _check_roles(roles: list[str]) -> str:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise AccountError(f"roles must be some of {', '.join(ROLES)}")
    return ",".join(roles)


def add_user(store: QuarantineStore, name: str, password: str, roles: list[str], actor: str) -> None:
    if len(password) < 12:
        raise AccountError("a password needs at least 12 characters")
    with store.session() as session:
        if session.get(ConsoleUser, name) is not None:
            raise AccountError(f"user {name!r} already exists")
        session.add(ConsoleUser(name=name, password_hash=_hasher.hash(password), roles=_check_roles(roles), disabled=False, failed_logins=0))
        session.commit()
    store.audit(actor, "user-add", None, {"user": name, "roles": roles})


def set_password(store: QuarantineStore, name: str, password: str, actor: str) -> None:
    if len(password) < 12:
        raise AccountError("a password needs at least 12 characters")
    with store.session() as session:
        user = session.get(ConsoleUser, name)
        if user is None:
            raise AccountError(f"no user {name!r}")
        user.password_hash, user.failed_logins, user.locked_until = _hasher.hash(password), 0, None
        session.commit()
    store.audit(actor, "user-passwd", None, {"user": name})


def disable_user(store: QuarantineStore, name: str, actor: str) -> None:
    with store.session() as session:
        user = session.get(ConsoleUser, name)
        if user is None:
            raise AccountError(f"no user {name!r}")
        user.disabled = True
        session.commit()
    store.audit(actor, "user-disable", None, {"user": name})


def list_users(store: QuarantineStore) -> list[ConsoleUser]:
    with store.session() as session:
        return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.name)))


def authenticate(store: QuarantineStore, name: str, password: str, now: dt.datetime | None = None) -> ConsoleUser:
    """The user, or AccountError with a message that does not say which part was wrong."""
    now = now or dt.datetime.now(dt.UTC)
    with store.session() as session:
        user = session.get(ConsoleUser, name)
        if user is None or user.disabled:
            _hasher.hash(password)  # same work either way: no timing hint that the name exists
            raise AccountError("wrong name or password")
        locked = as_utc(user.locked_until) if user.locked_until else None
        if locked and locked > now:
            raise AccountError("too many failed attempts: this account is locked for a while; try again later or ask an admin")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
            session.commit()
            raise AccountError("wrong name or password") from None
        user.failed_logins, user.locked_until = 0, None
        session.commit()
        return user
