"""Checks that a page keeps to the Content-Security-Policy: the header is there, and the HTML has no inline script,
no inline event handler and no inline style (only static files may carry behaviour and looks)."""

import re

# <script> without src: executable inline code (JSON data blocks, type="application/json", are not executed).
_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
_EVENT_HANDLER = re.compile(rb"<[a-z][^>]*\s on[a-z]+\s*=", re.I | re.X)
_STYLE_ATTRIBUTE = re.compile(rb"<[a-z][^>]*\sstyle\s*=", re.I)
_STYLE_ELEMENT = re.compile(rb"<style\b", re.I)
_JS_URL = re.compile(rb"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def csp_problems(response) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    if "script-src 'self'" not in policy or "style-src 'self'" not in policy or "unsafe" in policy:
        problems.append(f"Content-Security-Policy missing or loose: {policy!r}")
    if response.headers.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
        html = response.content
        for name, pattern in (
            ("inline <script>", _INLINE_SCRIPT),
            ("inline event handler", _EVENT_HANDLER),
            ("style attribute", _STYLE_ATTRIBUTE),
            ("<style> element", _STYLE_ELEMENT),
            ("javascript: URL", _JS_URL),
        ):
            match = pattern.search(html)
            if match:
                problems.append(f"{name}: {match.group(0)[:120]!r}")
    return problems


_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


def watch_csp(page) -> list[str]:
    """The Content-Security-Policy violations ``page`` will report (console messages and securitypolicyviolation
    events), for a browser test to assert that there were none."""
    violations: list[str] = []
    page.add_init_script(_REPORT_VIOLATIONS)  # added by the browser's debugging protocol: not subject to the CSP

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations
