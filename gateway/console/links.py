"""Signed, expiring, single-use links for senders (itsdangerous): the staff
explanation carries one, so a sender can act on a held message without an account."""

from __future__ import annotations

import datetime as dt
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from gateway.store import LinkUse, QuarantineStore

ACTIONS = ("secure", "request", "false-positive")


class LinkError(Exception):
    pass


class SenderLinks:
    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="dlp-gateway-sender-link")
        self.max_age = max_age_seconds

    def make(self, reference: str, sender: str) -> str:
        return self.serializer.dumps({"ref": reference, "sender": sender, "nonce": secrets.token_hex(16)})

    def read(self, token: str) -> dict[str, str]:
        try:
            data = self.serializer.loads(token, max_age=self.max_age)
        except SignatureExpired as exc:
            raise LinkError("this link has expired") from exc
        except BadSignature as exc:
            raise LinkError("this link is not valid") from exc
        if not isinstance(data, dict) or not {"ref", "sender", "nonce"} <= set(data):
            raise LinkError("this link is not valid")
        return {k: str(v) for k, v in data.items()}

    def use(self, store: QuarantineStore, token: str, action: str) -> dict[str, str]:
        """Check the link and spend it for ``action``: each action works once per link."""
        if action not in ACTIONS:
            raise LinkError("unknown action")
        data = self.read(token)
        with store.session() as session:
            session.add(LinkUse(nonce=data["nonce"], action=action, reference=data["ref"], used_at=dt.datetime.now(dt.UTC)))
            try:
                session.commit()
            except IntegrityError as exc:
                raise LinkError("this link has already been used for that") from exc
        return data
