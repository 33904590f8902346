"""The consultant's portfolio: only organizations where the user is owner or lead assessor, ever."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement.selectors import portfolio_for
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.factories import assessment_create
from tests.improvement.conftest import org_with_member, signed_off_assessment

pytestmark = pytest.mark.django_db


def _at(year, month=6):
    return timezone.make_aware(datetime.datetime(year, month, 1, 12))


@pytest.fixture
def clients(consultant, mv11):
    """Three clients where the consultant leads (levels 2, 3, 4), one where they only view (level 5)."""
    orgs = {}
    for slug, level, role in (("alpha", 2, Role.LEAD), ("beta", 3, Role.OWNER), ("gamma", 4, Role.LEAD)):
        orgs[slug] = org_with_member(slug, consultant, role)
        signed_off_assessment(orgs[slug], level=level, when=_at(2025), name=f"{slug} 2025")
    orgs["viewed"] = org_with_member("viewed", consultant, Role.VIEWER)
    signed_off_assessment(orgs["viewed"], level=5, when=_at(2025), name="Viewed secret 2025")
    orgs["assessed"] = org_with_member("assessed", consultant, Role.ASSESSOR)
    signed_off_assessment(orgs["assessed"], level=1, when=_at(2025), name="Assessed secret 2025")
    stranger = Organization.objects.create(name="Stranger Bank", slug="stranger")
    signed_off_assessment(stranger, level=5, when=_at(2025), name="Stranger secret 2025")
    return orgs


def test_only_owner_and_lead_organizations_are_in_the_portfolio(consultant, clients):
    data = portfolio_for(user=consultant)
    assert [row.organization.slug for row in data["rows"]] == ["alpha", "beta", "gamma"]
    assert [row.overall.value for row in data["rows"]] == [2, 3, 4]
    assert [row.role_label for row in data["rows"]] == ["Lead assessor", "Owner", "Lead assessor"]
    assert [[s.level for s in row.module_cells] for row in data["rows"]][0] == [2, 2, 2, 2]


def test_the_benchmark_counts_only_portfolio_organizations(consultant, clients):
    data = portfolio_for(user=consultant, highlight_slug="beta")
    benchmark = {row.name: row for row in data["benchmark"]}
    # Levels 2, 3 and 4: the viewed (5), assessed (1) and stranger (5) organizations are not counted.
    assert benchmark["Key management"].counts == (0, 1, 1, 1, 0)
    assert all(row.total == 3 and row.not_assessed == 0 for row in data["benchmark"])
    assert benchmark["Key management"].highlighted_level == 3
    assert len(data["benchmark"]) == 16


def test_highlighting_an_organization_outside_the_portfolio_shows_nothing_of_it(consultant, clients):
    for slug in ("viewed", "assessed", "stranger"):
        data = portfolio_for(user=consultant, highlight_slug=slug)
        assert data["highlighted"] is None
        assert all(row.highlighted_level is None for row in data["benchmark"])


def test_the_page_never_shows_another_organization(consultant, clients, client_for):
    page = client_for(consultant).get(reverse("portfolio:index"), {"highlight": "viewed"}).content.decode()
    for slug in ("alpha", "beta", "gamma"):
        assert f"Client {slug}" in page
    for secret in ("Client viewed", "Viewed secret", "Client assessed", "Assessed secret", "Stranger"):
        assert secret not in page


def test_a_viewer_of_one_client_sees_nothing_of_another(clients, client_for, mv11):
    """A client's own viewer, and even its owner, see only their organization: never the consultant's others."""
    from tests.conftest import make_user

    client_viewer = make_user("viewer@alpha.test")
    Membership.objects.create(organization=clients["alpha"], user=client_viewer, role=Role.VIEWER)
    client_owner = make_user("owner@alpha.test")
    Membership.objects.create(organization=clients["alpha"], user=client_owner, role=Role.OWNER)

    viewer_page = client_for(client_viewer).get(reverse("portfolio:index")).content.decode()
    assert "Your portfolio is empty" in viewer_page
    assert portfolio_for(user=client_viewer)["rows"] == []
    owner_data = portfolio_for(user=client_owner, highlight_slug="beta")
    assert [row.organization.slug for row in owner_data["rows"]] == ["alpha"]
    assert owner_data["benchmark"] == []  # one organization is too few for an anonymous benchmark
    owner_page = client_for(client_owner).get(reverse("portfolio:index")).content.decode()
    for other in ("Client beta", "Client gamma", "beta 2025", "gamma 2025"):
        assert other not in owner_page
    # And organization pages of another client stay 404 for them.
    response = client_for(client_viewer).get(reverse("plans:board", args=["beta"]))
    assert response.status_code == 404


def test_next_due_from_the_last_sign_off_and_the_interval(consultant, mv11):
    yearly = org_with_member("yearly", consultant)
    signed_off_assessment(yearly, when=_at(2024, 1))
    signed_off_assessment(yearly, when=_at(2026, 3))  # the latest sign-off counts
    biennial = org_with_member("biennial", consultant)
    biennial.reassessment_interval_months = 24
    biennial.save()
    signed_off_assessment(biennial, when=_at(2025, 8))
    fresh = org_with_member("fresh", consultant)
    assessment_create(fresh)  # never signed off

    rows = {row.organization.slug: row for row in portfolio_for(user=consultant)["rows"]}
    assert rows["yearly"].next_due == datetime.date(2027, 3, 1)
    assert rows["biennial"].next_due == datetime.date(2027, 8, 1)
    assert rows["fresh"].latest is None and rows["fresh"].next_due is None and rows["fresh"].is_due
    assert rows["yearly"].latest.signed_off_at == _at(2026, 3)


def test_empty_portfolio(client_for, outsider):
    Membership.objects.filter(user=outsider).update(role=Role.VIEWER)
    response = client_for(outsider).get(reverse("portfolio:index"))
    assert response.status_code == 200 and "Your portfolio is empty" in response.content.decode()


def test_portfolio_uses_a_constant_number_of_queries(consultant, mv11, client_for, django_assert_max_num_queries):
    client = client_for(consultant)
    url = reverse("portfolio:index")
    for n in range(3):
        signed_off_assessment(org_with_member(f"few-{n}", consultant), level=1 + n, when=_at(2025))
    with django_assert_max_num_queries(15) as few:
        assert client.get(url, {"highlight": "few-1"}).status_code == 200
    for n in range(20):
        organization = org_with_member(f"many-{n}", consultant, Role.OWNER if n % 2 else Role.LEAD)
        signed_off_assessment(organization, level=1 + n % 5, when=_at(2024))
        signed_off_assessment(organization, level=1 + (n + 1) % 5, when=_at(2025))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"highlight": "few-1"})
    assert len(response.context["portfolio"]["rows"]) == 23


def test_the_most_trusted_recent_result_is_shown_with_its_method(consultant, mv11, client_for):
    """A formal result stays the organization's result when a quick self-assessment follows it within
    the re-assessment interval; a formal result older than the interval gives way."""
    recent = org_with_member("recent", consultant)
    formal = signed_off_assessment(recent, level=3, when=_at(2026, 1), name="Formal 2026")
    quick = signed_off_assessment(recent, level=2, when=_at(2026, 6), name="Quick check 2026")
    quick.method = "self"
    quick.save()
    stale = org_with_member("stale", consultant)
    signed_off_assessment(stale, level=4, when=_at(2023, 1), name="Formal 2023")
    third = signed_off_assessment(stale, level=2, when=_at(2026, 6), name="Third party 2026")
    third.method = "third_party"
    third.save()
    rows = {row.organization.slug: row for row in portfolio_for(user=consultant)["rows"]}
    assert rows["recent"].latest == formal and rows["recent"].newer == quick
    assert rows["stale"].latest == third and rows["stale"].newer is None
    page = client_for(consultant).get(reverse("portfolio:index")).content.decode()
    assert "Formal assessment · 01 Jan 2026" in page
    assert "Shown instead of the newer, less trusted “Quick check 2026” (self-assessment" in page


def test_assessments_in_progress_show_progress_method_due_date_and_open_items(consultant, mv11, client_for):
    client_org = org_with_member("busy", consultant)
    late = assessment_create(client_org, name="Formal 2026 in progress")
    late.status, late.target_date = "in_progress", datetime.date(2026, 11, 10)
    late.summary_assessed, late.summary_applicable = 20, 80
    late.save()
    signed_off_assessment(client_org, when=_at(2025), name="Done 2025")
    data = portfolio_for(user=consultant)
    assert [a.name for a in data["in_progress"]] == ["Formal 2026 in progress"]
    assert data["in_progress"][0].open_answers == 60
    page = client_for(consultant).get(reverse("portfolio:index")).content.decode()
    assert "20 of 80 answered (25 %)" in page and "60 not answered" in page
    assert "10 Nov 2026" in page and "Overdue" in page and "Formal assessment" in page
