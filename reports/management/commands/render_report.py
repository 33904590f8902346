"""Render a report synchronously, through the same functions the worker uses, into a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports import rendering, signing
from reports.models import Report


class Command(BaseCommand):
    help = "Render a PDF report of an assessment to a file (no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--type", dest="report_type", choices=Report.Type.values, default=Report.Type.DETAILED)
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")
        parser.add_argument("--sign", action="store_true", help="Sign it with the installation's key (signed-off only)")

    def handle(self, *args, assessment_id, report_type, output, sign, **options):
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        if sign and not assessment.is_signed_off:
            raise CommandError("Only reports of signed-off assessments are signed.")
        try:
            pdf, _data, timings = rendering.report_render_bytes(assessment=assessment, report_type=report_type)
            if sign:
                pdf = signing.pdf_sign(pdf, reason=f"{Report.Type(report_type).label} of a signed-off PKIMM assessment")
        except (rendering.ReportError, signing.SigningError) as error:
            raise CommandError(str(error)) from None
        Path(output).write_bytes(pdf)
        self.stdout.write(
            f"Wrote {output} ({len(pdf)} bytes): data {timings['data']:.2f} s, HTML {timings['html']:.2f} s, "
            f"PDF {timings['pdf']:.2f} s"
        )
