"""Continuous improvement: target levels, action plans (with their task checklists) and sent reminders.

Action plans belong to the organization, not to one assessment: they outlive the assessment they were
written for (``origin``) and are carried into the next one. Across model versions a plan finds its
category again by ``category_name`` (ids are renumbered between versions, names are not).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from organizations.models import TenantModel

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class TargetLevel(TenantModel):
    """The level a lead assessor aims at for one category of one assessment (no row: current level + 1)."""

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="target_levels")
    category_key = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Who set it when that person is not a member here (an imported assessment).
    updated_by_label = models.CharField(max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "category_key"], name="unique_target_level")]

    def __str__(self):
        return f"{self.category_key} → {self.level}"


class ActionPlan(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    origin = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_plans",
        help_text="The assessment this plan was written for.",
    )
    category_key = models.CharField(max_length=100, help_text="Key in the origin assessment's model version.")
    category_name = models.CharField(max_length=200, help_text="Finds the category again in later model versions.")
    requirement_key = models.CharField(max_length=170, blank=True, help_text="Empty: the plan covers the category.")
    title = models.CharField(max_length=200)
    target_level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    objectives = models.TextField(blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_plans"
    )
    responsible_text = models.CharField(
        max_length=200, blank=True, help_text="Someone outside the organization's members (name, company)."
    )
    due_date = models.DateField(null=True, blank=True)
    resources = models.TextField(blank=True)
    dependencies = models.TextField(blank=True)
    outputs = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "id"]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())

    @property
    def item_key(self) -> str:
        return self.requirement_key or self.category_key

    @property
    def requirement_code(self) -> str:
        """The requirement's id within its category ("2" of "M.5.2"): stable across model versions."""
        return self.requirement_key.rsplit(".", 1)[-1] if self.requirement_key else ""

    @property
    def responsible_label(self) -> str:
        if self.responsible_user_id:
            return self.responsible_user.get_full_name() or self.responsible_user.email or str(self.responsible_user)
        return self.responsible_text


class ActionPlanTask(TenantModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class ReminderSent(models.Model):
    """One row per reminder ever sent: the unique key is what makes sending idempotent."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key
