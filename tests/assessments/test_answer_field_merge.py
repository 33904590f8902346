"""Answers merge field by field: different fields changed by different people both survive, the same
field is a conflict, a person's own later save (another tab) is not, and nothing is ever lost."""

import threading

import pytest
from django.db import connection

from assessments.models import Applicability, Assessment, RequirementAnswer
from assessments.selectors_manage import scope_tree
from assessments.services.answers import AnswerBasis, answer_set
from assessments.services.common import AnswerConflict
from assessments.services.scoping import ScopeBasis, ScopeConflict, applicability_set, applicability_set_many
from audit.models import AuditEntry
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.conftest import make_user
from tests.factories import assessment_create, model_1_1
from tests.services import require_postgres

THREADS = 20


def basis_of(answer) -> AnswerBasis:
    """What a page loaded now would send as its basis."""
    return AnswerBasis(
        level=answer.level,
        level_version=answer.level_version,
        notes=answer.notes,
        notes_version=answer.notes_version,
    )


def save(assessment, requirement, by, basis, **values):
    current = {"level": basis.level, "notes": basis.notes, **values}
    return answer_set(assessment=assessment, requirement=requirement, by=by, basis=basis, **current)


@pytest.fixture
def started(formal, requirement, assessor):
    answer = answer_set(
        assessment=formal, requirement=requirement, level=1, notes="start", expected_version=0, by=assessor
    )
    return basis_of(answer)


def test_level_and_note_by_two_people_both_survive_without_conflict(formal, requirement, assessor, lead, started):
    save(formal, requirement, assessor, started, level=2)
    save(formal, requirement, lead, started, notes="Lead's note")  # an older page: level still 1 there
    stored = RequirementAnswer.objects.get()
    assert (stored.level, stored.notes, stored.version) == (2, "Lead's note", 3)
    assert (stored.level_changed_by, stored.notes_changed_by) == (assessor, lead)
    entries = AuditEntry.objects.filter(action="answer.changed").order_by("pk")
    assert [(e.before["level"], e.after["level"], e.before["notes"], e.after["notes"]) for e in entries][1:] == [
        (1, 2, "start", "start"),
        (2, 2, "start", "Lead's note"),
    ]


def test_same_field_is_a_conflict_naming_the_field_and_other_fields_are_saved(
    formal, requirement, assessor, lead, started
):
    save(formal, requirement, assessor, started, level=2)
    with pytest.raises(AnswerConflict) as conflict:
        save(formal, requirement, lead, started, level=4, notes="Mine")
    assert conflict.value.fields == ["level"] and conflict.value.saved == ["notes"]
    assert "assessor@acme.test changed the level" in str(conflict.value)
    stored = RequirementAnswer.objects.get()
    assert (stored.level, stored.notes) == (2, "Mine"), "the note was saved, the level was not overwritten"
    # Keep mine: based on the level version the conflict showed, the level is replaced.
    kept = save(
        formal,
        requirement,
        lead,
        AnswerBasis(level=1, level_version=conflict.value.current.level_version, notes="Mine", notes_version=3),
        level=4,
        notes="Mine",
    )
    assert (kept.level, kept.notes, kept.level_changed_by) == (4, "Mine", lead)


def test_the_same_person_in_another_tab_is_not_a_conflict(formal, requirement, assessor, started):
    save(formal, requirement, assessor, started, level=2)  # tab 1
    saved = save(formal, requirement, assessor, started, level=3)  # tab 2, loaded before
    assert saved.level == 3


def test_saving_the_value_already_stored_is_no_change_and_no_history(formal, requirement, assessor, lead, started):
    save(formal, requirement, assessor, started, level=2)
    same = save(formal, requirement, lead, started, level=2)
    assert same.version == 2
    assert AuditEntry.objects.filter(action="answer.changed").count() == 2


def test_a_note_only_save_keeps_a_colleagues_level(client_for, formal, requirement, assessor, lead, started):
    """The reported case: on an older page only a note is typed; the stored level must stay."""
    save(formal, requirement, assessor, started, level=2)
    response = client_for(lead).post(
        f"/o/{formal.organization.slug}/assessments/{formal.pk}/questionnaire/answer/G.1.1/",
        {
            "level": "1",
            "notes": "start, and checked",
            "version": "1",
            "level_version": "1",
            "notes_version": "1",
            "level_base": "1",
            "notes_base": "start",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Saved ✓" in response.content.decode()
    stored = RequirementAnswer.objects.get()
    assert (stored.level, stored.notes) == (2, "start, and checked")


def test_merged_notes_replace_both(client_for, formal, requirement, assessor, lead, started):
    save(formal, requirement, assessor, started, notes="Theirs")
    url = f"/o/{formal.organization.slug}/assessments/{formal.pk}/questionnaire/answer/G.1.1/"
    form = {
        "level": "1",
        "notes": "Mine",
        "level_version": "1",
        "notes_version": "1",
        "level_base": "1",
        "notes_base": "start",
    }
    html = client_for(lead).post(url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "Merge the notes by hand" in html and 'name="theirs_notes_version" value="2"' in html
    assert "Theirs\n\nMine</textarea>" in html
    client_for(lead).post(
        url,
        {**form, "resolve": "merge", "merged_notes": "Theirs and mine", "theirs_notes_version": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert RequirementAnswer.objects.get().notes == "Theirs and mine"


# ---------------------------------------------------------------------------------------------
# 20 threads, one answer, different fields (PostgreSQL)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    require_postgres()
    org = Organization.objects.create(name="Crowd", slug="crowd")
    users = []
    for i in range(THREADS + 1):
        user = make_user(f"user{i}@crowd.test")
        # Scope decisions are the managers' (leads); answers the assessors'.
        role = Role.LEAD if i % 3 == 2 or i == THREADS else Role.ASSESSOR
        Membership.objects.create(organization=org, user=user, role=role)
        users.append(user)
    assessment = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    requirement = assessment.model_version.requirements.select_related("category").get(key="G.1.1")
    first = answer_set(
        assessment=assessment, requirement=requirement, level=1, notes="start", expected_version=0, by=users[-1]
    )
    applicability_set(assessment=assessment, key="G.1.1", level="partial", reason="start", by=users[-1])
    return assessment, requirement, users[:THREADS], basis_of(first)


FIELDS = ("level", "notes", "applicability")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_writing_different_fields_lose_nothing(crowd):
    """Threads set the level, the notes or the applicability (with its reason, on the scope matrix) of
    one requirement, all from pages loaded at the same moment, at once. A refused write is reported as a
    conflict; the writer then keeps theirs (as the conflict box does)."""
    assessment, requirement, users, loaded = crowd
    scope_loaded = scope_tree(assessment=assessment).items["G.1.1"]
    barrier = threading.Barrier(THREADS)
    outcomes = {}

    def save_applicability(user, value, basis):
        level, reason = value
        basis_map = {"G.1.1": basis}
        return applicability_set_many(
            assessment=assessment, decisions={"G.1.1": (level, reason)}, by=user, basis=basis_map
        )

    def work(i, user):
        field = FIELDS[i % 3]
        value = {
            "level": 2 + (i // 3) % 4,
            "notes": f"note of thread {i}",
            "applicability": ("partial", f"reason of thread {i}"),
        }[field]
        basis = loaded
        if field == "applicability":
            basis = ScopeBasis(level=scope_loaded.own_level, reason=scope_loaded.reason, version=scope_loaded.version)
        conflicts, first_try = 0, None
        try:
            barrier.wait()
            while True:
                try:
                    if field == "applicability":
                        accepted = save_applicability(user, value, basis) == 1
                    else:
                        saved = save(assessment, requirement, user, basis, **{field: value})
                        accepted = getattr(saved, f"{field}_changed_by_id") == user.pk
                except ScopeConflict as conflict:
                    assert [item["key"] for item in conflict.items] == ["G.1.1"]
                    conflicts += 1
                    first_try = "conflict" if first_try is None else first_try
                    # keep mine: based on the version the conflict showed
                    basis = ScopeBasis(level=basis.level, reason=basis.reason, version=conflict.items[0]["version"])
                    continue
                except AnswerConflict as conflict:
                    assert conflict.fields == [field], conflict.fields
                    conflicts += 1
                    first_try = "conflict" if first_try is None else first_try
                    current = conflict.current
                    basis = AnswerBasis(  # keep mine: based on the version the conflict showed
                        level=loaded.level,
                        level_version=current.level_version,
                        notes=loaded.notes,
                        notes_version=current.notes_version,
                    )
                    continue
                first_try = "saved" if first_try is None else first_try
                outcomes[i] = (field, value, accepted, conflicts, first_try)
                return
        except Exception as error:  # noqa: BLE001 - reported to the test below
            outcomes[i] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert len(outcomes) == THREADS and not [o for o in outcomes.values() if o[0] == "error"], outcomes
    writers = {field: [i for i in range(THREADS) if FIELDS[i % 3] == field] for field in FIELDS}
    # Different fields merged silently: on the first try a writer of each field got through.
    assert {o[0] for o in outcomes.values() if o[4] == "saved"} == set(FIELDS)
    # The same field was refused to everyone else on the first try, and each was told.
    for field in ("notes", "applicability"):
        first_refused = sum(1 for o in outcomes.values() if o[0] == field and o[4] == "conflict")
        assert first_refused == len(writers[field]) - 1, (field, outcomes)
        assert all(outcomes[i][2] for i in writers[field]), f"every {field} write was accepted once"
    accepted = [o for o in outcomes.values() if o[2]]

    entries = list(AuditEntry.objects.filter(action="answer.changed").order_by("pk"))[1:]  # after the first save
    answer_accepted = [o for o in accepted if o[0] != "applicability"]
    assert len(entries) == len(answer_accepted), "history: one entry per accepted change"
    stored = RequirementAnswer.objects.get()
    assert stored.version == 1 + len(answer_accepted)
    # A chain: every accepted change started from the state the previous one left (nothing overwritten
    # unseen), each changed exactly one field, and the last one is what is stored.
    state = {"level": loaded.level, "notes": loaded.notes}
    for entry in entries:
        assert entry.before == state
        assert sum(entry.before[f] != entry.after[f] for f in ("level", "notes")) == 1
        state = entry.after
    assert state == {"level": stored.level, "notes": stored.notes}
    assert sorted(e.after["notes"] for e in entries if e.after["notes"] != e.before["notes"]) == sorted(
        f"note of thread {i}" for i in writers["notes"]
    )
    # The applicability: the same chain in its own history, every thread's reason once.
    scope_entries = list(AuditEntry.objects.filter(action="applicability.changed").order_by("pk"))[1:]
    assert len(scope_entries) == len(writers["applicability"])
    scope_state = {"key": "G.1.1", "level": "partial", "reason": "start"}
    for entry in scope_entries:
        assert entry.before == scope_state
        scope_state = entry.after
    assert sorted(e.after["reason"] for e in scope_entries) == sorted(
        f"reason of thread {i}" for i in writers["applicability"]
    )
    row = Applicability.objects.get(assessment=assessment, key="G.1.1")
    assert (row.version, row.reason) == (1 + len(writers["applicability"]), scope_state["reason"])


def test_history_shows_only_real_changes(client_for, formal, requirement, assessor, started):
    save(formal, requirement, assessor, started, notes="Only the note")
    url = f"/o/{formal.organization.slug}/assessments/{formal.pk}/questionnaire/answer/G.1.1/history/"
    html = client_for(assessor).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="history-level"') == 1, "only the first save changed the level"
    assert "“start” → “Only the note”" in html
