from django.http import HttpResponse
from django.test import RequestFactory

from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS, Perm
from organizations.tenancy import member_perms, org_view


def test_services_reuse_the_membership_the_view_passes(org, lead, django_assert_num_queries):
    seen = {}

    @org_view(Perm.ASSESSMENT_VIEW)
    def view(request):
        with django_assert_num_queries(0):
            seen["perms"] = member_perms(
                organization=request.organization, user=request.user, membership=request.membership
            )
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = lead
    assert view(request, org_slug=org.slug).status_code == 200
    assert seen["perms"] == ROLE_PERMISSIONS["lead"]
    assert not hasattr(lead, "_pkimm_org_perms")  # nothing is left on the user for later calls


def test_a_membership_of_another_user_or_organization_is_not_taken(org, other_org, owner, viewer, outsider):
    """Passed by mistake, it grants nothing: the role is looked up for this user in this organization."""
    owners_membership = Membership.objects.get(organization=org, user=owner)
    outsiders_membership = Membership.objects.get(organization=other_org, user=outsider)
    assert member_perms(organization=org, user=viewer, membership=owners_membership) == ROLE_PERMISSIONS["viewer"]
    assert member_perms(organization=org, user=outsider, membership=outsiders_membership) == frozenset()


def test_without_a_request_the_role_is_read_from_the_database(org, viewer, other_org, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert member_perms(organization=org, user=viewer) == ROLE_PERMISSIONS["viewer"]
    assert member_perms(organization=other_org, user=viewer) == frozenset()
