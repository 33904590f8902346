import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.reports.builders import sign_off


def test_render_report_writes_the_pdf(answered, tmp_path):
    output = tmp_path / "detailed.pdf"
    out = io.StringIO()
    call_command("render_report", str(answered.pk), "--type", "detailed", "-o", str(output), stdout=out)
    assert output.read_bytes().startswith(b"%PDF-")
    assert "Wrote" in out.getvalue()


def test_render_report_signs_signed_off_assessments(answered, lead, tmp_path, signing_dir):
    output = tmp_path / "attestation.pdf"
    with pytest.raises(CommandError, match="signed-off"):
        call_command("render_report", str(answered.pk), "--type", "attestation", "-o", str(output), "--sign")
    sign_off(answered, user=lead)
    call_command(
        "render_report", str(answered.pk), "--type", "attestation", "-o", str(output), "--sign", stdout=io.StringIO()
    )
    with output.open("rb") as handle:
        reader = PdfFileReader(handle)
        assert len(reader.embedded_regular_signatures) == 1 and len(reader.embedded_timestamp_signatures) == 1


def test_render_report_of_unknown_assessment(db, tmp_path):
    with pytest.raises(CommandError, match="No assessment"):
        call_command("render_report", "999999", "-o", str(tmp_path / "x.pdf"))
