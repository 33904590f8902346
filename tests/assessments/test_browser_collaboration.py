"""Two people answer the same category at the same time in real headless Chromium.

Non-conflicting answers are both kept; on the requirement both changed, the second saver sees the
first one's answer and name instead of overwriting it, chooses "Keep mine", and that saves.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from organizations.models import Membership
from organizations.roles import Role
from tests.conftest import make_user
from tests.csp import watch_csp
from tests.factories import assessment_create, model_1_1
from tests.services import require_chromium

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT = Path("/tmp/questionnaire-category.png")

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        browser.csp_violations = []  # every page's list (signed_in_page): none may hold anything
        yield browser
        browser.close()
        reported = [text for violations in browser.csp_violations for text in violations]
        assert not reported, f"Content-Security-Policy violations: {reported}"
        # Playwright's greenlet gives this thread a second context, with its own Django connection;
        # close it here, or it would still hold the test database when that is dropped.
        connections.close_all()


def signed_in_page(browser, live_server, user):
    """A browser context with its own session cookie for ``user`` (as after signing in)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser.csp_violations.append(watch_csp(page))
    return page


def status(page, key):
    return page.locator(f"#answer-{key.replace('.', '-')}-status")


def version(page, key):
    """The version the form will send next: it grows with every accepted save."""
    return status(page, key).locator("input[name=version]")


def choose(page, key, level):
    page.locator(f"label[for='answer-{key.replace('.', '-')}-l{level}']").click()


@pytest.mark.django_db(transaction=True)
def test_two_users_answer_the_same_category(live_server, browser):
    from playwright.sync_api import expect

    assessment = assessment_create(
        _org(), model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS, name="Shared assessment"
    )
    alice, bob = _member(assessment, "alice@acme.test"), _member(assessment, "bob@acme.test")
    path = reverse("assessments:questionnaire_category", args=[assessment.organization.slug, assessment.pk, "G.1"])
    page_a = signed_in_page(browser, live_server, alice)
    page_b = signed_in_page(browser, live_server, bob)
    page_a.goto(live_server.url + path)
    page_b.goto(live_server.url + path)  # both loaded before anybody saved

    # Different requirements: both kept.
    choose(page_a, "G.1.1", 3)
    expect(status(page_a, "G.1.1")).to_contain_text("Saved ✓")
    choose(page_b, "G.1.2", 4)
    expect(status(page_b, "G.1.2")).to_contain_text("Saved ✓")
    page_b.fill("#answer-G-1-2-notes", "Roadmap approved by the board")
    expect(version(page_b, "G.1.2")).to_have_value("2")  # notes save as you type

    # The same requirement: Alice first, then Bob from his stale page.
    choose(page_a, "G.1.3", 2)
    expect(status(page_a, "G.1.3")).to_contain_text("Saved ✓")
    choose(page_b, "G.1.3", 5)
    conflict = status(page_b, "G.1.3").locator(".conflict")
    expect(conflict).to_contain_text("alice@acme.test")
    expect(conflict.locator(".conflict-theirs")).to_contain_text("2 Basic")
    expect(conflict.locator(".conflict-mine")).to_contain_text("5 Optimized")
    stored = RequirementAnswer.objects.get(requirement__key="G.1.3")
    assert (stored.level, stored.updated_by) == (2, alice), "Bob's stale save must not overwrite Alice's"
    page_b.screenshot(path=str(SCREENSHOT), full_page=True)

    conflict.get_by_role("button", name="Keep mine").click()
    expect(status(page_b, "G.1.3")).to_contain_text("Saved ✓")

    answers = {a.requirement.key: a for a in RequirementAnswer.objects.select_related("requirement", "updated_by")}
    assert (answers["G.1.1"].level, answers["G.1.1"].updated_by) == (3, alice)
    assert (answers["G.1.2"].level, answers["G.1.2"].notes, answers["G.1.2"].updated_by) == (
        4,
        "Roadmap approved by the board",
        bob,
    )
    assert (answers["G.1.3"].level, answers["G.1.3"].version, answers["G.1.3"].updated_by) == (5, 2, bob)

    # Alice now has a stale G.1.3: "Take theirs" shows Bob's answer in her form.
    choose(page_a, "G.1.3", 1)
    expect(status(page_a, "G.1.3").locator(".conflict")).to_contain_text("bob@acme.test")
    status(page_a, "G.1.3").get_by_role("link", name="Take theirs").click()
    expect(page_a.locator("#answer-G-1-3-l5")).to_be_checked()
    assert RequirementAnswer.objects.get(requirement__key="G.1.3").level == 5


@pytest.mark.django_db(transaction=True)
def test_a_category_can_be_answered_with_the_keyboard(live_server, browser):
    from playwright.sync_api import expect

    assessment = assessment_create(_org(), model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    alice = _member(assessment, "alice@acme.test")
    path = reverse("assessments:questionnaire_category", args=[assessment.organization.slug, assessment.pk, "G.1"])
    page = signed_in_page(browser, live_server, alice)
    page.goto(live_server.url + path)
    # Tab from the top of the page reaches the first requirement's level radios.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "level":
            break
    assert page.evaluate("document.activeElement.id").startswith("answer-G-1-1-l")
    page.keyboard.press("ArrowRight")  # native radio group: arrows pick the next level
    expect(status(page, "G.1.1")).to_contain_text("Saved ✓")
    page.keyboard.press("Tab")  # the level descriptions beside the buttons: Enter opens them
    assert page.evaluate("document.activeElement.closest('details.level-help') !== null")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('details').open")
    page.keyboard.press("Tab")  # on to the notes
    assert page.evaluate("document.activeElement.id") == "answer-G-1-1-notes"
    page.keyboard.type("Checked with the keyboard only")
    page.keyboard.press("Tab")
    expect(version(page, "G.1.1")).to_have_value("2")
    expect(status(page, "G.1.1")).to_contain_text("Saved ✓")
    answer = RequirementAnswer.objects.get(requirement__key="G.1.1")
    assert answer.level is not None and answer.notes == "Checked with the keyboard only"


def _org():
    from organizations.models import Organization

    return Organization.objects.create(name="Acme Trust Services", slug="acme")


def _member(assessment, email):
    user = make_user(email)
    Membership.objects.create(organization=assessment.organization, user=user, role=Role.ASSESSOR)
    return user


@pytest.mark.django_db(transaction=True)
def test_pages_keep_to_the_content_security_policy(live_server, browser):
    """Pages with scripts and charts load without a CSP violation; an inline script is refused and reported."""
    org_ = _org()
    assessment = assessment_create(org_, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    user = _member(assessment, "csp@acme.test")
    Membership.objects.filter(user=user).update(role=Role.OWNER)
    page = signed_in_page(browser, live_server, user)
    for path in (
        reverse("home"),
        reverse("assessments:list", args=[org_.slug]),
        reverse("assessments:scope", args=[org_.slug, assessment.pk]),
        reverse("assessments:questionnaire", args=[org_.slug, assessment.pk]),
        reverse("assessments:questionnaire_category", args=[org_.slug, assessment.pk, "G.1"]),
        reverse("results:detail", args=[org_.slug, assessment.pk]),
        reverse("org_members", args=[org_.slug]),
        reverse("portfolio:index"),
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(live_server.url + reverse("assessments:list", args=[org_.slug]))
    assert page.locator(".progress-bar").first.evaluate("el => getComputedStyle(el).width") is not None
    # The watcher itself: an injected inline script is blocked, and reported.
    probe = browser.csp_violations.pop()
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in text for text in probe)
