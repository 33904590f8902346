import pytest

from assessments.models import Applicability, UseCase
from assessments.selectors_manage import scope_tree
from assessments.services.scoping import applicability_set, scope_basis_value
from audit.models import AuditEntry
from tests.assessments.workflow.helpers import url


def loaded_bases(assessment) -> dict:
    """What the scope page sends back per row as the basis of its change, as if loaded now."""
    return {f"basis:{item.key}": scope_basis_value(item) for item in scope_tree(assessment=assessment).rows()}


def matrix_post(client, assessment, bases=None, **rows):
    bases = loaded_bases(assessment) if bases is None else bases
    data = {}
    for key, (level, reason) in rows.items():
        key = key.replace("_", ".")
        data[f"level:{key}"], data[f"reason:{key}"] = level, reason
        data[f"basis:{key}"] = bases[f"basis:{key}"]
    return client.post(url("scope_matrix", assessment), data)


def test_matrix_saves_all_rows_at_once(client_for, lead, assessment):
    response = matrix_post(
        client_for(lead),
        assessment,
        R=("not_applicable", "Outsourced to the group"),
        G_1_2=("partial", "Only for the root CA"),
        G_1=("applicable", ""),
    )
    assert response.status_code == 302
    rows = dict(Applicability.objects.values_list("key", "level"))
    assert rows == {"R": "not_applicable", "G.1.2": "partial"}
    assert AuditEntry.objects.filter(action="applicability.changed").count() == 2


@pytest.mark.parametrize("level", ["partial", "not_applicable"])
def test_matrix_missing_reason_refuses_everything(client_for, lead, assessment, level):
    response = matrix_post(
        client_for(lead), assessment, R=("not_applicable", "Outsourced"), M_7=(level, ""), G_1_1=(level, "  ")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Scope not saved" in html and "M.7: a reason is required" in html and "G.1.1: a reason is required" in html
    assert html.count("is-invalid") == 2
    assert 'value="Outsourced"' in html  # what was typed is kept
    assert not Applicability.objects.exists()
    assert not AuditEntry.objects.exists()


def test_not_applicable_module_greys_out_rows_below(client_for, lead, viewer, assessment):
    applicability_set(assessment=assessment, key="O", level="not_applicable", reason="Not operated by us", by=lead)
    response = client_for(viewer).get(url("scope", assessment))
    rows = {row.key: row for row in response.context["rows"]}
    assert rows["O.10"].inherited_from == "O" and rows["O.10.1"].inherited_from == "O"
    html = response.content.decode()
    assert html.count('data-inherited-from="O"') == sum(1 for key in rows if key.startswith("O."))
    assert 'name="level:O"' not in html  # viewers see the matrix read-only


@pytest.mark.parametrize("partial", [0, 40])
def test_scope_page_query_count_does_not_grow(client_for, lead, assessment, partial, django_assert_max_num_queries):
    keys = [f"{m}.{c}" for m, c in [("G", 1), ("G", 2), ("M", 6), ("M", 7)]]
    for key in keys[: partial // 10]:
        applicability_set(assessment=assessment, key=key, level="partial", reason="r", by=lead)
    for n in range(partial):
        UseCase.objects.create(organization=assessment.organization, assessment=assessment, name=f"Use-case {n}")
    client = client_for(lead)
    with django_assert_max_num_queries(14):
        assert client.get(url("scope", assessment)).status_code == 200


def test_use_case_create_edit_delete(client_for, lead, assessment):
    client = client_for(lead)
    response = client.post(
        url("use_case_create", assessment),
        {"name": "Device PKI", "description": "IoT", "components": "CA", "out_of_scope": ""},
    )
    assert response.status_code == 302
    use_case = UseCase.objects.get()
    client.post(
        url("use_case_edit", assessment, use_case_pk=use_case.pk), {"name": "Device PKI 2", "description": "IoT"}
    )
    use_case.refresh_from_db()
    assert use_case.name == "Device PKI 2"
    client.post(url("use_case_delete", assessment, use_case_pk=use_case.pk))
    assert not UseCase.objects.exists()


def test_environment_save(client_for, lead, assessment):
    response = client_for(lead).post(
        url("scope_environment", assessment),
        {"environment_design": "Offline root", "environment_interactions": "RA portal", "sampling_notes": ""},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.environment_design, assessment.environment_interactions) == ("Offline root", "RA portal")
