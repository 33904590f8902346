from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db import transaction

from assessments.models import Assessment
from scoring.selectors import assessment_baseline_score

SUMMARY_PLACES = Decimal("0.000001")  # summary_overall_value has 6 decimal places


def fraction_to_decimal(value, places: Decimal = SUMMARY_PLACES) -> Decimal | None:
    """An exact fraction as a Decimal rounded half up to ``places``; None stays None."""
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 40
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def assessment_summary_refresh(*, assessment, locked: bool = False) -> None:
    """Recompute the dashboard summary (assessed/applicable counts, overall value and level).

    Called by every service that changes answers or scope. Computed under the lock of the assessment row
    (``locked``: the caller's transaction holds it already), so concurrent saves take turns and the last one's
    summary includes every save; stored with one UPDATE of these columns only, so that it never overwrites a
    concurrent change of the assessment's other fields.
    """
    if not locked:
        with transaction.atomic():
            Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").first()
            assessment_summary_refresh(assessment=assessment, locked=True)
        return
    result = assessment_baseline_score(assessment=assessment)
    summary = {
        "summary_assessed": result.completeness.assessed,
        "summary_applicable": result.completeness.applicable,
        "summary_overall_value": fraction_to_decimal(result.overall.value),
        "summary_overall_level": result.overall.level,
    }
    Assessment.objects.filter(pk=assessment.pk).update(**summary)
    for name, value in summary.items():
        setattr(assessment, name, value)
