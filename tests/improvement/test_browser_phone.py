"""The pages a consultant uses most fit a phone (390 px) without scrolling sideways, in real headless
Chromium; screenshots at 1400 px and 390 px go to /tmp/i15b-shots for looking at."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Assignment, CategoryAnswer
from catalog.models import Category
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.browser import DESKTOP, PHONE, chromium, signed_in_page
from tests.conftest import make_user
from tests.factories import assessment_create, model_1_1
from tests.improvement.conftest import plan_create, sign_off, signed_off_assessment

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SHOTS = Path("/tmp/i15b-shots")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The innermost elements that reach past the right edge, outside the tables that scroll in their own
# wrapper (to name them when a page is too wide).
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive')
    && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _at(year, month):
    return timezone.make_aware(datetime.datetime(year, month, 15, 12))


def _world():
    """A consultant who owns three client organizations; the first has a formal and a self-assessment
    result, a formal assessment in progress with assignments (one overdue) and an action plan."""
    model_1_1()
    consultant = make_user("consultant@advisors.test", full_name="Cora Consultant")
    clients = []
    for n, name in enumerate(("Acme Trust Services", "Globex Certificate Authority", "Initech PKI Operations")):
        organization = Organization.objects.create(name=name, slug=name.split()[0].lower())
        Membership.objects.create(organization=organization, user=consultant, role=Role.OWNER)
        signed_off_assessment(organization, level=2 + n, when=_at(2025, 3), name=f"Formal assessment 2025 ({name})")
        clients.append(organization)
    acme = clients[0]
    quick = assessment_create(acme, method=Assessment.Method.SELF, name="Quick self-assessment 2026")
    CategoryAnswer.objects.bulk_create(
        CategoryAnswer(organization=acme, assessment=quick, category=c, level=1 + c.position % 3)
        for c in Category.objects.filter(model_version=quick.model_version)
    )
    sign_off(quick, _at(2026, 2))
    signed_off_assessment(acme, level=3, when=_at(2026, 9), name="Formal assessment 2026")
    working = assessment_create(acme, name="Formal assessment 2027")
    working.status, working.target_date = (
        Assessment.Status.IN_PROGRESS,
        timezone.localdate() + datetime.timedelta(days=40),
    )
    working.summary_assessed, working.summary_applicable = 31, 78
    working.save()
    today = timezone.localdate()
    for n, category in enumerate(Category.objects.filter(model_version=working.model_version).order_by("position")[:4]):
        Assignment.objects.create(
            organization=acme,
            assessment=working,
            category=category,
            assignee=consultant,
            due_date=today + datetime.timedelta(days=-21 if n == 0 else 7 * n),
        )
    plan_create(
        acme,
        origin=working,
        category_key="M.6",
        title="Rotate the issuing CA keys under dual control",
        responsible_user=consultant,
        due_date=today + datetime.timedelta(days=60),
    )
    results = Assessment.objects.get(name="Formal assessment 2026")
    return consultant, acme, results, working


def _pages(acme, results, working):
    return {
        "dashboard": reverse("home"),
        "my-work": reverse("work:index"),
        "portfolio": reverse("portfolio:index"),
        "results": reverse("results:detail", args=[acme.slug, results.pk]),
        "trend-two-methods": reverse("plans:trend", args=[acme.slug]),
        "bulk-assignment": reverse("assessments:assignments", args=[acme.slug, working.pk]),
    }


def test_pages_fit_a_phone_and_the_organization_menu_folds(live_server):
    from playwright.sync_api import expect

    consultant, acme, results, working = _world()
    SHOTS.mkdir(exist_ok=True)
    too_wide = {}
    with chromium() as browser:
        desktop = signed_in_page(browser, live_server, consultant, viewport=DESKTOP)
        phone = signed_in_page(browser, live_server, consultant, viewport=PHONE)
        for name, path in _pages(acme, results, working).items():
            for label, page in (("1400", desktop), ("390", phone)):
                response = page.goto(live_server.url + path)
                assert response.status == 200, (name, response.status)
                page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[name] = (width, phone.evaluate(WIDEST))
        assert too_wide == {}
        # Charts scale with the screen: the trend's SVG is no wider than its page.
        phone.goto(live_server.url + reverse("plans:trend", args=[acme.slug]))
        chart = phone.locator("svg.trend-chart").bounding_box()
        assert chart["width"] <= PHONE["width"] and chart["height"] > 100
        # The organization's menu is folded on a phone: the first screen is not filled by it.
        nav = phone.locator("#org-nav")
        assert not nav.is_visible()
        bar = phone.locator(".org-nav-toggle").bounding_box()
        assert bar["y"] + bar["height"] < 0.2 * PHONE["height"]
        phone.get_by_role("button", name="Menu").click()
        expect(nav.get_by_role("link", name="Action plans")).to_be_visible()
        assert desktop.locator("#org-nav").is_visible()
