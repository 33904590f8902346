"""The SVG charts are valid, self-contained XML that browsers and WeasyPrint draw alike."""

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from scoring.charts import module_bar_chart_svg, radar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"

CATEGORIES = [
    ("G.1 Strategy and vision", Fraction(10, 3)),
    ("G.2 Policies and documentation", 2),
    ("G.3 Compliance", None),
    ("M.9 Change management and agility", 5),
    ("R.16 Awareness", 1.5),
]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "svg",
    [radar_chart_svg(CATEGORIES), module_bar_chart_svg([("G Governance", 2.74), ("M Management", None)])],
    ids=["radar", "bars"],
)
def test_chart_is_sized_for_print_and_uses_no_external_resources(svg):
    root = _parse(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert 0 < width <= 700 and height > 0
    assert root.get("style") is None  # no inline style (Content-Security-Policy); CSS scales it down
    assert root.get("class") == "pkimm-chart"
    assert root.get("font-family") == "sans-serif"
    assert root.find(f"{SVG}title").text
    assert "<script" not in svg and "href" not in svg and "@import" not in svg and "url(" not in svg


def test_radar_shows_every_category_with_its_value():
    root = _parse(radar_chart_svg(CATEGORIES))
    texts = _texts(root)
    joined = " ".join(texts)

    for word in ("G.1", "Strategy", "Policies", "Compliance", "Awareness", "agility"):
        assert word in joined
    assert "3.33" in texts and "2.00" in texts and "5.00" in texts and "1.50" in texts
    assert "–" in texts  # G.3 has no value
    for ring in "12345":
        assert ring in texts


def test_radar_leaves_a_gap_labelled_n_a_for_a_not_applicable_category_never_a_zero():
    categories = [*CATEGORIES[:2], ("G.3 Compliance", None, "N/A"), *CATEGORIES[3:]]
    root = _parse(radar_chart_svg(categories))
    texts = _texts(root)
    assert "N/A" in texts
    # No value point and no outline vertex at the centre (0): the outline breaks at G.3.
    markers = [c for c in root.iter(f"{SVG}circle") if c.findtext(f"{SVG}title")]
    assert len(markers) == 4 and not any("G.3" in c.findtext(f"{SVG}title") for c in markers)
    assert not [p for p in root.iter(f"{SVG}polygon") if p.get("fill-opacity") and p.get("stroke") != "none"]
    outlines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert len(outlines) == 1 and len(outlines[0]) == 4  # M.9, R.16, G.1, G.2: one run around the gap
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2  # the G.3 spoke, and the legend's sample
    # Not assessed (no note) reads "–", not applicable reads "N/A".
    assert "–" in _texts(_parse(radar_chart_svg(CATEGORIES)))


def test_radar_values_sit_on_their_rings():
    root = _parse(radar_chart_svg([("A", 5), ("B", 5), ("C", 5), ("D", 2.5)]))
    outline = next(p for p in root.iter(f"{SVG}polygon") if p.get("fill-opacity"))
    rings = [p for p in root.iter(f"{SVG}polygon") if p.get("fill") == "none"]
    outer_ring = rings[-1].get("points").split()
    assert outline.get("points").split()[:3] == outer_ring[:3]  # level 5 lies on the outer ring
    top, right, bottom, left = [tuple(map(float, p.split(","))) for p in outline.get("points").split()]
    cx = float(root.get("width")) / 2
    assert top[0] == pytest.approx(cx) and right[1] == pytest.approx(top[1] + (cx - left[0]) * 2, abs=1)
    assert cx - left[0] == pytest.approx((right[0] - cx) / 2, abs=0.2)  # 2.5 is half way to 5


def test_labels_are_escaped():
    svg = radar_chart_svg([("<script>x</script>", 3), ("A & B", 2), ('"quoted"', 1)])
    root = _parse(svg)
    assert "<script>" not in svg
    assert {"<script>x</script>", "A & B", '"quoted"'} <= set(_texts(root))
    bars = module_bar_chart_svg([("<b>&</b>", 3)])
    assert "<b>" not in bars and _parse(bars) is not None


def test_long_labels_are_wrapped_and_shortened():
    root = _parse(radar_chart_svg([("Word " * 30, 3), ("B", 2), ("C", 1)]))
    label_lines = [t for t in _texts(root) if t.startswith("Word")]
    assert len(label_lines) == 2
    assert all(len(line) <= 22 for line in label_lines)
    assert label_lines[-1].endswith("…")


def test_radar_with_few_or_no_categories_still_renders():
    assert "No categories" in " ".join(_texts(_parse(radar_chart_svg([]))))
    assert _parse(radar_chart_svg([("Only", 3)])) is not None
    assert _parse(radar_chart_svg([("A", None), ("B", None)])) is not None


def test_bar_chart_bars_are_proportional_and_coloured_by_level():
    root = _parse(module_bar_chart_svg([("G Governance", Fraction(74, 27)), ("M Management", 5), ("O", None)]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.findtext(f"{SVG}title")]
    assert len(bars) == 2
    g, m = bars
    assert float(g.get("width")) / float(m.get("width")) == pytest.approx(74 / 27 / 5, abs=0.01)
    assert g.get("fill") == "#e67e22" and m.get("fill") == "#1f6feb"  # level 2 and level 5 colours
    texts = _texts(root)
    assert "2.74" in texts and "5.00" in texts and "not assessed" in texts
    na = _texts(_parse(module_bar_chart_svg([("G Governance", 2), ("O Operations", None, "N/A")])))
    assert "N/A" in na and "not applicable" in na
    for name in ("Initial", "Basic", "Advanced", "Managed", "Optimized"):
        assert name in texts


def test_charts_keep_their_proportions_in_weasyprint():
    from weasyprint import HTML

    radar, bars = radar_chart_svg(CATEGORIES), module_bar_chart_svg([("G Governance", 2.74), ("M", None)])
    # The reports' style sheet (static/reports/report.css) keeps charts within the page.
    style = "@page { size: A4; margin: 2.5cm } .pkimm-chart { max-width: 100% }"
    html = f"<html><head><style>{style}</style></head><body>{radar}{bars}</body></html>"
    document = HTML(string=html).render()
    boxes = []

    def walk(box):
        if type(box).__name__ == "InlineReplacedBox":
            boxes.append(box)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert len(document.pages) == 1
    for box, svg in zip(boxes, (radar, bars), strict=True):
        root = _parse(svg)
        ratio = float(root.get("width")) / float(root.get("height"))
        assert box.width <= document.pages[0].width - 2 * 2.5 * 96 / 2.54 + 1  # fits between the margins
        assert box.width / box.height == pytest.approx(ratio, rel=0.01)
