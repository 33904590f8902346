"""Server-side SVG of the trend: overall and module values of the signed-off assessments over time.

Plain SVG markup (no JavaScript, no external fonts) so that it shows the same in the browser and in PDFs.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from scoring.engine import format_value

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 16, 40
MODULE_COLORS = ("#1f6feb", "#27ae60", "#e67e22", "#8e44ad", "#16a085", "#c0392b")
OVERALL_COLOR = "#212529"
SERIES_COLORS = ("#212529", "#1f6feb", "#e67e22", "#8e44ad", "#27ae60", "#c0392b")


def _y(value) -> float:
    """Levels 1..5 from bottom to top."""
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot - (float(value) - 1) / 4 * plot


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    if count == 1:
        return LEFT + plot / 2
    return LEFT + index * plot / (count - 1)


def _series(points, value_of, color: str, label: str, width: float, legend_row: int) -> list[str]:
    parts = []
    coordinates = [
        (_x(i, len(points)), _y(value_of(p).value), value_of(p))
        for i, p in enumerate(points)
        if value_of(p) is not None and value_of(p).value is not None
    ]
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"/>')
    for x, y, score in coordinates:
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{width + 1.5}" fill="{color}">'
            f"<title>{escape(label)}: {format_value(score.value)}</title></circle>"
        )
    legend_y = TOP + 14 + legend_row * 20
    legend_x = WIDTH - RIGHT + 16
    parts.append(
        f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 18}" y2="{legend_y - 4}" '
        f'stroke="{color}" stroke-width="{width}"/>'
        f'<text x="{legend_x + 24}" y="{legend_y}" font-size="12">{escape(label)}</text>'
    )
    return parts


def trend_svg(trend: dict) -> str:
    """The chart of ``improvement.selectors.assessment_trend``'s result; empty string without points."""
    points = trend["points"]
    if not points:
        return ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Trend of overall and module maturity values" class="trend-chart" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">'
    ]
    for level in range(1, 6):
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dee2e6"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#6c757d">{level}</text>'
        )
    for i, point in enumerate(points):
        x = _x(i, len(points))
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="11" text-anchor="middle" fill="#495057">'
            f"{point.date:%b %Y}</text>"
        )
    series = trend.get("series") or []
    if len(series) > 1:
        # Several methods (or scopes): one overall line each, never one line across them.
        for row, one in enumerate(series):
            members = {id(p) for p in one.points}
            color = SERIES_COLORS[row % len(SERIES_COLORS)]
            parts += _series(
                points,
                lambda p, members=members: p.overall if id(p) in members else None,
                color,
                one.label,
                2.5,
                row,
            )
    else:
        for row, (code, name) in enumerate(trend["modules"].items()):
            color = MODULE_COLORS[row % len(MODULE_COLORS)]
            parts += _series(points, lambda p, code=code: p.modules.get(code), color, f"{code} {name}", 1.5, row + 1)
        parts += _series(points, lambda p: p.overall, OVERALL_COLOR, "Overall", 3, 0)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above
