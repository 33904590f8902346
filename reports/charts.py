"""Static SVG charts for the PDF reports, drawn from plain numbers (no JavaScript, no fonts to fetch).

Inputs are lists of dicts as ``report_data_build`` produces them: ``{"key", "label", "value"}`` with
``value`` a float 0-5 or None (not evaluated).
"""

import math
from html import escape

LEVEL_COLOURS = {1: "#c0392b", 2: "#e67e22", 3: "#d4ac0d", 4: "#27ae60", 5: "#1f6feb"}
NO_VALUE_COLOUR = "#adb5bd"


def _level_colour(value):
    if value is None:
        return NO_VALUE_COLOUR
    return LEVEL_COLOURS[max(1, min(5, math.floor(value)))]


def radar_chart_svg(items: list[dict], *, size: int = 460) -> str:
    """Category values on five rings (levels 1-5); categories without a value sit at the centre, greyed."""
    count = len(items)
    if count < 3:
        return ""
    centre = size / 2
    radius = size / 2 - 70  # room for the labels around the rings
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'class="chart radar" role="img" aria-label="Category levels">'
    ]

    def point(index, value):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return centre + radius * value / 5 * math.cos(angle), centre + radius * value / 5 * math.sin(angle)

    for ring in range(1, 6):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#ced4da" stroke-width="0.8"/>')
        x, y = point(0, ring)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 3:.1f}" font-size="9" fill="#6c757d">{ring}</text>')
    for index, item in enumerate(items):
        x, y = point(index, 5)
        parts.append(
            f'<line x1="{centre:.1f}" y1="{centre:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#dee2e6" stroke-width="0.8"/>'
        )
        lx, ly = point(index, 5.9)
        anchor = "middle" if abs(lx - centre) < 12 else ("start" if lx > centre else "end")
        colour = "#212529" if item["value"] is not None else NO_VALUE_COLOUR
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" font-size="10" text-anchor="{anchor}" fill="{colour}">'
            f"{escape(item['label'])}</text>"
        )
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, item["value"] or 0) for i, item in enumerate(items)))
    parts.append(f'<polygon points="{shape}" fill="#1f6feb" fill-opacity="0.22" stroke="#1f6feb" stroke-width="1.6"/>')
    for index, item in enumerate(items):
        if item["value"] is not None:
            x, y = point(index, item["value"])
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{_level_colour(item["value"])}"/>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_svg(items: list[dict], *, width: int = 640, row_height: int = 22, label_width: int = 210) -> str:
    """Horizontal bars on a 0-5 scale with the value printed at the end of each bar."""
    if not items:
        return ""
    scale_width = width - label_width - 50
    height = row_height * len(items) + 26
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="chart bars" role="img" aria-label="Levels">'
    ]
    for level in range(6):
        x = label_width + scale_width * level / 5
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#dee2e6" stroke-width="0.8"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - 5}" font-size="9" text-anchor="middle" fill="#6c757d">{level}</text>'
        )
    for index, item in enumerate(items):
        y = index * row_height + 4
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row_height / 2 + 3:.1f}" font-size="10" text-anchor="end" '
            f'fill="#212529">{escape(item["label"])}</text>'
        )
        value = item["value"]
        if value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + row_height / 2 + 3:.1f}" font-size="9" fill="{NO_VALUE_COLOUR}">'
                f"not evaluated</text>"
            )
            continue
        bar = scale_width * value / 5
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row_height - 8}" rx="2" '
            f'fill="{_level_colour(value)}"/>'
        )
        parts.append(
            f'<text x="{label_width + bar + 4:.1f}" y="{y + row_height / 2 + 3:.1f}" font-size="9" fill="#212529">'
            f"{value:.2f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
