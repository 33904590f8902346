"""My work (improvement/selectors_work.py, views.my_work): one person's work across organizations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Assignment, CategoryReview, RequirementAnswer
from catalog.models import Category
from improvement.selectors_work import WorkFilters, my_work_for
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.factories import assessment_create
from tests.improvement.conftest import org_with_member, plan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _client_work(consultant, slug, *, role=Role.LEAD, overdue_days=None):
    """An organization where the consultant has an assigned category, a category sent back in another
    assessment, a review waiting and an open action plan."""
    organization = org_with_member(slug, consultant, role)
    working = assessment_create(organization, name=f"{slug} formal")
    working.status = Assessment.Status.IN_PROGRESS
    working.save()
    due = TODAY + datetime.timedelta(days=overdue_days if overdue_days is not None else 10)
    g1 = Category.objects.get(model_version=working.model_version, key="G.1")
    Assignment.objects.create(
        organization=organization, assessment=working, category=g1, assignee=consultant, due_date=due
    )
    reviewed = assessment_create(organization, name=f"{slug} in review")
    reviewed.status = Assessment.Status.IN_REVIEW
    reviewed.save()
    categories = Category.objects.filter(model_version=reviewed.model_version).order_by("position")[:3]
    for n, category in enumerate(categories):
        CategoryReview.objects.create(
            organization=organization,
            assessment=reviewed,
            category=category,
            status=CategoryReview.Status.SENT_BACK if n == 0 else CategoryReview.Status.PENDING,
            comment="Evidence missing" if n == 0 else "",
        )
    Assignment.objects.create(
        organization=organization, assessment=reviewed, category=categories[0], assignee=consultant
    )
    plan_create(organization, origin=working, responsible_user=consultant, due_date=TODAY + datetime.timedelta(days=30))
    return organization


@pytest.fixture
def consultant(db):
    from tests.conftest import make_user

    return make_user("consultant@advisors.test")


def _titles(work, kind):
    return [item.title for k, _label, items in work.sections if k == kind for item in items]


def test_every_kind_of_work_across_organizations(consultant, mv11):
    _client_work(consultant, "alpha")
    _client_work(consultant, "beta", overdue_days=-21)
    stranger = Organization.objects.create(name="Stranger", slug="stranger")
    other = assessment_create(stranger, name="Not mine")
    Assignment.objects.create(
        organization=stranger,
        assessment=other,
        category=Category.objects.get(model_version=other.model_version, key="G.2"),
        assignee=consultant,
    )
    work = my_work_for(user=consultant)
    assigned = next(items for kind, _l, items in work.sections if kind == "assigned")
    # Overdue first: beta's assignment is three weeks late.
    assert [(i.organization.slug, i.title.split()[0], i.overdue) for i in assigned] == [
        ("beta", "G.1", True),
        ("alpha", "G.1", False),
        ("alpha", "G.1", False),
        ("beta", "G.1", False),
    ]
    assert _titles(work, "sent_back") == ["G.1 Strategy and Vision"] * 2
    assert sorted(_titles(work, "reviews")) == ["alpha in review", "beta in review"]
    assert all("2 categories waiting" in i.detail for k, _l, items in work.sections if k == "reviews" for i in items)
    assert len(_titles(work, "plans")) == 2
    assert "Not mine" not in str([i.detail for _k, _l, items in work.sections for i in items])
    assert work.overdue_count == 1


def test_filters(consultant, mv11):
    _client_work(consultant, "alpha")
    _client_work(consultant, "beta", overdue_days=-3)
    only_beta = my_work_for(user=consultant, filters=WorkFilters(organization="beta"))
    assert {i.organization.slug for _k, _l, items in only_beta.sections for i in items} == {"beta"}
    reviews = my_work_for(user=consultant, filters=WorkFilters(kind="reviews"))
    assert [kind for kind, _l, _i in reviews.sections] == ["reviews"]
    overdue = my_work_for(user=consultant, filters=WorkFilters(overdue=True))
    assert [(k, len(items)) for k, _l, items in overdue.sections if items] == [("assigned", 1)]
    assert my_work_for(user=consultant, filters=WorkFilters(organization="stranger")).total == 0


def test_reviews_wait_only_for_people_who_may_review(consultant, mv11):
    _client_work(consultant, "alpha", role=Role.ASSESSOR)
    work = my_work_for(user=consultant)
    assert _titles(work, "reviews") == [] and len(_titles(work, "assigned")) == 2


def test_sent_back_without_assignment_goes_to_who_answered(consultant, mv11):
    organization = org_with_member("solo", consultant, Role.ASSESSOR)
    reviewed = assessment_create(organization, name="Unassigned review")
    reviewed.status = Assessment.Status.IN_REVIEW
    reviewed.save()
    g3 = Category.objects.get(model_version=reviewed.model_version, key="G.3")
    CategoryReview.objects.create(
        organization=organization, assessment=reviewed, category=g3, status=CategoryReview.Status.SENT_BACK
    )
    RequirementAnswer.objects.create(
        organization=organization,
        assessment=reviewed,
        requirement=g3.requirements.first(),
        level=2,
        updated_by=consultant,
    )
    assert _titles(my_work_for(user=consultant), "sent_back") == [f"G.3 {g3.name}"]


def _queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("work:index"))
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_constant_number_of_queries_for_1_and_5_organizations(consultant, mv11, client_for):
    client = client_for(consultant)
    _client_work(consultant, "org-0", overdue_days=-1)
    one, response = _queries(client)
    assert response.context["work"].total == 5
    for n in range(1, 5):
        _client_work(consultant, f"org-{n}")
    five, response = _queries(client)
    assert response.context["work"].total == 25
    assert five == one, (one, five)


def test_page_lists_the_work_and_links_it(consultant, mv11, client_for):
    _client_work(consultant, "alpha", overdue_days=-21)
    page = client_for(consultant).get(reverse("work:index"), {"kind": "assigned"}).content.decode()
    assert "Overdue since" in page and "Client alpha" in page
    assert (
        reverse(
            "assessments:questionnaire_category", args=["alpha", Assessment.objects.get(name="alpha formal").pk, "G.1"]
        )
        in page
    )
    assert "work-reviews-title" not in page
    assert 'href="/my-work/"' in client_for(consultant).get(reverse("home")).content.decode()
    Membership.objects.filter(user=consultant).delete()
    assert "Nothing here" in client_for(consultant).get(reverse("work:index")).content.decode()
