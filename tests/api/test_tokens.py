"""Personal API tokens: shown once, stored hashed, one organization, read or read-write, expiry, revocation,
every use audited, a request limit per token."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import ApiTokenError, api_token_create, api_token_revoke, token_hash
from audit.models import AuditEntry
from tests.api.helpers import api_client, token_for
from tests.factories import assessment_create


def _assessments(org):
    return reverse("api:assessments", kwargs={"org_slug": org.slug})


def test_the_secret_is_stored_only_as_a_hash(org, lead):
    token, secret = api_token_create(user=lead, organization=org, name="GRC", scope="read", valid_days=30)
    assert secret.startswith("pkimm_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_hash(secret) and secret not in str(stored.__dict__)
    assert abs(stored.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_the_account_page_shows_the_secret_once(client_for, org, lead):
    client = client_for(lead)
    response = client.post(
        reverse("api_tokens:list"), {"name": "GRC sync", "organization": "acme", "scope": "read", "valid_days": 30}
    )
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert token_hash(secret) == token.token_hash and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert secret not in client.get(reverse("api_tokens:list")).content.decode()


def test_only_organizations_of_the_user_can_be_chosen(client_for, org, other_org, lead):
    response = client_for(lead).post(
        reverse("api_tokens:list"), {"name": "x", "organization": "globex", "scope": "read", "valid_days": 30}
    )
    assert response.status_code == 200 and not ApiToken.objects.exists()
    with pytest.raises(Exception, match="not a member"):
        api_token_create(user=lead, organization=other_org, name="x", scope="read", valid_days=1)


@pytest.mark.parametrize(
    ("name", "scope", "days"), [("", "read", 1), ("x", "admin", 1), ("x", "read", 0), ("x", "read", 999)]
)
def test_bad_token_requests_are_refused(org, lead, name, scope, days):
    with pytest.raises(ApiTokenError):
        api_token_create(user=lead, organization=org, name=name, scope=scope, valid_days=days)


def test_a_token_works_for_its_organization_only(org, other_org, lead):
    other_org.memberships.create(user=lead, role="owner")
    client = api_client(token_for(lead, org))
    assert client.get(_assessments(org)).status_code == 200
    assert client.get(_assessments(other_org)).status_code == 404
    assert [o["slug"] for o in client.get(reverse("api:organizations")).json()] == ["acme"]


def test_a_read_token_cannot_write(org, lead, starter_model):
    client = api_client(token_for(lead, org, scope=ApiToken.Scope.READ))
    response = client.post(_assessments(org), {"name": "New", "model_version": "1.1.0"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_expired_revoked_and_unknown_tokens_are_refused(org, lead):
    secret = token_for(lead, org)
    token = ApiToken.objects.get()
    assert api_client(secret).get(_assessments(org)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_client(secret).get(_assessments(org)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    api_token_revoke(token=token, by=lead)
    assert api_client(secret).get(_assessments(org)).status_code == 401
    assert api_client("pkimm_no-such-token").get(_assessments(org)).status_code == 401
    assert api_client().get(_assessments(org)).status_code == 401


def test_a_member_who_left_loses_access(org, lead):
    secret = token_for(lead, org)
    org.memberships.filter(user=lead).delete()
    assert api_client(secret).get(_assessments(org)).status_code == 404


def test_revoking_is_for_the_owner_of_the_token(client_for, org, lead, owner):
    token_for(lead, org)
    token = ApiToken.objects.get()
    assert client_for(owner).post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client_for(lead).post(reverse("api_tokens:revoke", args=[token.pk]))
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_every_use_is_audited(org, lead):
    client = api_client(token_for(lead, org))
    assessment = assessment_create(org)
    client.get(_assessments(org))
    client.get(reverse("api:assessment", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk}))
    uses = AuditEntry.objects.filter(action="api_token.used", organization=org).order_by("id")
    assert [u.after["path"] for u in uses] == [
        _assessments(org),
        reverse("api:assessment", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk}),
    ]
    assert all(u.actor == lead for u in uses)
    assert ApiToken.objects.get().last_used_at is not None


def test_requests_are_limited_per_token(org, lead, settings):
    settings.API_TOKEN_RATE = "3/min"
    first, second = api_client(token_for(lead, org, name="a")), api_client(token_for(lead, org, name="b"))
    assert [first.get(_assessments(org)).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get(_assessments(org)).status_code == 200  # the other token has its own budget
