"""The category page joins its links onto a base path (fast); they must equal what reverse() gives."""

from django.urls import reverse

from assessments.views.questionnaire import QuestionnaireUrls


def test_joined_urls_match_the_url_patterns():
    urls = QuestionnaireUrls("acme", 7)
    kw = {"org_slug": "acme", "assessment_id": 7}
    assert urls.base == reverse("assessments:questionnaire", kwargs=kw)
    assert urls.category("G.1") == reverse("assessments:questionnaire_category", kwargs={**kw, "category_key": "G.1"})
    slot = urls.slot("G.1.1", "G.1")
    assert slot["save_url"] == reverse("assessments:answer_save", kwargs={**kw, "slot": "G.1.1"})
    assert slot["fragment_url"] == reverse("assessments:answer_fragment", kwargs={**kw, "slot": "G.1.1"})
    assert slot["page_url"] == urls.category("G.1")
    assert urls.history("G.1.1") == reverse("assessments:answer_history", kwargs={**kw, "slot": "G.1.1"})
    item = urls.item("G.1.1")
    assert item["comment"] == reverse("assessments:comment_add", kwargs={**kw, "key": "G.1.1"})
    assert item["flag"] == reverse("assessments:flag_toggle", kwargs={**kw, "key": "G.1.1"})
    assert item["upload"] == reverse("assessments:evidence_upload", kwargs={**kw, "key": "G.1.1"})
    assert item["link"] == reverse("assessments:evidence_link_add", kwargs={**kw, "key": "G.1.1"})
    assert urls.evidence_download(3) == reverse("assessments:evidence_download", kwargs={**kw, "evidence_id": 3})
    assert urls.evidence_delete(3) == reverse("assessments:evidence_delete", kwargs={**kw, "evidence_id": 3})
    # The card template joins ids to this base (assessments/questionnaire/_discussion.html).
    assert f"{urls.evidence}3/download/" == urls.evidence_download(3)
    assert f"{urls.evidence}3/delete/" == urls.evidence_delete(3)
