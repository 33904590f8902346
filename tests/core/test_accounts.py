import re

from django.core import mail

from tests.conftest import PASSWORD


def test_sign_in_and_out(client, owner):
    response = client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post("/accounts/login/", {"username": owner.username, "password": "nope"})
    assert response.status_code == 200 and b"correct" in response.content


def test_password_reset_flow(client, owner):
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert b"Choose a new password" in response.content
    set_url = response.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "brand new passphrase 7", "new_password2": "brand new passphrase 7"}
    )
    assert response.status_code == 302
    assert client.login(username=owner.username, password="brand new passphrase 7")


def test_password_change_page_renders_in_the_app_layout(client_for, owner):
    response = client_for(owner).get("/accounts/password/change/")
    assert (
        response.status_code == 200
        and b"Change your password" in response.content
        and b"PKIMM Assess" in response.content
    )
