import re
from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from assessments.models import Assessment
from catalog.models import ModelVersion
from organizations.models import Membership


def test_setup_demo_prints_working_credentials_and_is_repeatable(db):
    for _ in range(2):
        out = StringIO()
        call_command("setup_demo", stdout=out)
        password = re.search(r"password: (\S+)", out.getvalue()).group(1)
        assert authenticate(username="demo@example.com", password=password) is not None
    assert ModelVersion.objects.get(version="1.1.0").is_summary
    assert Membership.objects.get(user__email="demo@example.com").role == "owner"
    demo = Assessment.objects.get()  # created once, not on every run
    assert demo.status == "in_progress"
    assert 0 < demo.summary_assessed < demo.summary_applicable
    assert demo.summary_overall_level is not None
