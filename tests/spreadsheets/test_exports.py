"""Spreadsheets out: answers with a results sheet, and action plans; typed columns, frozen header, filters."""

import csv
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Applicability, Assessment
from assessments.services.answers import answer_set
from assessments.services.comments import comment_add
from audit.models import AuditEntry
from improvement.models import ActionPlan, ActionPlanTask
from tests.factories import assessment_create
from tests.spreadsheets.workbooks import formal_workbook


def _workbook(response):
    return load_workbook(io.BytesIO(response.content))


def test_answers_xlsx(client_for, org, lead, starter):
    assessment = assessment_create(org, model_version=starter, status=Assessment.Status.IN_PROGRESS)
    requirement = starter.requirements.get(key="G.1.1")
    answer_set(
        assessment=assessment, requirement=requirement, level=4, notes="=cmd|' /C calc'!A0", expected_version=0, by=lead
    )
    comment_add(assessment=assessment, requirement=requirement, body="Check v2", by=lead)
    Applicability.objects.create(
        organization=org, assessment=assessment, key="G.2", level="not_applicable", reason="Parent"
    )
    response = client_for(lead).get(reverse("spreadsheets:answers", args=[org.slug, assessment.pk, "xlsx"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = _workbook(response)
    answers, results = book["Answers"], book["Results"]
    assert answers.freeze_panes == "A2" and answers.auto_filter.ref.startswith("A1:M")
    header = [cell.value for cell in answers[1]]
    rows = {row[3]: dict(zip(header, row, strict=True)) for row in answers.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == starter.requirements.count()
    g11 = rows["G.1.1"]
    assert (g11["Level"], g11["Level name"], g11["Weight"], g11["Comments"]) == (4, "Managed", 3, 1)
    assert (
        g11["Notes"] == "=cmd|' /C calc'!A0" and answers.cell(row=2, column=11).data_type == "s"
    )  # text, not a formula
    assert rows["G.2.1"]["Applicability"] == "Not applicable" and rows["G.2.1"]["Reason"] == "Parent"
    overall = next(results.iter_rows(min_row=2, values_only=True))
    assert overall[0] == "overall" and overall[3] == 4 and results.cell(row=2, column=4).data_type == "n"
    assert AuditEntry.objects.filter(action="assessment.exported", object_id=str(assessment.pk)).count() == 1


def test_answers_csv_of_a_self_assessment(client_for, org, lead, starter):
    assessment = assessment_create(org, model_version=starter, method=Assessment.Method.SELF)
    response = client_for(lead).get(reverse("spreadsheets:answers", args=[org.slug, assessment.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Module", "Category", "Category name"]
    assert len(rows) == 1 + starter.categories.count()


def test_unknown_format_is_404(client_for, org, lead, starter):
    assessment = assessment_create(org, model_version=starter)
    assert (
        client_for(lead).get(reverse("spreadsheets:answers", args=[org.slug, assessment.pk, "ods"])).status_code == 404
    )


def test_action_plans_xlsx_typed_and_constant_queries(client_for, org, lead, starter):
    origin = assessment_create(org, model_version=starter, status=Assessment.Status.IN_PROGRESS)
    answer_set(
        assessment=origin,
        requirement=starter.requirements.get(key="G.1.1"),
        level=2,
        notes="",
        expected_version=0,
        by=lead,
    )

    def add_plan(index):
        plan = ActionPlan.objects.create(
            organization=org,
            origin=origin,
            category_key="G.1",
            category_name="Strategy",
            title=f"Plan {index}",
            target_level=4,
            due_date=date(2026, 9, 30),
            responsible_text="CISO",
        )
        ActionPlanTask.objects.create(organization=org, plan=plan, text="Draft", done=True)
        ActionPlanTask.objects.create(organization=org, plan=plan, text="Approve")

    add_plan(0)
    client = client_for(lead)
    url = reverse("spreadsheets:plans", args=[org.slug, "xlsx"])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    sheet = _workbook(response)["Action plans"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert (row["Item"], row["Current level"], row["Target level"], row["Gap"]) == ("G.1", 2, 4, 2)
    assert row["Due"].date() == date(2026, 9, 30) and sheet["H2"].is_date
    assert (row["Owner"], row["Status"], row["Tasks done"], row["Tasks"]) == ("CISO", "Planned", 1, 2)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    for index in range(1, 6):
        add_plan(index)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_workbook_upload_page(client_for, org, lead, starter):
    client = client_for(lead)
    url = reverse("spreadsheets:import", args=[org.slug])
    bad = client.post(
        url, {"workbook": SimpleUploadedFile("t.xlsx", formal_workbook({(1, 1, 1): "Great"})), "model_version": "1.1.0"}
    )
    assert "Assessment!I16" in bad.content.decode() and not Assessment.objects.exists()
    good = client.post(
        url, {"workbook": SimpleUploadedFile("t.xlsx", formal_workbook({(1, 1, 1): "Basic"})), "model_version": "1.1.0"}
    )
    assessment = Assessment.objects.get()
    assert good.status_code == 302 and good["Location"].endswith(f"/{assessment.pk}/")
