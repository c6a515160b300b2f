"""End to end with a real Postfix built from docs/deploy-postfix.md, real swaks, the
real gateway as its content filter and an aiosmtpd sink as the final destination.

The Postfix instance lives in the test's temporary folder on loopback ports and is
stopped at the end; nothing else on the machine is touched.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.relay_harness import ROOT, Gateway, Sink, free_port, start_gateway

NHS = "943 476 5919"  # synthetic, checksum-valid
PII = f"Referral regarding Kacper Nowak (DOB 01/02/2015), NHS number {NHS}."
SENDER = "jo.bloggs@halton.gov.uk"
DOC = ROOT / "docs" / "deploy-postfix.md"


def _tools_missing() -> str | None:
    for tool in ("postconf", "postmap", "swaks"):
        if shutil.which(tool) is None:
            return tool
    return None


if _tools_missing() and not os.environ.get("DLP_REQUIRE_POSTFIX"):
    pytest.skip(f"{_tools_missing()} is not installed (apt-get install -y postfix swaks; .ci/run does)", allow_module_level=True)


def doc_block(name: str) -> str:
    match = re.search(rf"```conf {re.escape(name)}\n(.*?)```", DOC.read_text(), re.S)
    assert match, f"docs/deploy-postfix.md has no ```conf {name} block"
    return match.group(1)


@dataclass
class Postfix:
    conf: Path
    queue: Path
    port: int
    maildir: Path

    def stop(self) -> None:
        pid_file = self.queue / "pid" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)

    def queued(self) -> int:
        return sum(1 for d in ("incoming", "active", "deferred") for p in (self.queue / d).rglob("*") if p.is_file())

    def log(self) -> str:
        path = self.conf.parent / "maillog"
        return path.read_text() if path.exists() else ""


def build_postfix(tmp: Path, gateway_port: int, reinject_port: int, sink_port: int, tls_policy: Path) -> Postfix:
    conf, queue, data, mail = tmp / "conf", tmp / "queue", tmp / "data", tmp / "mail"
    for d in (conf, queue, data, mail):
        d.mkdir(parents=True)
    postfix_user = pwd.getpwnam("postfix")
    port = free_port()
    (conf / "vmailbox").write_text(f"{SENDER} {SENDER}/\n")
    documented = doc_block("main.cf").replace("[127.0.0.1]:10025", f"[127.0.0.1]:{gateway_port}").replace(
        "/etc/postfix/tls_policy", str(tls_policy))
    (conf / "main.cf").write_text(f"""
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.halton.test
mydestination =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{sink_port}
maillog_file = {tmp}/maillog
maillog_file_prefixes = {tmp}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
virtual_mailbox_domains = halton.gov.uk
virtual_mailbox_maps = texthash:{conf}/vmailbox
virtual_mailbox_base = {mail}
virtual_uid_maps = static:{postfix_user.pw_uid}
virtual_gid_maps = static:{postfix_user.pw_gid}
smtputf8_enable = no
{documented}
""")
    # -d: the compiled-in default; a fresh "No configuration" install has no main.cf for postconf to read.
    master = Path(subprocess.run(["postconf", "-d", "-h", "config_directory"], capture_output=True, text=True).stdout.strip()) / "master.cf"
    lines = [line for line in master.read_text().splitlines() if not line.startswith("smtp      inet")]
    lines.append(f"127.0.0.1:{port} inet n - n - - smtpd")
    lines.append(doc_block("master.cf").replace("127.0.0.1:10026", f"127.0.0.1:{reinject_port}"))
    (conf / "master.cf").write_text("\n".join(lines) + "\n")
    # The queue layout `postfix check` would make (it refuses unregistered instances).
    for sub in ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private", "saved", "trace"):
        (queue / sub).mkdir(mode=0o700)
        os.chown(queue / sub, postfix_user.pw_uid, -1)
    (queue / "pid").mkdir()
    for sub, mode in (("maildrop", 0o730), ("public", 0o710)):
        (queue / sub).mkdir()
        os.chown(queue / sub, postfix_user.pw_uid, __import__("grp").getgrnam("postdrop").gr_gid)
        os.chmod(queue / sub, mode)
    os.chown(data, postfix_user.pw_uid, -1)
    os.chown(mail, postfix_user.pw_uid, postfix_user.pw_gid)
    daemon_dir = subprocess.run(["postconf", "-d", "-h", "daemon_directory"], capture_output=True, text=True).stdout.strip()
    subprocess.run([f"{daemon_dir}/master", "-w", "-c", str(conf)], check=True, timeout=30)  # -w: return once it runs
    deadline = time.monotonic() + 30
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return Postfix(conf, queue, port, mail / SENDER)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"postfix did not start: {(tmp / 'maillog').read_text() if (tmp / 'maillog').exists() else ''}")


def swaks(postfix: Postfix, to: str, body: str, subject: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["swaks", "--server", f"127.0.0.1:{postfix.port}", "--from", SENDER, "--to", to,
                           "--header", f"Subject: {subject}", "--body", body], capture_output=True, text=True, timeout=60)


def wait(predicate, timeout: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture()
def rig(tmp_path: Path) -> Iterator[tuple[Postfix, Gateway, Sink, Path]]:
    sink = Sink().start()
    reinject, gateway_port = free_port(), free_port()
    gateway = start_gateway(tmp_path / "gw", f"smtp://127.0.0.1:{reinject}", port=gateway_port)
    tls_policy = tmp_path / "tls_policy"
    exported = subprocess.run(["python", "-m", "gateway.cli", "export-tls-policy", "--config", str(gateway.config), "--output", str(tls_policy)],
                              cwd=ROOT, capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    postfix = None
    # Postfix's own users must reach its folders: pytest's temporary folders are private to root.
    base = Path(tempfile.mkdtemp(prefix="dlp-postfix-"))
    os.chmod(base, 0o755)
    try:
        postfix = build_postfix(base, gateway_port, reinject, sink.port, tls_policy)
        subprocess.run(["postmap", "-c", str(postfix.conf), f"hash:{tls_policy}"], check=True, capture_output=True, text=True)
        yield postfix, gateway, sink, tls_policy
    finally:
        if postfix is not None:
            postfix.stop()
        gateway.stop()
        sink.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_postfix_content_filter_end_to_end(rig: tuple[Postfix, Gateway, Sink, Path], tmp_path: Path) -> None:
    postfix, gateway, sink, tls_policy = rig

    # The exported TLS policy is a valid Postfix table: postmap built it, and lookups answer.
    lookup = subprocess.run(["postmap", "-c", str(postfix.conf), "-q", ".nhs.net", f"hash:{tls_policy}"], capture_output=True, text=True)
    assert lookup.stdout.strip() == "secure"

    # A clean message arrives.
    assert "250" in swaks(postfix, "friend@example.com", "Lunch at 1?", "Lunch").stdout
    assert wait(lambda: any(m.rcpt_tos == ["friend@example.com"] for m in sink.messages)), postfix.log()[-2000:]

    # A child's NHS number to an external domain: held, and the explanation lands in the sender's mailbox.
    swaks(postfix, "someone@gmail.com", PII, "Referral")
    assert wait(lambda: bool(gateway.held())), postfix.log()[-2000:]
    assert wait(lambda: (postfix.maildir / "new").exists() and any((postfix.maildir / "new").iterdir())), postfix.log()[-2000:]
    explanation = next((postfix.maildir / "new").iterdir()).read_text()
    assert "943 *** **19" in explanation and NHS not in explanation and gateway.held()[0][0] in explanation
    assert not any("someone@gmail.com" in m.rcpt_tos for m in sink.messages)

    # The same to a secure domain arrives.
    swaks(postfix, "nurse@gp.nhs.net", PII, "Referral")
    assert wait(lambda: any(m.rcpt_tos == ["nurse@gp.nhs.net"] for m in sink.messages)), postfix.log()[-2000:]

    # Gateway down: Postfix defers and keeps the message; gateway back: it is delivered.
    port = gateway.port
    assert gateway.stop() == 0
    swaks(postfix, "later@example.com", "See you later", "Later")
    assert wait(lambda: "deferred" in postfix.log() or postfix.queued() > 0)
    time.sleep(2)
    assert not any(m.rcpt_tos == ["later@example.com"] for m in sink.messages)
    assert postfix.queued() >= 1
    restarted = start_gateway(tmp_path / "gw2", gateway.config.read_text().split('next_hop = "')[1].split('"')[0], port=port)
    try:
        assert wait(lambda: any(m.rcpt_tos == ["later@example.com"] for m in sink.messages), timeout=60), postfix.log()[-3000:]
        assert wait(lambda: postfix.queued() == 0)
    finally:
        restarted.stop()
    with sqlite3.connect(gateway.db) as conn:
        assert conn.execute("select count(*) from quarantine").fetchone()[0] == 1

