"""Assessments of one organization's PKI against one model version.

Every row carries its organization (TenantModel) so that every query can be scoped with ``for_org``.
Answers carry a ``version`` that each accepted save increments: a save based on an older version
is refused as a conflict (optimistic locking), so no save ever silently overwrites another.

A ``<person>_label`` field beside a user foreign key holds that person's e-mail when the row was
imported (exchange format) from elsewhere and the person is not a member here: the foreign key is then
empty and the label still says who it was.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from organizations.models import TenantModel

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Assessment(TenantModel):
    class Method(models.TextChoices):
        SELF = "self", "Self-assessment"
        FORMAL = "formal", "Formal assessment"
        THIRD_PARTY = "third_party", "Independent third-party assessment"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        SIGNED_OFF = "signed_off", "Signed off"

    class AssessorType(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"

    TRUST_LEVELS = {Method.SELF: "Low", Method.FORMAL: "Medium", Method.THIRD_PARTY: "High"}

    name = models.CharField(max_length=200)
    model_version = models.ForeignKey("catalog.ModelVersion", on_delete=models.PROTECT, related_name="assessments")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.FORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    assessor_type = models.CharField(max_length=20, choices=AssessorType.choices, default=AssessorType.INTERNAL)
    assessor_name = models.CharField(max_length=200, blank=True)
    assessor_company = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    # Scoping: the PKI environment (section 3 of the primer) and how evidence was sampled.
    environment_design = models.TextField(blank=True, help_text="High-level design of the PKI in scope.")
    environment_interactions = models.TextField(blank=True, help_text="Points of interaction between the parties.")
    sampling_notes = models.TextField(blank=True)
    extensions = models.ManyToManyField("catalog.Extension", blank=True, related_name="assessments")
    # The assessment profile of the model version when the assessment was created (scoring parameters,
    # subject fields, assurance tiers); None for versions without one.
    profile = models.ForeignKey(
        "catalog.AssessmentProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    subject = models.JSONField(default=dict, blank=True)  # the profile's subject fields: key -> text
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        help_text="The assessment this one was started from (re-assessment).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalized summary for dashboards (assessments/services/summary.py). Every save of answers or scope adds
    # one to ``write_version`` under the assessment's lock; ``summary_version`` is the write_version the stored
    # summary includes (equal: exact; lower: a refresh is due, see ``summary_is_current``).
    write_version = models.PositiveBigIntegerField(default=0)
    summary_version = models.PositiveBigIntegerField(default=0)
    summary_assessed = models.PositiveIntegerField(default=0)
    summary_applicable = models.PositiveIntegerField(default=0)
    summary_overall_value = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    summary_overall_level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def is_formal(self) -> bool:
        return self.method in (self.Method.FORMAL, self.Method.THIRD_PARTY)

    @property
    def is_signed_off(self) -> bool:
        return self.status == self.Status.SIGNED_OFF

    @property
    def trust_level(self) -> str:
        return self.TRUST_LEVELS[self.method]

    @property
    def is_overdue(self) -> bool:
        return bool(self.target_date and not self.is_signed_off and self.target_date < timezone.localdate())

    @property
    def summary_is_current(self) -> bool:
        return self.summary_version >= self.write_version

    @property
    def summary_percent(self) -> int:
        if not self.summary_applicable:
            return 0
        return round(100 * self.summary_assessed / self.summary_applicable)


class UseCase(TenantModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="use_cases")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    components = models.TextField(blank=True, help_text="PKI components involved.")
    out_of_scope = models.TextField(blank=True, help_text="What is deliberately left out, and why.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Applicability(TenantModel):
    """Scope decision for one module ("G"), category ("G.1") or requirement ("G.1.1"). No row: applicable.

    Level and reason are one versioned field, like an answer's level or notes: ``version`` counts its
    accepted changes and ``updated_by`` is who made the last one. A decision set back to applicable keeps
    its row (level "applicable") so that its version survives for the conflict check.
    """

    class Level(models.TextChoices):
        APPLICABLE = "applicable", "Applicable"
        PARTIAL = "partial", "Partially applicable"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="applicability")
    key = models.CharField(max_length=170)  # module, category or requirement key ("G.strategy-and-vision")
    level = models.CharField(max_length=20, choices=Level.choices)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_label = models.CharField(max_length=254, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="unique_applicability_key")]
        verbose_name_plural = "applicability"


class AnswerBase(TenantModel):
    """An answer: a level and notes. ``version`` counts accepted saves; ``level_version`` and
    ``notes_version`` are the version at which that field last changed (and ``*_changed_by`` who changed
    it), so that a save based on an older version conflicts only on a field someone else changed since."""

    FIELDS = ("level", "notes")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    level_version = models.PositiveIntegerField(default=0)
    notes_version = models.PositiveIntegerField(default=0)
    level_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_over = models.BooleanField(
        default=False, help_text="Taken from the previous assessment, not yet confirmed."
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by_label = models.CharField(max_length=254, blank=True)

    class Meta:
        abstract = True


class RequirementAnswer(AnswerBase):
    """Formal methods: a level per requirement."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    requirement = models.ForeignKey("catalog.Requirement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "requirement"], name="unique_requirement_answer")]

    def __str__(self):
        return f"{self.requirement.key} in {self.assessment}"


class CategoryAnswer(AnswerBase):
    """Self-assessment: a level per category."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="category_answers")
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "category"], name="unique_category_answer")]

    def __str__(self):
        return f"{self.category.key} in {self.assessment}"


class ExtensionAnswer(AnswerBase):
    """An extension's relevance question for one category (e.g. PQC readiness of G.1)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="extension_answers")
    extension = models.ForeignKey("catalog.Extension", on_delete=models.PROTECT, related_name="+")
    category_key = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "extension", "category_key"], name="unique_extension_answer")
        ]


class Comment(TenantModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=254, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


def evidence_upload_path(instance, filename):
    # Random name: the original name is kept in the row, never used on disk.
    import uuid

    return f"evidence/{instance.organization_id}/{instance.assessment_id}/{uuid.uuid4().hex}"


class Evidence(TenantModel):
    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_upload_path, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title or self.original_name or self.url

    @property
    def item_key(self) -> str:
        return self.requirement.key if self.requirement_id else self.category.key


class Assignment(TenantModel):
    """A category, or a single requirement, assigned to a member."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_by_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"],
                condition=models.Q(requirement=None),
                name="unique_category_assignment",
            ),
            models.UniqueConstraint(
                fields=["assessment", "requirement"],
                condition=models.Q(requirement__isnull=False),
                name="unique_requirement_assignment",
            ),
        ]

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.due_date < timezone.localdate())


class Flag(TenantModel):
    """'Needs discussion' on a requirement (or a category in a self-assessment)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="flags")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_by_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by_label = models.CharField(max_length=254, blank=True)


class CategoryReview(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        SENT_BACK = "sent_back", "Sent back"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by_label = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # A lead changed an answer of this category while it waited for review or after it was accepted:
    # the reviewer must look again (cleared by accepting or sending back, or by a new review round).
    changed_since_review_at = models.DateTimeField(null=True, blank=True)
    changed_since_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "category"], name="unique_category_review")]


class SignOff(TenantModel):
    """One sign-off. Reopening keeps it (reopened_*) so the history shows every sign-off."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="signoffs")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_by_label = models.CharField(max_length=254)
    # The signer's name and job title as they were when signing (a later profile change does not alter them).
    signed_by_name = models.CharField(max_length=150, blank=True)
    signed_by_title = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField()
    statement = models.TextField()
    # People named at sign-off to counter-sign the final reports: [{"name": ..., "title": ...}].
    countersigners = models.JSONField(default=list, blank=True)
    # Frozen answers and results at sign-off (exchange format + scores), for reports and history.
    snapshot = models.JSONField(default=dict)
    # The sign-off checklist's open items the signer named in the statement (printed in the report).
    open_items = models.JSONField(default=list, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_by_label = models.CharField(max_length=254, blank=True)
    reopen_reason = models.TextField(blank=True)
    # From an imported file: history "imported from elsewhere, not witnessed here". Its people are labels, and it
    # never makes an assessment signed off nor a report final.
    imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["-signed_at"]
