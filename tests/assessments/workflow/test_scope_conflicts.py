"""The applicability matrix merges like an answer's fields: each key's decision (level and reason) is one
versioned field. A row left as it was loaded is no change; a row someone else changed meanwhile is a
conflict with "keep mine" and "take theirs"; the other rows of the same save are saved."""

from django.test import Client

from assessments.models import Applicability, Assessment, RequirementAnswer
from assessments.services.answers import answer_set
from assessments.services.scoping import applicability_set
from audit.models import AuditEntry
from tests.assessments.workflow.helpers import url
from tests.assessments.workflow.test_scope_views import loaded_bases


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def whole_matrix(assessment, bases, **changes) -> dict:
    """What the page posts: every row as it was loaded (``bases``), with ``changes`` made by the user."""
    data = {}
    for name, basis in bases.items():
        key = name.removeprefix("basis:")
        _version, level, reason = basis.split(":", 2)
        data[f"level:{key}"], data[f"reason:{key}"], data[name] = level, reason, basis
    for key, (level, reason) in changes.items():
        key = key.replace("_", ".")
        data[f"level:{key}"], data[f"reason:{key}"] = level, reason
    return data


def decisions(assessment) -> dict:
    return {
        row.key: (row.level, row.reason)
        for row in Applicability.objects.filter(assessment=assessment).exclude(level="applicable")
    }


def test_two_people_changing_different_rows_of_the_matrix_both_survive(lead, owner, assessment):
    loaded_by_lead = loaded_by_owner = loaded_bases(assessment)
    first = client_of(owner).post(
        url("scope_matrix", assessment), whole_matrix(assessment, loaded_by_owner, G_1_2=("partial", "Root CA only"))
    )
    assert first.status_code == 302
    # The lead's page still shows G.1.2 applicable; posting the whole matrix must not undo the owner's row.
    second = client_of(lead).post(
        url("scope_matrix", assessment),
        whole_matrix(assessment, loaded_by_lead, G_1_3=("not_applicable", "No offline CA")),
    )
    assert second.status_code == 302
    assert decisions(assessment) == {"G.1.2": ("partial", "Root CA only"), "G.1.3": ("not_applicable", "No offline CA")}
    assert AuditEntry.objects.filter(action="applicability.changed").count() == 2  # only real changes


def test_the_same_row_changed_by_both_is_a_conflict_and_keep_mine_resolves_it(lead, owner, assessment):
    loaded_by_lead = loaded_by_owner = loaded_bases(assessment)
    client_of(owner).post(
        url("scope_matrix", assessment),
        whole_matrix(assessment, loaded_by_owner, G_1_2=("not_applicable", "Outsourced")),
    )
    lead_client = client_of(lead)
    response = lead_client.post(
        url("scope_matrix", assessment),
        whole_matrix(
            assessment, loaded_by_lead, G_1_2=("partial", "Root CA only"), G_1_3=("partial", "Issuing CA only")
        ),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{owner.email} changed G.1.2" in html and "Your other change (1) was saved" in html
    box = html[html.index('id="scope-conflict"') : html.index('id="scope-matrix-form"')]
    assert "Theirs (" + owner.email + "): Not applicable — “Outsourced”" in box
    assert "Yours: Partially applicable — “Root CA only”" in box
    assert "Keep mine" in box and "Take theirs" in box
    # Nothing of the owner's was overwritten; the lead's other row was saved.
    assert decisions(assessment) == {"G.1.2": ("not_applicable", "Outsourced"), "G.1.3": ("partial", "Issuing CA only")}
    # The matrix now shows theirs, with its current version as the basis ("take theirs" is reloading it).
    rows = {row.key: row for row in response.context["rows"]}
    assert (rows["G.1.2"].own_level, rows["G.1.2"].basis) == ("not_applicable", "1:not_applicable:Outsourced")

    # "Keep mine": one click posts the lead's decision based on the version the conflict showed.
    item = response.context["conflict"].items[0]
    keep_mine = lead_client.post(
        url("scope_matrix", assessment),
        {
            "level:G.1.2": item["mine_level"],
            "reason:G.1.2": item["mine_reason"],
            "basis:G.1.2": f"{item['version']}:{item['level']}:{item['reason']}",
        },
    )
    assert keep_mine.status_code == 302
    assert decisions(assessment)["G.1.2"] == ("partial", "Root CA only")
    history = list(AuditEntry.objects.filter(action="applicability.changed").order_by("pk"))
    assert [(e.actor_id, e.after["key"], e.after["level"]) for e in history] == [
        (owner.pk, "G.1.2", "not_applicable"),
        (lead.pk, "G.1.3", "partial"),
        (lead.pk, "G.1.2", "partial"),
    ]


def test_keep_mine_form_is_on_the_conflict_page(lead, owner, assessment):
    loaded = loaded_bases(assessment)
    applicability_set(assessment=assessment, key="M", level="not_applicable", reason="No CA of ours", by=owner)
    response = client_of(lead).post(
        url("scope_matrix", assessment), whole_matrix(assessment, loaded, M=("partial", "Only one CA"))
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'name="basis:M" value="1:not_applicable:No CA of ours"' in html  # keep mine, based on theirs
    assert 'name="level:M" value="partial"' in html and 'name="reason:M" value="Only one CA"' in html
    assert Applicability.objects.get(key="M").reason == "No CA of ours"


def test_the_same_person_in_two_tabs_is_not_a_conflict(lead, assessment):
    tab_1 = tab_2 = loaded_bases(assessment)
    client = client_of(lead)
    assert (
        client.post(
            url("scope_matrix", assessment), whole_matrix(assessment, tab_1, G_1_2=("partial", "From tab 1"))
        ).status_code
        == 302
    )
    assert (
        client.post(
            url("scope_matrix", assessment), whole_matrix(assessment, tab_2, G_1_2=("not_applicable", "From tab 2"))
        ).status_code
        == 302
    )
    assert decisions(assessment) == {"G.1.2": ("not_applicable", "From tab 2")}


def test_set_back_to_applicable_then_changed_again_still_conflicts(lead, owner, assessment):
    """The row of a decision set back to applicable keeps its version: a page loaded before still conflicts."""
    applicability_set(assessment=assessment, key="G.2", level="partial", reason="Some", by=owner)
    loaded = loaded_bases(assessment)
    applicability_set(assessment=assessment, key="G.2", level="applicable", by=owner)
    response = client_of(lead).post(
        url("scope_matrix", assessment), whole_matrix(assessment, loaded, G_2=("not_applicable", "None"))
    )
    assert response.status_code == 409
    row = Applicability.objects.get(key="G.2")
    assert (row.level, row.version) == ("applicable", 2)


def test_applicability_and_a_level_changed_by_two_people_both_survive(lead, assessor, assessment):
    assessment.status = Assessment.Status.IN_PROGRESS
    assessment.save()
    requirement = assessment.model_version.requirements.select_related("category").get(key="G.1.2")
    loaded = loaded_bases(assessment)  # the lead's scope page
    answer_set(assessment=assessment, requirement=requirement, level=3, notes="n", expected_version=0, by=assessor)
    response = client_of(lead).post(
        url("scope_matrix", assessment), whole_matrix(assessment, loaded, G_1_2=("partial", "Root CA only"))
    )
    assert response.status_code == 302
    assert decisions(assessment) == {"G.1.2": ("partial", "Root CA only")}
    assert RequirementAnswer.objects.get(requirement=requirement).level == 3


def test_a_row_without_its_basis_is_refused_and_nothing_is_saved(lead, assessment):
    response = client_of(lead).post(
        url("scope_matrix", assessment),
        {
            "level:G.1": "not_applicable",
            "reason:G.1": "x",
            "level:G.2": "partial",
            "reason:G.2": "y",
            "basis:G.2": "0:applicable:",
        },
    )
    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
    assert not Applicability.objects.exists()


def test_a_refused_matrix_keeps_the_rows_loaded_basis_so_the_retry_overwrites_nothing(lead, owner, assessment):
    loaded = loaded_bases(assessment)
    applicability_set(assessment=assessment, key="G.1.2", level="partial", reason="Root CA only", by=owner)
    client = client_of(lead)
    refused = client.post(url("scope_matrix", assessment), whole_matrix(assessment, loaded, G_1_3=("partial", "")))
    assert refused.status_code == 400
    rows = {row.key: row for row in refused.context["rows"]}
    assert rows["G.1.2"].basis == loaded["basis:G.1.2"]  # as the lead loaded it, not as stored now
    retry = client.post(
        url("scope_matrix", assessment), whole_matrix(assessment, loaded, G_1_3=("partial", "Issuing CA only"))
    )
    assert retry.status_code == 302
    assert decisions(assessment) == {"G.1.2": ("partial", "Root CA only"), "G.1.3": ("partial", "Issuing CA only")}
