"""A real gateway process on a loopback port, with real aiosmtpd sinks as its next
hop and encryption relay. Used by the relay tests and benchmarks/relay_load.py."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class SinkHandler:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK"


class Sink:
    """A real SMTP server that keeps what it receives."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = SinkHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> Sink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return list(self.handler.messages)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.handler.messages) < count:
            time.sleep(0.05)
        return self.messages


@dataclass
class Gateway:
    port: int
    process: subprocess.Popen[bytes]
    db: Path
    log: Path
    config: Path
    log_handle: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def held(self) -> list[tuple[str, str]]:
        if not self.db.exists():
            return []
        with sqlite3.connect(self.db) as conn:
            return conn.execute("select reference, status from quarantine order by id").fetchall()

    def worker_pids(self) -> list[int]:
        # Children are listed per thread that started them (the pool starts from a worker thread).
        pids = [int(p) for task in Path(f"/proc/{self.process.pid}/task").iterdir()
                for p in (task / "children").read_text().split()]
        # The spawn start method also runs a resource tracker; the scan workers load spaCy.
        return [pid for pid in pids if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def stop(self) -> int:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    return self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            return self.process.wait()
        finally:
            if self.log_handle is not None:
                self.log_handle.close()


def start_gateway(tmp: Path, next_hop: str, encryption_relay: str = "", extra_toml: str = "", smtp_toml: str = "",
                  actions: str = "", workers: int = 1, timeout: float = 60, port: int | None = None) -> Gateway:
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    db = tmp / "quarantine.db"
    config = tmp / "gateway.toml"
    config.write_text(f"""
[smtp]
listen = "127.0.0.1:{port}"
hostname = "dlp-gateway.test"
{smtp_toml}
[relay]
next_hop = "{next_hop}"
encryption_relay = "{encryption_relay}"
timeout_seconds = 5
[domains]
internal = ["halton.gov.uk"]
secure = ["nhs.net", "*.nhs.net", "cjsm.net", "*.police.uk"]
[policy.actions]
{actions}
[detectors]
workers = {workers}
scan_timeout_seconds = {timeout}
[quarantine]
url = "sqlite:///{db}"
{extra_toml}
""")
    log = tmp / "gateway.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    handle = open(log, "wb")  # noqa: SIM115 - closed by Gateway.stop
    process = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config", str(config)],
                               cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            handle.close()
            raise RuntimeError(f"gateway exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return Gateway(port, process, db, log, config, handle)
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    handle.close()
    raise RuntimeError(f"gateway did not start: {log.read_text()}")
