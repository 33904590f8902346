"""Small workbooks in the layout of the PKI Consortium's Excel tools, written by the tests themselves
(only the input cells and the structure the importer reads; none of the tools' texts)."""

import io
from datetime import datetime

from openpyxl import Workbook

LEVEL_NAMES = ["Initial", "Basic", "Advanced", "Managed", "Optimized"]


def formal_workbook(
    answers: dict[tuple[int, int, int], str | None],
    *,
    name="Test PKI",
    out_of_scope_requirements=(),
    out_of_scope_categories=(),
    notes=None,
    start="2026-01-05",
    targets=None,
    plans=None,
) -> bytes:
    """``answers``: (module, category, requirement) numbers -> level name (None: not assessed)."""
    notes = notes or {}
    wb = Workbook()
    overview = wb.active
    overview.title = "Overview"
    overview["D5"] = name
    overview["D6"] = "Test company"
    overview["D7"] = datetime.fromisoformat(start) if start and start[0].isdigit() else start
    overview["L5"] = "External"
    overview["L6"] = "Audit Co"
    overview["L7"] = "Alex Assessor"
    scoping = wb.create_sheet("Scoping")
    sheet = wb.create_sheet("Assessment")
    row, scoping_row, first_of_category = 16, 10, {}
    for (m, c, r), level in answers.items():
        sheet[f"C{row}"] = f"{m}.{c}.{r}."
        sheet[f"F{row}"] = f'=IF(Scoping!K{scoping_row}=tech!$A$5,tech!$B$9,"")'
        sheet[f"I{row}"] = level
        sheet[f"J{row}"] = notes.get((m, c, r))
        first_of_category.setdefault((m, c), scoping_row)
        scoping[f"K{scoping_row}"] = "OUT OF" if (m, c, r) in out_of_scope_requirements else "IN"
        if (m, c, r) in out_of_scope_requirements:
            scoping[f"L{scoping_row}"] = "Not run here"
        row += 1
        scoping_row += 1
    for (m, c), first_row in first_of_category.items():
        scoping[f"F{first_row}"] = "OUT OF" if (m, c) in out_of_scope_categories else "IN"
    if targets is not None:
        plans_sheet = wb.create_sheet("ActionPlans")
        for index, target in enumerate(targets):
            plans_sheet[f"G{14 + index}"] = f"=VLOOKUP(F{14 + index},tech!$A$13:$B$18,2,0)"
            plans_sheet[f"H{14 + index}"] = target
        block = 40
        for plan in plans or []:
            for offset, label in enumerate(
                ["Objectives", "Responsibility", "Schedule", "Resources", "Outputs", "Tasks"]
            ):
                plans_sheet[f"B{block + offset}"] = label
                plans_sheet[f"D{block + offset}"] = plan.get(label.lower())
            block += 9
    return _bytes(wb)


def self_workbook(levels: dict[tuple[int, int], object], *, name="Test self-assessment") -> bytes:
    """``levels``: (module, category) numbers -> the tool's choice (1-5, 6 not evaluated, 7 not applicable)."""
    wb = Workbook()
    tool = wb.active
    tool.title = "Tool"
    tool["E3"] = name
    row = 11
    for index, ((m, c), value) in enumerate(levels.items()):
        column = "C" if index % 2 == 0 else "G"
        tool[f"{column}{row}"] = f"{m}.{c}. Category {m}.{c}"
        tool[f"{column}{row + 2}"] = None if value is None else str(value)
        if column == "G":
            row += 10
    return _bytes(wb)


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
