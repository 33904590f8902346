"""Fuzzing the exchange reader: any text given as a file is either refused with messages (each naming its place)
or imported, and then exported again as UTF-8 JSON and re-imported. Never a crash, never a half import."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment
from assessments.services.common import AssessmentError
from exchange.export import assessment_export_data, exchange_json_text
from exchange.files import ExchangeError, exchange_document_parse
from exchange.services import assessment_import_data
from tests.factories import model_1_1

# Any character, unpaired surrogates and controls included (Hypothesis leaves surrogates out by itself);
# numbers of any size; nesting of any depth.
characters = st.one_of(st.characters(), st.sampled_from(["\x00", "\x07", "\x1b", "\x85", "\ud800", "\udfff"]))
texts = st.text(characters, max_size=30)
anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["G.1.1", "G.1.2", "G.1", "G", "M.3.1", "X.9.9", "", "G.1.1\x00"])
entry = st.dictionaries(
    st.sampled_from(["level", "notes", "carried_over", "updated_by", "updated_at", "applicability", "reason"]),
    anything | st.integers(0, 6) | st.sampled_from(["applicable", "not_applicable", "partial"]),
    max_size=5,
)
document = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["pkimm-assessment", "other"]),
        "format_version": st.sampled_from([1, 2, "1"]),
        "model_version": st.sampled_from(["1.1.0", "9.9.9"]),
        "name": texts,
        "method": st.sampled_from(["formal", "self", "third_party", "magic"]),
    },
    optional={
        "answers": st.dictionaries(keys, entry, max_size=4),
        "category_answers": st.dictionaries(keys, entry, max_size=3),
        "use_cases": st.lists(st.dictionaries(st.sampled_from(["name", "description"]), anything), max_size=2),
        "comments": st.lists(st.dictionaries(st.sampled_from(["target", "body", "author"]), anything), max_size=2),
        "sampling_notes": anything,
        "environment": anything,
        "extra": anything,
    },
)


def _as_text(data, spelling) -> str:
    if spelling == "json":
        return json.dumps(data, allow_nan=True)
    if spelling == "cut":
        text = json.dumps(data, allow_nan=True)
        return text[: len(text) // 2]
    if spelling == "huge number":
        return json.dumps(data)[:-1] + ', "sampling_notes": ' + "9" * 5000 + "}"
    return "[" * 200 + json.dumps(data) + "]" * 200


@pytest.fixture
def catalogue(db):
    return model_1_1()


def test_any_file_is_refused_with_messages_or_imported_and_exportable(org, catalogue):
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(document, st.sampled_from(["json", "json", "json", "cut", "deep", "huge number"]))
    def check(data, spelling):
        before = Assessment.objects.count()
        try:
            parsed = exchange_document_parse(content=_as_text(data, spelling).encode("utf-8", "surrogatepass"))
            result = assessment_import_data(organization=org, data=parsed)
        except AssessmentError as refused:
            problems = refused.lines() if isinstance(refused, ExchangeError) else [str(refused)]
            assert problems and all(isinstance(p, str) and p.strip() for p in problems)
            assert Assessment.objects.count() == before, "a refused file creates nothing"
            return
        exported = exchange_json_text(assessment_export_data(assessment=result.assessment))
        exported.encode("utf-8")  # storable and exportable: no unpaired surrogate got in
        again = assessment_import_data(organization=org, data=exchange_document_parse(content=exported.encode()))
        assert exchange_json_text(assessment_export_data(assessment=again.assessment)) == exported

    check()
