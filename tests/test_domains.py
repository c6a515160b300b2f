"""The secure-domain register, the exported TLS policy and `doctor`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.relay_harness import ROOT, free_port


def test_domains_import_list_and_tls_policy(tmp_path: Path) -> None:
    """The secure-domain register: an accredited list imported with its source and date."""
    import sys

    register = tmp_path / "register.csv"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[domains]\ninternal = ["halton.gov.uk"]\nsecure = ["nhs.net", "*.nhs.net"]\ndane_only = ["nhs.net"]\n'
                   f'register_file = "{register}"\n[quarantine]\nurl = "sqlite:///{tmp_path / "q.db"}"\n')
    accredited = tmp_path / "dcb1596.csv"
    accredited.write_text("Organisation Name,Email Domain\nExample Hospice,examplehospice.org.uk\nBad Row,not a domain\n"
                          "Northern Care Trust,northerncare.org.uk\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "gateway.cli", *a, "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True)  # noqa: E731
    result = run("domains", "import", str(accredited), "--date", "2026-11-01")
    assert result.returncode == 0 and "2 domain(s) added" in result.stdout and "line 3" in result.stderr
    listing = run("domains", "list").stdout
    assert re.search(r"examplehospice\.org\.uk\s+accredited\s+accredited: Example Hospice, NHS secure email standard \(DCB1596\) accredited list imported 2026-11-01", listing)
    assert re.search(r"\*\.nhs\.net\s+configured", listing) and re.search(r"halton\.gov\.uk\s+internal", listing)
    policy = run("export-tls-policy").stdout
    assert "nhs.net\tdane-only" in policy and ".nhs.net\tsecure" in policy and "examplehospice.org.uk\tsecure" in policy
    assert "halton.gov.uk" not in policy
    scan_to = run("scan", "--json", "--to", "ward@examplehospice.org.uk", str(ROOT / "tests" / "corpus" / "messages" / "c0001.eml"))
    assert '"transport": "secure"' in scan_to.stdout
    audit = run("audit", "export", "--csv").stdout
    assert "domains-import" in audit
    again = run("domains", "import", str(accredited), "--date", "2026-12-01")
    assert "0 domain(s) added, 2 refreshed" in again.stdout


def test_doctor_reports_problems_in_plain_words(tmp_path: Path) -> None:
    import sys

    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[relay]\nnext_hop = "smtp://127.0.0.1:{free_port()}"\n[quarantine]\nurl = "sqlite:///{tmp_path / "q.db"}"\n')
    result = subprocess.run([sys.executable, "-m", "gateway.cli", "doctor", "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "PROBLEM next hop" in result.stdout and "OK      quarantine database" in result.stdout
    assert "OK      spaCy pipeline" in result.stdout and "1 problem(s) found" in result.stdout
