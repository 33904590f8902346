from tests.factories import assessment_create
from tests.permissions.spec import MANAGERS, Case, by_role, org_kwargs


def prepare(world):
    world.objects["results_assessment"] = assessment_create(world.org, name="Results matrix assessment")


def _assessment(world):
    return org_kwargs(world, assessment_id=world.objects["results_assessment"].pk)


CASES = [
    Case("results:detail", _assessment, by_role()),
    Case("results:json", _assessment, by_role()),
    Case("results:extensions", _assessment, by_role()),
    Case(
        "results:extensions",
        _assessment,
        # An incomplete form changes nothing and redirects back with a message.
        by_role(302, allowed=MANAGERS),
        method="post",
        data=lambda w: {"action": "enable"},
        label="toggle",
    ),
]
