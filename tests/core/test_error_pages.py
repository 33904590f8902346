def test_forbidden_page_explains_the_role(client_for, org, viewer):
    response = client_for(viewer).get(f"/o/{org.slug}/members/")
    assert response.status_code == 403
    assert b"You are not allowed to do this" in response.content
    assert b"Viewer in Acme Trust Services" in response.content


def test_not_found_page_in_the_app_layout(client_for, org, outsider):
    response = client_for(outsider).get(f"/o/{org.slug}/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"PKIMM Assess" in response.content
    assert b"Acme" not in response.content  # no hint that the organization exists


def test_favicon_is_linked_and_served(client, db):
    from django.contrib.staticfiles import finders

    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in page and "/static/img/favicon.ico" in page
    for name in ("img/favicon.svg", "img/favicon.ico", "img/apple-touch-icon.png"):
        assert finders.find(name), name
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.ico"
