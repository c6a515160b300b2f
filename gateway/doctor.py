"""`dlp-gateway doctor`: check a running set-up from the gateway's side and say,
in plain words, what is wrong."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import aiosmtplib

from gateway.config import Config, detector_settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def _ehlo(url: str, timeout: float) -> str:
    if url.startswith("maildir:"):
        from pathlib import Path

        path = Path(url.removeprefix("maildir:"))
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        return f"Maildir {path} is writable"
    scheme, _, rest = url.partition("://")
    host, _, port = rest.rstrip("/").rpartition(":")
    client = aiosmtplib.SMTP(hostname=host, port=int(port), timeout=timeout, use_tls=scheme == "smtps", start_tls=False)
    await client.connect()
    try:
        code, message = await client.ehlo()
        return f"{host}:{port} answers EHLO with {code}"
    finally:
        await client.quit()


def _run(name: str, action: Callable[[], str]) -> Check:
    try:
        return Check(name, True, action())
    except Exception as exc:  # every failure is reported in words, none stops the other checks
        return Check(name, False, f"{type(exc).__name__}: {exc}"[:300])


def run_checks(config: Config) -> list[Check]:
    timeout = min(config.relay.timeout_seconds, 10)
    checks = [Check("configuration", True, "valid")]
    checks.append(_run("next hop", lambda: asyncio.run(_ehlo(config.relay.next_hop, timeout))))
    if config.relay.encryption_relay:
        checks.append(_run("encryption relay", lambda: asyncio.run(_ehlo(config.relay.encryption_relay, timeout))))

    def store() -> str:
        from gateway.review import open_store

        s = open_store(config)
        s.audit("doctor", "doctor", None, {"check": "quarantine database writable"})
        problems = s.verify_audit()
        s.close()
        return "writable; audit chain intact" if not problems else f"writable; AUDIT CHAIN BROKEN ({len(problems)} problems)"

    checks.append(_run("quarantine database", store))

    def pipeline() -> str:
        from detectors.recognizers.person import PersonRecognizer

        recognizer = PersonRecognizer(detector_settings(config).spacy_pipeline)
        return f"{config.detectors.spacy_pipeline} loads ({', '.join(recognizer.nlp.pipe_names)})"

    checks.append(_run("spaCy pipeline", pipeline))

    def ocr() -> str:
        from detectors.extract import ocr as tesseract

        if not config.limits.ocr:
            return "switched off ([limits] ocr = false): images and scanned pages are CANNOT_INSPECT"
        if not tesseract.available():
            raise RuntimeError("tesseract is not installed: images and scanned pages are CANNOT_INSPECT "
                               "(apt-get install tesseract-ocr tesseract-ocr-eng, or set [limits] ocr = false)")
        import pytesseract

        return f"tesseract {pytesseract.get_tesseract_version()} reads scanned forms"

    checks.append(_run("OCR", ocr))
    if config.smtp.tls_cert:
        checks.append(_run("TLS certificate", lambda: _certificate(config.smtp.tls_cert, config.smtp.tls_key)))
    return checks


def _certificate(cert: str, key: str) -> str:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key or None)
    decoded = ssl._ssl._test_decode_cert(cert)  # type: ignore[attr-defined]
    not_after = dt.datetime.strptime(decoded["notAfter"], "%b %d %H:%M:%S %Y %Z").replace(tzinfo=dt.UTC)
    days = (not_after - dt.datetime.now(dt.UTC)).days
    if days < 0:
        raise ValueError(f"expired on {not_after:%d %B %Y}")
    if days < 30:
        raise ValueError(f"expires in {days} days ({not_after:%d %B %Y}): renew it now")
    return f"valid until {not_after:%d %B %Y} ({days} days)"
