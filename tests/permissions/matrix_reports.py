from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from assessments.models import SignOff
from reports.models import Report, report_file_name
from tests.factories import assessment_create
from tests.permissions.spec import MEMBERS, WORKERS, Case, by_role, everyone, org_kwargs


def _done_report(world, assessment, **fields):
    report = Report.objects.create(
        organization=world.org, assessment=assessment, type=Report.Type.ATTESTATION, status=Report.Status.DONE, **fields
    )
    name = default_storage.save(report_file_name(report), ContentFile(b"%PDF-1.7 matrix"))
    Report.objects.filter(pk=report.pk).update(file=name, size=16)
    return report


def prepare(world):
    assessment = assessment_create(world.org, name="Reports matrix assessment")
    signoff = SignOff.objects.create(
        organization=world.org,
        assessment=assessment,
        signed_by_label="Lead",
        signed_at=timezone.now(),
        statement="Signed.",
    )
    world.objects["reports_assessment"] = assessment
    world.objects["draft_report"] = _done_report(world, assessment)
    world.objects["final_report"] = _done_report(world, assessment, is_final=True, signoff=signoff)


def _assessment(world):
    return org_kwargs(world, assessment_id=world.objects["reports_assessment"].pk)


def _report(name):
    return lambda world: org_kwargs(world, report_id=world.objects[name].pk)


CASES = [
    Case("reports:list", _assessment, by_role()),
    Case(
        "reports:request",
        _assessment,
        # An unknown type changes nothing and redirects back with a message.
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {"type": "unknown"},
    ),
    Case("reports:status", _report("draft_report"), by_role()),
    Case("reports:download", _report("draft_report"), by_role(allowed=WORKERS), label="draft"),
    Case("reports:download", _report("final_report"), by_role(allowed=MEMBERS), label="final"),
    # Retrying a finished report changes nothing and redirects back with a message.
    Case("reports:retry", _report("draft_report"), by_role(302, allowed=WORKERS), method="post", data=lambda w: {}),
    # Counter-signatures are uploaded by those who may sign off; without a file nothing changes.
    Case(
        "reports:countersign",
        _report("final_report"),
        by_role(302, allowed=("owner", "lead")),
        method="post",
        data=lambda w: {},
    ),
    Case("verify:index", lambda w: {}, everyone()),
]
