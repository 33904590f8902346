"""The maturity-model catalogue: model versions as imported from the PKI Consortium's files.

Texts are stored as imported (Markdown) and never shipped in this repository, except the
built-in starter model, whose texts are our own short summaries (``is_summary``).
"""

from django.conf import settings
from django.db import models


class ModelVersion(models.Model):
    class Source(models.TextChoices):
        STARTER = "starter", "Built-in summary"
        OFFICIAL = "official", "Imported model file"

    version = models.CharField(max_length=20, unique=True)
    schema_version = models.CharField(max_length=20, default="1.0.0")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OFFICIAL)
    is_summary = models.BooleanField(default=False, help_text="Texts are short summaries, not the official guidance.")
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # {"1": "Initial", "2": "Basic" | "Foundational", ...}: what this version calls its levels (no number prefix)
    level_names = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"PKIMM {self.version}"

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    @property
    def level_name_map(self) -> dict[int, str]:
        """Level number -> name as this version spells it; the project's general names fill any gap."""
        from scoring.levels import LEVEL_NAMES

        return {number: self.level_names.get(str(number)) or name for number, name in LEVEL_NAMES.items()}

    @property
    def has_string_ids(self) -> bool:
        """2.0.0 and later: kebab-case ids (``sponsor-support``) instead of positions (``G.1.1``)."""
        return self.schema_version != "1.0.0"


class Module(models.Model):
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="modules")
    code = models.CharField(max_length=5)  # G, M, O, R
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["model_version", "position"]
        constraints = [models.UniqueConstraint(fields=["model_version", "code"], name="unique_module_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Category(models.Model):
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="categories")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(max_length=80)  # "1".."16" (1.x) or "strategy-and-vision" (2.0.0), unique in the version
    key = models.CharField(max_length=100)  # "G.1" or "G.strategy-and-vision"
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField()
    # [{"number": 1, "name": "1 - Initial", "description": "..."}, ...] for levels 1-5
    levels = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["model_version", "position"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["model_version", "key"], name="unique_category_key")]

    def __str__(self):
        return f"{self.key} {self.name}"

    def level_description(self, number: int) -> str:
        for level in self.levels:
            if level.get("number") == number:
                return level.get("description", "")
        return ""


class Requirement(models.Model):
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="requirements")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(max_length=80)  # "1" (1.x) or "sponsor-support" (2.0.0)
    key = models.CharField(max_length=170)  # "G.1.1" or "G.strategy-and-vision.sponsor-support"
    title = models.CharField(max_length=300)  # the model file's short "description"
    weight = models.PositiveSmallIntegerField()
    guidance = models.TextField(blank=True)
    assessment_hints = models.TextField(blank=True)
    references = models.TextField(blank=True)  # 1.x: Markdown links
    reference_ids = models.JSONField(default=list, blank=True)  # 2.0.0: ids in the references catalogue
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["model_version", "position"]
        constraints = [models.UniqueConstraint(fields=["model_version", "key"], name="unique_requirement_key")]

    def __str__(self):
        return f"{self.key} {self.title}"

    @property
    def label(self) -> str:
        """The id as the model shows it: "G.1.1" in 1.x, the requirement's own id ("sponsor-support") in 2.0.0."""
        return self.key if self.code.isdigit() else self.code


class Extension(models.Model):
    ext_id = models.CharField(max_length=60)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    documentation_url = models.URLField(blank=True)
    compatibility = models.JSONField(default=list)  # model versions, e.g. ["1.1.0"]
    floor_score = models.BooleanField(default=False)
    references = models.JSONField(default=list, blank=True)  # the file's own reference entries
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["ext_id", "version"]
        constraints = [models.UniqueConstraint(fields=["ext_id", "version"], name="unique_extension_version")]

    def __str__(self):
        return f"{self.name} {self.version}"

    def is_compatible_with(self, model_version: str) -> bool:
        return model_version in self.compatibility


class ExtensionRelevance(models.Model):
    """An extra maturity question the extension asks for one category."""

    extension = models.ForeignKey(Extension, on_delete=models.CASCADE, related_name="relevances")
    category_key = models.CharField(max_length=100)  # "G.1" or "G.strategy-and-vision"
    weight = models.DecimalField(max_digits=12, decimal_places=6)
    guidance = models.TextField(blank=True)
    assessment_hints = models.TextField(blank=True)
    references = models.TextField(blank=True)
    reference_ids = models.JSONField(default=list, blank=True)
    levels = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["extension", "position"]
        constraints = [models.UniqueConstraint(fields=["extension", "category_key"], name="unique_relevance")]


class ExtensionOverlay(models.Model):
    """A weight adjustment of one item (a category or a requirement) while scoring the extension."""

    class ItemKind(models.TextChoices):
        CATEGORY = "category", "Category"
        REQUIREMENT = "requirement", "Requirement"

    class Kind(models.TextChoices):
        MULTIPLIER = "multiplier", "Multiplier"
        ADDITION = "addition", "Addition"
        OVERRIDE = "override", "Override"

    extension = models.ForeignKey(Extension, on_delete=models.CASCADE, related_name="overlays")
    item_kind = models.CharField(max_length=20, choices=ItemKind.choices)
    item_key = models.CharField(max_length=170)  # "G.1", "G.1.1" or "G.strategy-and-vision.sponsor-support"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Kept as the decimal text of the file so that scoring can use exact fractions.
    value = models.CharField(max_length=40)
    rationale = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["extension", "position"]
        constraints = [models.UniqueConstraint(fields=["extension", "item_key"], name="unique_overlay_item")]


class Reference(models.Model):
    """One entry of the PKI Consortium's references catalogue, which is versioned apart from the model."""

    ref_id = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=500)
    authority = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    regions = models.JSONField(default=list, blank=True)
    deprecated = models.BooleanField(default=False)
    superseded_by = models.CharField(max_length=80, blank=True)  # ref_id of the successor
    catalogue_version = models.CharField(max_length=20)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]

    def __str__(self):
        return self.title


class AssessmentProfile(models.Model):
    """An assessment profile file: how the tool runs an assessment of one model version (scoring parameters,
    subject fields, assurance tiers, report settings). ``data`` keeps the checked file as read."""

    profile_id = models.CharField(max_length=80)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="profiles")
    data = models.JSONField()
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["profile_id", "version"]
        constraints = [models.UniqueConstraint(fields=["profile_id", "version"], name="unique_profile_version")]

    def __str__(self):
        return f"{self.title} {self.version}"

    @property
    def parameters(self) -> dict:
        return self.data["runtime"]["methodology"]["parameters"]

    @property
    def rounding(self) -> str:
        return self.parameters.get("rounding", "floor")

    @property
    def subject_fields(self) -> list[dict]:
        return self.data["runtime"]["subjectFields"]

    @property
    def assurance_tiers(self) -> list[dict]:
        return self.data["assurance"]["profiles"]

    @property
    def default_tier(self) -> dict:
        wanted = self.data["assurance"]["defaultProfile"]
        return next(tier for tier in self.assurance_tiers if tier["id"] == wanted)

    @property
    def report(self) -> dict:
        return self.data["report"]
