"""Charts drawn on the server as inline SVG (no JavaScript, nothing from another host):
horizontal bars and a line. Text is escaped; every chart carries a <title> for screen
readers and a plain table stays next to it on the page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_H, GAP, LABEL_W, VALUE_W = 18, 6, 150, 56


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    return f"{v:.0f}{unit}" if float(v).is_integer() else f"{v:.1f}{unit}"


def bars(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    maximum: float | None = None,
    width: int = 520,
    unit: str = "",
    css: Sequence[str] | None = None,
) -> Markup:
    """One horizontal bar per (label, value); None is drawn as an empty bar marked —."""
    values = [v for _, v in rows if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    plot = width - LABEL_W - VALUE_W
    height = len(rows) * (BAR_H + GAP) + GAP
    out = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_H + GAP)
        w = 0 if value is None else max(0.0, min(1.0, value / top)) * plot
        cls = (css[i] if css else "") or "bar"
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{plot}" height="{BAR_H}" fill="#eef1f5"/>'
            f'<rect class="{escape(cls)}" x="{LABEL_W}" y="{y}" width="{w:.1f}" '
            f'height="{BAR_H}" fill="{_FILL.get(cls, "#2f6690")}"/>'
            f'<text x="{LABEL_W + plot + 6}" y="{y + BAR_H - 5}">{_fmt(value, unit)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


_FILL = {"bar": "#2f6690", "bad": "#b3261e", "warn": "#b26a00", "good": "#1e7b34"}


def line(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    maximum: float = 100.0,
    width: int = 360,
    height: int = 90,
) -> Markup:
    """A line through the values in order, labelled with the first and last x labels."""
    pad = 18
    n = len(points)
    out = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#9aa5b1"/>',
    ]
    if n:
        step = (width - 2 * pad) / max(n - 1, 1)
        xy = [
            (pad + i * step, height - pad - max(0.0, min(1.0, v / maximum)) * (height - 2 * pad))
            for i, (_, v) in enumerate(points)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        out.append(f'<polyline points="{path}" fill="none" stroke="#2f6690" stroke-width="2"/>')
        for (x, y), (label, v) in zip(xy, points, strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2f6690">'
                f"<title>{escape(label)}: {_fmt(v, '')}</title></circle>"
            )
        out.append(f'<text x="{pad}" y="{height - 4}">{escape(points[0][0])}</text>')
        if n > 1:
            out.append(
                f'<text x="{width - pad}" y="{height - 4}" text-anchor="end">'
                f"{escape(points[-1][0])}</text>"
            )
    out.append("</svg>")
    return Markup("".join(out))
