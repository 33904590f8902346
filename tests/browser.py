"""Real headless Chromium for browser tests: a launched browser and pages signed in as a user. Every page
reports Content-Security-Policy violations; the browser asserts at the end that there were none."""

import contextlib

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections

from tests.csp import watch_csp
from tests.services import require_chromium

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


@contextlib.contextmanager
def chromium():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        browser.csp_violations = []  # every page's list (signed_in_page): none may hold anything
        try:
            yield browser
        finally:
            browser.close()
            # Playwright's greenlet gives this thread a second Django connection: close it before the
            # test database is dropped.
            connections.close_all()
        reported = [text for violations in browser.csp_violations for text in violations]
        assert not reported, f"Content-Security-Policy violations: {reported}"


def signed_in_page(browser, live_server, user, viewport=DESKTOP):
    """A page in its own browser context with a session cookie for ``user`` (as after signing in)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    browser.csp_violations.append(watch_csp(page))
    return page
