"""The detailed report's improvement sections: JSON-ready comparison and open action plans."""

import datetime
import json

import pytest
from django.utils import timezone

from improvement.selectors import report_plan_sections
from tests.factories import assessment_create
from tests.improvement.conftest import answer_all_requirements, plan_create, sign_off, signed_off_assessment

pytestmark = pytest.mark.django_db


def _at(year):
    return timezone.make_aware(datetime.datetime(year, 6, 1, 12))


def test_sections_compare_with_the_previous_sign_off_and_list_open_plans(org, other_org, mv10, mv11, assessor):
    previous = assessment_create(org, model_version=mv10, name="2025")
    answer_all_requirements(previous, lambda r: 2)
    sign_off(previous, _at(2025))
    current = assessment_create(org, model_version=mv11, name="2026")
    answer_all_requirements(current, lambda r: 3)
    plan_create(
        org, origin=previous, category_key="M.5", requirement_key="M.5.2", target_level=4, title="HSM",
        responsible_user=assessor, due_date=datetime.date(2027, 1, 31), objectives="Keys in hardware",
    )  # fmt: skip
    plan_create(org, origin=previous, category_key="G.1", target_level=3, status="done")
    plan_create(other_org, origin=assessment_create(other_org, model_version=mv11), category_key="G.1", title="Other")

    data = report_plan_sections(assessment=current)

    json.dumps(data)  # JSON-ready for the report's input hash
    comparison = data["comparison"]
    assert comparison["previous"] == {"name": "2025", "date": "2025-06-01", "model_version": "1.0.0"}
    assert comparison["overall"] == {
        "key": "overall", "name": "Overall", "previous": "2.00", "current": "3.00", "delta": "+1.00",
    }  # fmt: skip
    key_management = next(row for row in comparison["categories"] if row["name"] == "Key management")
    assert (key_management["key"], key_management["previous"], key_management["current"]) == ("M.6", "2.00", "3.00")
    cryptography = next(row for row in comparison["categories"] if row["name"] == "Cryptography")
    assert (cryptography["previous"], cryptography["delta"]) == ("–", "–")
    assert data["action_plans"] == [
        {
            "key": "M.6.2",  # found again in 1.1.0
            "name": "Key management",
            "title": "HSM",
            "target": "4 Managed",
            "objectives": "Keys in hardware",
            "owner": assessor.email,
            "due": "2027-01-31",
            "status": "Planned",
            "overdue": False,
        }
    ]


def test_no_previous_sign_off_no_comparison(org, mv11):
    first = signed_off_assessment(org, when=_at(2025))
    assert report_plan_sections(assessment=first) == {"comparison": None, "action_plans": []}
