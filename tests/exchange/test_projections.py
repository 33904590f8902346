"""The three JSON projections of one assessment (the sign-off snapshot, the exchange document and the score JSON)
read through one assessment read (``assessments/selectors_read.py``) give what they gave when each read the
rows itself: recorded here, field for field, for the two assessments of the exchange tests.

Signed reports carry the snapshot's ``results`` and ``evidence`` and the exchange document, and ``/verify/``
compares them with the sign-off's stored snapshot, so neither may change. ``PKIMM_RECORD_PROJECTIONS=1``
writes the files anew (only for a deliberate format change).
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest

from assessments.services.snapshot import assessment_snapshot_build
from exchange.export import assessment_export_data, exchange_json_text
from tests.exchange.exchange_helpers import formal_assessment_with_pqc, run, self_assessment

RECORDED = Path(__file__).parent / "projections"


def _projections(assessment) -> dict:
    snapshot = assessment_snapshot_build(assessment=assessment)
    assert snapshot.pop("taken_at")  # the moment of the sign-off
    return {
        "snapshot": snapshot,
        "exchange": json.loads(exchange_json_text(assessment_export_data(assessment=assessment))),
        "scores": json.loads(run("score_assessment", str(assessment.pk), "--json")),
    }


@pytest.mark.parametrize("build", [self_assessment, formal_assessment_with_pqc], ids=["self", "formal"])
def test_the_projections_are_what_they_were(org, lead, assessor, build):
    # Rows the helpers leave to auto_now get one fixed time, so that the recorded files hold still.
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 20, 12, 0, tzinfo=UTC)):
        assessment = build(org, lead=lead, assessor=assessor)
    got = _projections(assessment)
    path = RECORDED / f"{build.__name__}.json"
    if os.environ.get("PKIMM_RECORD_PROJECTIONS"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    for name in ("snapshot", "exchange", "scores"):
        assert got[name] == recorded[name], name  # lists in order; the snapshot is stored as jsonb (keys unordered)
    # The exchange document key for key in order, as the file spells it (but for the sign-offs' stored snapshots:
    # jsonb keeps no key order).
    assert _spelled(got["exchange"]) == _spelled(recorded["exchange"])


def _spelled(document: dict) -> str:
    document = json.loads(json.dumps(document))
    for sign_off in document["sign_offs"]:
        sign_off["snapshot"] = json.dumps(sign_off["snapshot"], sort_keys=True)
    return json.dumps(document)
