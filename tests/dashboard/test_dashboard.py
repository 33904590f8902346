from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Membership, Organization
from tests.factories import assessment_create, model_1_1


def _orgs_with_assessments(user, count):
    mv = model_1_1()
    for i in range(count):
        org = Organization.objects.create(name=f"Client {i:02d}", slug=f"client-{i:02d}")
        Membership.objects.create(organization=org, user=user, role="lead")
        for j in range(3):
            assessment_create(org, model_version=mv, name=f"Assessment {i}-{j}")


@pytest.mark.parametrize("count", [1, 30])
def test_dashboard_queries_do_not_grow(client_for, owner, django_assert_max_num_queries, count):
    _orgs_with_assessments(owner, count)
    client = client_for(owner)
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.count(b'class="card mb-3"') == count + 1  # + the fixture's own organization


def test_dashboard_lists_only_own_organizations(client_for, owner, outsider, other_org):
    assessment_create(other_org, name="Secret Globex assessment")
    response = client_for(owner).get("/")
    assert b"Acme Trust Services" in response.content
    assert b"Globex" not in response.content and b"Secret Globex" not in response.content


def test_dashboard_search_and_sort(client_for, owner):
    _orgs_with_assessments(owner, 3)
    client = client_for(owner)
    response = client.get("/?q=client 01")
    assert b"Client 01" in response.content and b"Client 02" not in response.content
    response = client.get("/?sort=name")
    body = response.content.decode()
    assert body.index("Acme Trust Services") < body.index("Client 00") < body.index("Client 02")


def test_create_organization_from_ui(client_for, owner, settings):
    settings.ORGANIZATION_CREATORS = "verified"
    response = client_for(owner).post("/orgs/new/", {"name": "Initech PKI", "slug": ""})
    assert response.status_code == 302 and response["Location"] == "/o/initech-pki/"
    assert Membership.objects.get(organization__slug="initech-pki").role == "owner"


def test_who_may_create_organizations_is_a_setting(client_for, owner, settings):
    from allauth.account.models import EmailAddress

    assert settings.ORGANIZATION_CREATORS == "staff"  # the default: operators create organizations
    assert client_for(owner).post("/orgs/new/", {"name": "Initech PKI"}).status_code == 403
    owner.is_staff = True
    owner.save()
    assert client_for(owner).post("/orgs/new/", {"name": "Initech PKI"}).status_code == 302
    settings.ORGANIZATION_CREATORS = "verified"
    owner.is_staff = False
    owner.save()
    EmailAddress.objects.filter(user=owner).update(verified=False)
    assert client_for(owner).post("/orgs/new/", {"name": "Hooli PKI"}).status_code == 403


def test_dashboard_rows_show_status_method_model_progress_and_level_most_recent_first(client_for, owner, org):
    older = assessment_create(org, name="Baseline 2025", status="signed_off")
    newer = assessment_create(org, name="Review 2026", status="in_progress", method="self")
    Assessment.objects.filter(pk=older.pk).update(
        updated_at=timezone.now() - timedelta(days=30),
        summary_applicable=10,
        summary_assessed=10,
        summary_overall_level=3,
        summary_overall_value=Decimal("3.25"),
    )
    Assessment.objects.filter(pk=newer.pk).update(summary_applicable=4, summary_assessed=1)
    html = client_for(owner).get("/").content.decode()
    assert html.index("Review 2026") < html.index("Baseline 2025")
    newer_row = html[html.index("Review 2026") : html.index("Baseline 2025")]
    assert "In progress" in newer_row and "Self-assessment" in newer_row and "1.1.0" in newer_row
    assert "1 of 4" in newer_row
    older_row = html[html.index("Baseline 2025") :]
    assert "Signed off" in older_row and "10 of 10" in older_row and "3.25" in older_row


def test_unfinished_assessments_show_their_value_as_provisional(client_for, owner, org):
    """A value of an assessment 6 of 16 done is no result: "provisional" beside it until sign-off."""
    from django.urls import reverse

    done = assessment_create(org, name="Baseline 2025", status="signed_off")
    going = assessment_create(org, name="Review 2026", status="in_progress")
    for assessment, value in ((done, "3.25"), (going, "1.83")):
        Assessment.objects.filter(pk=assessment.pk).update(
            summary_applicable=16,
            summary_assessed=6,
            summary_overall_level=int(Decimal(value)),
            summary_overall_value=Decimal(value),
        )
    client = client_for(owner)
    html = client.get("/").content.decode()
    going_row = html[html.index("Review 2026") : html.index("Baseline 2025")]
    assert "1.83" in going_row and ">provisional</span>" in going_row
    assert "provisional" not in html[html.index("Baseline 2025") :].split("</tr>")[0]
    for url in (
        reverse("assessments:list", args=[org.slug]),
        reverse("assessments:detail", args=[org.slug, going.pk]),
        reverse("results:detail", args=[org.slug, going.pk]),
    ):
        assert ">provisional</span>" in client.get(url).content.decode(), url
    assert ">provisional</span>" not in client.get(reverse("results:detail", args=[org.slug, done.pk])).content.decode()
