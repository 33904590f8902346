"""Server-side SVG of the trend: overall and module values of the signed-off assessments over time.

Plain SVG markup (no JavaScript, no external fonts) so that it shows the same in the browser and in PDFs.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from scoring.engine import format_value

# Narrow enough to stay legible when scaled down to a phone (390 px); the legend goes under the plot.
WIDTH, HEIGHT = 600, 270  # HEIGHT: the plot and its axis labels; the legend rows come below
LEFT, RIGHT, TOP, BOTTOM = 40, 36, 22, 36
FONT = 14
LEGEND_ROW = 24
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


def _series(points, value_of, color: str, label: str, width: float, values=False) -> list[str]:
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
        if values:  # several series: each point names its value (a lone point has no line to read it from)
            parts.append(
                f'<text x="{x:.1f}" y="{y - 9:.1f}" font-size="{FONT - 1}" text-anchor="middle" fill="{color}">'
                f"{format_value(score.value)}</text>"
            )
    return parts


def _legend(entries, top: float) -> tuple[list[str], float]:
    """Legend items (label, color, line width) in rows under the plot; the parts and the height they take."""
    parts, x, y = [], LEFT, top + FONT
    for label, color, width in entries:
        item_width = 30 + 0.62 * FONT * len(label)
        if x > LEFT and x + item_width > WIDTH - RIGHT:
            x, y = LEFT, y + LEGEND_ROW
        parts.append(
            f'<line x1="{x:.0f}" y1="{y - 5:.0f}" x2="{x + 20:.0f}" y2="{y - 5:.0f}" stroke="{color}" '
            f'stroke-width="{width}"/><text x="{x + 26:.0f}" y="{y:.0f}" font-size="{FONT}">{escape(label)}</text>'
        )
        x += item_width + 14
    return parts, y - top + 10


def trend_svg(trend: dict) -> str:
    """The chart of ``improvement.selectors.assessment_trend``'s result; empty string without points."""
    points = trend["points"]
    if not points:
        return ""
    parts = []
    for level in range(1, 6):
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dee2e6"/>'
            f'<text x="{LEFT - 8}" y="{y + 5:.1f}" font-size="{FONT - 1}" text-anchor="end" fill="#6c757d">'
            f"{level}</text>"
        )
    for i, point in enumerate(points):
        x = _x(i, len(points))
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 22}" font-size="{FONT - 1}" text-anchor="middle" '
            f'fill="#495057">{point.date:%b %Y}</text>'
        )
    series = trend.get("series") or []
    legend = []
    if len(series) > 1:
        # Several methods (or scopes): one overall line each, never one line across them.
        for row, one in enumerate(series):
            members = {id(p) for p in one.points}
            color = SERIES_COLORS[row % len(SERIES_COLORS)]
            overall_of = lambda p, members=members: p.overall if id(p) in members else None  # noqa: E731
            parts += _series(points, overall_of, color, one.label, 2.5, values=True)
            legend.append((one.label, color, 2.5))
    else:
        legend.append(("Overall", OVERALL_COLOR, 3))
        for row, (code, name) in enumerate(trend["modules"].items()):
            color = MODULE_COLORS[row % len(MODULE_COLORS)]
            parts += _series(points, lambda p, code=code: p.modules.get(code), color, f"{code} {name}", 1.5)
            legend.append((f"{code} {name}", color, 1.5))
        parts += _series(points, lambda p: p.overall, OVERALL_COLOR, "Overall", 3)
    legend_parts, legend_height = _legend(legend, HEIGHT)
    height = HEIGHT + legend_height
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="Trend of overall and module maturity values" class="trend-chart" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">'
    )
    return mark_safe(head + "".join(parts + legend_parts) + "</svg>")  # every text in it is escaped above
