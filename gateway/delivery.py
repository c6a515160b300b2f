"""Delivery to the next hop, behind one method: ``deliver(sender, recipients, message)``.

`smtp://host:port` (aiosmtplib) for production, `maildir:PATH` for the shipped
default. A temporary failure anywhere raises ``TemporaryDeliveryError`` before
any recipient got the message, so the caller can answer 451 and lose nothing.
"""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiosmtplib


class TemporaryDeliveryError(Exception):
    """The next hop is down or said 4xx: nothing was delivered; try again later."""


class PermanentDeliveryError(Exception):
    """The next hop refused the whole message with 5xx."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


@dataclass
class DeliveryOutcome:
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> the next hop's 5xx reply


class Deliverer(Protocol):
    async def deliver(self, sender: str, recipients: Sequence[str], message: bytes) -> DeliveryOutcome: ...


class SmtpDeliverer:
    def __init__(self, host: str, port: int, timeout: float, local_hostname: str, use_tls: bool = False) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.local_hostname = local_hostname
        self.use_tls = use_tls

    async def deliver(self, sender: str, recipients: Sequence[str], message: bytes) -> DeliveryOutcome:
        client = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, timeout=self.timeout, local_hostname=self.local_hostname,
            use_tls=self.use_tls, start_tls=False if not self.use_tls else None,
        )
        outcome = DeliveryOutcome()
        try:
            await client.connect()
            await client.mail(sender)
            for rcpt in recipients:
                try:
                    await client.rcpt(rcpt)
                    outcome.accepted.append(rcpt)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    if 400 <= exc.code < 500:
                        # One temporary refusal: deliver to nobody now, so the retry is whole.
                        await _quietly_reset(client)
                        raise TemporaryDeliveryError(f"next hop deferred a recipient ({exc.code})") from exc
                    outcome.refused[rcpt] = f"{exc.code} {exc.message}"
            if outcome.accepted:
                await client.data(message)
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500 or exc.code == -1:
                raise TemporaryDeliveryError(f"next hop answered {exc.code}") from exc
            raise PermanentDeliveryError(exc.code, exc.message) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryDeliveryError(f"next hop unreachable ({type(exc).__name__})") from exc
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        return outcome


async def _quietly_reset(client: aiosmtplib.SMTP) -> None:
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        pass


class MaildirDeliverer:
    """The shipped default's next hop: one Maildir, one file per recipient."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    async def deliver(self, sender: str, recipients: Sequence[str], message: bytes) -> DeliveryOutcome:
        return await asyncio.to_thread(self._write, sender, list(recipients), message)

    def _write(self, sender: str, recipients: list[str], message: bytes) -> DeliveryOutcome:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            box = mailbox.Maildir(str(self.path), create=True)
            for rcpt in recipients:
                envelope = f"Return-Path: <{sender}>\r\nDelivered-To: {rcpt}\r\n".encode()
                box.add(envelope + message)
        except OSError as exc:
            raise TemporaryDeliveryError(f"cannot write to the Maildir ({exc.strerror})") from exc
        return DeliveryOutcome(accepted=recipients)


def make_deliverer(url: str, timeout: float, local_hostname: str) -> Deliverer:
    if url.startswith("maildir:"):
        return MaildirDeliverer(url.removeprefix("maildir:"))
    scheme, _, rest = url.partition("://")
    host, _, port = rest.rstrip("/").rpartition(":")
    return SmtpDeliverer(host, int(port), timeout, local_hostname, use_tls=scheme == "smtps")
