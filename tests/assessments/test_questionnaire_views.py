"""Overview, category pages and saving answers through htmx and through plain form posts."""

import re

import pytest
from django.urls import reverse

from assessments.models import Applicability, Assignment, CategoryAnswer, Flag, RequirementAnswer
from assessments.services.answers import answer_set
from assessments.services.comments import comment_add
from assessments.services.flags import flag_raise
from tests.assessments.conftest import pqc_extension

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, assessment, **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk, **kwargs},
    )


def test_overview_shows_progress_assignments_and_flags(client_for, formal, assessor, lead):
    g1 = formal.model_version.categories.get(key="G.1")
    Assignment.objects.create(organization=formal.organization, assessment=formal, category=g1, assignee=assessor)
    for key in ("G.1.1", "G.1.2"):
        answer_set(
            assessment=formal,
            requirement=formal.model_version.requirements.get(key=key),
            level=3,
            notes="",
            expected_version=0,
            by=lead,
        )
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key="G.1.4", level=Applicability.Level.NOT_APPLICABLE
    )
    flag_raise(
        assessment=formal, requirement=formal.model_version.requirements.get(key="M.6.2"), note="Unclear", by=lead
    )
    html = client_for(assessor).get(url("questionnaire", formal)).content.decode()
    assert "Assigned to me" in html
    assert html.index("Assigned to me") < html.index("G.2 ")
    table = html[html.index("<table") :]
    row = re.search(r"G\.1 [^<]*</a>.*?</tr>", table, re.S).group(0)
    assert "2 / 3" in row  # answered / applicable (G.1.4 not applicable)
    assert "assessor@acme.test" in row
    assert "Needs discussion" in html and "M.6.2" in html and "Unclear" in html
    assert "2 of 77 requirements answered" in html


def test_lead_does_not_see_the_assessors_assignments_as_own(client_for, formal, assessor, lead):
    g1 = formal.model_version.categories.get(key="G.1")
    Assignment.objects.create(organization=formal.organization, assessment=formal, category=g1, assignee=assessor)
    assert "Assigned to me" not in client_for(lead).get(url("questionnaire", formal)).content.decode()


def test_formal_category_page_shows_requirements_with_texts_and_level_labels(client_for, formal, assessor):
    response = client_for(assessor).get(url("questionnaire_category", formal, category_key="G.1"))
    html = response.content.decode()
    assert response.status_code == 200
    requirements = list(formal.model_version.requirements.filter(category__key="G.1"))
    for r in requirements:
        assert f'id="item-{r.key.replace(".", "-")}"' in html
        assert f"Weight {r.weight}" in html
    assert html.count("<summary>Guidance</summary>") == len(requirements)
    for label in ("1 Initial", "2 Basic", "3 Advanced", "4 Managed", "5 Optimized", "Not assessed"):
        assert label in html
    assert 'hx-post="' in html and 'name="version" value="0"' in html
    assert "Next category: G.2" in html


def test_htmx_save_returns_the_saved_state(client_for, formal, assessor):
    response = client_for(assessor).post(
        url("answer_save", formal, slot="G.1.1"), {"level": "4", "notes": "ok", "version": "0"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved ✓" in html
    assert 'name="version" value="1"' in html
    assert RequirementAnswer.objects.get().level == 4


def test_plain_post_saves_and_redirects_to_the_requirement(client_for, formal, assessor):
    response = client_for(assessor).post(url("answer_save", formal, slot="G.1.2"), {"level": "2", "version": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith("/questionnaire/G.1/#answer-G-1-2")
    assert RequirementAnswer.objects.get().level == 2


def test_htmx_conflict_shows_the_other_answer_and_keep_mine_saves(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=5, notes="Theirs", expected_version=0, by=lead)
    client = client_for(assessor)
    response = client.post(
        url("answer_save", formal, slot="G.1.1"), {"level": "2", "notes": "Mine", "version": "0"}, **HTMX
    )
    html = response.content.decode()
    assert "Not saved" in html and "lead@acme.test" in html
    assert "5 Optimized" in html and "Theirs" in html
    assert 'name="theirs_level_version" value="1"' in html and 'name="theirs_notes_version" value="1"' in html
    assert 'name="resolve" value="mine"' in html and "Take theirs" in html
    assert RequirementAnswer.objects.get().level == 5
    # Keep mine: the same values, based on the versions the conflict box showed.
    response = client.post(
        url("answer_save", formal, slot="G.1.1"),
        {
            **{"level": "2", "notes": "Mine", "version": "0", "level_version": "0", "notes_version": "0"},
            **{"level_base": "", "notes_base": "", "resolve": "mine"},
            **{"theirs_level_version": "1", "theirs_notes_version": "1"},
        },
        **HTMX,
    )
    assert "Saved ✓" in response.content.decode()
    stored = RequirementAnswer.objects.get()
    assert (stored.level, stored.notes, stored.version, stored.updated_by) == (2, "Mine", 2, assessor)


def test_take_theirs_reloads_the_current_answer(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=5, notes="Theirs", expected_version=0, by=lead)
    html = client_for(assessor).get(url("answer_fragment", formal, slot="G.1.1"), **HTMX).content.decode()
    assert 'value="5" checked' in html
    assert ">Theirs</textarea>" in html
    assert 'name="version" value="1"' in html


def test_plain_post_conflict_shows_the_page_with_the_conflict(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=5, notes="Theirs", expected_version=0, by=lead)
    response = client_for(assessor).post(url("answer_save", formal, slot="G.1.1"), {"level": "2", "version": "0"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Keep mine" in html and "lead@acme.test" in html and "G.1.2" in html
    assert RequirementAnswer.objects.get().level == 5


def test_refused_save_shows_not_saved(client_for, formal, assessor):
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key="G.1.1", level=Applicability.Level.NOT_APPLICABLE
    )
    response = client_for(assessor).post(
        url("answer_save", formal, slot="G.1.1"), {"level": "2", "version": "0"}, **HTMX
    )
    assert "Not saved: G.1.1 is marked not applicable" in response.content.decode()
    assert not RequirementAnswer.objects.exists()


def test_viewer_reads_but_cannot_save(client_for, formal, viewer):
    client = client_for(viewer)
    html = client.get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    assert "hx-post" not in html and "disabled" in html
    response = client.post(url("answer_save", formal, slot="G.1.1"), {"level": "2", "version": "0"}, **HTMX)
    assert response.status_code == 403
    assert not RequirementAnswer.objects.exists()


def test_unknown_keys_are_404(client_for, formal, assessor):
    client = client_for(assessor)
    assert client.get(url("questionnaire_category", formal, category_key="X.9")).status_code == 404
    assert client.post(url("answer_save", formal, slot="G.1.99"), {"level": "2", "version": "0"}).status_code == 404
    assert client.post(url("answer_save", formal, slot="G.1"), {"level": "2", "version": "0"}).status_code == 404


def test_other_organizations_assessment_is_404(client_for, formal, outsider):
    assert client_for(outsider).get(url("questionnaire", formal)).status_code == 404


def test_self_assessment_page_shows_five_descriptors_side_by_side(client_for, self_assessment, assessor, lead):
    client = client_for(assessor)
    html = client.get(url("questionnaire_category", self_assessment, category_key="G.1")).content.decode()
    assert 'class="level-grid"' in html
    assert html.count("level-card level-choice") == 5
    response = client.post(url("answer_save", self_assessment, slot="G.1"), {"level": "3", "version": "0"}, **HTMX)
    assert "Saved ✓" in response.content.decode()
    assert CategoryAnswer.objects.get().level == 3
    # A colleague's save from a page loaded before is a conflict (the same person's would not be).
    response = client_for(lead).post(
        url("answer_save", self_assessment, slot="G.1"), {"level": "4", "version": "0"}, **HTMX
    )
    assert "Keep mine" in response.content.decode()


def test_extension_relevance_question_on_the_category_page(client_for, formal, assessor):
    extension = pqc_extension()
    client = client_for(assessor)
    slot = f"ext-{extension.pk}-G.1"
    assert slot not in client.get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    formal.extensions.add(extension)
    html = client.get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    assert f"answer-ext-{extension.pk}-G-1" in html
    assert "PQC Readiness Extension: relevance" in html
    response = client.post(url("answer_save", formal, slot=slot), {"level": "2", "version": "0"}, **HTMX)
    assert "Saved ✓" in response.content.decode()
    history = client.get(url("answer_history", formal, slot=slot), **HTMX).content.decode()
    assert "2 Basic" in history


def test_history_lists_changes(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=2, notes="", expected_version=0, by=lead)
    answer_set(assessment=formal, requirement=requirement, level=4, notes="", expected_version=1, by=assessor)
    html = client_for(assessor).get(url("answer_history", formal, slot="G.1.1")).content.decode()
    assert "Not assessed</strong> → <strong>2 Basic" in html
    assert "2 Basic</strong> → <strong>4 Managed" in html
    assert html.index("assessor@acme.test") < html.index("lead@acme.test")  # newest first


def test_comment_and_flag_through_the_page(client_for, formal, requirement, assessor):
    client = client_for(assessor)
    response = client.post(url("comment_add", formal, key="G.1.1"), {"body": "Ask the CISO"})
    assert response["Location"].endswith("#item-G-1-1")
    client.post(url("flag_toggle", formal, key="G.1.1"), {"note": "check"})
    flag = Flag.objects.get()
    html = client.get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    assert "Ask the CISO" in html and "Resolve “needs discussion”" in html
    client.post(url("flag_toggle", formal, key="G.1.1"), {"action": "resolve", "flag_id": flag.pk})
    flag.refresh_from_db()
    assert flag.resolved_by == assessor


def test_viewer_sees_comments_but_cannot_post(client_for, formal, requirement, lead, viewer):
    comment_add(assessment=formal, requirement=requirement, body="Visible to viewers", by=lead)
    client = client_for(viewer)
    assert (
        "Visible to viewers" in client.get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    )
    assert client.post(url("comment_add", formal, key="G.1.1"), {"body": "x"}).status_code == 403


@pytest.mark.parametrize("method", ["get", "put"])
def test_save_accepts_only_post(client_for, formal, assessor, method):
    assert getattr(client_for(assessor), method)(url("answer_save", formal, slot="G.1.1")).status_code == 405


def test_the_discussion_escapes_what_members_wrote(client_for, formal, requirement, assessor):
    """The discussion is built in Python (assessments/views/questionnaire_html.py): comments, evidence titles and
    links arrive escaped, line breaks as <br>."""
    from assessments.services.evidence import evidence_add_link

    comment_add(assessment=formal, requirement=requirement, body="<b>bold</b> & co\nnext line", by=assessor)
    evidence_add_link(
        assessment=formal, requirement=requirement, url="https://example.test/?a=1&b=<2>", title="<i>x</i>", by=assessor
    )
    html = client_for(assessor).get(url("questionnaire_category", formal, category_key="G.1")).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co<br>next line" in html
    assert 'href="https://example.test/?a=1&amp;b=&lt;2&gt;"' in html and ">&lt;i&gt;x&lt;/i&gt;</a>" in html
    assert 'aria-label="Remove &lt;i&gt;x&lt;/i&gt;"' in html and "<b>bold</b>" not in html
