"""Render table rows as text that keeps each value next to its column heading.

"Name: Amira Iqbal | DOB: 26.06.2015" lets the detectors use the heading as
context, which is what a human reader does with a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence


def _is_label(cell: str) -> bool:
    return bool(cell) and len(cell) <= 40 and not any(ch.isdigit() for ch in cell)


def render_table(rows: Sequence[Sequence[str]]) -> str:
    rows = [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    # Key/value form: two columns, the left one short labels ("Name", "Address").
    if width == 2 and len(rows) > 1 and all(_is_label(r[0]) for r in rows if r and r[0]):
        return "\n".join(f"{r[0]}: {r[1] if len(r) > 1 else ''}".rstrip() for r in rows)
    header = rows[0]
    if len(rows) > 1 and len(header) >= 2 and all(_is_label(c) for c in header if c) and sum(1 for c in header if c) >= 2:
        lines = [" | ".join(header)]
        for row in rows[1:]:
            cells = [
                f"{header[i]}: {cell}" if i < len(header) and header[i] else cell
                for i, cell in enumerate(row)
                if cell
            ]
            lines.append(" | ".join(cells))
        return "\n".join(lines)
    return "\n".join(" | ".join(c for c in r if c) for r in rows)
