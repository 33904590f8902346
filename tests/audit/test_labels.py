"""Every audit action code has a human label; no raw code or Python dict reaches the audit log or a history."""

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from assessments.selectors_manage import HISTORY_LABELS, assessment_history
from audit.labels import ACTION_LABELS, OBJECT_TYPE_LABELS, changes, value_text
from audit.services import audit_log
from organizations.models import Membership
from organizations.services import membership_set_role
from tests.factories import assessment_create

REPO = Path(__file__).resolve().parents[2]
# A literal code passed as the audit action: audit_log(action="..."), assessment_audit(action="..."), ...
ACTION_IN_SOURCE = re.compile(r"""\baction\s*=\s*["']([a-z_]+\.[a-z_]+)["']""")


def codes_in_source() -> dict[str, str]:
    """Every audit action code the project's code writes, with the first file that writes it."""
    found = {}
    for path in sorted(REPO.rglob("*.py")):
        parts = set(path.relative_to(REPO).parts)
        if parts & {".venv", "tests", "migrations", "bench", "node_modules"}:
            continue
        for code in ACTION_IN_SOURCE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(REPO)))
    return found


def visible_text(page: str) -> str:
    """The text a person sees: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text).replace(" :", ":")


def test_every_action_code_in_the_code_has_a_human_label():
    found = codes_in_source()
    assert len(found) >= 50  # the collector works: the services write dozens of codes
    assert {"answer.changed", "assessment.imported", "membership.role_changed"} <= set(found)
    missing = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert missing == {}, "add a label to audit/labels.py ACTION_LABELS"
    # And no label for a code nothing writes any more.
    assert set(ACTION_LABELS) - set(found) == set()
    for code, label in ACTION_LABELS.items():
        assert label and "." not in label and "_" not in label, code


def test_values_read_as_words():
    assert value_text(3, field="level") == "3 Advanced"
    assert (
        value_text(None) == "–"
        and value_text(True) == "yes"
        and value_text("in_review", field="status") == ("in review")
    )
    assert value_text(["G.1", "G.2"]) == "G.1, G.2"
    assert value_text({"level": 3, "notes": ""}) == "Level 3 Advanced; Notes –"
    diff = [str(c) for c in changes({"level": 3, "notes": ""}, {"level": 4, "notes": "Checked"})]
    assert diff == ["Level: 3 Advanced → 4 Managed", "Notes: – → Checked"]
    assert [str(c) for c in changes(None, {"due_date": "2027-01-15"})] == ["Due date: 2027-01-15"]
    assert [str(c) for c in changes({"role": "lead"}, None)] == ["Role: lead (removed)"]
    assert changes({"status": "a"}, {"status": "a"}) == []


def _entries_for_every_code(org, owner, assessment):
    """One entry per known code, with the shapes services store: levels, nested dicts, lists, dates, None."""
    for code in ACTION_LABELS:
        if code == "applicability.changed":  # its history names the scope levels
            before, after = {"key": "G.1", "level": "applicable", "reason": ""}, {"key": "G.1", "level": "partial"}
        else:
            before = {"level": 2, "notes": "", "status": "in_progress", "nested": {"level": 1, "x": [1, 2]}}
            after = {"level": 3, "notes": "Done", "status": "in_review", "nested": {"level": 2}, "list": ["G.1"]}
        audit_log(
            organization=org,
            actor=owner,
            action=code,
            object_type="assessment",
            object_id=assessment.pk,
            object_repr=f"{assessment.name} · item",
            before=before,
            after=after,
        )


@pytest.mark.django_db
def test_no_raw_code_or_dict_reaches_the_audit_log_page(client_for, org, owner, assessor):
    assessment = assessment_create(org)
    membership_set_role(membership=Membership.objects.get(user=assessor), role="lead", by=owner)
    _entries_for_every_code(org, owner, assessment)
    client = client_for(owner)
    texts = []
    for number in (1, 2):
        response = client.get(f"/o/{org.slug}/audit/?page={number}")
        assert response.status_code == 200
        texts.append(visible_text(response.content.decode()))
    text = " ".join(texts)
    for code, label in ACTION_LABELS.items():
        assert code not in text
        assert label[:1].upper() + label[1:] in text
    for raw in ("{'", '{"', "': ", "None", "requirementanswer", "in_progress"):
        assert raw not in text
    assert "Level: 2 Basic → 3 Advanced" in text and "Status: in progress → in review" in text
    assert "Role: assessor → lead" in text and "Membership: " in text
    # The filters offer labels; the code is only the value sent.
    filtered = client.get(f"/o/{org.slug}/audit/?action=membership.role_changed").content.decode()
    # the option, the real entry and the one made above
    assert visible_text(filtered).count("Changed the role of a member") == 3


@pytest.mark.django_db
def test_no_raw_code_or_dict_reaches_the_assessment_history(client_for, org, owner, viewer):
    assessment = assessment_create(org)
    _entries_for_every_code(org, owner, assessment)
    history = assessment_history(assessment=assessment, limit=len(ACTION_LABELS))
    assert len(history) == len(ACTION_LABELS)
    for item in history:
        assert item.label == HISTORY_LABELS.get(item.entry.action, ACTION_LABELS[item.entry.action])
        assert "{" not in item.detail and "_" not in item.label
    response = client_for(viewer).get(reverse("assessments:detail", args=[org.slug, assessment.pk]))
    page = visible_text(response.content.decode())
    for code in ACTION_LABELS:
        assert code not in page
    assert "{'" not in page and "removed a webhook" in page and "Level: 2 Basic → 3 Advanced" in page


def test_object_types_have_labels():
    from django.apps import apps

    audited = {"assessment", "requirementanswer", "categoryanswer", "actionplan", "membership", "report"}
    models = {m._meta.model_name for m in apps.get_models()}
    assert audited <= models and audited <= set(OBJECT_TYPE_LABELS)
