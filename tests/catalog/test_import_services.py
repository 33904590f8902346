"""Importing model versions and extensions: what is stored, and what happens on a second import."""

from decimal import Decimal

import pytest

from assessments.models import Assessment
from audit.models import AuditEntry
from catalog.errors import CatalogError
from catalog.models import Category, Extension, ExtensionOverlay, ModelVersion, Requirement
from catalog.services import (
    CREATED,
    REPLACED,
    TEXTS_UPDATED,
    UNCHANGED,
    extension_import,
    extension_in_use,
    model_version_import,
    model_version_in_use,
    starter_model_load,
)
from tests import official
from tests.catalog.files import (
    MODEL_1_0,
    MODEL_1_1,
    PQC_EXTENSION,
    STARTER_MODEL,
    dump,
    load,
    row_counts,
    tiny_extension,
    tiny_model,
)
from tests.conftest import make_user
from tests.factories import assessment_create


def import_file(path, **kwargs):
    return model_version_import(text=path.read_bytes(), source_name=path.name, **kwargs)


def import_pqc(**kwargs):
    return extension_import(text=PQC_EXTENSION.read_bytes(), source_name=PQC_EXTENSION.name, **kwargs)


def _requirements_in_file(path):
    data = load(path)
    return {
        f"{m['id']}.{c['id']}.{r['id']}": r for m in data["modules"] for c in m["categories"] for r in c["requirements"]
    }


def _categories_in_file(path):
    data = load(path)
    return {f"{m['id']}.{c['id']}": c for m in data["modules"] for c in m["categories"]}


@pytest.mark.parametrize(
    ("path", "categories", "requirements"),
    [
        (MODEL_1_0, 15, 72),
        (MODEL_1_1, 16, 78),
        pytest.param(official.MODEL_1_0, 15, 72, marks=pytest.mark.official, id="official-1.0.0"),
        pytest.param(official.MODEL_1_1, 16, 78, marks=pytest.mark.official, id="official-1.1.0"),
    ],
)
def test_official_model_is_stored_as_in_the_file(db, path, categories, requirements):
    outcome = import_file(path)

    mv = outcome.model_version
    assert outcome.status == CREATED
    assert (
        outcome.message
        == f"Imported PKIMM {mv.version}: 4 modules, {categories} categories, {requirements} requirements"
    )
    assert (mv.source, mv.is_summary, mv.source_name) == (ModelVersion.Source.OFFICIAL, False, path.name)
    assert len(mv.source_sha256) == 64
    assert [m.code for m in mv.modules.all()] == ["G", "M", "O", "R"]
    assert mv.categories.count() == categories
    assert mv.requirements.count() == requirements
    file_categories = _categories_in_file(path)
    for category in mv.categories.all():
        expected = file_categories[category.key]
        assert (category.name, category.weight, category.description) == (
            expected["name"],
            expected["weight"],
            expected["description"],
        )
        assert category.levels == expected["levels"]
    file_requirements = _requirements_in_file(path)
    for requirement in mv.requirements.select_related("category"):
        expected = file_requirements[requirement.key]
        assert requirement.key == f"{requirement.category.key}.{requirement.code}"
        assert requirement.title == expected["description"].strip()
        assert requirement.weight == expected["weight"]
        assert requirement.guidance == expected["guidance"]
        assert requirement.assessment_hints == expected["assessment"]
        assert requirement.references == expected["references"]


def test_both_official_models_live_side_by_side(db):
    import_file(MODEL_1_0)
    import_file(MODEL_1_1)
    assert Category.objects.get(model_version__version="1.0.0", key="M.5").name.lower() == "key management"
    assert Category.objects.get(model_version__version="1.1.0", key="M.6").name.lower() == "key management"
    assert Category.objects.get(model_version__version="1.1.0", key="G.1").weight == 5
    weights = Requirement.objects.filter(model_version__version="1.1.0", category__key="G.1")
    assert [r.weight for r in weights] == [3, 2, 2, 1]


def test_import_writes_one_audit_entry(db):
    staff = make_user("admin@example.test")
    import_file(MODEL_1_1, by=staff)
    entry = AuditEntry.objects.get(action="catalog.model_imported")
    assert entry.organization is None
    assert entry.actor == staff
    assert entry.after["status"] == CREATED
    assert entry.after["requirements"] == 78
    assert ModelVersion.objects.get().imported_by == staff


def test_reimporting_the_same_file_changes_nothing(db):
    first = import_file(MODEL_1_1)
    before = row_counts()
    pks = list(Requirement.objects.values_list("pk", flat=True))

    again = import_file(MODEL_1_1)

    assert again.status == UNCHANGED
    assert again.model_version.pk == first.model_version.pk
    assert row_counts() == before
    assert list(Requirement.objects.values_list("pk", flat=True)) == pks


def _changed_1_1(mutate) -> str:
    data = load(MODEL_1_1)
    mutate(data)
    return dump(data)


def _heavier_g1(data):
    data["modules"][0]["categories"][0]["weight"] = 6


def test_a_different_file_for_an_imported_version_is_refused(db):
    import_file(MODEL_1_1)
    before = row_counts()

    with pytest.raises(CatalogError) as refused:
        model_version_import(text=_changed_1_1(_heavier_g1), source_name="other-1.1.0.yaml")

    assert refused.value.lines() == [
        "other-1.1.0.yaml: version: PKIMM 1.1.0 is already imported from a different file (pkimm-model-1.1.0.yaml); "
        "import it with the replace option to overwrite it"
    ]
    assert row_counts() == before
    assert Category.objects.get(key="G.1").weight == 5


def test_replace_rebuilds_a_version_no_assessment_uses(db):
    import_file(MODEL_1_1)
    outcome = model_version_import(text=_changed_1_1(_heavier_g1), source_name="other-1.1.0.yaml", replace=True)
    assert outcome.status == REPLACED
    assert Category.objects.get(key="G.1").weight == 6
    assert ModelVersion.objects.get().source_name == "other-1.1.0.yaml"
    assert Requirement.objects.count() == 78
    assert AuditEntry.objects.filter(action="catalog.model_imported").count() == 2


def test_replace_is_refused_once_an_assessment_uses_the_version(db, org):
    mv = import_file(MODEL_1_1).model_version
    assessment_create(org, model_version=mv)
    assert model_version_in_use(mv)
    before = row_counts()

    with pytest.raises(CatalogError, match="PKIMM 1.1.0 is used by assessments and can no longer be replaced"):
        model_version_import(text=_changed_1_1(_heavier_g1), source_name="other.yaml", replace=True)

    assert row_counts() == before
    assert Category.objects.get(key="G.1").weight == 5


def test_replace_is_refused_when_an_imported_extension_would_lose_its_targets(db):
    import_file(MODEL_1_1)
    import_pqc()

    def drop_g1_requirement_4(data):
        del data["modules"][0]["categories"][0]["requirements"][3]

    before = row_counts()
    with pytest.raises(CatalogError, match="extension pqc 0.1.0 refers to G.1.4, which this file does not have"):
        model_version_import(text=_changed_1_1(drop_g1_requirement_4), source_name="other.yaml", replace=True)
    assert row_counts() == before


def test_in_use_check_follows_relations_of_other_apps(db, org):
    mv = import_file(MODEL_1_1).model_version
    extension = import_pqc().extension
    assert not model_version_in_use(mv)
    assert not extension_in_use(extension)
    assessment = assessment_create(org, model_version=mv)
    assessment.extensions.add(extension)
    assert model_version_in_use(mv)
    assert extension_in_use(extension)


# --- the built-in starter model -----------------------------------------------------------------


def test_starter_model_loads_as_a_summary(db):
    outcome = starter_model_load()
    mv = outcome.model_version
    assert outcome.status == CREATED
    assert (mv.version, mv.source, mv.is_summary) == ("1.1.0", ModelVersion.Source.STARTER, True)
    assert (mv.categories.count(), mv.requirements.count()) == (16, 78)
    assert starter_model_load().status == UNCHANGED


def test_official_file_replaces_the_summary_texts_and_keeps_ids_weights_and_keys(db, org):
    starter = starter_model_load().model_version
    assessment = assessment_create(org, model_version=starter)  # in use: texts may still change, nothing else
    categories = {c.key: (c.pk, c.weight) for c in starter.categories.all()}
    requirements = {r.key: (r.pk, r.weight) for r in starter.requirements.all()}
    modules = dict(starter.modules.values_list("code", "pk"))

    outcome = import_file(MODEL_1_1)

    mv = outcome.model_version
    assert outcome.status == TEXTS_UPDATED
    assert mv.pk == starter.pk
    assert (mv.source, mv.is_summary, mv.source_name) == (ModelVersion.Source.OFFICIAL, False, MODEL_1_1.name)
    assert {c.key: (c.pk, c.weight) for c in mv.categories.all()} == categories
    assert {r.key: (r.pk, r.weight) for r in mv.requirements.all()} == requirements
    assert dict(mv.modules.values_list("code", "pk")) == modules
    file_requirements = _requirements_in_file(MODEL_1_1)
    for requirement in mv.requirements.all():
        assert requirement.guidance == file_requirements[requirement.key]["guidance"]
    assert Category.objects.get(key="G.1").levels == _categories_in_file(MODEL_1_1)["G.1"]["levels"]
    assessment.refresh_from_db()
    assert assessment.model_version_id == mv.pk
    assert AuditEntry.objects.filter(action="catalog.model_imported").first().after["status"] == TEXTS_UPDATED


def test_official_file_with_other_weights_does_not_silently_replace_the_summary(db):
    starter_model_load()
    before = row_counts()
    with pytest.raises(CatalogError, match="already imported from a different file"):
        model_version_import(text=_changed_1_1(_heavier_g1), source_name="other.yaml")
    assert row_counts() == before
    assert ModelVersion.objects.get().is_summary


def test_starter_never_overwrites_an_imported_official_version(db):
    import_file(MODEL_1_1)
    outcome = starter_model_load()
    assert outcome.status == UNCHANGED
    mv = ModelVersion.objects.get()
    assert (mv.source, mv.is_summary) == (ModelVersion.Source.OFFICIAL, False)


def test_starter_path_is_configurable(db, settings, tmp_path):
    path = tmp_path / "summary.yaml"
    path.write_text(dump(tiny_model("8.0.0")), encoding="utf-8")
    settings.CATALOG_STARTER_MODEL = path
    mv = starter_model_load().model_version
    assert (mv.version, mv.is_summary, mv.source_name) == ("8.0.0", True, "summary.yaml")


def test_missing_starter_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CatalogError, match="cannot read the starter model"):
        starter_model_load(path=tmp_path / "missing.yaml")
    assert not ModelVersion.objects.exists()


# --- extensions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "extension_file"),
    [
        (MODEL_1_1, PQC_EXTENSION),
        pytest.param(official.MODEL_1_1, official.PQC_EXTENSION, marks=pytest.mark.official, id="official"),
    ],
)
def test_pqc_extension_is_stored(db, model, extension_file):
    import_file(model)
    outcome = extension_import(text=extension_file.read_bytes(), source_name=extension_file.name)

    extension = outcome.extension
    assert outcome.status == CREATED
    assert outcome.message == (
        "Imported extension pqc 0.1.0: 4 relevance questions, 18 overlays; compatible with 1.1.0"
    )
    data = load(extension_file)
    assert (extension.name, extension.compatibility, extension.floor_score) == (
        data["extension"]["name"],
        ["1.1.0"],
        True,
    )
    assert extension.documentation_url == data["extension"]["documentation"]
    relevances = list(extension.relevances.all())
    assert [r.category_key for r in relevances] == ["G.1", "G.2", "G.3", "G.4"]
    first = data["relevance"]["modules"][0]["categories"][0]
    assert relevances[0].weight == Decimal(first["weight"])
    assert relevances[0].guidance == first["guidance"]
    assert relevances[0].assessment_hints == first["assessment"]
    assert relevances[0].levels == first["levels"]
    overlays = {o.item_key: o for o in extension.overlays.all()}
    assert len(overlays) == 18
    assert (overlays["G.1.4"].item_kind, overlays["G.1.4"].kind, overlays["G.1.4"].value) == (
        ExtensionOverlay.ItemKind.REQUIREMENT,
        ExtensionOverlay.Kind.MULTIPLIER,
        "2.5",
    )
    assert overlays["G.2.1"].value == "1.5"
    assert AuditEntry.objects.filter(action="catalog.extension_imported").count() == 1


def test_extension_values_are_kept_as_exact_decimal_text(db):
    model_version_import(text=dump(tiny_model()), source_name="tiny.yaml")
    data = tiny_extension()
    data["overlays"]["modules"][0]["categories"][0]["multiplier"] = 0.1
    extension = extension_import(text=dump(data), source_name="ext.yaml").extension
    values = {o.item_key: (o.item_kind, o.kind, o.value) for o in extension.overlays.all()}
    assert values == {
        "G.1": ("category", "multiplier", "0.1"),
        "G.1.1": ("requirement", "multiplier", "1.5"),
        "G.1.2": ("requirement", "addition", "-0.1"),
        "G.2.3": ("requirement", "override", "4"),
    }


def test_extension_reimport_and_replace(db, org):
    import_file(MODEL_1_1)
    first = import_pqc()
    before = row_counts()
    assert import_pqc().status == UNCHANGED
    assert row_counts() == before

    data = load(PQC_EXTENSION)
    data["overlays"]["modules"][0]["categories"][0]["requirements"][0]["multiplier"] = 3
    changed = dump(data)
    with pytest.raises(CatalogError, match="already imported from a different file"):
        extension_import(text=changed, source_name="pqc-changed.yaml")
    assert row_counts() == before

    replaced = extension_import(text=changed, source_name="pqc-changed.yaml", replace=True)
    assert replaced.status == REPLACED
    assert replaced.extension.pk == first.extension.pk
    assert replaced.extension.overlays.get(item_key="G.1.1").value == "3"

    assessment = assessment_create(org, model_version=ModelVersion.objects.get())
    assessment.extensions.add(replaced.extension)
    before = row_counts()
    with pytest.raises(CatalogError, match="is in use and can no longer be replaced"):
        import_pqc(replace=True)
    assert row_counts() == before


def test_extension_must_fit_every_imported_compatible_version(db):
    model_version_import(text=dump(tiny_model("9.1.0")), source_name="a.yaml")
    smaller = tiny_model("9.2.0")
    del smaller["modules"][0]["categories"][1]["requirements"][2]  # G.2.3 is gone in 9.2.0
    model_version_import(text=dump(smaller), source_name="b.yaml")
    before = row_counts()

    with pytest.raises(CatalogError) as refused:
        extension_import(text=dump(tiny_extension(["9.1.0", "9.2.0", "9.3.0"])), source_name="ext.yaml")

    assert refused.value.lines() == [
        "ext.yaml: overlays.modules[0].categories[1].requirements[0]: requirement G.2.3 does not exist in PKIMM 9.2.0"
    ]
    assert row_counts() == before


def test_parse_errors_are_raised_before_any_write(db):
    before = row_counts()
    with pytest.raises(CatalogError):
        model_version_import(text=b"\xff\xfe not utf-8", source_name="binary.yaml")
    with pytest.raises(CatalogError):
        extension_import(text="", source_name="empty.yaml")
    assert row_counts() == before
    assert not Extension.objects.exists()
    assert not Assessment.objects.exists()


def test_importer_stores_what_the_test_factories_of_other_apps_assume(db):
    """Scoring tests build rows with tests/factories*.py; the real importer must store the same values."""
    from tests.factories import model_1_1
    from tests.factories_extensions import extension_from_file

    def snapshot():
        return (
            list(Category.objects.values_list("key", "weight", "levels", "name")),
            list(Requirement.objects.values_list("key", "weight", "category__key", "guidance")),
            list(ExtensionOverlay.objects.values_list("item_kind", "item_key", "kind", "value")),
            [(r.category_key, r.weight, r.levels) for r in Extension.objects.get().relevances.all()],
        )

    import_file(STARTER_MODEL)
    import_pqc()
    imported = snapshot()
    Extension.objects.all().delete()
    ModelVersion.objects.all().delete()

    model_1_1()
    extension_from_file()
    assert snapshot() == imported
