"""The three raw-SQL selectors read only their own assessment's rows, with other rows beside them.

``_category_page_rows`` (category page), ``_overview_rows`` (questionnaire overview) and
``assessment_baseline_score`` (every answer save) build their SQL by hand, so the tenant filter
``.for_org()`` gives the ORM is theirs to keep. Each test takes the selector's output for one assessment,
then fills a second assessment of the same organization and one of another organization with every kind
of row these queries read (scope, answers, comments, evidence, flags, assignments, reviews, enabled
extensions), in the same category, and expects the same output.
"""

import pytest

from assessments.models import Applicability, Assessment, CategoryReview
from assessments.selectors import _category_page_rows, _overview_rows
from assessments.selectors_scores import assessment_baseline_score, assessment_score
from assessments.services.answers import answer_set, category_answer_set
from assessments.services.assignments import assignment_set
from assessments.services.comments import comment_add
from assessments.services.evidence import evidence_add_link
from assessments.services.flags import flag_raise
from assessments.services.scoping import applicability_set
from catalog.readmodel import model_catalogue
from organizations.models import Membership
from organizations.roles import Role
from tests.conftest import make_user
from tests.factories import assessment_create, model_1_1
from tests.factories_extensions import pqc_extension


def _fill(assessment, by, *, level, extension):
    """Rows of every kind the three queries read, in category G.1 and beyond."""
    assessment.extensions.add(extension)
    requirements = list(assessment.model_version.requirements.select_related("category").order_by("position"))
    category = requirements[0].category
    applicability_set(
        assessment=assessment, key=requirements[-1].key, level=Applicability.Level.NOT_APPLICABLE, reason="n/a", by=by
    )
    for requirement in requirements[:6]:
        if assessment.is_formal:
            answer_set(
                assessment=assessment, requirement=requirement, level=level, notes="x", expected_version=0, by=by
            )
        comment_add(assessment=assessment, requirement=requirement, body=f"from {assessment.name}", by=by)
        evidence_add_link(assessment=assessment, requirement=requirement, url="https://example.com/x", by=by)
        flag_raise(assessment=assessment, requirement=requirement, note="look", by=by)
    if not assessment.is_formal:
        category_answer_set(assessment=assessment, category=category, level=level, notes="x", expected_version=0, by=by)
    assignment_set(assessment=assessment, assignee=by, category=category, by=by)
    assignment_set(assessment=assessment, assignee=by, requirement=requirements[2], by=by)
    CategoryReview.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        category=category,
        status=CategoryReview.Status.SENT_BACK,
    )


def _neighbours(org, other_org, lead, method, extension):
    other_lead = make_user("lead@globex.test")
    Membership.objects.create(organization=other_org, user=other_lead, role=Role.LEAD)
    for organization, by, level in ((org, lead, 5), (other_org, other_lead, 1)):
        beside = assessment_create(
            organization, model_version=model_1_1(), method=method, name=f"Beside in {organization.slug}"
        )
        _fill(beside, by, level=level, extension=extension)


@pytest.mark.parametrize("method", [Assessment.Method.FORMAL, Assessment.Method.SELF])
def test_with_other_assessments_rows_beside_the_selectors_read_the_same(org, other_org, lead, method):
    assessment = assessment_create(org, model_version=model_1_1(), method=method)
    extension = pqc_extension()
    _fill(assessment, lead, level=3, extension=extension)
    catalogue = model_catalogue(model_version=assessment.model_version)
    category = catalogue.categories[0]
    requirements = catalogue.requirements_of[category.pk]

    def read():
        return (
            _category_page_rows(assessment=assessment, category=category, requirements=requirements),
            _overview_rows(assessment=assessment),
            assessment_baseline_score(assessment=assessment),
        )

    alone = read()
    _neighbours(org, other_org, lead, method, extension)
    beside = read()
    page, overview, score = beside
    assert page == alone[0] and overview == alone[1] and score == alone[2]
    # What they read is really there (not an empty match), and the fast score agrees with the ORM path.
    assert page["comment"] and page["evidence"] and page["flag"] and page["assignment"] and page["scope"]
    assert page["review"] == [{"status": CategoryReview.Status.SENT_BACK, "comment": ""}]
    assert page["extension"] == [extension.pk]
    assert overview["answered"] and overview["assignment"] and overview["review"] and overview["flag"]
    assert {body["body"] for body in page["comment"]} == {f"from {assessment.name}"}
    assert score.overall == assessment_score(assessment=assessment).overall
