"""Formal mode: the category's level descriptions beside each requirement's level buttons, and its hints."""

import re

from django.urls import reverse

from assessments.services.answers import answer_set
from core.markdown import render_markdown
from tests.assessments.test_category_queries import count_queries, fill, page

HTMX = {"HTTP_HX_REQUEST": "true"}


def _levels(assessment, key):
    return assessment.model_version.categories.get(key=key).levels


def _help_blocks(html):
    return re.findall(r'<details class="level-help[^"]*">.*?</details>', html, re.S)


def test_each_requirement_shows_the_category_level_descriptions_beside_its_buttons(client_for, formal, assessor):
    html = client_for(assessor).get(page(formal, "G.1")).content.decode()
    requirements = list(formal.model_version.requirements.filter(category__key="G.1").order_by("position"))
    blocks = _help_blocks(html)
    assert len(blocks) == len(requirements)
    levels = _levels(formal, "G.1")
    assert len(levels) == 5
    for block in blocks:
        assert "What the levels mean for G.1" in block and ">1 Initial</span>" in block and " - " not in block[:400]
        for level in levels:
            assert render_markdown(level["description"]) in block
        assert [int(n) for n in re.findall(r'data-level="(\d)"', block)] == [1, 2, 3, 4, 5]
    # Beside the buttons: inside each answer form, right after its level buttons.
    for r in requirements:
        form = re.search(rf'<form id="answer-{r.key.replace(".", "-")}".*?</form>', html, re.S).group(0)
        assert re.search(r'class="level-radios">.*?</div>\s*<details class="level-help', form, re.S)
        # Assessment hints of the requirement are on its card where the model has them.
        if r.assessment_hints:
            assert render_markdown(r.assessment_hints) in html
    assert html.count("<summary>Assessment hints</summary>") == sum(1 for r in requirements if r.assessment_hints)


def test_the_reloaded_answer_form_keeps_the_level_descriptions(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=2, notes="", expected_version=0, by=lead)
    fragment = reverse("assessments:answer_fragment", args=[formal.organization.slug, formal.pk, requirement.key])
    html = client_for(assessor).get(fragment, **HTMX).content.decode()
    assert len(_help_blocks(html)) == 1
    assert render_markdown(_levels(formal, "G.1")[1]["description"]) in html


def test_self_assessment_shows_descriptors_as_choices_not_a_second_time(client_for, self_assessment, assessor):
    html = client_for(assessor).get(page(self_assessment, "G.1")).content.decode()
    assert _help_blocks(html) == []
    assert html.count('class="level-card level-choice') == 5


def test_level_descriptions_add_no_query(client_for, formal, lead):
    """The texts come from the catalogue cached per process: no query of their own, whatever the content
    (5 statements before this change; fewer is fine)."""
    client = client_for(lead)
    empty = count_queries(client, page(formal, "G.1"))
    assert empty <= 5
    fill(formal, "M.7", lead, per_requirement=2)
    assert count_queries(client, page(formal, "M.7")) == empty


def test_a_plain_post_conflict_page_keeps_the_level_descriptions(client_for, formal, requirement, assessor, lead):
    answer_set(assessment=formal, requirement=requirement, level=5, notes="Theirs", expected_version=0, by=lead)
    save = reverse("assessments:answer_save", args=[formal.organization.slug, formal.pk, requirement.key])
    response = client_for(assessor).post(save, {"level": "2", "version": "0"})
    html = response.content.decode()
    assert response.status_code == 409 and "Keep mine" in html
    requirements = formal.model_version.requirements.filter(category__key="G.1").count()
    assert len(_help_blocks(html)) == requirements  # the conflicting card too
