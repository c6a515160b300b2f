"""How scan results are printed: the JSON contract of DESIGN.md and a short human form."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.scanning import ScanResult


def result_json(result: ScanResult, reveal: bool) -> dict[str, object]:
    if result.analysis is None:
        return {"file": result.file, "error": result.error, "recipients": [], "findings": [], "risk": None, "seconds": round(result.seconds, 3)}
    analysis = result.analysis
    return {
        "file": result.file,
        "message_id": analysis.facts.message_id,
        "recipients": [
            {"address": d.address, "transport": d.transport.value, "action": d.action, "rule": d.rule}
            for d in result.decisions
        ],
        "findings": [f.to_json(reveal) for f in analysis.findings],
        "risk": analysis.risk.value,
        "unreadable": [{"where": u.where, "reason": u.reason} for u in analysis.unreadable],
        "seconds": round(result.seconds, 3),
    }


def human_line(result: ScanResult, reveal: bool) -> str:
    if result.analysis is None:
        return f"{result.file}: ERROR {result.error}"
    counts = Counter(f.type.value for f in result.analysis.findings)
    found = ", ".join(f"{n}x{t}" for t, n in sorted(counts.items())) or "no findings"
    actions = ", ".join(f"{d.address} ({d.transport.value}) -> {d.action}" for d in result.decisions) or "no recipients"
    line = f"{result.file}: risk {result.analysis.risk.value}; {found}; {actions}"
    if reveal:
        line += "".join(f"\n    {f.type.value} [{f.where}] {f.text!r} ({f.explanation})" for f in result.analysis.findings)
    return line
