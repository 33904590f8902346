from django.http import HttpResponse
from django.test import RequestFactory

from organizations.roles import ROLE_PERMISSIONS, Perm
from organizations.tenancy import member_perms, org_view


def test_services_reuse_the_role_resolved_for_the_request(org, lead, django_assert_num_queries):
    seen = {}

    @org_view(Perm.ASSESSMENT_VIEW)
    def view(request):
        with django_assert_num_queries(0):
            seen["perms"] = member_perms(organization=request.organization, user=request.user)
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = lead
    assert view(request, org_slug=org.slug).status_code == 200
    assert seen["perms"] == ROLE_PERMISSIONS["lead"]


def test_without_a_request_the_role_is_read_from_the_database(org, viewer, other_org, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert member_perms(organization=org, user=viewer) == ROLE_PERMISSIONS["viewer"]
    assert member_perms(organization=other_org, user=viewer) == frozenset()
