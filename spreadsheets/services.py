"""Spreadsheets in: the PKI Consortium's Excel tools become new assessments through the exchange import."""

from django.db import transaction

from exchange.files import ExchangeError
from exchange.services import ImportResult, assessment_import_data
from improvement.services.plans import action_plan_create
from spreadsheets.workbook import problems_with_cells, workbook_read


@transaction.atomic
def workbook_import(
    *, organization, content: bytes, by=None, membership=None, model_version: str | None = None
) -> ImportResult:
    """Create a new assessment from a filled tool workbook; nothing is written if anything is wrong.

    The workbook is read into exchange-format data and checked by the same code as an exchange file;
    every problem names the sheet and cell it came from.
    """
    workbook = workbook_read(content=content, model_version=model_version)
    try:
        result = assessment_import_data(organization=organization, data=workbook.data, by=by, membership=membership)
    except ExchangeError as error:
        raise ExchangeError(problems_with_cells(error.problems, workbook.cells)) from None
    for plan in workbook.plans:
        if by is None:
            result.notices.append(f"The action plan for {plan['category_key']} was left out: import it as a member.")
            continue
        fields = {name: value for name, value in plan.items() if name not in ("category_key", "tasks", "schedule")}
        if plan.get("schedule"):
            fields["comments"] = "\n".join(filter(None, [fields.get("comments", ""), f"Schedule: {plan['schedule']}"]))
        action_plan_create(
            origin=result.assessment,
            category_key=plan["category_key"],
            by=by,
            tasks=[line for line in plan.get("tasks", "").splitlines() if line.strip()],
            **fields,
            membership=membership,
        )
    return result
