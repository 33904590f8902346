"""File names of downloads: "<organization>-<assessment>-<type>-<YYYY-MM-DD>.<ext>".

Slugified (ASCII letters, digits and hyphens), so the name is safe in a Content-Disposition header
and on every file system, and a folder of downloads sorts by client and assessment.
"""

import datetime

from django.utils import timezone
from django.utils.text import slugify

_PART_LENGTH = 60


def _part(text: str) -> str:
    return slugify(text)[:_PART_LENGTH].strip("-")


def download_name(*, organization, kind: str, ext: str, assessment=None, on: datetime.date | None = None) -> str:
    """``on``: the date the content is of (a report's rendering), else today."""
    day = on or timezone.localdate()
    parts = [
        _part(organization.name) or organization.slug,
        _part(assessment.name) if assessment is not None else "",
        _part(kind),
        day.isoformat(),
    ]
    return "-".join(part for part in parts if part) + f".{ext}"
