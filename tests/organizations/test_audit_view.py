from audit.models import AuditEntry
from organizations.models import Membership
from organizations.services import membership_set_role, organization_create

ROLE_CHANGED = '<td class="small" data-label="What">Changed the role of a member</td>'  # the entry's "What" cell


def test_owner_reads_and_filters_the_log(client_for, org, owner, assessor, viewer):
    membership_set_role(membership=Membership.objects.get(user=assessor), role="lead", by=owner)
    membership_set_role(membership=Membership.objects.get(user=viewer), role="assessor", by=owner)
    client = client_for(owner)
    response = client.get(f"/o/{org.slug}/audit/")
    assert response.status_code == 200
    assert response.content.decode().count(ROLE_CHANGED) == 2
    vid = Membership.objects.get(user=viewer).pk
    response = client.get(f"/o/{org.slug}/audit/?object_type=membership&object_id={vid}")
    assert response.content.decode().count(ROLE_CHANGED) == 1


def test_log_of_another_organization_is_not_shown(client_for, org, owner, outsider):
    organization_create(name="Globex Labs", by=outsider)
    assert AuditEntry.objects.filter(actor=outsider).exists()
    response = client_for(owner).get(f"/o/{org.slug}/audit/")
    assert b"outsider@globex.test" not in response.content


def test_owner_filters_the_log_by_person(client_for, org, owner, lead, assessor, viewer):
    membership_set_role(membership=Membership.objects.get(user=viewer), role="assessor", by=owner)
    membership_set_role(membership=Membership.objects.get(user=owner), role="owner", by=owner)  # no change: no entry
    membership_set_role(membership=Membership.objects.get(user=lead), role="owner", by=owner)
    membership_set_role(membership=Membership.objects.get(user=assessor), role="viewer", by=lead)
    client = client_for(owner)
    by_lead = client.get(f"/o/{org.slug}/audit/?actor={lead.pk}").content.decode()
    assert by_lead.count(ROLE_CHANGED) == 1 and "assessor@acme.test" in by_lead
    by_owner = client.get(f"/o/{org.slug}/audit/?actor={owner.pk}").content.decode()
    assert by_owner.count(ROLE_CHANGED) == 2
    both = client.get(f"/o/{org.slug}/audit/?actor={lead.pk}&object_type=membership").content.decode()
    assert both.count(ROLE_CHANGED) == 1


def test_only_owners_read_the_log(client_for, org, lead, viewer):
    assert client_for(lead).get(f"/o/{org.slug}/audit/").status_code == 403
    assert client_for(viewer).get(f"/o/{org.slug}/audit/").status_code == 403
