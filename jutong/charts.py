"""Inline SVG charts for self-contained HTML pages (the quality scorecard, the department
evaluation): no script, no external asset, readable offline."""

from __future__ import annotations

import html

# the classes the charts use; a page includes this in its <style>
SPARK_CSS = (
    ".spark polyline{stroke:#1565c0;stroke-width:1.5}.spark circle{fill:#1565c0}"
    ".spark .grid{stroke:#ddd}"
)


def sparkline(
    values: list[float | None],
    *,
    width: int = 160,
    height: int = 36,
    titles: list[str] | None = None,
) -> str:
    """A line of ``values`` on 0–100 (None: no value that period — the line breaks there),
    one dot per value with its title (the value, or ``titles[i]``)."""
    if not values or all(v is None for v in values):
        return ""
    n = len(values)
    xs = [4 + (width - 8) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    segments: list[list[str]] = [[]]
    dots = []
    for i, (x, v) in enumerate(zip(xs, values, strict=True)):
        if v is None:
            if segments[-1]:
                segments.append([])
            continue
        y = height - 4 - (height - 8) * (max(0.0, min(v, 100.0)) / 100.0)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        title = titles[i] if titles else f"{v:.2f}"
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>{html.escape(title)}</title></circle>'
        )
    lines = "".join(
        f'<polyline points="{" ".join(seg)}" fill="none"/>' for seg in segments if len(seg) > 1
    )
    return (
        f'<svg width="{width}" height="{height}" role="img" class="spark">'
        f'<line x1="0" y1="4" x2="{width}" y2="4" class="grid"/>{lines}{"".join(dots)}</svg>'
    )
