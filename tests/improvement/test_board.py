"""The organization-wide action plan board: filters, order, overdue flag, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement.models import ActionPlan, ActionPlanTask
from tests.factories import assessment_create
from tests.improvement.conftest import plan_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def origin(org, mv11):
    return assessment_create(org, model_version=mv11)


def _titles(response):
    return [plan.title for plan in response.context["board"]["plans"]]


def test_board_lists_open_plans_by_due_date_with_overdue_flagged(org, origin, lead, assessor, client_for):
    today = timezone.localdate()
    plan_create(org, origin=origin, title="Later", due_date=today + datetime.timedelta(30), responsible_user=lead)
    plan_create(org, origin=origin, title="No date")
    late = plan_create(
        org, origin=origin, title="Late", due_date=today - datetime.timedelta(2), responsible_user=assessor
    )
    plan_create(org, origin=origin, title="Finished", due_date=today - datetime.timedelta(5), status="done")
    ActionPlanTask.objects.create(organization=org, plan=late, text="a", done=True)
    ActionPlanTask.objects.create(organization=org, plan=late, text="b")

    response = client_for(lead).get(reverse("plans:board", args=[org.slug]))

    assert response.status_code == 200
    assert _titles(response) == ["Late", "Later", "No date"]  # open only, soonest first, undated last
    page = response.content.decode()
    assert page.count("Overdue</span>") == 1 and "1 / 2" in page
    assert response.context["board"]["overdue_count"] == 1


def test_board_filters(org, origin, lead, assessor, client_for):
    today = timezone.localdate()
    plan_create(org, origin=origin, title="Mine", responsible_user=lead, status="in_progress")
    plan_create(org, origin=origin, title="Theirs", responsible_user=assessor, due_date=today - datetime.timedelta(1))
    plan_create(org, origin=origin, title="Outside", responsible_text="Consultant", status="done")
    client = client_for(lead)
    url = reverse("plans:board", args=[org.slug])

    assert _titles(client.get(url, {"status": ""})) == ["Theirs", "Mine", "Outside"]
    assert _titles(client.get(url, {"status": "in_progress"})) == ["Mine"]
    assert _titles(client.get(url, {"status": "", "owner": str(assessor.pk)})) == ["Theirs"]
    assert _titles(client.get(url, {"status": "", "owner": "none"})) == ["Outside"]
    assert _titles(client.get(url, {"status": "", "overdue": "on"})) == ["Theirs"]
    by_status = client.get(url, {"status": "", "sort": "status"})
    assert _titles(by_status) == ["Theirs", "Mine", "Outside"]  # planned, in progress, done
    by_owner = client.get(url, {"status": "", "sort": "owner"})
    assert _titles(by_owner) == (
        ["Theirs", "Mine", "Outside"] if assessor.email < lead.email else ["Mine", "Theirs", "Outside"]
    )
    # A bad filter is refused with a message and the default view.
    response = client.get(url, {"status": "bogus", "owner": "999999"})
    assert response.status_code == 200 and _titles(response) == ["Theirs", "Mine"]


def test_board_shows_only_this_organizations_plans(org, other_org, origin, mv11, outsider, lead, client_for):
    theirs = assessment_create(other_org, model_version=mv11)
    plan_create(other_org, origin=theirs, title="Globex secret plan")
    plan_create(org, origin=origin, title="Acme plan")
    page = client_for(lead).get(reverse("plans:board", args=[org.slug]), {"status": ""}).content.decode()
    assert "Acme plan" in page and "Globex secret plan" not in page


def _many_plans(org, origin, users, count):
    today = timezone.localdate()
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            organization=org,
            origin=origin,
            category_key="G.1",
            category_name="Strategy and Vision",
            title=f"Plan {n}",
            target_level=1 + n % 5,
            responsible_user=users[n % len(users)] if n % 3 else None,
            responsible_text="" if n % 3 else "Consultant",
            due_date=today + datetime.timedelta(days=n - count // 2),
            status=ActionPlan.Status.values[n % 2],
        )
        for n in range(count)
    )
    ActionPlanTask.objects.bulk_create(
        ActionPlanTask(organization=org, plan=plan, text="t", done=bool(n % 2)) for n, plan in enumerate(plans)
    )


@pytest.mark.parametrize("path", ["board", "detail"])
def test_pages_use_a_constant_number_of_queries(org, origin, team, client_for, django_assert_max_num_queries, path):
    client = client_for(team["lead"])
    users = [team["lead"], team["assessor"], team["owner"]]

    def url():
        if path == "board":
            return reverse("plans:board", args=[org.slug]) + "?status="
        plan = ActionPlan.objects.first()
        return reverse("plans:detail", args=[org.slug, plan.pk])

    _many_plans(org, origin, users, 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url()).status_code == 200
    _many_plans(org, origin, users, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url())
    assert response.status_code == 200


def test_plan_pages_create_edit_status_and_tasks(org, origin, lead, assessor, client_for):
    client = client_for(lead)
    response = client.post(
        reverse("plans:create", args=[org.slug, origin.pk]),
        {"item": "M.6.2", "target_level": "4", "responsible_user": assessor.pk, "tasks": "One\nTwo", "title": ""},
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302
    assert (plan.category_key, plan.requirement_key, plan.target_level) == ("M.6", "M.6.2", 4)
    assert plan.tasks.count() == 2

    response = client.post(
        reverse("plans:edit", args=[org.slug, plan.pk]),
        {"title": "HSM rollout", "target_level": "5", "responsible_text": "Vendor", "due_date": "2027-02-01"},
    )
    plan.refresh_from_db()
    assert response.status_code == 302
    assert (plan.title, plan.target_level, plan.responsible_user, plan.responsible_text) == (
        "HSM rollout",
        5,
        None,
        "Vendor",
    )
    # Both a member and an outsider is refused, nothing changes.
    response = client.post(
        reverse("plans:edit", args=[org.slug, plan.pk]),
        {"title": "X", "target_level": "5", "responsible_user": assessor.pk, "responsible_text": "Vendor"},
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.title == "HSM rollout"

    client.post(reverse("plans:status", args=[org.slug, plan.pk]), {"status": "in_progress"})
    client.post(reverse("plans:task_add", args=[org.slug, plan.pk]), {"text": "Three"})
    task = plan.tasks.get(text="One")
    client.post(reverse("plans:task_toggle", args=[org.slug, plan.pk, task.pk]))
    plan.refresh_from_db()
    task.refresh_from_db()
    assert plan.status == "in_progress" and plan.tasks.count() == 3 and task.done
    page = client.get(reverse("plans:detail", args=[org.slug, plan.pk])).content.decode()
    assert "HSM rollout" in page and "Vendor" in page


def test_a_task_of_another_plan_is_not_found(org, origin, lead, client_for):
    first = plan_create(org, origin=origin, title="First")
    second = plan_create(org, origin=origin, title="Second")
    task = ActionPlanTask.objects.create(organization=org, plan=second, text="x")
    response = client_for(lead).post(reverse("plans:task_toggle", args=[org.slug, first.pk, task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert not task.done
