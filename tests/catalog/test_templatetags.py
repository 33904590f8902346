from decimal import Decimal
from fractions import Fraction

from catalog.templatetags.pkimm import markdown, two_decimals


def test_two_decimals_rounds_half_up_exactly():
    assert two_decimals(Decimal("2.745")) == "2.75"
    assert two_decimals(2.745) == "2.75"
    assert two_decimals(Fraction(74, 27)) == "2.74"
    assert two_decimals(None) == "–"


def test_markdown_is_sanitized():
    html = markdown("Hello <script>alert(1)</script> **bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>bold</strong>" in html


def test_markdown_renders_lists_and_links():
    html = markdown("- one\n- [PKI Consortium](https://pkic.org)")
    assert "<li>one</li>" in html
    assert 'href="https://pkic.org"' in html and 'rel="noopener noreferrer nofollow"' in html
