"""Small builders for tests. Model versions are built from the project's own data (tests/catalog/files.py):
1.1.0 from the built-in starter model, 1.0.0 derived from it; no official file is needed."""

from functools import cache

import yaml

from assessments.models import Assessment
from catalog.models import Category, ModelVersion, Module, Requirement
from tests.catalog.files import model_1_0_data, model_1_1_data


@cache
def _load_yaml(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def model_version_from_data(data: dict) -> ModelVersion:
    """Build catalogue rows straight from parsed model data (test set-up, no validation)."""
    existing = ModelVersion.objects.filter(version=data["version"]).first()
    if existing:
        return existing
    mv = ModelVersion.objects.create(version=data["version"], source=ModelVersion.Source.OFFICIAL)
    cat_pos = req_pos = 0
    for m_pos, m in enumerate(data["modules"]):
        module = Module.objects.create(
            model_version=mv, code=m["id"], name=m["name"], description=m.get("description", ""), position=m_pos
        )
        for c in m["categories"]:
            cat_pos += 1
            category = Category.objects.create(
                model_version=mv,
                module=module,
                code=c["id"],
                key=f"{m['id']}.{c['id']}",
                name=c["name"],
                description=c.get("description", ""),
                weight=c["weight"],
                levels=c.get("levels", []),
                position=cat_pos,
            )
            Requirement.objects.bulk_create(
                Requirement(
                    model_version=mv,
                    category=category,
                    code=r["id"],
                    key=f"{category.key}.{r['id']}",
                    title=r["description"],
                    weight=r["weight"],
                    guidance=r.get("guidance", ""),
                    assessment_hints=r.get("assessment", ""),
                    references=r.get("references", ""),
                    position=(req_pos := req_pos + 1),
                )
                for r in c.get("requirements", [])
            )
    return mv


def model_version_from_file(path) -> ModelVersion:
    """Catalogue rows from a model file (an official one: only in tests marked ``official``)."""
    return model_version_from_data(_load_yaml(path))


def model_1_0() -> ModelVersion:
    return model_version_from_data(model_1_0_data())


def model_1_1() -> ModelVersion:
    return model_version_from_data(model_1_1_data())


def assessment_create(org, *, model_version=None, method=Assessment.Method.FORMAL, name="PKI assessment 2026", **kw):
    return Assessment.objects.create(
        organization=org, model_version=model_version or model_1_1(), method=method, name=name, **kw
    )
