"""Server-rendered SVG charts of maturity values (0-5), shared by the results page and the PDF reports.

Pure functions returning SVG text: no JavaScript and no web fonts, with explicit width, height and viewBox
so that browsers and WeasyPrint draw them the same. Every label is escaped. A missing value is drawn as a
gap (the outline breaks, the spoke is dashed) labelled "N/A" (not applicable) or "–" (not assessed), never
as a 0. Items are (label, value) or (label, value, note) where note is NOT_APPLICABLE for an excluded item.
"""

import math
from html import escape

from scoring.levels import LEVEL_NAMES

MAX_LEVEL = 5
FONT = "sans-serif"
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#ced4da"
SERIES = "#1f6feb"
# The same level colours as static/css/app.css (.level-1 ... .level-5).
LEVEL_COLORS = {1: "#c0392b", 2: "#e67e22", 3: "#d4ac0d", 4: "#27ae60", 5: "#1f6feb"}
NO_VALUE = "–"
NOT_APPLICABLE = "N/A"


def _number(value) -> float | None:
    if value is None:
        return None
    return min(float(MAX_LEVEL), max(0.0, float(value)))


def _display(value, note: str = "") -> str:
    if value is None:
        return NOT_APPLICABLE if note == NOT_APPLICABLE else NO_VALUE
    return f"{float(value):.2f}"


def _items(items) -> list[tuple[str, object, str]]:
    return [(item[0], item[1], item[2] if len(item) > 2 else "") for item in items]


def _f(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content, *, size=11, anchor="start", weight="normal", fill=TEXT, extra="") -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}"{extra}>{escape(content)}</text>'
    )


def _wrap(label: str, width_chars: int, max_lines: int = 2) -> list[str]:
    """One line if it fits, else two lines split where the longer one is shortest; overlong text gets "…"."""
    words = label.split()
    if len(label) <= width_chars or len(words) < 2 or max_lines < 2:
        lines = [" ".join(words)]
    else:
        splits = [(" ".join(words[:n]), " ".join(words[n:])) for n in range(1, len(words))]
        lines = list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))
    limit = width_chars + 2  # a little over the budget reads better than a cut word
    return [line if len(line) <= limit else line[: limit - 1].rstrip() + "…" for line in lines]


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{escape(title)}" '
        # Never wider than its container (a narrow column, a PDF page): ".pkimm-chart { max-width: 100% }" in
        # static/css/app.css and static/reports/report.css (no style attribute: the Content-Security-Policy).
        # No "height: auto" for PDFs: WeasyPrint would make the chart square. Pages add it in their CSS.
        f'font-family="{FONT}" class="pkimm-chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def radar_chart_svg(categories: list[tuple], *, size: int = 480, title: str = "Maturity per category") -> str:
    """A radar of category values on rings for levels 1-5, one spoke per category, clockwise from the top.

    ``categories`` holds (label, value or None[, note]); labels are wrapped to two lines with the value below.
    """
    categories = _items(categories)
    count = len(categories)
    font = max(9, round(size * 11 / 480))
    line = font * 1.2
    label_chars = 20
    margin_x = font * 0.6 * (label_chars + 2)  # room for a label left and right of the plot
    margin_y = line * 4
    radius = size / 2 - margin_y
    width = 2 * (radius + margin_x)
    height = 2 * (radius + margin_y) + line * 2  # plus the legend
    cx, cy = width / 2, radius + margin_y
    body: list[str] = [f'<rect width="{_f(width)}" height="{_f(height)}" fill="#ffffff"/>']

    if count == 0:
        body.append(_text(cx, cy, "No categories", size=font, anchor="middle", fill=MUTED))
        return _svg(width, height, title, body)

    def point(index: float, level: float) -> tuple[float, float]:
        angle = 2 * math.pi * index / count
        distance = radius * level / MAX_LEVEL
        return cx + distance * math.sin(angle), cy - distance * math.cos(angle)

    def polygon(points, **attrs) -> str:
        attributes = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        return f'<polygon points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in points)}" {attributes}/>'

    # Rings for levels 1-5 (polygons, so that a value on a spoke sits exactly on its ring).
    for level in range(1, MAX_LEVEL + 1):
        ring = [point(i, level) for i in range(count)] if count > 2 else []
        if ring:
            body.append(polygon(ring, fill="none", stroke=GRID, stroke_width="1"))
        else:
            body.append(
                f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(radius * level / MAX_LEVEL)}" '
                f'fill="none" stroke="{GRID}" stroke-width="1"/>'
            )
    values = [_number(value) for _, value, _ in categories]
    for i in range(count):
        x, y = point(i, MAX_LEVEL)
        dash = ' stroke-dasharray="3 3"' if values[i] is None else ""
        body.append(
            f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="{GRID}" stroke-width="1"{dash}/>'
        )
    # Ring numbers half-way between the last and the first spoke, where no value point sits.
    for level in range(1, MAX_LEVEL + 1):
        x, y = point(-0.5, level)
        body.append(_text(x, y + font / 3, str(level), size=font - 1, anchor="middle", weight="bold", fill=MUTED))

    outline = [point(i, value) if value is not None else None for i, value in enumerate(values)]
    if count > 2 and all(p is not None for p in outline):
        body.append(polygon(outline, fill=SERIES, fill_opacity="0.18", stroke=SERIES, stroke_width="2"))
    elif count > 2:
        # The outline breaks at a missing value: each run of valued spokes is drawn as its own wedge.
        for run in _runs(values):
            points = [outline[i] for i in run]
            if len(points) > 1:
                body.append(polygon([(cx, cy), *points], fill=SERIES, fill_opacity="0.18", stroke="none"))
                path = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
                body.append(f'<polyline points="{path}" fill="none" stroke="{SERIES}" stroke-width="2"/>')
    for i, value in enumerate(values):
        if value is not None:
            x, y = outline[i]
            label = categories[i][0]
            body.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" fill="{SERIES}">'
                f"<title>{escape(label)}: {_display(categories[i][1])}</title></circle>"
            )

    # Labels outside the outer ring, anchored away from the plot.
    for i, (label, raw_value, note) in enumerate(categories):
        angle = 2 * math.pi * i / count
        sin, cos = math.sin(angle), math.cos(angle)
        x, y = point(i, MAX_LEVEL + 0.3)
        anchor = "middle" if abs(sin) < 0.2 else ("start" if sin > 0 else "end")
        lines = _wrap(label, label_chars)
        block = len(lines) + 1  # the value goes on its own line
        if cos > 0.2:  # upper half: the block ends just above the point
            first = y - (block - 1) * line
        elif cos < -0.2:  # lower half: the block starts just below the point
            first = y + font
        else:
            first = y - (block - 2) * line / 2
        for n, text in enumerate(lines):
            body.append(_text(x, first + n * line, text, size=font, anchor=anchor))
        missing = raw_value is None
        body.append(
            _text(
                x,
                first + len(lines) * line,
                _display(raw_value, note),
                size=font,
                anchor=anchor,
                weight="normal" if missing else "bold",
                fill=MUTED if missing else SERIES,
            )
        )

    # Legend.
    ly = height - line * 0.5
    body.append(f'<circle cx="{_f(cx - 170)}" cy="{_f(ly - font / 3)}" r="3.5" fill="{SERIES}"/>')
    body.append(_text(cx - 162, ly, "value (rings: levels 1–5)", size=font - 1, fill=MUTED))
    body.append(
        f'<line x1="{_f(cx + 10)}" y1="{_f(ly - font / 3)}" x2="{_f(cx + 30)}" y2="{_f(ly - font / 3)}" '
        f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
    )
    body.append(_text(cx + 36, ly, "gap: N/A (not applicable), – (not assessed)", size=font - 1, fill=MUTED))
    return _svg(width, height, title, body)


def module_bar_chart_svg(
    modules: list[tuple],
    *,
    width: int = 480,
    title: str = "Maturity per module",
    level_names: dict[int, str] | None = None,
) -> str:
    """Horizontal bars of module values on a 0-5 axis with a gridline and name per level.

    ``modules`` holds (label, value or None[, note]); each bar is coloured by its level and labelled with its value.
    """
    modules = _items(modules)
    font = 13
    bar = 24
    gap = 14
    label_width = 130
    value_width = 52
    top = 34  # level names above the plot
    left = label_width
    plot = width - label_width - value_width
    height = top + len(modules) * (bar + gap) + 4
    body: list[str] = [f'<rect width="{_f(width)}" height="{_f(height)}" fill="#ffffff"/>']
    bottom = height - 4

    def x_of(level: float) -> float:
        return left + plot * level / MAX_LEVEL

    for level in range(0, MAX_LEVEL + 1):
        x = x_of(level)
        stroke = MUTED if level == 0 else GRID  # the axis darker than the gridlines
        body.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 4)}" x2="{_f(x)}" y2="{_f(bottom)}" stroke="{stroke}" stroke-width="1"/>'
        )
        if level:
            # A bar reaching the gridline of a level has that level (level = floor(value)).
            body.append(_text(x, top - 20, str(level), size=font - 1, anchor="middle", weight="bold", fill=MUTED))
            name = (level_names or LEVEL_NAMES)[level]
            body.append(_text(x, top - 8, name, size=font - 3, anchor="middle", fill=MUTED))

    for row, (label, raw_value, note) in enumerate(modules):
        y = top + row * (bar + gap) + gap / 2
        baseline = y + bar / 2 + font * 0.35
        body.append(_text(left - 8, baseline, _wrap(label, 18, max_lines=1)[0], size=font, anchor="end"))
        value = _number(raw_value)
        if value is None:
            body.append(
                f'<rect x="{_f(left)}" y="{_f(y)}" width="{_f(plot)}" height="{bar}" fill="none" stroke="{GRID}" '
                f'stroke-dasharray="4 3"/>'
            )
            reason = "not applicable" if note == NOT_APPLICABLE else "not assessed"
            body.append(_text(left + 8, baseline, reason, size=font - 1, fill=MUTED))
            body.append(_text(x_of(MAX_LEVEL) + 8, baseline, _display(None, note), size=font, fill=MUTED))
            continue
        level = max(1, min(MAX_LEVEL, math.floor(value)))
        body.append(
            f'<rect x="{_f(left)}" y="{_f(y)}" width="{_f(max(plot * value / MAX_LEVEL, 1))}" height="{bar}" '
            f'fill="{LEVEL_COLORS[level]}" rx="2"><title>{escape(label)}: {_display(raw_value)}</title></rect>'
        )
        body.append(_text(x_of(MAX_LEVEL) + 8, baseline, _display(raw_value), size=font, weight="bold"))
    return _svg(width, height, title, body)


def _runs(values: list) -> list[list[int]]:
    """Indexes of consecutive present values, around the circle (a run may wrap from the last to the first)."""
    count = len(values)
    start = next((i for i in range(count) if values[i] is None), None)
    if start is None:
        return [list(range(count))]
    runs, current = [], []
    for step in range(1, count + 1):
        i = (start + step) % count
        if values[i] is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs
