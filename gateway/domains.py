"""The secure-domain register and the Postfix TLS policy it produces.

The configuration is the one source of truth for which domains are secure:
`[domains] secure` (configured by hand), plus a register file of accredited
domains imported from the NHS secure email standard (DCB1596) list, each kept
with its source and date so the list is auditable and refreshable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from gateway.config import Config, ConfigError

REGISTER_FIELDS = ["domain", "organisation", "source", "imported"]
_DOMAIN = re.compile(r"^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$")


@dataclass(frozen=True)
class SecureDomain:
    domain: str
    why: str  # internal | accredited | configured
    detail: str


def read_register(path: str) -> list[dict[str, str]]:
    if not path or not Path(path).exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("domain")]


def import_accredited(config: Config, csv_path: str, source: str, imported: dt.date) -> tuple[int, int, list[str]]:
    """Merge an accredited-organisations CSV into the register. Returns (added, updated, skipped lines)."""
    register_path = config.domains.register_file
    if not register_path:
        raise ConfigError("[domains.register_file] is not set: say where the secure-domain register is kept")
    try:
        text = Path(csv_path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {csv_path}: {exc}") from exc
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not rows[0]:
        raise ConfigError(f"{csv_path}: no rows, or no header line")
    headers = {h.lower().strip(): h for h in rows[0] if h}
    domain_col = next((headers[h] for h in headers if "domain" in h), None)
    if domain_col is None:
        raise ConfigError(f"{csv_path}: no column whose name contains 'domain' (found: {', '.join(headers.values())})")
    org_col = next((headers[h] for h in headers if "organisation" in h or "organization" in h or h == "name"), None)
    current = {r["domain"]: r for r in read_register(register_path)}
    added = updated = 0
    skipped: list[str] = []
    for number, row in enumerate(rows, start=2):
        domain = (row.get(domain_col) or "").strip().lower().removeprefix("@")
        if not _DOMAIN.match(domain):
            skipped.append(f"line {number}: {domain!r} is not a domain")
            continue
        entry = {"domain": domain, "organisation": (row.get(org_col) or "").strip() if org_col else "",
                 "source": source, "imported": imported.isoformat()}
        if domain in current:
            updated += 1
        else:
            added += 1
        current[domain] = entry
    Path(register_path).parent.mkdir(parents=True, exist_ok=True)
    with open(register_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_FIELDS)
        writer.writeheader()
        writer.writerows(sorted(current.values(), key=lambda r: r["domain"]))
    return added, updated, skipped


def secure_domains(config: Config) -> list[SecureDomain]:
    out = [SecureDomain(d, "internal", "an internal domain ([domains] internal)") for d in config.domains.internal]
    for d in config.domains.secure:
        tls = config.domains.tls_policy if d not in config.domains.dane_only else "dane-only"
        out.append(SecureDomain(d, "configured", f"configured by hand ([domains] secure); TLS enforced by policy ({tls})"))
    configured = {d.domain for d in out}
    for row in read_register(config.domains.register_file):  # accredited, with where they came from
        if row["domain"] not in configured:
            org = f"{row.get('organisation')}, " if row.get("organisation") else ""
            out.append(SecureDomain(row["domain"], "accredited", f"accredited: {org}{row['source']} imported {row['imported']}"))
    return out


def tls_policy_lines(config: Config) -> list[str]:
    """Postfix smtp_tls_policy_maps entries: every secure domain must get verified TLS, never opportunistic."""
    lines = ["# Written by `dlp-gateway export-tls-policy` from the gateway's configuration; do not edit.",
             "# Postfix refuses to deliver to these domains without a verified TLS connection."]
    for entry in secure_domains(config):
        if entry.why == "internal":
            continue
        policy = "dane-only" if entry.domain in config.domains.dane_only else config.domains.tls_policy
        key = "." + entry.domain[2:] if entry.domain.startswith("*.") else entry.domain
        lines.append(f"{key}\t{policy}")
    return lines
