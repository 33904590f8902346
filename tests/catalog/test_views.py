"""Catalogue pages for signed-in users and the staff import page."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import ModelVersion
from catalog.services import extension_import, model_version_import, starter_model_load
from tests.catalog.files import MODEL_1_0, MODEL_1_1, PQC_EXTENSION, dump, load, row_counts, tiny_extension, tiny_model
from tests.conftest import make_user


@pytest.fixture
def staff(db):
    user = make_user("admin@example.test")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def official(db):
    for path in (MODEL_1_0, MODEL_1_1):
        model_version_import(text=path.read_bytes(), source_name=path.name)
    extension_import(text=PQC_EXTENSION.read_bytes(), source_name=PQC_EXTENSION.name)


def test_index_lists_versions_with_counts_and_extensions(client_for, viewer, official):
    response = client_for(viewer).get(reverse("catalog:index"))
    assert response.status_code == 200
    rows = {mv.version: (mv.category_count, mv.requirement_count) for mv in response.context["model_versions"]}
    assert rows == {"1.1.0": (16, 78), "1.0.0": (15, 72)}
    assert [mv.version for mv in response.context["model_versions"]] == ["1.1.0", "1.0.0"]
    html = response.content.decode()
    assert reverse("catalog:version_detail", args=["1.0.0"]) in html
    assert reverse("catalog:extension_detail", args=["pqc", "0.1.0"]) in html
    assert "PQC Readiness Extension" in html
    assert "Import a file" not in html  # not staff


def test_index_title_is_plain_text_and_profiles_are_listed_once(client_for, viewer, official):
    html = client_for(viewer).get(reverse("catalog:index")).content.decode()
    assert re.search(r"<title>Catalogue · PKIMM Assess</title>", html)
    assert html.count("Assessment profiles") == 1


def test_version_detail_lists_modules_and_categories(client_for, viewer, official):
    response = client_for(viewer).get(reverse("catalog:version_detail", args=["1.1.0"]))
    assert response.status_code == 200
    model_version = response.context["model_version"]
    categories = [c for m in model_version.modules.all() for c in m.categories.all()]
    assert len(categories) == 16
    g1 = categories[0]
    assert (g1.key, g1.weight, g1.requirement_count, g1.requirement_weight) == ("G.1", 5, 4, 8)
    assert reverse("catalog:category_detail", args=["1.1.0", "M.6"]) in response.content.decode()
    assert "Summary texts" not in response.content.decode()


def test_category_detail_shows_levels_side_by_side_and_requirements(client_for, viewer, official):
    response = client_for(viewer).get(reverse("catalog:category_detail", args=["1.1.0", "G.1"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="level-card level-') == 5
    assert 'class="level-grid' in html
    data = load(MODEL_1_1)["modules"][0]["categories"][0]
    for requirement in data["requirements"]:
        assert requirement["description"].strip() in html
    assert html.count("<summary>Guidance</summary>") == 4
    assert html.count("<summary>Assessment hints</summary>") == 4
    assert html.count("<summary>References</summary>") == 4
    assert "<li>" in html  # the Markdown lists of the hints are rendered
    assert response.context["previous"] is None
    assert response.context["following"].key == "G.2"


def test_unknown_version_or_category_is_404(client_for, viewer, official):
    client = client_for(viewer)
    assert client.get(reverse("catalog:version_detail", args=["7.0.0"])).status_code == 404
    assert client.get(reverse("catalog:category_detail", args=["1.1.0", "G.99"])).status_code == 404
    assert client.get(reverse("catalog:extension_detail", args=["pqc", "9.9.9"])).status_code == 404


def test_extension_detail_shows_relevance_levels_and_overlays(client_for, viewer, official):
    response = client_for(viewer).get(reverse("catalog:extension_detail", args=["pqc", "0.1.0"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.context["relevances"]) == 4
    assert html.count('class="level-card level-') == 20
    overlays = response.context["overlays"]
    assert len(overlays) == 18
    overlay, name = overlays[3]
    assert (overlay.item_key, overlay.value) == ("G.1.4", "2.5")
    assert name  # the requirement title from model 1.1.0
    assert "&times;2.5" in html


def test_markdown_is_rendered_and_sanitized(client_for, viewer, db):
    data = tiny_model()
    requirement = data["modules"][0]["categories"][0]["requirements"][0]
    requirement["guidance"] = (
        "Be **careful**.\n\n<script>alert('guidance')</script>\n\n"
        '[click](javascript:alert(1)) <img src=x onerror="alert(2)"> <a href="https://example.org" onclick="x()">ok</a>'
    )
    data["modules"][0]["categories"][0]["levels"][0]["description"] = "<iframe src='https://evil.test'></iframe>"
    model_version_import(text=dump(data), source_name="tiny.yaml")

    html = client_for(viewer).get(reverse("catalog:category_detail", args=["9.1.0", "G.1"])).content.decode()

    assert "<strong>careful</strong>" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "<iframe" not in html
    # The only images are the layout's own static files (the notification bell), none from the guidance.
    assert all('src="/static/' in tag for tag in re.findall(r"<img[^>]*>", html))
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html


def test_summary_version_is_labelled(client_for, viewer, staff):
    starter_model_load()
    notice = "These are short summaries written for this application, not the official PKI Consortium texts"
    for user, import_link in ((viewer, False), (staff, True)):
        client = client_for(user)
        index = client.get(reverse("catalog:index")).content.decode()
        assert ">Summary</span>" in index
        for url in (
            reverse("catalog:version_detail", args=["1.1.0"]),
            reverse("catalog:category_detail", args=["1.1.0", "R.16"]),
        ):
            html = client.get(url).content.decode()
            assert notice in html
            assert (reverse("catalog:import") in html) is import_link


def _upload(name, content):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content, "application/yaml")


def test_staff_imports_a_model_file(client_for, staff):
    client = client_for(staff)
    assert client.get(reverse("catalog:import")).status_code == 200
    response = client.post(
        reverse("catalog:import"), {"kind": "model", "file": _upload("pkimm-model-1.1.0.yaml", MODEL_1_1.read_bytes())}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:version_detail", args=["1.1.0"])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Imported PKIMM 1.1.0: 4 modules, 16 categories, 78 requirements"
    ]
    assert ModelVersion.objects.get().imported_by == staff

    response = client.post(
        reverse("catalog:import"), {"kind": "extension", "file": _upload("pqc.yaml", PQC_EXTENSION.read_bytes())}
    )
    assert response["Location"] == reverse("catalog:extension_detail", args=["pqc", "0.1.0"])


def test_staff_sees_every_problem_of_a_refused_file(client_for, staff):
    data = load(MODEL_1_1)
    data["modules"][1]["categories"][0]["requirements"][3]["weight"] = 0
    data["modules"][2]["categories"][0]["id"] = "1"
    before = row_counts()

    response = client_for(staff).post(
        reverse("catalog:import"), {"kind": "model", "file": _upload("edited.yaml", dump(data))}
    )

    assert response.status_code == 400
    assert row_counts() == before
    html = response.content.decode()
    assert "edited.yaml was not imported" in html
    assert html.count('class="import-problem"') == 2
    assert "<code>modules[1].categories[0].requirements[3].weight</code>" in html
    assert "must be at least 1, not 0" in html
    assert "<code>modules[2].categories[0].id</code>" in html


def test_staff_replace_checkbox(client_for, staff):
    model_version_import(text=dump(tiny_model()), source_name="tiny.yaml")
    changed = tiny_model()
    changed["modules"][0]["categories"][0]["weight"] = 1
    client = client_for(staff)
    refused = client.post(reverse("catalog:import"), {"kind": "model", "file": _upload("t2.yaml", dump(changed))})
    assert refused.status_code == 400
    assert "replace option" in refused.content.decode()
    replaced = client.post(
        reverse("catalog:import"), {"kind": "model", "file": _upload("t2.yaml", dump(changed)), "replace": "on"}
    )
    assert replaced.status_code == 302


def test_wrong_kind_of_file_is_a_clear_error(client_for, staff):
    model_version_import(text=dump(tiny_model()), source_name="tiny.yaml")
    response = client_for(staff).post(
        reverse("catalog:import"), {"kind": "model", "file": _upload("ext.yaml", dump(tiny_extension()))}
    )
    assert response.status_code == 400
    assert "<code>version</code>" in response.content.decode()


def test_import_page_is_for_staff_only(client, client_for, owner):
    url = reverse("catalog:import")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    signed_in = client_for(owner)
    assert signed_in.get(url).status_code == 403
    before = row_counts()
    assert signed_in.post(url, {"kind": "model", "file": _upload("m.yaml", dump(tiny_model()))}).status_code == 403
    assert row_counts() == before


def test_browse_pages_need_a_signed_in_user(client, official):
    for url in (
        reverse("catalog:index"),
        reverse("catalog:version_detail", args=["1.1.0"]),
        reverse("catalog:category_detail", args=["1.1.0", "G.1"]),
        reverse("catalog:extension_detail", args=["pqc", "0.1.0"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


# --- query counts do not grow with the catalogue --------------------------------------------------

# Session and user, then the page's own queries (the index also counts references and lists profiles); the same
# for a tiny catalogue and the full official one.
QUERY_BUDGETS = {"index": 6, "version_detail": 6, "category_detail": 5, "extension_detail": 8}


def _small_catalog():
    model_version_import(text=dump(tiny_model()), source_name="tiny.yaml")
    extension_import(text=dump(tiny_extension()), source_name="ext.yaml")


@pytest.mark.parametrize("size", ["small", "large"])
def test_query_counts_are_constant(client_for, viewer, django_assert_max_num_queries, size):
    _small_catalog()
    if size == "large":
        for path in (MODEL_1_0, MODEL_1_1):
            model_version_import(text=path.read_bytes(), source_name=path.name)
        extension_import(text=PQC_EXTENSION.read_bytes(), source_name=PQC_EXTENSION.name)
    version, key, ext = (
        ("1.1.0", "G.5", ("pqc", "0.1.0")) if size == "large" else ("9.1.0", "G.1", ("testext", "0.1.0"))
    )
    client = client_for(viewer)
    for name, args in (
        ("index", []),
        ("version_detail", [version]),
        ("category_detail", [version, key]),
        ("extension_detail", ext),
    ):
        with django_assert_max_num_queries(QUERY_BUDGETS[name]):
            assert client.get(reverse(f"catalog:{name}", args=args)).status_code == 200
