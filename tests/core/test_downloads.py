"""Download names: "<organization>-<assessment>-<type>-<YYYY-MM-DD>.<ext>", safe in a header and on disk."""

import datetime
import re
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.downloads import download_name
from tests.factories import assessment_create

SAFE = re.compile(r"^[a-z0-9-]+\.[a-z]+$")


def test_name_parts_in_order_and_slugified():
    org = SimpleNamespace(name="Acme Trust Services", slug="acme")
    assessment = SimpleNamespace(name="PKI assessment 2026")
    name = download_name(
        organization=org, assessment=assessment, kind="detailed-report", ext="pdf", on=datetime.date(2026, 12, 1)
    )
    assert name == "acme-trust-services-pki-assessment-2026-detailed-report-2026-12-01.pdf"
    assert download_name(organization=org, kind="action-plans", ext="csv", on=datetime.date(2027, 1, 5)) == (
        "acme-trust-services-action-plans-2027-01-05.csv"
    )


def test_hostile_names_become_safe():
    org = SimpleNamespace(name='Évil "Corp"\r\nX-Injected: 1', slug="evil")
    assessment = SimpleNamespace(name="../../etc/passwd; " + "long " * 40)
    name = download_name(organization=org, assessment=assessment, kind="answers", ext="xlsx")
    assert SAFE.match(name) and "--" not in name and len(name) < 160
    assert name.startswith("evil-corp-x-injected-1-etcpasswd-long-long")
    assert "\n" not in content_disposition_header(as_attachment=True, filename=name)
    # A name with nothing sluggable falls back to the organization's slug.
    assert download_name(organization=SimpleNamespace(name="???", slug="q"), kind="x", ext="csv").startswith("q-x-")


def test_spreadsheet_downloads_are_named_after_organization_assessment_and_date(client_for, org, lead):
    assessment = assessment_create(org, name="Quarterly check")
    today = timezone.localdate().isoformat()
    answers = client_for(lead).get(reverse("spreadsheets:answers", args=[org.slug, assessment.pk, "csv"]))
    assert answers["Content-Disposition"] == (
        f'attachment; filename="acme-trust-services-quarterly-check-answers-{today}.csv"'
    )
    plans = client_for(lead).get(reverse("spreadsheets:plans", args=[org.slug, "xlsx"]))
    assert plans["Content-Disposition"] == f'attachment; filename="acme-trust-services-action-plans-{today}.xlsx"'
