"""Small server-rendered SVG charts (no JavaScript, no CDN), with text labels so
they read without colour."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]], width: int = 640, height: int = 220) -> str:
    colours = ["#1f5fa8", "#2e7d32", "#b23b3b", "#7a5195"]
    top = max([max(v, default=0) for v in series.values()] + [1])
    n, k = max(len(labels), 1), max(len(series), 1)
    plot_h, left, bottom = height - 60, 40, height - 30
    group_w = (width - left - 10) / n
    bar_w = max(group_w / (k + 1), 2)
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, label in enumerate(labels):
        x0 = left + i * group_w
        for j, (_name, values) in enumerate(series.items()):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / top
            x = x0 + j * bar_w + bar_w / 2
            parts.append(f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar_w * 0.9:.1f}" height="{h:.1f}" fill="{colours[j % len(colours)]}">'
                         f"<title>{escape(label)}: {value:g}</title></rect>")
            if value:
                parts.append(f'<text x="{x + bar_w * 0.45:.1f}" y="{bottom - h - 3:.1f}" font-size="10" text-anchor="middle">{value:g}</text>')
        parts.append(f'<text x="{x0 + group_w / 2:.1f}" y="{bottom + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>')
    for j, name in enumerate(series):
        parts.append(f'<rect x="{left + j * 110}" y="4" width="10" height="10" fill="{colours[j % len(colours)]}"/>'
                     f'<text x="{left + j * 110 + 14}" y="13" font-size="11">{escape(name)}</text>')
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#333"/></svg>')
    return "".join(parts)
