"""Generated files: whatever a valid file holds survives import -> export, and a second trip changes nothing."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.exchange import assessment_export_data
from assessments.services.exchange import assessment_import_data
from catalog.models import Category, Module, Requirement
from tests.factories import model_1_1
from tests.factories_extensions import pqc_extension

MODEL = "1.1.0"


@pytest.fixture
def keys(db):
    mv = model_1_1()
    pqc = pqc_extension()
    return {
        "modules": list(Module.objects.filter(model_version=mv).values_list("code", flat=True)),
        "categories": list(Category.objects.filter(model_version=mv).values_list("key", flat=True)),
        "requirements": list(Requirement.objects.filter(model_version=mv).values_list("key", flat=True)),
        "pqc": list(pqc.relevances.values_list("category_key", flat=True)),
    }


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)  # what the forms accept too
levels = st.integers(1, 5)
timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
scope = st.fixed_dictionaries(
    {"applicability": st.sampled_from(["applicable", "partial", "not_applicable"])},
    optional={"reason": text, "applicability_updated_at": timestamps.map(datetime.isoformat)},
)
answer = st.fixed_dictionaries(
    {},
    optional={
        "level": levels,
        "notes": text,
        "carried_over": st.booleans(),
        "updated_by": st.sampled_from(["lead@acme.test", "someone@else.test"]),
        "updated_at": timestamps.map(datetime.isoformat),
    },
)
both = st.builds(lambda a, s: {**a, **s}, answer, scope)


def _meaningful(entry: dict) -> dict:
    """What an entry says beyond the defaults (the export writes exactly these, plus who and when)."""
    said = {name: entry[name] for name in ("level", "notes", "carried_over", "reason") if entry.get(name)}
    if "applicability" in entry:
        said["applicability"] = entry["applicability"]
    return said


def documents(keys):
    def entries(names, value):
        return st.dictionaries(st.sampled_from(names), value, max_size=8)

    return st.fixed_dictionaries(
        {
            "format": st.just("pkimm-assessment"),
            "format_version": st.just(1),
            "model_version": st.just(MODEL),
            "name": text.filter(str.strip),
            "method": st.sampled_from(["self", "formal", "third_party"]),
        },
        optional={
            "modules": entries(keys["modules"], scope),
            "category_answers": entries(keys["categories"], st.one_of(answer, scope, both)),
            "answers": entries(keys["requirements"], st.one_of(answer, scope, both)),
            "extensions": st.fixed_dictionaries({"pqc": entries(keys["pqc"], answer)}),
            "comments": st.lists(
                st.fixed_dictionaries(
                    {"body": text.filter(str.strip), "created_at": timestamps.map(datetime.isoformat)},
                    optional={"target": st.sampled_from([None, *keys["categories"][:3], *keys["requirements"][:3]])},
                ),
                max_size=4,
            ),
        },
    )


def test_generated_files_survive_the_trip(org, lead, keys):
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(documents(keys))
    def check(document):
        first = assessment_export_data(assessment=assessment_import_data(organization=org, data=document).assessment)
        again = assessment_import_data(organization=org, data=first).assessment
        assert assessment_export_data(assessment=again) == first

        # Nothing of the file is lost: every level, note and scope decision is in the export.
        for section in ("answers", "category_answers", "modules"):
            for key, entry in document.get(section, {}).items():
                said = _meaningful(entry)
                exported = first[section].get(key, {})
                assert {name: exported.get(name) for name in said} == said, (section, key)
        # Lists come out in time order (ties keep the file's order).
        in_time_order = sorted(document.get("comments", []), key=lambda c: datetime.fromisoformat(c["created_at"]))
        assert [c["body"] for c in first["comments"]] == [c["body"] for c in in_time_order]

    check()
