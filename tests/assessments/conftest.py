"""Assessments to answer, and the tests' own PQC-shaped extension (tests/catalog/files.py)."""

import pytest

from assessments.models import Assessment
from catalog.models import Extension, ExtensionRelevance
from tests.catalog.files import pqc_extension_data
from tests.factories import assessment_create, model_1_1


def pqc_extension() -> Extension:
    """The PQC extension's relevance questions (no overlays: the questionnaire does not score)."""
    data = pqc_extension_data()
    meta = data["extension"]
    extension, created = Extension.objects.get_or_create(
        ext_id=meta["id"],
        version=meta["version"],
        defaults={"name": meta["name"], "compatibility": meta.get("compatibility", [])},
    )
    if created:
        position = 0
        for module in data["relevance"]["modules"]:
            for category in module["categories"]:
                position += 1
                ExtensionRelevance.objects.create(
                    extension=extension,
                    category_key=f"{module['id']}.{category['id']}",
                    weight=category["weight"],
                    guidance=category.get("guidance", ""),
                    assessment_hints=category.get("assessment", ""),
                    levels=category.get("levels", []),
                    position=position,
                )
    return extension


@pytest.fixture
def formal(org):
    return assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)


@pytest.fixture
def self_assessment(org):
    return assessment_create(org, model_version=model_1_1(), method=Assessment.Method.SELF, name="Quick check")


@pytest.fixture
def requirement(formal):
    return formal.model_version.requirements.select_related("category").get(key="G.1.1")
