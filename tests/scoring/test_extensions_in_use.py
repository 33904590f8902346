"""Enabling and disabling extensions on an assessment, and how their scores appear beside the baseline."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors_scores import assessment_score
from assessments.services.common import AssessmentError
from assessments.services.extensions import assessment_extension_disable, assessment_extension_enable
from audit.models import AuditEntry
from catalog.models import Extension
from tests.factories import assessment_create, model_1_0
from tests.factories_extensions import pqc_extension
from tests.scoring.results_helpers import answer_relevance, answer_requirements, scope

pytestmark = pytest.mark.django_db

PRIMER_LEVELS = {"G.1.1": 4, "G.1.2": 3, "G.1.4": 2, "G.2.1": 2, "G.2.2": 2, "G.2.3": 2, "G.2.4": 2, "G.2.5": 2}


@pytest.fixture
def assessment(org):
    return assessment_create(org)


@pytest.fixture
def pqc(db):
    return pqc_extension()


def _actions(org):
    return list(AuditEntry.objects.for_org(org).values_list("action", flat=True))


def test_lead_enables_and_disables_with_audit(org, lead, assessment, pqc):
    assessment_extension_enable(assessment=assessment, extension=pqc, by=lead)
    assert list(assessment.extensions.all()) == [pqc]

    assessment_extension_enable(assessment=assessment, extension=pqc, by=lead)  # already on: no change
    assert _actions(org) == ["assessment.extension_enabled"]

    answer_relevance(assessment, pqc, {"G.1": 3})
    assessment_extension_disable(assessment=assessment, extension=pqc, by=lead)
    assert not assessment.extensions.exists()
    assert sorted(_actions(org)) == ["assessment.extension_disabled", "assessment.extension_enabled"]
    entry = AuditEntry.objects.for_org(org).get(action="assessment.extension_disabled")
    assert entry.before == {"extension": "pqc", "version": "0.1.0"} and entry.actor == lead

    # The relevance answers survive, so enabling again restores the extension's score.
    assessment_extension_enable(assessment=assessment, extension=pqc, by=lead)
    assert assessment_score(assessment=assessment).extensions["pqc"].categories["G.1"].relevance_level == 3


@pytest.mark.parametrize("role", ["assessor", "viewer", "outsider"])
def test_only_managers_may_enable(request, assessment, pqc, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        assessment_extension_enable(assessment=assessment, extension=pqc, by=user)
    assert not assessment.extensions.exists()


def test_refused_on_an_incompatible_model_version(org, owner, pqc):
    old = assessment_create(org, model_version=model_1_0(), name="On 1.0.0")

    with pytest.raises(AssessmentError, match=r"not compatible with PKIMM 1\.0\.0"):
        assessment_extension_enable(assessment=old, extension=pqc, by=owner)
    assert not old.extensions.exists()
    assert _actions(org) == []


def test_refused_after_sign_off(org, owner, assessment, pqc):
    assessment_extension_enable(assessment=assessment, extension=pqc, by=owner)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SIGNED_OFF)

    for service in (assessment_extension_disable, assessment_extension_enable):
        with pytest.raises(AssessmentError, match="signed off"):
            service(assessment=assessment, extension=pqc, by=owner)
    assert list(assessment.extensions.all()) == [pqc]


def test_two_versions_of_one_extension_are_refused(owner, assessment, pqc):
    newer = Extension.objects.create(ext_id="pqc", version="0.2.0", name="PQC", compatibility=["1.1.0"])
    assessment_extension_enable(assessment=assessment, extension=pqc, by=owner)

    with pytest.raises(AssessmentError, match="already in use"):
        assessment_extension_enable(assessment=assessment, extension=newer, by=owner)
    assert list(assessment.extensions.all()) == [pqc]


# --- pages


def _url(assessment, name):
    return reverse(name, kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk})


def test_extensions_page_lists_compatible_extensions_only(client_for, viewer, assessment, pqc):
    Extension.objects.create(ext_id="future", version="1.0.0", name="Future extension", compatibility=["9.0.0"])

    html = client_for(viewer).get(_url(assessment, "results:extensions")).content.decode()

    assert pqc.name in html
    assert "Future extension" not in html
    assert 'value="enable"' not in html  # a viewer sees no buttons


def test_lead_enables_through_the_page(client_for, lead, assessment, pqc):
    client = client_for(lead)
    page = client.get(_url(assessment, "results:extensions")).content.decode()
    assert 'value="enable"' in page

    response = client.post(_url(assessment, "results:extensions"), {"extension": pqc.pk, "action": "enable"})

    assert response.status_code == 302
    assert list(assessment.extensions.all()) == [pqc]
    page = client.get(response["Location"]).content.decode()
    assert "enabled." in page and 'value="disable"' in page


def test_page_shows_the_refusal_for_an_incompatible_version(client_for, lead, org, pqc):
    old = assessment_create(org, model_version=model_1_0(), name="On 1.0.0")

    response = client_for(lead).post(
        _url(old, "results:extensions"), {"extension": pqc.pk, "action": "enable"}, follow=True
    )

    assert "not compatible with PKIMM 1.0.0" in response.content.decode()
    assert not old.extensions.exists()


def test_viewer_cannot_post(client_for, viewer, assessment, pqc):
    response = client_for(viewer).post(
        _url(assessment, "results:extensions"), {"extension": pqc.pk, "action": "enable"}
    )
    assert response.status_code == 403
    assert not assessment.extensions.exists()


def _overall_card(html):
    return html[html.index('id="overall-heading"') : html.index('aria-label="Charts"')]


def _table(html):
    return html[html.index('id="table-heading"') : html.index('id="priorities-heading"')]


def test_results_show_the_extension_beside_an_unchanged_baseline(client_for, owner, viewer, assessment, pqc):
    answer_requirements(assessment, PRIMER_LEVELS)
    scope(assessment, "G.1.3")
    answer_relevance(assessment, pqc, {"G.1": 1, "G.2": 1})
    client = client_for(viewer)
    before = client.get(_url(assessment, "results:detail")).content.decode()
    assert "No extension is in use" in before

    assessment_extension_enable(assessment=assessment, extension=pqc, by=owner)
    after = client.get(_url(assessment, "results:detail")).content.decode()

    assert _overall_card(after) == _overall_card(before)  # baseline level and value untouched
    assert _table(after) == _table(before)
    assert "2.74" in _overall_card(after)
    result = assessment_score(assessment=assessment).extensions["pqc"]
    extension_section = after[after.index('id="extensions-heading"') :]
    assert "PQC Readiness Extension 0.1.0" in extension_section
    shown = re.findall(r'fs-4 fw-semibold">([\d.–]+)<', extension_section)
    expected = [f"{float(v):.2f}" for v in (result.score, result.floor, result.baseline_weighted)]
    assert shown == expected
    assert result.score < result.baseline_weighted  # relevance answered 1 pulls the extension score down
    assert "ExtLevel" in extension_section and "G.1 Strategy and Vision" in extension_section

    data = client.get(_url(assessment, "results:json")).json()
    assert data["overall"]["level"] == 2
    assert data["extensions"]["pqc"]["score"] == pytest.approx(float(result.score))
