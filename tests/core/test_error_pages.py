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
