"""The one Markdown renderer of pages and PDF reports: CommonMark shapes the model's texts use, sanitized."""

import re

import pytest
import yaml

from core.markdown import render_markdown
from tests import official

# A line of text and, without a blank line, a list: CommonMark makes it a paragraph and a list.
LIST_AFTER_TEXT = re.compile(r"^(?![-*+] ).+\n[-*+] ", re.MULTILINE)


def test_a_list_right_after_a_line_of_text_is_a_list():
    html = render_markdown("The scope consists of the following:\n- Functional scope\n- Technical scope")
    assert "<p>The scope consists of the following:</p>" in html
    assert "<ul>\n<li>Functional scope</li>\n<li>Technical scope</li>\n</ul>" in html


def test_nested_and_ordered_lists():
    html = render_markdown("Do this:\n1. First\n   - detail a\n   - detail b\n2. Second")
    assert html.count("<ol>") == 1 and html.count("<ul>") == 1
    assert "<li>First\n<ul>\n<li>detail a</li>\n<li>detail b</li>\n</ul>\n</li>\n<li>Second</li>" in html
    only_start = render_markdown("Steps:\n3. three\n4. four")
    # CommonMark: only a list starting at 1 may interrupt a paragraph.
    assert "<ol" not in only_start and "3. three" in only_start
    assert '<ol start="3">' in render_markdown("3. three\n4. four")


def test_links_are_kept_with_a_safe_rel_and_dangerous_targets_dropped():
    html = render_markdown(
        "- [RFC 3647](https://tools.ietf.org/html/rfc3647)\n- [x](javascript:alert(1))\n"
        "- [y](JaVaScRiPt:alert(1))\n- [z](data:text/html,hi)\n- <https://pkic.org>\n- [mail](mailto:pki@example.org)"
    )
    assert '<a href="https://tools.ietf.org/html/rfc3647" rel="noopener noreferrer nofollow">RFC 3647</a>' in html
    assert '<a href="https://pkic.org" rel="noopener noreferrer nofollow">https://pkic.org</a>' in html
    assert 'href="mailto:pki@example.org"' in html
    assert "javascript" not in html.lower() and "data:" not in html
    assert html.count("<a ") == 6 and html.count("href=") == 3


def test_raw_html_and_handlers_never_pass():
    html = render_markdown(
        "Hello <script>alert(1)</script> **bold** <img src=x onerror=alert(1)>\n\n"
        '<div style="color:red" onclick="x()">block</div>\n\n<iframe src="https://evil.test"></iframe>'
    )
    assert "<strong>bold</strong>" in html
    for fragment in ("<script", "alert(1)", "onerror", "onclick", "style=", "<iframe", "<img", "<div"):
        assert fragment not in html


def test_tables_and_empty_text():
    html = render_markdown("| Level | Meaning |\n|---|---|\n| 1 | Initial |")
    assert "<table>" in html and "<th>Level</th>" in html and "<td>Initial</td>" in html
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_pdf_reports_use_the_same_renderer():
    """The report templates render Markdown with the same filter as the pages (no renderer of their own)."""
    from catalog.templatetags.pkimm import markdown

    text = "Sampling:\n- ten certificates\n- two CRLs"
    assert markdown(text) == render_markdown(text)
    assert "<ul>" in markdown(text)


def _text_fields(model):
    for module in model["modules"]:
        for category in module["categories"]:
            yield category.get("description") or ""
            for level in category.get("levels") or ():
                yield level.get("description") or ""
            for requirement in category["requirements"]:
                for name in ("description", "guidance", "assessment", "references"):
                    yield requirement.get(name) or ""


@pytest.mark.official
def test_official_1_1_texts_with_a_list_after_a_line_render_lists():
    model = yaml.safe_load(official.MODEL_1_1.read_text(encoding="utf-8"))
    shaped = [text for text in _text_fields(model) if LIST_AFTER_TEXT.search(text)]
    # The 1.1.0 file has dozens of such texts (guidance "...consists of:\n- ..."); each must render its list.
    assert len(shaped) >= 80
    flattened = [text[:60] for text in shaped if "<ul>" not in render_markdown(text)]
    assert flattened == []
    # And the line before the list stays its own paragraph, not run into the first item.
    for text in shaped:
        line = LIST_AFTER_TEXT.search(text).group(0).split("\n")[0]
        assert f"\n- {line}" not in render_markdown(text)
