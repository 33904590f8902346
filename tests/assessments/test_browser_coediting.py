"""Co-editing in real headless Chromium with two and three people (and one person in two tabs):
fields merge, a conflict resolves in one click wherever the focus is, and pages are live."""

import time
from pathlib import Path

import pytest
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from audit.models import AuditEntry
from tests.assessments.test_browser_collaboration import (  # noqa: F401 - the browser fixture
    _member,
    _org,
    browser,
    choose,
    signed_in_page,
    status,
)
from tests.factories import assessment_create, model_1_1

pytestmark = pytest.mark.browser

LIVE_SECONDS = 5
SCREENSHOT = Path("/tmp/questionnaire-conflict-notes.png")


def _shared(names):
    assessment = assessment_create(
        _org(), model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS, name="Shared assessment"
    )
    users = [_member(assessment, f"{name}@acme.test") for name in names]
    path = reverse("assessments:questionnaire_category", args=[assessment.organization.slug, assessment.pk, "G.1"])
    return assessment, users, path


def notes(page, key):
    return page.locator(f"#answer-{key.replace('.', '-')}-notes")


def level_radio(page, key, level):
    return page.locator(f"#answer-{key.replace('.', '-')}-l{level}")


@pytest.mark.django_db(transaction=True)
def test_alices_level_and_bobs_note_on_one_requirement_both_survive(live_server, browser):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect

    _assessment, (alice, bob), path = _shared(["alice", "bob"])
    page_a = signed_in_page(browser, live_server, alice)
    page_b = signed_in_page(browser, live_server, bob)
    page_a.goto(live_server.url + path)
    page_b.goto(live_server.url + path)

    choose(page_a, "G.1.3", 2)
    expect(status(page_a, "G.1.3")).to_contain_text("Saved ✓")
    notes(page_b, "G.1.3").fill("Bob's evidence review")  # typed at once, on his page loaded before
    expect(status(page_b, "G.1.3")).to_contain_text("Saved ✓")
    expect(status(page_b, "G.1.3").locator(".conflict")).to_have_count(0)
    stored = RequirementAnswer.objects.select_related("level_changed_by", "notes_changed_by").get()
    assert (stored.level, stored.notes) == (2, "Bob's evidence review")
    assert (stored.level_changed_by, stored.notes_changed_by) == (alice, bob)
    # Bob's page shows Alice's level too, without reload; Alice's shows Bob's note.
    expect(level_radio(page_b, "G.1.3", 2)).to_be_checked(timeout=LIVE_SECONDS * 1000)
    expect(notes(page_a, "G.1.3")).to_have_value("Bob's evidence review", timeout=LIVE_SECONDS * 1000)
    # And Bob's next note save keeps Alice's level (his basis was brought up to date).
    notes(page_b, "G.1.3").fill("Bob's evidence review, second pass")
    expect(status(page_b, "G.1.3")).to_contain_text("Saved ✓")
    assert RequirementAnswer.objects.get().level == 2


@pytest.mark.django_db(transaction=True)
def test_keep_mine_with_the_focus_in_notes_resolves_in_one_click(live_server, browser):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect

    _assessment, (alice, bob), path = _shared(["alice", "bob"])
    page_a = signed_in_page(browser, live_server, alice)
    page_b = signed_in_page(browser, live_server, bob)
    page_a.goto(live_server.url + path)
    page_b.goto(live_server.url + path)

    notes(page_a, "G.1.1").fill("Alice: policy approved in 2024")
    expect(status(page_a, "G.1.1")).to_contain_text("Saved ✓")
    box = notes(page_b, "G.1.1")
    box.click()
    box.type("Bob: policy draft only")  # his page still shows the empty note: same field, a conflict
    conflict = status(page_b, "G.1.1").locator(".conflict")
    expect(conflict).to_contain_text("alice@acme.test changed the notes")
    expect(conflict.locator(".conflict-theirs")).to_contain_text("Alice: policy approved in 2024")
    expect(conflict.locator(".conflict-mine")).to_contain_text("Bob: policy draft only")
    assert page_b.evaluate("document.activeElement.id") == "answer-G-1-1-notes", "focus still in Notes"
    page_b.screenshot(path=str(SCREENSHOT), full_page=False)

    requests = []
    page_b.on("request", lambda request: requests.append(request) if request.method == "POST" else None)
    conflict.get_by_role("button", name="Keep mine").click()  # one click, focus moving out of Notes
    expect(status(page_b, "G.1.1")).to_contain_text("Saved ✓")
    expect(status(page_b, "G.1.1").locator(".conflict")).to_have_count(0)
    assert len(requests) == 1, "exactly one save, the resolving one"
    stored = RequirementAnswer.objects.get()
    assert (stored.notes, stored.notes_changed_by) == ("Bob: policy draft only", bob)
    # Alice's page gets Bob's note live (once she is no longer in that field).
    page_a.locator("h1").click()
    expect(notes(page_a, "G.1.1")).to_have_value("Bob: policy draft only", timeout=LIVE_SECONDS * 1000)


@pytest.mark.django_db(transaction=True)
def test_bob_sees_alices_level_and_who_is_here_within_5_seconds(live_server, browser):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect

    _assessment, (alice, bob, carol), path = _shared(["alice", "bob", "carol"])
    pages = {}
    for user in (alice, bob, carol):
        pages[user] = signed_in_page(browser, live_server, user)
        pages[user].goto(live_server.url + path)
    page_a, page_b, page_c = pages[alice], pages[bob], pages[carol]
    presence_b = page_b.locator("#live .presence")
    expect(presence_b).to_contain_text("alice@acme.test", timeout=LIVE_SECONDS * 1000)
    expect(presence_b).to_contain_text("carol@acme.test", timeout=LIVE_SECONDS * 1000)
    expect(presence_b).not_to_contain_text("bob@acme.test")  # who else: not oneself

    choose(page_a, "G.1.2", 4)
    expect(status(page_a, "G.1.2")).to_contain_text("Saved ✓")
    saved_at = time.monotonic()
    expect(level_radio(page_b, "G.1.2", 4)).to_be_checked(timeout=LIVE_SECONDS * 1000)
    expect(level_radio(page_c, "G.1.2", 4)).to_be_checked(timeout=LIVE_SECONDS * 1000)
    assert time.monotonic() - saved_at < LIVE_SECONDS
    expect(status(page_b, "G.1.2")).to_contain_text("Saved by alice@acme.test")

    # Carol is in the notes field when Bob saves a note: her field is left alone, a notice tells her.
    notes(page_c, "G.1.2").click()
    notes(page_b, "G.1.2").fill("Bob's note")
    expect(status(page_b, "G.1.2")).to_contain_text("Saved ✓")
    notice = page_c.locator("#answer-G-1-2 .live-notice")
    expect(notice).to_contain_text("bob@acme.test changed the notes", timeout=LIVE_SECONDS * 1000)
    assert notes(page_c, "G.1.2").input_value() == ""
    # Alice, not in that field, gets the note in place.
    expect(notes(page_a, "G.1.2")).to_have_value("Bob's note", timeout=LIVE_SECONDS * 1000)


@pytest.mark.django_db(transaction=True)
def test_the_same_person_in_two_tabs_gets_no_conflict(live_server, browser):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect

    _assessment, (alice,), path = _shared(["alice"])
    tab_1 = signed_in_page(browser, live_server, alice)
    tab_2 = tab_1.context.new_page()
    tab_2.set_default_timeout(10_000)
    tab_1.goto(live_server.url + path)
    tab_2.goto(live_server.url + path)

    choose(tab_1, "G.1.1", 3)
    notes(tab_1, "G.1.4").fill("From tab 1")
    expect(status(tab_1, "G.1.1")).to_contain_text("Saved ✓")
    expect(status(tab_1, "G.1.4")).to_contain_text("Saved ✓")
    choose(tab_2, "G.1.1", 4)  # tab 2 still shows G.1.1 unanswered, or Alice's own level from tab 1
    notes(tab_2, "G.1.4").fill("From tab 2")
    expect(status(tab_2, "G.1.1")).to_contain_text("Saved ✓")
    expect(status(tab_2, "G.1.4")).to_contain_text("Saved ✓")
    expect(tab_2.locator(".conflict")).to_have_count(0)
    assert "changed this answer" not in tab_2.content()
    answers = {a.requirement.key: a for a in RequirementAnswer.objects.select_related("requirement")}
    assert (answers["G.1.1"].level, answers["G.1.4"].notes) == (4, "From tab 2")
    expect(tab_2.locator("#live .presence")).to_be_hidden()  # oneself in another tab is not "someone else"


@pytest.mark.django_db(transaction=True)
def test_arrowing_through_levels_saves_only_the_settled_choice(live_server, browser):  # noqa: F811 - the imported fixture
    from playwright.sync_api import expect

    _assessment, (alice,), path = _shared(["alice"])
    page = signed_in_page(browser, live_server, alice)
    page.goto(live_server.url + path)
    level_radio(page, "G.1.1", 1).focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 1 -> 2 -> 3 -> 4, quicker than the settle time
    expect(status(page, "G.1.1")).to_contain_text("Saved ✓")
    page.wait_for_timeout(1500)
    entries = AuditEntry.objects.filter(action="answer.changed")
    assert [(e.before["level"], e.after["level"]) for e in entries] == [(None, 4)]


@pytest.mark.django_db(transaction=True)
def test_mention_autocomplete_names_a_member_who_is_notified(live_server, browser):  # noqa: F811
    from playwright.sync_api import expect

    from notifications.models import Notification

    _assessment, (alice, bob), path = _shared(["alice", "bob"])
    page = signed_in_page(browser, live_server, alice)
    page.goto(live_server.url + path)
    comment = page.locator("#comment-answer-G-1-1")
    comment.click()
    comment.press_sequentially("Please check @bo", delay=30)
    option = page.locator(".mention-list .mention-option")
    expect(option).to_have_text(["bob@acme.test"])
    option.first.dispatch_event("mousedown")
    expect(comment).to_have_value("Please check @bob@acme.test ")
    page.get_by_role("button", name="Comment").first.click()
    page.wait_for_load_state()
    page.locator(".comment").first.wait_for()
    notification = Notification.objects.get(recipient=bob, kind="mention")
    assert notification.url.endswith("/questionnaire/G.1/#item-G-1-1")
    # Bob's bell shows it.
    page_b = signed_in_page(browser, live_server, bob)
    page_b.goto(live_server.url + path)
    expect(page_b.locator(".notification-count")).to_have_text("1")
    page_b.screenshot(path="/tmp/notification-bell.png")


@pytest.mark.django_db(transaction=True)
def test_alice_closing_her_page_leaves_bobs_presence_within_5_seconds(live_server, browser):  # noqa: F811
    """The leave beacon: without it Alice would linger until the presence expiry (at least 7 s after her
    last poll), so disappearing within 5 s shows the beacon worked."""
    from playwright.sync_api import expect

    from assessments.live import PRESENCE_SECONDS

    _assessment, (alice, bob), path = _shared(["alice", "bob"])
    page_a = signed_in_page(browser, live_server, alice)
    page_b = signed_in_page(browser, live_server, bob)
    page_a.goto(live_server.url + path)
    page_b.goto(live_server.url + path)
    presence_b = page_b.locator("#live .presence")
    expect(presence_b).to_contain_text("alice@acme.test", timeout=LIVE_SECONDS * 1000)

    page_a.wait_for_timeout(500)  # Alice has just polled: the expiry alone would keep her for ~10 s
    closed_at = time.monotonic()
    page_a.close(run_before_unload=True)
    expect(presence_b).to_be_hidden(timeout=LIVE_SECONDS * 1000)
    gone_after = time.monotonic() - closed_at
    print(f"\nAlice gone from Bob's page {gone_after:.2f} s after she closed hers")
    assert gone_after < LIVE_SECONDS < PRESENCE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_scope_matrix_conflict_keep_mine_in_one_click(live_server, browser):  # noqa: F811
    """Two leads on the scope page: different rows merge; the same row is a conflict box whose
    "Keep mine" stores Bob's decision in one click."""
    from playwright.sync_api import expect

    from assessments.models import Applicability
    from organizations.models import Membership
    from organizations.roles import Role

    assessment, (alice, bob), _path = _shared(["alice", "bob"])
    Membership.objects.filter(user__in=[alice, bob]).update(role=Role.LEAD)
    scope = live_server.url + reverse("assessments:scope", args=[assessment.organization.slug, assessment.pk])
    page_a = signed_in_page(browser, live_server, alice)
    page_b = signed_in_page(browser, live_server, bob)
    page_a.goto(scope)
    page_b.goto(scope)

    page_a.select_option('select[name="level:G.1.2"]', "not_applicable")
    page_a.fill('input[name="reason:G.1.2"]', "Outsourced")
    page_a.select_option('select[name="level:G.1.3"]', "partial")
    page_a.fill('input[name="reason:G.1.3"]', "Issuing CA only")
    page_a.get_by_role("button", name="Save applicability").click()
    expect(page_a.locator(".alert-success")).to_contain_text("2 changes")

    page_b.select_option('select[name="level:G.1.2"]', "partial")
    page_b.fill('input[name="reason:G.1.2"]', "Root CA only")
    page_b.select_option('select[name="level:G.1.4"]', "partial")
    page_b.fill('input[name="reason:G.1.4"]', "Some")
    page_b.get_by_role("button", name="Save applicability").click()
    box = page_b.locator("#scope-conflict")
    expect(box).to_contain_text("Theirs (alice@acme.test): Not applicable — “Outsourced”")
    expect(box).to_contain_text("Yours: Partially applicable — “Root CA only”")
    Path("/tmp/i14-shots").mkdir(exist_ok=True)
    page_b.screenshot(path="/tmp/i14-shots/scope-conflict.png", full_page=False)
    levels = dict(Applicability.objects.values_list("key", "level"))
    assert levels == {"G.1.2": "not_applicable", "G.1.3": "partial", "G.1.4": "partial"}  # Alice's row kept

    box.get_by_role("button", name="Keep mine").click()
    expect(page_b.locator(".alert-success")).to_contain_text("1 change")
    expect(page_b.locator("#scope-conflict")).to_have_count(0)
    row = Applicability.objects.get(key="G.1.2")
    assert (row.level, row.reason, row.updated_by) == ("partial", "Root CA only", bob)
