"""Webhooks (owners) and spreadsheets (exports and the workbook import)."""

from tests.factories import assessment_create
from tests.permissions.spec import MANAGERS, MEMBERS, OWNER, Case, by_role, org_kwargs
from webhooks.models import Webhook


def prepare(world):
    world.objects["sheet_assessment"] = assessment_create(world.org, name="Spreadsheet matrix")
    world.objects["webhook"] = Webhook.objects.create(
        organization=world.org, url="https://hooks.example.com/pkimm", secret="s", events=["report.ready"]
    )


def _hook(world):
    return org_kwargs(world, webhook_id=world.objects["webhook"].pk)


def _sheet(world, fmt="xlsx"):
    return org_kwargs(world, assessment_id=world.objects["sheet_assessment"].pk, fmt=fmt)


CASES = [
    Case("webhooks:list", org_kwargs, by_role(allowed=OWNER)),
    # An invalid form: refused with a message, nothing created.
    Case("webhooks:list", org_kwargs, by_role(allowed=OWNER), method="post", data=lambda w: {"url": "x"}, label="add"),
    Case("webhooks:detail", _hook, by_role(allowed=OWNER)),
    # The organization's own webhook (a test delivery is queued on commit; the owner's delete removes it): the
    # foreign-ids column (test_matrix_foreign_ids.py) then requests them with another organization's webhook.
    Case("webhooks:test", _hook, by_role(302, allowed=OWNER), method="post"),
    Case("webhooks:delete", _hook, by_role(302, allowed=OWNER), method="post"),
    Case("spreadsheets:import", org_kwargs, by_role(allowed=MANAGERS)),
    Case("spreadsheets:import", org_kwargs, by_role(allowed=MANAGERS), method="post", data=lambda w: {}, label="empty"),
    Case("spreadsheets:answers", _sheet, by_role(allowed=MANAGERS)),
    Case("spreadsheets:answers", lambda w: _sheet(w, "csv"), by_role(allowed=MANAGERS), label="csv"),
    Case("spreadsheets:plans", lambda w: org_kwargs(w, fmt="xlsx"), by_role(allowed=MEMBERS)),
]
