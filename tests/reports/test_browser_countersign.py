"""The counter-signature round trip in real headless Chromium: download the final report, sign its field
with a key made here (the person's own PDF tool), upload it back, and see it listed."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from reports.models import Report, ReportRevision
from tests.assessments.test_browser_collaboration import browser, signed_in_page  # noqa: F401 - fixture
from tests.reports.countersigning import countersign, countersigner_key
from tests.reports.test_signed_off_reports import final_report, signed_off  # noqa: F401 - fixture

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser


def off_the_loop(function, *args):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def test_counter_signature_round_trip_in_the_browser(live_server, browser, org, answered, lead, signed_off, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    signoff, _ = signed_off
    # pyHanko runs its own event loop: outside the thread where Playwright's loop runs.
    report, _pdf = off_the_loop(final_report, org, answered, lead, signoff)
    page = signed_in_page(browser, live_server, lead)
    page.goto(live_server.url + reverse("reports:list", args=[org.slug, answered.pk]))
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_contain_text("Awaiting Eve Executive, Executive sponsor")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    downloaded = tmp_path / "report.pdf"
    download_info.value.save_as(downloaded)
    signed = tmp_path / "report-countersigned.pdf"
    person = countersigner_key(tmp_path, "Sam Security")
    signed.write_bytes(off_the_loop(countersign, downloaded.read_bytes(), "PKIMMCounterSignature2", person))

    row.locator("input[type=file]").set_input_files(str(signed))
    row.get_by_role("button", name="Upload counter-signed PDF").click()
    stored = page.locator(".alert-success[role=alert]")
    expect(stored).to_contain_text("Counter-signature of Sam Security stored as revision 1")
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_contain_text("Counter-signed Sam Security, CISO")
    expect(row).to_contain_text("Awaiting Eve Executive")
    revision = ReportRevision.objects.get(report=report)
    assert revision.field_name == "PKIMMCounterSignature2" and revision.size == signed.stat().st_size
    assert Report.objects.get(pk=report.pk).sha256 == report.sha256  # the issued report stays as it was
    page.screenshot(path="/tmp/i13-countersigned-row.png", full_page=True)
