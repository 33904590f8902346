import pytest

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


def test_create_organization_from_ui(client_for, owner):
    response = client_for(owner).post("/orgs/new/", {"name": "Initech PKI", "slug": ""})
    assert response.status_code == 302 and response["Location"] == "/o/initech-pki/"
    assert Membership.objects.get(organization__slug="initech-pki").role == "owner"
