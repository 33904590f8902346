"""Full name and job title: asked at first sign-in, editable, copied by sign-offs as they were."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from core.models import Profile
from core.profiles import ProfileError, profile_update
from tests.conftest import make_user


@pytest.fixture
def nameless(db):
    return make_user("new.person@example.test", full_name="")


def test_first_sign_in_asks_for_the_name_before_anything_else(client, nameless):
    client.force_login(nameless)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("profile")) and "next=%2F" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Before you start" in page
    saved = client.post(reverse("profile"), {"full_name": "  Nora   New ", "job_title": "Head of PKI", "next": "/"})
    assert saved.status_code == 302 and saved["Location"] == "/"
    profile = Profile.objects.get(user=nameless)
    assert (profile.full_name, profile.job_title) == ("Nora New", "Head of PKI")
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="profile.updated", actor=nameless).exists()


def test_the_profile_can_be_edited_and_a_name_is_required(client, nameless):
    client.force_login(nameless)
    response = client.post(reverse("profile"), {"full_name": " ", "job_title": "x"})
    assert response.status_code == 200 and not Profile.objects.filter(user=nameless).exists()
    with pytest.raises(ProfileError):
        profile_update(user=nameless, full_name="", job_title="")
    profile_update(user=nameless, full_name="Nora New", job_title="CISO")
    profile_update(user=nameless, full_name="Nora Newer", job_title="CTO")
    assert Profile.objects.get(user=nameless).full_name == "Nora Newer"
    nameless.refresh_from_db()
    assert nameless.get_full_name() == "Nora Newer"


def test_pages_without_a_profile_stay_reachable(client, nameless):
    client.force_login(nameless)
    assert client.get(reverse("verify:index")).status_code == 200
    assert client.get(reverse("password_change")).status_code == 200
