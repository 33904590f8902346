from assessments.models import Assessment
from tests.factories import assessment_create
from tests.permissions.spec import MANAGERS, Case, by_role, org_kwargs


def prepare(world):
    world.objects["exchange_assessment"] = assessment_create(world.org, method=Assessment.Method.SELF)
    world.objects["exchange_foreign_assessment"] = assessment_create(world.other_org, name="Globex assessment")


def _export(world):
    return org_kwargs(world, assessment_id=world.objects["exchange_assessment"].pk)


def _foreign_export(world):
    return org_kwargs(world, assessment_id=world.objects["exchange_foreign_assessment"].pk)


CASES = [
    Case("exchange:export", _export, by_role(allowed=MANAGERS)),
    # Another organization's assessment under this organization's URL: not found even for the owner.
    Case(
        "exchange:export",
        _foreign_export,
        by_role(404, allowed=MANAGERS),
        label="other organization's assessment",
    ),
    Case("exchange:pkic_export", _export, by_role(allowed=MANAGERS)),
    Case("exchange:pkic_export", _foreign_export, by_role(404, allowed=MANAGERS), label="other organization's"),
    Case("exchange:import", org_kwargs, by_role(allowed=MANAGERS)),
    # An empty form is refused with a message (200, nothing created).
    Case("exchange:import", org_kwargs, by_role(allowed=MANAGERS), method="post", data=lambda w: {}),
]
