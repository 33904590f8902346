import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months, clipped to the month's end (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def reassessment_due_date(*, signed_off_at: datetime.datetime, interval_months: int) -> datetime.date:
    """When the next assessment is due: the last sign-off plus the organization's interval."""
    from django.utils import timezone

    return add_months(timezone.localdate(signed_off_at), interval_months)
