"""`dlp-gateway serve`: the aiosmtpd server, wired to the scan pool, the next hop,
the quarantine store and the notifier; stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import signal
import ssl
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from gateway import replies
from gateway.alerts import run_schedule
from gateway.config import Config, ConfigError, default_config_path, detector_settings
from gateway.delivery import Deliverer, make_deliverer
from gateway.handler import RelayHandler
from gateway.metrics import Metrics
from gateway.notify import NotificationSettings, Notifier
from gateway.policy import expired_exceptions
from gateway.review import open_store
from gateway.workers import ScanPool

log = logging.getLogger("dlp_gateway.server")

# aiosmtpd's own replies, given RFC 3463 enhanced codes and our wording.
_REWRITES = {
    "552 Error: Too much mail data": replies.MESSAGE_TOO_BIG,
    "552 Error: message size exceeds fixed maximum message size": replies.MESSAGE_TOO_BIG,
    "500 Line too long (see RFC5321 4.5.3.1.6)": replies.LINE_TOO_LONG,
}


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP with our reply wording and a limit on concurrent connections."""

    active = 0
    max_connections = 100

    async def push(self, status: Any) -> None:
        text = status.decode() if isinstance(status, bytes) else status
        await super().push(_REWRITES.get(text, text))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        GatewaySMTP.active += 1
        super().connection_made(transport)
        if GatewaySMTP.active > GatewaySMTP.max_connections and isinstance(transport, asyncio.WriteTransport):
            transport.write(b"421 4.7.0 Too many connections; please try again later\r\n")
            transport.close()

    def connection_lost(self, error: Exception | None) -> None:
        GatewaySMTP.active -= 1
        super().connection_lost(error)


def _embedded_server_class() -> type:
    import contextlib

    import uvicorn

    class EmbeddedServer(uvicorn.Server):
        """uvicorn inside `serve`: the gateway owns SIGTERM and stops the console itself."""

        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[no-untyped-def]
            yield

    return EmbeddedServer


def _EmbeddedServer(config: Any) -> Any:  # noqa: N802 - reads like the class it builds
    return _embedded_server_class()(config)


def hash_password(password: str, salt: bytes | None = None) -> str:
    import os

    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _verify(password: bytes, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password, salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest)


class FileAuthenticator:
    """SMTP AUTH against a file of ``user:scrypt$salt$hash`` lines."""

    def __init__(self, path: str) -> None:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"[smtp.auth_users_file] cannot read {path}: {exc.strerror}") from exc
        self.users = dict(line.split(":", 1) for line in lines if ":" in line and not line.startswith("#"))

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        stored = self.users.get(auth_data.login.decode("utf-8", "replace"))
        ok = bool(stored) and _verify(auth_data.password, stored or "")
        # handled=False on failure: aiosmtpd then sends the 535 reply itself.
        return AuthResult(success=ok, handled=ok)


def _tls_context(config: Config) -> ssl.SSLContext | None:
    if not config.smtp.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(config.smtp.tls_cert, config.smtp.tls_key or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"[smtp.tls_cert] cannot load the certificate: {exc}") from exc
    return context


def build_handler(config: Config, scanner: ScanPool, metrics: Metrics) -> RelayHandler:
    timeout = config.relay.timeout_seconds
    next_hop: Deliverer = make_deliverer(config.relay.next_hop, timeout, config.smtp.hostname)
    encryption = make_deliverer(config.relay.encryption_relay, timeout, config.smtp.hostname) if config.relay.encryption_relay else None
    notifier = None
    if config.notify.enabled:
        internal = config.domains.internal[0].lstrip("*.") if config.domains.internal else "localhost"
        template_dir = Path(config.notify.template_dir) if config.notify.template_dir else default_config_path().parent
        tags = config.policy.encryption.subject_tags
        notifier = Notifier(NotificationSettings(
            from_address=config.notify.from_address or f"postmaster@{internal}",
            help_contact=config.notify.help_contact,
            secure_domains=config.domains.secure,
            encryption_tag=tags[0] if tags and config.relay.encryption_relay else None,
            template_dir=template_dir,
        ))
    return RelayHandler(config, scanner, next_hop, encryption, open_store(config), notifier, metrics)


async def run(config: Config, ready: asyncio.Event | None = None) -> None:
    for exc in expired_exceptions(config, dt.date.today()):
        log.warning("policy exception for %s -> %s (owner %s) expired on %s and no longer applies",
                    exc.sender, exc.recipient, exc.owner, exc.expires.isoformat())
    metrics = Metrics()
    if config.metrics.enabled:
        host, _, port = config.metrics.listen.rpartition(":")
        metrics.serve(host, int(port))
    scanner = ScanPool(detector_settings(config), config.detectors.workers, config.detectors.scan_timeout_seconds)
    await asyncio.to_thread(scanner.start)
    handler = build_handler(config, scanner, metrics)
    tls = _tls_context(config)
    authenticator = FileAuthenticator(config.smtp.auth_users_file) if config.smtp.auth_users_file else None
    GatewaySMTP.max_connections = config.smtp.max_connections

    def factory() -> SMTP:
        return GatewaySMTP(
            handler,
            data_size_limit=config.smtp.max_message_bytes,
            hostname=config.smtp.hostname,
            ident="dlp-gateway",
            tls_context=tls,
            timeout=config.smtp.timeout_seconds,
            authenticator=authenticator,
            auth_require_tls=True,
            auth_exclude_mechanism=[] if authenticator else ["LOGIN", "PLAIN"],
            enable_SMTPUTF8=True,
        )

    host, _, port = config.smtp.listen.rpartition(":")
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host=host.strip("[]"), port=int(port))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    schedule = asyncio.create_task(run_schedule(handler.store, handler.next_hop, config, stop))
    console_server = None
    if config.console.enabled or config.console.secret_key_file or config.console.secret_env:
        from gateway.console.app import console_secret, create_app
        from gateway.console.links import SenderLinks

        secret = console_secret(config)
        handler.links = SenderLinks(secret, config.console.link_max_age_hours * 3600)
        if config.console.enabled:
            import uvicorn

            chost, _, cport = config.console.listen.rpartition(":")
            console_server = _EmbeddedServer(uvicorn.Config(create_app(config, secret=secret), host=chost, port=int(cport),
                                                            log_level="warning", lifespan="off"))
            console_task = asyncio.create_task(console_server.serve())
    await asyncio.to_thread(handler.store.record_start, hashlib.sha256(config.model_dump_json().encode()).hexdigest())
    log.info("listening on %s, next hop %s", config.smtp.listen, config.relay.next_hop.split("://")[0])
    if ready is not None:
        ready.set()
    await stop.wait()
    log.info("stopping: no new connections; finishing %d message(s) in flight", handler.in_flight)
    server.close()
    for _ in range(int(config.smtp.timeout_seconds * 10)):
        if handler.in_flight == 0:
            break
        await asyncio.sleep(0.1)
    await schedule
    if console_server is not None:
        console_server.should_exit = True
        await console_task
    await asyncio.to_thread(scanner.shutdown)
    log.info("stopped")
