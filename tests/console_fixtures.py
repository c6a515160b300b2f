"""A console app over a real SQLite store, with real sinks as next hop and encryption relay."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.config import Config
from gateway.console.accounts import add_user
from gateway.console.app import create_app
from gateway.review import Review
from tests.relay_harness import Sink
from tests.test_review import hold

PASSWORD = "correct horse battery"


@dataclass
class Console:
    app: object
    review: Review
    config: Config
    next_hop: Sink
    encryption: Sink


def make_console(tmp: Path, next_hop: Sink, encryption: Sink) -> Console:
    config = Config.model_validate({
        "relay": {"next_hop": f"smtp://127.0.0.1:{next_hop.port}", "encryption_relay": f"smtp://127.0.0.1:{encryption.port}", "timeout_seconds": 5},
        "domains": {"internal": ["halton.gov.uk"], "secure": ["nhs.net"]},
        "quarantine": {"url": f"sqlite:///{tmp / 'console.db'}"},
        "console": {"public_url": "http://127.0.0.1", "teams": {"Duty": ["jo.*@halton.gov.uk"]}},
    })
    review = Review(config)
    for name, roles in (("rita", ["reviewer"]), ("alan", ["approver"]), ("audrey", ["auditor"]), ("ada", ["admin"])):
        add_user(review.store, name, PASSWORD, roles, actor="test")
    return Console(create_app(config, review, secret="test-secret-0123456789"), review, config, next_hop, encryption)


def held(console: Console, body: str, to: str = "someone@gmail.com", subject: str | None = None) -> str:
    return hold(console.review.store, console.config, body, to=to, subject=subject)
