def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_org_home_leads_to_the_assessments(client_for, owner, org):
    response = client_for(owner).get(f"/o/{org.slug}/")
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/assessments/"


def test_org_home_hidden_from_outsider(client_for, outsider, org):
    assert client_for(outsider).get(f"/o/{org.slug}/").status_code == 404
