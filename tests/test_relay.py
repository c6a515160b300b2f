"""The relay end to end: a real SMTP client, the real gateway process, real sinks."""

from __future__ import annotations

import base64
import email.policy
import smtplib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.crypto_fixtures import gpg_encrypt, smime_encrypt
from tests.relay_harness import Gateway, Sink, free_port, start_gateway

NHS = "943 476 5919"  # synthetic, checksum-valid
PII = f"Referral regarding Kacper Nowak (DOB 01/02/2015), NHS number {NHS}.\n\nThanks,\nJo Bloggs\n"
SENDER = "jo.bloggs@halton.gov.uk"


def message(body: str, to: str, subject: str = "Update", sender: str = SENDER) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{time.monotonic_ns()}@halton.gov.uk>"
    msg.set_content(body)
    return msg


def send(gw: Gateway, msg: EmailMessage, recipients: list[str], sender: str = SENDER) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", gw.port, timeout=120) as client:
        client.ehlo("client.halton.gov.uk")
        code, reply = client.mail(sender)
        if code != 250:
            return code, reply
        for rcpt in recipients:
            code, reply = client.rcpt(rcpt)
            assert code == 250, reply
        return client.data(msg.as_bytes(policy=email.policy.SMTP))


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory, sinks: tuple[Sink, Sink]) -> Iterator[Gateway]:
    next_hop, encryption = sinks
    gateway = start_gateway(tmp_path_factory.mktemp("gw"), f"smtp://127.0.0.1:{next_hop.port}",
                            f"smtp://127.0.0.1:{encryption.port}")
    yield gateway
    assert gateway.stop() == 0


@pytest.fixture(autouse=True)
def _clear(sinks: tuple[Sink, Sink]) -> None:
    for sink in sinks:
        sink.handler.messages.clear()


def notifications(sink: Sink) -> list[EmailMessage]:
    return [message_from_bytes(m.content, policy=email.policy.default) for m in sink.messages  # type: ignore[misc]
            if m.rcpt_tos == [SENDER] and m.mail_from.startswith("postmaster@")]


def test_clean_mail_is_delivered(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    code, _ = send(gw, message("Lunch at 1?", "friend@example.com"), ["friend@example.com"])
    assert code == 250
    [received] = sinks[0].wait_for(1)
    assert received.rcpt_tos == ["friend@example.com"] and b"Lunch at 1?" in received.content


def test_pii_to_insecure_domain_is_quarantined_and_the_sender_told(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    before = len(gw.held())
    code, _ = send(gw, message(PII, "someone@gmail.com", "Referral"), ["someone@gmail.com"])
    assert code == 250
    assert len(gw.held()) == before + 1
    reference = gw.held()[-1][0]
    sinks[0].wait_for(1)
    assert not any("someone@gmail.com" in m.rcpt_tos for m in sinks[0].messages)
    [notice] = notifications(sinks[0])
    text = notice.get_body(("plain",)).get_content()
    assert reference in text and "943 *** **19" in text and "gmail.com is not a secure connection" in text
    assert "section 1.1" in text and "[SECURE]" in text
    assert NHS not in notice.as_string() and "Kacper" not in notice.as_string()


def test_pii_to_secure_domain_is_delivered(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    code, _ = send(gw, message(PII, "nurse@gp.nhs.net"), ["nurse@gp.nhs.net"])
    assert code == 250
    [received] = sinks[0].wait_for(1)
    assert received.rcpt_tos == ["nurse@gp.nhs.net"]


def _encrypted(kind: str, tmp: Path, subject: str = "Secure") -> bytes:
    """Real ciphertext of a referral (gpg / openssl), as PGP/MIME or S/MIME."""
    headers = f"From: {SENDER}\r\nTo: a@gmail.com\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
    if kind == "smime":
        return smime_encrypt(tmp, f"Content-Type: text/plain\r\n\r\n{PII}\r\n".encode(), headers)
    armour = gpg_encrypt(tmp, PII.encode())
    return (headers + 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n{armour}\r\n--b--\r\n").encode()


@pytest.mark.parametrize("kind", ["smime", "pgp"])
def test_encrypted_message_is_delivered(gw: Gateway, sinks: tuple[Sink, Sink], kind: str, tmp_path: Path) -> None:
    with smtplib.SMTP("127.0.0.1", gw.port) as client:
        client.sendmail(SENDER, ["a@gmail.com"], _encrypted(kind, tmp_path))
    [received] = sinks[0].wait_for(1)
    assert received.rcpt_tos == ["a@gmail.com"]


@pytest.mark.parametrize("kind", ["smime", "pgp"])
def test_encrypted_message_whose_subject_names_a_child_is_held(gw: Gateway, sinks: tuple[Sink, Sink], kind: str,
                                                               tmp_path: Path) -> None:
    raw = _encrypted(kind, tmp_path, subject=f"Referral Kacper Nowak DOB 01/02/2015 NHS {NHS}")
    held = len(gw.held())
    with smtplib.SMTP("127.0.0.1", gw.port) as client:
        client.sendmail(SENDER, ["a@gmail.com"], raw)
    assert not [m for m in sinks[0].messages if m.rcpt_tos == ["a@gmail.com"]]
    assert len(gw.held()) == held + 1


def test_encryption_label_over_clear_text_is_scanned(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    raw = (f"From: {SENDER}\r\nTo: a@gmail.com\r\nSubject: Secure\r\nMIME-Version: 1.0\r\n"
           "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PII.encode()).decode().replace("\n", "\r\n"))
    held = len(gw.held())
    with smtplib.SMTP("127.0.0.1", gw.port) as client:
        client.sendmail(SENDER, ["a@gmail.com"], raw.encode())
    assert not [m for m in sinks[0].messages if m.rcpt_tos == ["a@gmail.com"]]
    assert len(gw.held()) == held + 1


def test_secure_tag_goes_to_the_encryption_relay(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    code, _ = send(gw, message(PII, "solicitor@example.co.uk", "[SECURE] Referral"), ["solicitor@example.co.uk"])
    assert code == 250
    [received] = sinks[1].wait_for(1)
    assert received.rcpt_tos == ["solicitor@example.co.uk"]
    assert not sinks[0].messages


def test_mixed_recipients_are_split(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    before = len(gw.held())
    rcpts = ["nurse@nhs.net", "someone@gmail.com", "colleague@halton.gov.uk"]
    code, _ = send(gw, message(PII, ", ".join(rcpts), "Referral"), rcpts)
    assert code == 250
    received = sinks[0].wait_for(2)
    delivered = [m for m in received if m.rcpt_tos != [SENDER]]
    assert len(delivered) == 1 and sorted(delivered[0].rcpt_tos) == ["colleague@halton.gov.uk", "nurse@nhs.net"]
    assert len(gw.held()) == before + 1
    text = notifications(sinks[0])[0].get_body(("plain",)).get_content()
    assert "someone@gmail.com: held for review" in text and "nurse@nhs.net" in text


def test_smuggling_with_bare_lf_does_not_split_a_message(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    smuggled = (f"From: {SENDER}\r\nTo: a@example.com\r\nSubject: one\r\n\r\nfirst part\n.\n"
                f"MAIL FROM:<{SENDER}>\nRCPT TO:<b@example.com>\nDATA\nSubject: smuggled\n\nsecond\r\n.\r\n")
    with socket.create_connection(("127.0.0.1", gw.port), timeout=30) as sock:
        reader = sock.makefile("rb")
        reader.readline()
        for command in (b"EHLO client\r\n", f"MAIL FROM:<{SENDER}>\r\n".encode(), b"RCPT TO:<a@example.com>\r\n", b"DATA\r\n"):
            sock.sendall(command)
            line = reader.readline()
            while line[3:4] == b"-":
                line = reader.readline()
        sock.sendall(smuggled.encode())
        assert reader.readline().startswith(b"250")
        sock.sendall(b"QUIT\r\n")
    received = sinks[0].wait_for(1)
    assert len(received) == 1 and received[0].rcpt_tos == ["a@example.com"]
    assert b"smuggled" in received[0].content


def test_external_sender_is_refused(gw: Gateway) -> None:
    code, reply = send(gw, message("hi", "a@example.com"), ["a@example.com"], sender="someone@evil.example")
    assert code == 550 and b"5.7.1" in reply


def test_oversize_is_refused_with_552(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", smtp_toml="max_message_bytes = 20000")
    try:
        with smtplib.SMTP("127.0.0.1", gw.port) as client:
            client.ehlo()
            client.esmtp_features.pop("size", None)  # do not let the client refuse it first
            with pytest.raises(smtplib.SMTPDataError) as info:
                client.sendmail(SENDER, ["a@example.com"], message(("x" * 70 + "\n") * 900, "a@example.com").as_bytes(policy=email.policy.SMTP))
        assert info.value.smtp_code == 552 and b"5.3.4" in info.value.smtp_error
        assert not sinks[0].messages
    finally:
        gw.stop()


def test_disallowed_client_network_is_refused(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", smtp_toml='allowed_networks = ["10.0.0.0/8"]')
    try:
        code, reply = send(gw, message("hi", "a@example.com"), ["a@example.com"])
        assert code == 554 and b"not allowed" in reply
    finally:
        gw.stop()


def test_next_hop_down_gives_451_and_the_retry_delivers_once(tmp_path: Path) -> None:
    port = free_port()
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{port}")
    try:
        rcpts = ["nurse@nhs.net", "someone@gmail.com"]
        msg = message(PII, ", ".join(rcpts), "Referral")
        code, reply = send(gw, msg, rcpts)
        assert code == 451 and b"4.4.1" in reply
        held_after_first = gw.held()
        sink = Sink(port).start()  # the next hop comes back; the upstream MTA retries the same message
        try:
            code, _ = send(gw, msg, rcpts)
            assert code == 250
            delivered = [m for m in sink.wait_for(2) if m.rcpt_tos == ["nurse@nhs.net"]]
            assert len(delivered) == 1
            assert len(gw.held()) == 1 and gw.held() == held_after_first  # stored once, not twice
        finally:
            sink.stop()
    finally:
        gw.stop()


def test_killed_scan_worker_gives_451(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}")
    try:
        body = "The family were seen at home and the children spoke about school and their friends. " * 9000
        result: dict[str, tuple[int, bytes]] = {}
        thread = threading.Thread(target=lambda: result.setdefault("r", send(gw, message(body, "a@example.com"), ["a@example.com"])))
        thread.start()
        time.sleep(1.5)  # the worker is now inside the scan of this ~750 KB body
        victims = gw.worker_pids()
        assert victims
        for pid in victims:
            import os
            import signal

            os.kill(pid, signal.SIGKILL)
        thread.join(120)
        code, reply = result["r"]
        assert code == 451 and b"4.7.0" in reply
        assert not [m for m in sinks[0].messages if m.rcpt_tos == ["a@example.com"]]
        # the pool is rebuilt: the next message goes through
        assert send(gw, message("hello", "a@example.com"), ["a@example.com"])[0] == 250
    finally:
        gw.stop()


def test_auth_only_after_starttls(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    import ssl

    import trustme

    from gateway.server import hash_password

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    users = tmp_path / "users"
    users.write_text(f"relay:{hash_password('correct horse')}\n")
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", smtp_toml=(
        f'allowed_networks = ["10.0.0.0/8"]\ntls_cert = "{cert_file}"\ntls_key = "{key_file}"\nauth_users_file = "{users}"'))
    try:
        with smtplib.SMTP("127.0.0.1", gw.port) as client:
            client.ehlo()
            assert "auth" not in client.esmtp_features
            code, reply = client.docmd("AUTH", "PLAIN AHJlbGF5AGNvcnJlY3QgaG9yc2U=")
            assert code == 538 and b"Encryption required" in reply
            assert client.mail(SENDER)[0] == 554  # not authenticated, not an allowed network
        context = ssl.create_default_context()
        ca.configure_trust(context)
        with smtplib.SMTP("127.0.0.1", gw.port) as client:
            client.starttls(context=context)
            client.ehlo()
            assert "auth" in client.esmtp_features
            client.user, client.password = "relay", "wrong"
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.auth("PLAIN", client.auth_plain)
            client.user, client.password = "relay", "correct horse"
            client.auth("PLAIN", client.auth_plain)
            client.sendmail(SENDER, ["a@example.com"], message("hi", "a@example.com").as_bytes(policy=email.policy.SMTP))
        assert sinks[0].wait_for(1)
    finally:
        gw.stop()


def test_bounce_and_reject_per_config_and_approved_flows(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", actions='high = "bounce"', extra_toml=(
        '[[policy.exception]]\nsender = "jo.bloggs@halton.gov.uk"\nrecipient = "*@court-solicitors.co.uk"\n'
        'owner = "DPO"\nreason = "care proceedings 2026"\nexpires = 2099-01-01\n'
        '[[policy.exception]]\nsender = "jo.bloggs@halton.gov.uk"\nrecipient = "old@example.com"\n'
        'owner = "DPO"\nreason = "ended"\nexpires = 2020-01-01\n'))
    try:
        assert send(gw, message(PII, "someone@gmail.com"), ["someone@gmail.com"])[0] == 250
        assert gw.held() == []
        [notice] = notifications(sinks[0])
        assert "someone@gmail.com: not sent" in notice.get_body(("plain",)).get_content()
        sinks[0].handler.messages.clear()
        assert send(gw, message(PII, "clerk@court-solicitors.co.uk"), ["clerk@court-solicitors.co.uk"])[0] == 250
        assert [m.rcpt_tos for m in sinks[0].wait_for(1)] == [["clerk@court-solicitors.co.uk"]]
        assert "expired on 2020-01-01" in gw.log.read_text()
    finally:
        gw.stop()
    gw = start_gateway(tmp_path / "r", f"smtp://127.0.0.1:{sinks[0].port}", actions='high = "reject"')
    try:
        code, reply = send(gw, message(PII, "someone@gmail.com"), ["someone@gmail.com"])
        assert code == 550 and b"Policy 1.1" in reply and NHS.encode() not in reply
    finally:
        gw.stop()


def test_logs_carry_no_pii(gw: Gateway, sinks: tuple[Sink, Sink]) -> None:
    send(gw, message(PII, "someone@gmail.com", "Referral"), ["someone@gmail.com"])
    log = gw.log.read_text()
    assert '"risk": "high"' in log
    assert NHS not in log and "Kacper" not in log and "someone@gmail.com" not in log


def test_quarantine_row_keeps_only_masked_findings(gw: Gateway) -> None:
    send(gw, message(PII, "someone@gmail.com", "Referral"), ["someone@gmail.com"])
    with sqlite3.connect(gw.db) as conn:
        findings = conn.execute("select findings from quarantine order by id desc limit 1").fetchone()[0]
    assert "943 *** **19" in findings and NHS not in findings


def test_sigterm_finishes_the_message_in_flight(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    import signal

    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}")
    body = "The family were seen at home and the children spoke about school and their friends. " * 3000
    result: dict[str, tuple[int, bytes]] = {}
    thread = threading.Thread(target=lambda: result.setdefault("r", send(gw, message(body, "a@example.com"), ["a@example.com"])))
    thread.start()
    time.sleep(0.8)
    gw.process.send_signal(signal.SIGTERM)
    thread.join(120)
    assert result["r"][0] == 250
    assert [m.rcpt_tos for m in sinks[0].wait_for(1)] == [["a@example.com"]]
    assert gw.process.wait(timeout=60) == 0
    gw.stop()


def test_metrics_endpoint_counts_without_values(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    import urllib.request

    metrics_port = free_port()
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", extra_toml=f'[metrics]\nenabled = true\nlisten = "127.0.0.1:{metrics_port}"\n')
    try:
        send(gw, message(PII, "someone@gmail.com"), ["someone@gmail.com"])
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
        assert 'dlp_gateway_recipients_total{action="quarantine"} 1.0' in text
        assert 'dlp_gateway_findings_total{type="NHS_NUMBER"} 1.0' in text
        assert "dlp_gateway_processing_seconds_bucket" in text
        assert NHS not in text
    finally:
        gw.stop()


def test_shipped_default_delivers_to_the_local_maildir(tmp_path: Path) -> None:
    """The shipped config's next hop: a Maildir under var/ (relative to the working directory)."""
    import shutil
    import subprocess
    import sys

    from tests.relay_harness import ROOT

    config = (ROOT / "config" / "gateway.toml").read_text()
    port = free_port()
    (tmp_path / "gateway.toml").write_text(config.replace('listen = "127.0.0.1:10025"', f'listen = "127.0.0.1:{port}"'))
    process = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--config", "gateway.toml"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                    client.sendmail(SENDER, ["friend@example.com"], message("Lunch at 1?", "friend@example.com").as_bytes(policy=email.policy.SMTP))
                    client.sendmail(SENDER, ["someone@gmail.com"], message(PII, "someone@gmail.com").as_bytes(policy=email.policy.SMTP))
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.3)
        delivered = list((tmp_path / "var" / "outbox" / "new").iterdir())
        contents = [p.read_bytes() for p in delivered]
        assert any(b"Delivered-To: friend@example.com" in c for c in contents)  # the clean one
        assert any(b"Delivered-To: jo.bloggs@halton.gov.uk" in c for c in contents)  # the explanation
        assert not any(b"Delivered-To: someone@gmail.com" in c for c in contents)
        assert (tmp_path / "var" / "quarantine.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(tmp_path / "var", ignore_errors=True)


def test_serve_runs_the_console_and_the_explanation_links_to_it(tmp_path: Path, sinks: tuple[Sink, Sink]) -> None:
    import re
    import urllib.request

    console_port = free_port()
    secret = tmp_path / "console.key"
    secret.write_text("a-test-secret-that-is-long-enough")
    gw = start_gateway(tmp_path, f"smtp://127.0.0.1:{sinks[0].port}", extra_toml=(
        f'[console]\nenabled = true\nlisten = "127.0.0.1:{console_port}"\npublic_url = "http://127.0.0.1:{console_port}"\n'
        f'secret_key_file = "{secret}"\n'))
    try:
        assert send(gw, message(PII, "someone@gmail.com", "Referral"), ["someone@gmail.com"])[0] == 250
        [notice] = notifications(sinks[0])
        text = notice.get_body(("plain",)).get_content()
        link = re.search(r"http://127\.0\.0\.1:\d+/s/\S+", text)
        assert link, text
        page = urllib.request.urlopen(link.group(0), timeout=30).read().decode()
        assert "is held" in page and "943 *** **19" in page and NHS not in page
        login = urllib.request.urlopen(f"http://127.0.0.1:{console_port}/login", timeout=30).read().decode()
        assert "Log in" in login
    finally:
        assert gw.stop() == 0
