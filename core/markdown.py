"""Model texts are Markdown: render them as CommonMark (as the PKI Consortium's site does) and sanitize.

One renderer for every page and every PDF report (the ``markdown`` template filter calls it). CommonMark
matters for the model's texts: a list that follows a line of text without a blank line ("...consists of the
following:\\n- Functional ...") is a list, and nested lists need only their indentation. Raw HTML in a text
is parsed and then removed by nh3 with everything else outside the allowed tags; links keep only http(s) and
mailto targets and get rel="noopener noreferrer nofollow".
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

# Built once: constructing the parser costs far more than rendering a text.
_parser = MarkdownIt("commonmark", {"typographer": False}).enable(["table", "strikethrough"])
# Every link target reaches nh3, which alone decides what is safe (markdown-it would otherwise leave a
# refused link as its raw source text, "javascript:..." included).
_parser.validateLink = lambda url: True


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    clean = nh3.clean(
        _parser.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
