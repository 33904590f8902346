import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from assessments.models import Assessment
from assessments.services.workflow import sign_off_check
from catalog.models import ModelVersion
from core.demo import DEMO_ASSESSMENT, DEMO_BASELINE, DEMO_LEAD_EMAIL, DEMO_REASSESSMENT
from core.management.commands.setup_demo import sign_in_url
from improvement.models import ActionPlan
from organizations.models import Membership
from reports.models import Report
from reports.services import report_open_for_download
from reports.signing import signing_init
from reports.verification import VERDICT_VALID, report_verify


@pytest.fixture
def signing_dir(settings, tmp_path):
    directory = tmp_path / "signing"
    signing_init(directory=directory, common_name="PKIMM Demo Test")
    settings.SIGNING_DIR, settings.SIGNING_P12 = directory, ""
    return directory


def _setup_demo(*args):
    out = StringIO()
    call_command("setup_demo", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_setup_demo_prints_working_credentials_and_is_repeatable(db, signing_dir):
    for _ in range(2):
        output = _setup_demo()
        password = re.search(r"password: (\S+)", output).group(1)
        assert authenticate(username="demo@example.com", password=password) is not None
    assert "Sign in at http://127.0.0.1:8000/ with" in output
    assert "Created" not in output  # the second run adds nothing
    assert ModelVersion.objects.get(version="1.1.0").is_summary
    assert Membership.objects.get(user__email="demo@example.com").role == "owner"
    assert Membership.objects.get(user__email=DEMO_LEAD_EMAIL).role == "lead"
    assert authenticate(username=DEMO_LEAD_EMAIL, password="") is None
    assert Assessment.objects.count() == 3
    assert ActionPlan.objects.count() == 3
    assert Report.objects.count() == 1


def test_demo_has_a_signed_baseline_a_reassessment_with_plans_and_an_assessment_to_sign_off(
    db, signing_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the report renders after the commit
        _setup_demo()
    baseline = Assessment.objects.get(name=DEMO_BASELINE)
    assert baseline.status == Assessment.Status.SIGNED_OFF
    report = Report.objects.get(assessment=baseline)
    assert (report.status, report.is_final, report.type) == (Report.Status.DONE, True, Report.Type.DETAILED)
    with report_open_for_download(report=report, user=baseline.signed_off_by) as file:
        verification = report_verify(pdf=file.read())
    assert (verification.verdict, verification.assessment) == (VERDICT_VALID, DEMO_BASELINE)

    reassessment = Assessment.objects.get(name=DEMO_REASSESSMENT)
    assert (reassessment.status, reassessment.previous) == (Assessment.Status.IN_PROGRESS, baseline)
    assert reassessment.summary_overall_level is not None
    improved = reassessment.answers.filter(requirement__key__startswith="G.", notes__startswith="Improved")
    assert improved.exists()
    plans = ActionPlan.objects.filter(origin=baseline)
    assert sorted(plans.values_list("category_key", flat=True)) == ["M.6", "O.10", "R.15"]
    assert all(plan.tasks.exists() and plan.responsible_user.email == DEMO_LEAD_EMAIL for plan in plans)

    current = Assessment.objects.get(name=DEMO_ASSESSMENT)
    assert current.status == Assessment.Status.IN_REVIEW
    assert sign_off_check(assessment=current).ok


@pytest.mark.django_db(transaction=True)  # commits as `make run` does, so the report renders in the command
def test_demo_without_signing_material_says_the_report_failed(settings, tmp_path):
    settings.SIGNING_DIR, settings.SIGNING_P12 = tmp_path / "no-signing", ""
    output = _setup_demo()
    assert "The demo's signed report failed" in output
    assert Report.objects.get().status == Report.Status.FAILED


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("localhost:9001", "http://localhost:9001/"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080/"),
        ("8123", "http://127.0.0.1:8123/"),
    ],
)
def test_sign_in_url_is_the_address_served(address, url):
    assert sign_in_url(address) == url


def test_setup_demo_prints_the_address_it_is_given(db, signing_dir):
    assert "Sign in at http://127.0.0.1:8765/ with" in _setup_demo("--address", "127.0.0.1:8765")
