"""Assertions on a ScanResult whose failure messages never show a PII value: only the
decision, the rule, the risk and the finding types with where they were (file names
reduced to their extension, since a file name may itself be the leak)."""

from __future__ import annotations

import re
from collections import Counter

STOPPING_ACTIONS = {"quarantine", "bounce", "reject", "encrypt"}


def mask_where(where: str) -> str:
    """'attachment:Tom Smith DOB.pdf/inner.csv' -> 'attachment:<18 chars>.pdf/<9 chars>.csv'."""
    kind, sep, rest = str(where).partition(":")
    if not sep:
        return kind
    masked = []
    for segment in rest.split("/"):
        stem, dot, ext = segment.rpartition(".")
        if dot and re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
            masked.append(f"<{len(stem)} chars>.{ext}")
        else:
            masked.append(f"<{len(segment)} chars>")
    return f"{kind}:{'/'.join(masked)}"


def describe(result) -> str:
    if result.error is not None:
        return f"scan error instead of a decision: {result.error[:300]!r}"
    decisions = "; ".join(f"{d.action} (rule {d.rule})" for d in result.decisions) or "no decision"
    analysis = result.analysis
    risk = getattr(analysis, "risk", None)
    risk = getattr(risk, "value", risk)
    findings = getattr(analysis, "findings", None) or []
    counted = Counter(f"{f.type}@{mask_where(f.where)}[{float(f.score):.2f}]" for f in findings)
    listing = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(counted.items())) or "no findings"
    return f"decisions: {decisions}; risk: {risk}; findings: {listing}; scanned in {result.seconds:.2f}s"


def assert_stopped(result) -> None:
    """Not delivered to the insecure recipient: a stopping action for every recipient."""
    print(describe(result))  # captured; `pytest -rP` shows why each message was stopped
    ok = (result.error is None and bool(result.decisions)
          and all(d.action in STOPPING_ACTIONS for d in result.decisions))
    assert ok, "message with service-user PII was NOT stopped -- " + describe(result)


def assert_delivered(result) -> None:
    print(describe(result))
    ok = result.error is None and bool(result.decisions) and all(d.action == "deliver" for d in result.decisions)
    assert ok, "harmless message was NOT delivered -- " + describe(result)
