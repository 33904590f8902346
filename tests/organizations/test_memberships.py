import threading

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from organizations.models import Membership
from organizations.services import OrganizationError, membership_remove, membership_set_role, organization_create
from tests.services import require_postgres


def _m(org, user):
    return Membership.objects.get(organization=org, user=user)


def test_creating_an_organization_makes_you_owner(owner):
    organization = organization_create(name="Initech", by=owner)
    assert organization.slug == "initech"
    assert _m(organization, owner).role == "owner"
    assert AuditEntry.objects.filter(organization=organization, action="organization.created").exists()


def test_a_taken_slug_is_not_revealed(org, owner):
    """The new organization gets a free address with a random suffix: no answer tells that ``acme`` exists."""
    created = organization_create(name="Acme", slug=org.slug, by=owner)
    assert created.slug.startswith(f"{org.slug}-") and created.slug != org.slug
    assert len(created.slug) == len(org.slug) + 7


def test_role_change_is_audited_with_before_and_after(org, owner, assessor):
    membership_set_role(membership=_m(org, assessor), role="lead", by=owner)
    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.before == {"user": "assessor@acme.test", "role": "assessor"}
    assert entry.after == {"user": "assessor@acme.test", "role": "lead"}
    assert entry.actor == owner and entry.organization == org


def test_last_owner_cannot_be_demoted(org, owner):
    with pytest.raises(OrganizationError, match="last owner"):
        membership_set_role(membership=_m(org, owner), role="viewer", by=owner)
    assert _m(org, owner).role == "owner"
    assert not AuditEntry.objects.filter(action="membership.role_changed").exists()


def test_last_owner_cannot_leave(org, owner):
    with pytest.raises(OrganizationError, match="last owner"):
        membership_remove(membership=_m(org, owner), by=owner)
    assert Membership.objects.filter(organization=org, user=owner).exists()


def test_an_owner_can_leave_when_another_owner_remains(org, owner, lead):
    membership_set_role(membership=_m(org, lead), role="owner", by=owner)
    membership_remove(membership=_m(org, owner), by=owner)
    assert not Membership.objects.filter(organization=org, user=owner).exists()
    assert AuditEntry.objects.filter(action="membership.removed").count() == 1


def test_non_owner_cannot_change_roles(org, lead, assessor):
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=_m(org, assessor), role="owner", by=lead)
    assert _m(org, assessor).role == "assessor"


def test_member_can_leave(org, viewer):
    membership_remove(membership=_m(org, viewer), by=viewer)
    assert not Membership.objects.filter(user=viewer).exists()


def test_members_page_change_role_via_view(client_for, org, owner, viewer):
    client = client_for(owner)
    response = client.post(f"/o/{org.slug}/members/{_m(org, viewer).pk}/role/", {"role": "assessor"})
    assert response.status_code == 302
    assert _m(org, viewer).role == "assessor"


def test_demoting_last_owner_via_view_shows_message(client_for, org, owner):
    client = client_for(owner)
    response = client.post(f"/o/{org.slug}/members/{_m(org, owner).pk}/role/", {"role": "viewer"}, follow=True)
    assert b"last owner cannot be demoted" in response.content
    assert _m(org, owner).role == "owner"


def test_audit_log_is_append_only(org, owner):
    organization_create(name="Initech", by=owner)
    entry = AuditEntry.objects.first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_leaving_at_once_leave_one_owner(org, owner, lead):
    """Both owners press "leave" at the same moment: the owner rows are locked, so exactly one goes."""
    require_postgres()
    membership_set_role(membership=_m(org, lead), role="owner", by=owner)
    barrier = threading.Barrier(2)
    outcomes = []

    def leave(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            membership_remove(membership=Membership.objects.get(organization=org, user=user), by=user)
            outcomes.append("left")
        except OrganizationError as error:
            outcomes.append(str(error))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=leave, args=(user,)) for user in (owner, lead)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("left") == 1, outcomes
    assert Membership.objects.filter(organization=org, role="owner").count() == 1
    assert AuditEntry.objects.filter(action="membership.removed").count() == 1


def test_removing_checks_the_stored_role_not_a_stale_copy(org, owner):
    """The last-owner rule reads the role under the lock, not from the caller's possibly stale object."""
    stale = _m(org, owner)
    stale.role = "viewer"  # e.g. loaded before this member became the owner
    with pytest.raises(OrganizationError, match="last owner"):
        membership_remove(membership=stale, by=owner)
    assert _m(org, owner).role == "owner"
