"""Shared fixtures: the engine (spaCy loaded once per test session) and message builders."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from detectors.engine import Engine
from gateway.config import detector_settings, load_config
from tests.relay_harness import Sink

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT / "config" / "gateway.toml")


@pytest.fixture(scope="session")
def engine(config) -> Engine:
    return Engine(detector_settings(config))


@pytest.fixture(scope="module")
def sinks() -> Iterator[tuple[Sink, Sink]]:
    """Two real SMTP servers that keep what they receive: the next hop and the encryption relay."""
    next_hop, encryption = Sink().start(), Sink().start()
    yield next_hop, encryption
    next_hop.stop()
    encryption.stop()


def make_email(body: str = "", subject: str = "Hello", html: str | None = None,
               attachments: list[tuple[str, bytes, str]] | None = None,
               sender: str = "Jo Bloggs <jo.bloggs@halton.gov.uk>", to: str = "Sam Recipient <sam@example.com>",
               charset: str = "utf-8", cte: str = "quoted-printable") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = "<test@halton.gov.uk>"
    if html is not None and not body:
        msg.set_content(html, subtype="html", charset=charset, cte=cte)
    else:
        msg.set_content(body, charset=charset, cte=cte)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments or []:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()
