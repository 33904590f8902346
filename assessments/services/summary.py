def assessment_summary_refresh(*, assessment) -> None:
    """Recompute the dashboard summary (assessed/applicable counts, overall value and level).

    Called by every service that changes answers or scope. Filled in by the scoring selector work.
    """
