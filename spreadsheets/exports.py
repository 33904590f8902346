"""Spreadsheets out: an assessment's answers (with a results sheet) and the action plans, as XLSX or CSV.

Columns are typed (numbers as numbers, dates as dates); the XLSX sheets have a frozen header and filters.
"""

import csv
import io
from dataclasses import dataclass

from django.db.models import Count
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from assessments.models import Applicability, CategoryAnswer, Comment, Evidence, RequirementAnswer
from assessments.selectors import applicability_map, effective_applicability
from assessments.selectors_scores import assessment_score
from improvement.selectors import action_plan_list
from scoring.levels import LEVELS

LEVEL_NAMES = {level.number: level.name for level in LEVELS}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    widths: list[int]


def _counts(model, assessment, field):
    rows = model.objects.filter(assessment=assessment, **{f"{field}__isnull": False}).values(field)
    return dict(rows.annotate(n=Count("id")).values_list(field, "n"))


def answers_sheets(*, assessment) -> list[Sheet]:
    """The answer rows (requirements, or categories in a self-assessment) and the results."""
    model_version = assessment.model_version
    amap = applicability_map(assessment=assessment)
    reasons = dict(Applicability.objects.filter(assessment=assessment).values_list("key", "reason"))
    formal = assessment.is_formal
    if formal:
        items = list(model_version.requirements.select_related("category__module").order_by("position"))
        answers = {a.requirement_id: a for a in RequirementAnswer.objects.filter(assessment=assessment)}
        evidence, comments = _counts(Evidence, assessment, "requirement"), _counts(Comment, assessment, "requirement")
    else:
        items = list(model_version.categories.select_related("module").order_by("position"))
        answers = {a.category_id: a for a in CategoryAnswer.objects.filter(assessment=assessment)}
        evidence = _counts(Evidence, assessment, "category")
        comments = _counts(Comment, assessment, "category")
    rows = []
    for item in items:
        category = item.category if formal else item
        answer = answers.get(item.pk)
        level = answer.level if answer else None
        scope = effective_applicability(amap, item.key)
        reason = next((reasons[k] for k in _scope_keys(item.key) if reasons.get(k)), "")
        rows.append(
            [
                category.module.code,
                category.key,
                category.name,
                item.key if formal else "",
                item.title if formal else "",
                item.weight,
                level,
                LEVEL_NAMES.get(level, "") if level else "",
                dict(Applicability.Level.choices)[scope],
                reason,
                answer.notes if answer else "",
                evidence.get(item.pk, 0),
                comments.get(item.pk, 0),
            ]
        )
    header = [
        "Module",
        "Category",
        "Category name",
        "Requirement",
        "Requirement text",
        "Weight",
        "Level",
        "Level name",
        "Applicability",
        "Reason",
        "Notes",
        "Evidence",
        "Comments",
    ]
    answers_sheet = Sheet("Answers", header, rows, [8, 10, 30, 12, 50, 8, 7, 12, 20, 30, 50, 9, 10])
    return [answers_sheet, _results_sheet(assessment)]


def _scope_keys(key: str) -> list[str]:
    parts = key.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _results_sheet(assessment) -> Sheet:
    result = assessment_score(assessment=assessment)
    names = dict(assessment.model_version.categories.values_list("key", "name"))
    names.update(dict(assessment.model_version.modules.values_list("code", "name")))
    rows = []
    for kind, key, score in [
        ("overall", "", result.overall),
        *(("module", key, score) for key, score in result.modules.items()),
        *(("category", key, score) for key, score in result.categories.items()),
    ]:
        value = float(score.value) if score.value is not None else None
        rows.append(
            [
                kind,
                key,
                names.get(key, assessment.name if kind == "overall" else ""),
                value,
                score.level,
                LEVEL_NAMES.get(score.level, "") if score.level else "",
                score.stats.assessed,
                score.stats.total,
            ]
        )
    header = ["Scope", "Key", "Name", "Value", "Level", "Level name", "Assessed", "Of"]
    return Sheet("Results", header, rows, [10, 8, 36, 10, 7, 12, 10, 8])


def plans_sheets(*, organization) -> list[Sheet]:
    """A POA&M-style sheet: one row per action plan."""
    plans = list(action_plan_list(organization=organization).prefetch_related("tasks"))
    current: dict[int, dict] = {}
    for origin in {plan.origin for plan in plans if plan.origin is not None}:
        result = assessment_score(assessment=origin)
        current[origin.pk] = {key: score.level for key, score in result.categories.items()}
    rows = []
    for plan in plans:
        level = current.get(plan.origin_id, {}).get(plan.category_key)
        tasks = list(plan.tasks.all())
        rows.append(
            [
                plan.item_key,
                plan.title,
                plan.origin.name if plan.origin else "",
                level,
                plan.target_level,
                (plan.target_level - level) if level else None,
                plan.responsible_user.get_username() if plan.responsible_user else plan.responsible_text,
                plan.due_date,
                plan.get_status_display(),
                sum(task.done for task in tasks),
                len(tasks),
                "\n".join(f"[{'x' if task.done else ' '}] {task.text}" for task in tasks),
            ]
        )
    header = [
        "Item",
        "Title",
        "Assessment",
        "Current level",
        "Target level",
        "Gap",
        "Owner",
        "Due",
        "Status",
        "Tasks done",
        "Tasks",
        "Task list",
    ]
    return [Sheet("Action plans", header, rows, [10, 40, 30, 8, 8, 6, 24, 12, 12, 8, 8, 60])]


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        ws.append(sheet.header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(row)
        for index, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "year"):
                    cell.number_format = "yyyy-mm-dd"
                elif cell.data_type == "f":
                    cell.data_type = "s"  # user text that starts with "=" stays text, never a formula
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.header))}{max(ws.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value):
    # In a CSV opened by a spreadsheet program, a text starting with "=" (or +, -, @) would be a formula.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def csv_text(sheet: Sheet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return buffer.getvalue()
