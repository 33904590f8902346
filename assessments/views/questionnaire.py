"""The questionnaire: overview, one page per category, saving answers (htmx or plain form posts).

An answer "slot" is what one answer form edits, named in URLs by a key:
"G.1.1" a requirement (formal), "G.1" a category (self-assessment), "ext-<id>-G.1" an extension's
relevance question for a category. Saves name the version they were based on; a stale save
shows the other person's answer with "Keep mine" and "Take theirs" instead of overwriting it.
"""

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from assessments.live import (
    CHANGE_WINDOW_SECONDS,
    POLL_SECONDS,
    answers_may_have_changed,
    presence_leave,
    presence_touch,
)
from assessments.models import AnswerBase, Flag
from assessments.selectors import (
    answer_history,
    category_answer_or_none,
    category_answers_changed,
    category_answers_held,
    category_for_key_or_none,
    category_page_data,
    extension_answer_or_none,
    extension_slot_or_none,
    questionnaire_overview,
    requirement_answer_or_none,
    requirement_for_key_or_none,
    review_status_holds_answers,
)
from assessments.services.answers import answer_basis, answer_set, category_answer_set, extension_answer_set
from assessments.services.comments import comment_add
from assessments.services.common import AnswerConflict, AssessmentError
from assessments.services.flags import flag_raise, flag_resolve
from assessments.views.common import assessment_of_url
from assessments.views.questionnaire_html import (
    answer_form_html,
    answer_status_html,
    discussion_html,
    discussion_values,
    level_help_html,
    requirement_cards_html,
)
from catalog.readmodel import CategoryTexts, model_catalogue
from core.markdown import render_markdown
from organizations.roles import Perm
from organizations.selectors import members_matching
from organizations.tenancy import org_view, tenant_get_or_404
from scoring.levels import LEVELS

_EXTENSION_SLOT = re.compile(r"^ext-(\d+)-([A-Z]+\.\d+)$")


def _general_levels(model_version) -> list[tuple]:
    """Levels for a requirement answer, named as the assessment's model version names them."""
    names = model_version.level_name_map
    return [(level.number, f"{level.number} {names[level.number]}", "") for level in LEVELS]


@lru_cache(maxsize=4096)
def _markdown(text: str):
    """Extension texts never change once imported: render each one once per process."""
    return render_markdown(text)


def anchor_for(key: str) -> str:
    """The id of a requirement's (or self-assessed category's) card on the category page."""
    return "item-" + re.sub(r"[^A-Za-z0-9]+", "-", key)


def user_label(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.email or user.get_username()


@dataclass
class AnswerSlot:
    """What one answer form shows; built from the stored answer and, after a save, its outcome."""

    key: str
    kind: str  # requirement | category | extension
    category_key: str
    title: str
    layout: str  # radios | grid
    levels: list  # [(number, label, description html)]
    save_url: str
    fragment_url: str
    page_url: str
    editable: bool
    level: int | None = None
    notes: str = ""
    version: int = 0
    # What the next save is based on, per field: the value and version the form shows as stored.
    level_version: int = 0
    notes_version: int = 0
    base_level: int | None = None
    base_notes: str = ""
    updated_at: object | None = None  # of the stored answer
    updated_by_label: str = ""
    carried_over: bool = False
    state: str = ""  # "" | saved | failed | conflict
    message: str = ""
    current: object | None = None  # on conflict: the answer as stored now
    conflict_fields: list = field(default_factory=list)  # on conflict: the fields someone else changed
    saved_at: object | None = None
    level_help: str = ""  # formal: the category's level descriptions beside the buttons (level_help_html)

    def __post_init__(self):
        self.dom_id = self.dom_id_for(self.key)

    @staticmethod
    def dom_id_for(key: str) -> str:
        return "answer-" + re.sub(r"[^A-Za-z0-9]+", "-", key)

    def show(self, answer) -> None:
        """Take the values of a stored answer: a row from the page selectors (dict) or an instance."""
        if answer is None:
            return
        if isinstance(answer, dict):
            by = answer["updated_by__email"] or answer["updated_by__username"]
            self.level, self.notes, self.version = answer["level"], answer["notes"], answer["version"]
            self.level_version, self.notes_version = answer["level_version"], answer["notes_version"]
            self.updated_at, self.carried_over = answer["updated_at"], answer["carried_over"]
        else:
            by = answer.updated_by and (answer.updated_by.email or answer.updated_by.username)
            self.level, self.notes, self.version = answer.level, answer.notes, answer.version
            self.level_version, self.notes_version = answer.level_version, answer.notes_version
            self.updated_at, self.carried_over = answer.updated_at, answer.carried_over
        self.base_level, self.base_notes = self.level, self.notes
        self.updated_by_label = by or "someone"

    @property
    def current_by(self) -> str:
        """Who changed the (first) conflicting field; for an older form, who saved last."""
        if self.current is None:
            return ""
        if self.conflict_fields:
            return user_label(getattr(self.current, f"{self.conflict_fields[0]}_changed_by"))
        return user_label(self.current.updated_by)


class QuestionnaireUrls:
    """The URLs of one assessment's questionnaire, joined onto its base path.

    A category page links every requirement to about ten URLs; joining strings costs far less than
    a reverse() per link. tests/assessments/test_questionnaire_urls.py keeps this in step with
    urls_questionnaire.py. The URLs the card templates show are safe strings: an organization slug, ids and
    catalogue keys (letters, digits, '.' and '-', checked by the import) need no escaping.
    """

    def __init__(self, org_slug, assessment_id):
        self.base = reverse("assessments:questionnaire", kwargs={"org_slug": org_slug, "assessment_id": assessment_id})

    def category(self, key):
        return f"{self.base}{key}/"

    def slot(self, key, category_key):
        return {
            "save_url": f"{self.base}answer/{key}/",
            "fragment_url": f"{self.base}answer/{key}/current/",
            "page_url": self.category(category_key),
        }

    def history(self, key):
        return SafeString(f"{self.base}answer/{key}/history/")

    def item(self, key):
        """Comment, flag and evidence URLs of a requirement or category key."""
        return {
            "comment": SafeString(f"{self.base}comments/{key}/"),
            "flag": SafeString(f"{self.base}flags/{key}/"),
            "upload": SafeString(f"{self.base}evidence/{key}/file/"),
            "link": SafeString(f"{self.base}evidence/{key}/link/"),
        }

    @property
    def evidence(self):
        """The evidence URLs' base: the card template joins ``<id>/download/`` and ``<id>/delete/`` to it."""
        return SafeString(f"{self.base}evidence/")

    def evidence_download(self, evidence_id):
        return f"{self.evidence}{evidence_id}/download/"

    def evidence_delete(self, evidence_id):
        return f"{self.evidence}{evidence_id}/delete/"


def _slot(urls, *, kind, key, category_key, answer, title, levels, editable) -> AnswerSlot:
    slot = AnswerSlot(
        key=key,
        kind=kind,
        category_key=category_key,
        title=title,
        layout="radios" if kind == "requirement" else "grid",
        levels=levels,
        editable=editable,
        **urls.slot(key, category_key),
    )
    slot.show(answer)
    return slot


def _descriptor_levels(levels_json) -> list:
    return [
        (level.get("number", i + 1), level.get("name") or f"Level {i + 1}", _markdown(level.get("description", "")))
        for i, level in enumerate(levels_json)
    ]


def _resolve_slot(request, assessment, slot_key, *, editable, with_answer=True):
    """The catalogue item a slot key names and its AnswerSlot (with the stored answer); 404 if unknown."""
    urls = QuestionnaireUrls(request.organization.slug, assessment.pk)
    if match := _EXTENSION_SLOT.match(slot_key):
        extension, relevance = extension_slot_or_none(
            assessment=assessment, extension_id=match[1], category_key=match[2]
        )
        if extension is None:
            raise Http404
        answer = with_answer and extension_answer_or_none(
            organization=request.organization, assessment=assessment, extension=extension, category_key=match[2]
        )
        slot = _slot(
            urls,
            kind="extension",
            key=slot_key,
            category_key=match[2],
            answer=answer or None,
            title=f"{extension.name}: relevance",
            levels=_descriptor_levels(relevance.levels),
            editable=editable,
        )
        return slot, {"extension": extension, "category_key": match[2]}
    if slot_key.count(".") == 2 and assessment.is_formal:
        requirement = requirement_for_key_or_none(assessment=assessment, key=slot_key)
        if requirement is None:
            raise Http404
        answer = with_answer and requirement_answer_or_none(
            organization=request.organization, assessment=assessment, requirement=requirement
        )
        slot = _slot(
            urls,
            kind="requirement",
            key=slot_key,
            category_key=requirement.category.key,
            answer=answer or None,
            title=requirement.title,
            levels=_general_levels(assessment.model_version),
            editable=editable,
        )
        return slot, {"requirement": requirement}
    if slot_key.count(".") == 1 and not assessment.is_formal:
        catalogue = model_catalogue(model_version=assessment.model_version)
        category = category_for_key_or_none(assessment=assessment, key=slot_key)
        if category is None:
            raise Http404
        answer = with_answer and category_answer_or_none(
            organization=request.organization, assessment=assessment, category=category
        )
        slot = _slot(
            urls,
            kind="category",
            key=slot_key,
            category_key=category.key,
            answer=answer or None,
            title=category.name,
            levels=catalogue.texts(catalogue.category_by_key[slot_key]).levels,
            editable=editable,
        )
        return slot, {"category": category}
    raise Http404


def _add_level_help(slot: AnswerSlot, assessment) -> None:
    """A requirement form shown on its own (reloaded, or a conflict) keeps its category's level descriptions;
    a save's htmx answer (only the save state) does not need them."""
    if slot.kind != "requirement":
        return
    catalogue = model_catalogue(model_version=assessment.model_version)
    category = catalogue.category_by_key[slot.category_key]
    slot.level_help = level_help_html(
        catalogue.texts(category).levels, category_key=category.key, category_name=category.name
    )


def _can_edit(request, assessment) -> bool:
    return Perm.ASSESSMENT_ANSWER in request.perms and not assessment.is_signed_off


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


@org_view(Perm.ASSESSMENT_VIEW)
def questionnaire_overview_view(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    overview = questionnaire_overview(assessment=assessment, user=request.user)
    urls = QuestionnaireUrls(request.organization.slug, assessment.pk)
    for assignment in overview.assigned_to_me:
        assignment.url = f"{urls.category(assignment.item_category.key)}#{anchor_for(assignment.item_key)}"
    for module in overview.modules:
        for row in module.categories:
            row.url = urls.category(row.category.key)
    for flag in overview.flags:
        flag.url = urls.category(flag.item_category.key)
        if flag.requirement:
            flag.url += f"#{anchor_for(flag.requirement.key)}"
    context = {
        "assessment": assessment,
        "overview": overview,
        "today": timezone.localdate(),
        "page_title": f"Questionnaire · {assessment.name}",
    }
    return render(request, "assessments/questionnaire/overview.html", context)


@org_view(Perm.ASSESSMENT_VIEW)
def category_view(request, assessment_id, category_key):
    return _render_category(request, assessment_id, category_key)


@dataclass
class CardPage:
    """What every card of a category page shares."""

    urls: QuestionnaireUrls
    texts: CategoryTexts
    csrf_token: str
    editable: bool
    can_comment: bool
    can_view_evidence: bool
    max_upload: str
    flags_editable: bool = False


def _render_category(request, assessment_id, category_key, *, override: AnswerSlot | None = None, status=200):
    live_since = time.time()  # the live feed starts from before the page's answers were read
    assessment = assessment_of_url(request, assessment_id)
    catalogue = model_catalogue(model_version=assessment.model_version)
    category = catalogue.category_by_key.get(category_key)
    if category is None:
        raise Http404
    data = category_page_data(assessment=assessment, category=category, catalogue=catalogue)
    can_edit = _can_edit(request, assessment)
    # Under review (waiting, or accepted) answers and evidence are read-only, except for a lead, whose
    # change marks the review "changed since review"; flags and comments lock only once accepted.
    under_review = review_status_holds_answers(data.review_status, assessment_status=assessment.status)
    lead_override = under_review and Perm.ASSESSMENT_MANAGE in request.perms
    editable = can_edit and (not under_review or lead_override)
    urls = QuestionnaireUrls(request.organization.slug, assessment.pk)
    page = CardPage(
        urls=urls,
        texts=data.texts,
        csrf_token=get_token(request),
        editable=editable,
        flags_editable=can_edit and not data.locked,
        can_comment=Perm.ASSESSMENT_COMMENT in request.perms and not assessment.is_signed_off,
        can_view_evidence=Perm.EVIDENCE_VIEW in request.perms,
        max_upload=filesizeformat(settings.EVIDENCE_MAX_BYTES),
    )

    def slot(kind, key, answer, title, levels):
        if override is not None and override.key == key:
            return override
        return _slot(
            urls,
            kind=kind,
            key=key,
            category_key=category.key,
            answer=answer,
            title=title,
            levels=levels,
            editable=editable,
        )

    general_levels = _general_levels(assessment.model_version)
    level_help = (
        level_help_html(data.texts.levels, category_key=category.key, category_name=category.name)
        if assessment.is_formal
        else ""
    )
    for item in data.items:
        r = item.requirement
        item.anchor = anchor_for(r.key)
        item.slot = slot("requirement", r.key, item.answer, r.title, general_levels) if item.applicable else None
        if item.slot is not None:
            item.slot.level_help = level_help
    in_scope = data.applicability != "not_applicable"
    carried_over_count = sum(1 for item in data.items if item.slot is not None and item.slot.carried_over)
    cards = requirement_cards_html(data.items, page) if assessment.is_formal and in_scope else ""
    category_form = category_discussion = ""
    if not assessment.is_formal and in_scope:
        category_slot = slot("category", category.key, data.category_answer, category.name, data.texts.levels)
        category_form = answer_form_html(category_slot, page.csrf_token)
        carried_over_count = int(bool(category_slot.carried_over))
        category_discussion = discussion_html(
            discussion_values(
                key=category.key,
                dom_id=category_slot.dom_id,
                urls=urls,
                evidence=data.category_evidence,
                comments=data.category_comments,
                flag=data.category_flag,
            ),
            page,
        )
    for rel in data.relevances:
        rel.slot = slot(
            "extension",
            f"ext-{rel.relevance.extension_id}-{category.key}",
            rel.answer,
            f"{rel.relevance.extension.name}: relevance",
            _descriptor_levels(rel.relevance.levels),
        )
        rel.form_html = answer_form_html(rel.slot, page.csrf_token)
        rel.guidance_html = _markdown(rel.relevance.guidance)
        rel.hints_html = _markdown(rel.relevance.assessment_hints)
    context = {
        "assessment": assessment,
        "category": category,
        "data": data,
        "cards": cards,
        "category_form": category_form,
        "category_discussion": category_discussion,
        "editable": editable,
        "carried_over_count": carried_over_count if editable and in_scope else 0,
        "under_review": under_review and can_edit,
        "lead_override": lead_override and can_edit,
        "category_anchor": anchor_for(category.key),
        "overview_url": urls.base,
        "live_url": f"{urls.category(category.key)}live/",
        "live_leave_url": f"{urls.category(category.key)}live/leave/",
        "live_poll_ms": POLL_SECONDS * 1000,
        "live_since": f"{live_since:.3f}",
        "previous_url": urls.category(data.previous_category.key) if data.previous_category else "",
        "next_url": urls.category(data.next_category.key) if data.next_category else "",
        "page_title": f"{category.key} {category.name}",
    }
    return render(request, "assessments/questionnaire/category.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Saving answers
# ---------------------------------------------------------------------------------------------


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _basis_from_post(post):
    """The per-field basis the form sent; with "Keep mine" or merged notes, a conflicting field is based
    on the version the conflict box showed (so that this save replaces it). None: an older form."""
    if "level_version" not in post:
        return None
    versions = {name: post.get(f"{name}_version") for name in AnswerBase.FIELDS}
    if post.get("resolve") in ("mine", "merge"):
        for name in AnswerBase.FIELDS:
            if post.get(f"theirs_{name}_version"):
                versions[name] = post[f"theirs_{name}_version"]
    return answer_basis(
        level=post.get("level_base", ""),
        level_version=versions["level"],
        notes=post.get("notes_base", ""),
        notes_version=versions["notes"],
    )


@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def answer_save_view(request, assessment_id, slot):
    assessment = assessment_of_url(request, assessment_id)
    # The service reads the stored answer itself, atomically; the form needs only the outcome.
    answer_slot, answered = _resolve_slot(
        request, assessment, slot, editable=_can_edit(request, assessment), with_answer=False
    )
    post = request.POST
    level = post.get("level", "")
    notes = post.get("merged_notes", "") if post.get("resolve") == "merge" else post.get("notes", "")
    try:
        basis = _basis_from_post(post)
        # An older form: "Keep mine" re-submits my values based on the version I was shown.
        version = post.get("keep_version") or post.get("version")
        common = {
            "assessment": assessment,
            "level": level,
            "notes": notes,
            "expected_version": version,
            "basis": basis,
            "by": request.user,
            "membership": request.membership,
        }
        if answer_slot.kind == "requirement":
            saved = answer_set(requirement=answered["requirement"], **common)
        elif answer_slot.kind == "category":
            saved = category_answer_set(category=answered["category"], **common)
        else:
            saved = extension_answer_set(
                extension=answered["extension"], category_key=answered["category_key"], **common
            )
    except AnswerConflict as conflict:
        _show_conflict(answer_slot, conflict, level=level, notes=notes, basis=basis)
        if _is_htmx(request):
            return HttpResponse(answer_status_html(answer_slot))
        _add_level_help(answer_slot, assessment)
        return _render_category(request, assessment.pk, answer_slot.category_key, override=answer_slot, status=409)
    except AssessmentError as error:
        if _is_htmx(request):
            answer_slot.state, answer_slot.message = "failed", str(error)
            return HttpResponse(answer_status_html(answer_slot))
        messages.error(request, f"{answer_slot.key} not saved: {error}")
        return redirect(f"{answer_slot.page_url}#{answer_slot.dom_id}")
    answer_slot.show(saved)
    if basis is not None:
        # A field this save left alone keeps its basis: the page updates it from the live feed.
        mine = {"level": int(level) if level.isdigit() else None, "notes": notes.replace("\r\n", "\n")}
        for name in AnswerBase.FIELDS:
            if mine[name] == getattr(basis, name) != getattr(saved, name):
                setattr(answer_slot, f"base_{name}", getattr(basis, name))
                setattr(answer_slot, f"{name}_version", getattr(basis, f"{name}_version"))
    answer_slot.state, answer_slot.saved_at = "saved", timezone.localtime(saved.updated_at or timezone.now())
    if _is_htmx(request):
        return HttpResponse(answer_status_html(answer_slot))
    messages.success(request, f"{answer_slot.key} saved.")
    return redirect(f"{answer_slot.page_url}#{answer_slot.dom_id}")


def _show_conflict(answer_slot, conflict, *, level, notes, basis) -> None:
    """The slot as the conflict box shows it: my values, their stored answer, and a basis on which
    the fields saved anyway are current and the conflicting ones still mine."""
    current = conflict.current
    answer_slot.state, answer_slot.message, answer_slot.current = "conflict", str(conflict), current
    answer_slot.conflict_fields = conflict.fields
    answer_slot.version = current.version
    answer_slot.level = int(level) if str(level).isdigit() else None
    answer_slot.notes = notes.replace("\r\n", "\n")
    for name in AnswerBase.FIELDS:
        if name in conflict.saved:
            value, version = getattr(current, name), getattr(current, f"{name}_version")
        elif basis is not None:
            value, version = getattr(basis, name), getattr(basis, f"{name}_version")
        else:  # an older form: based on the stored answer it was shown
            value, version = getattr(current, name), current.version
        setattr(answer_slot, f"base_{name}", value)
        setattr(answer_slot, f"{name}_version", version)


@org_view(Perm.ASSESSMENT_VIEW)
def answer_fragment_view(request, assessment_id, slot):
    """The answer form as stored now ("Take theirs" reloads it); without htmx, back to the page."""
    assessment = assessment_of_url(request, assessment_id)
    answer_slot, _answered = _resolve_slot(request, assessment, slot, editable=_can_edit(request, assessment))
    if not _is_htmx(request):
        return redirect(f"{answer_slot.page_url}#{answer_slot.dom_id}")
    if answer_slot.editable and Perm.ASSESSMENT_MANAGE not in request.perms:
        answer_slot.editable = not category_answers_held(assessment=assessment, category_key=answer_slot.category_key)
    _add_level_help(answer_slot, assessment)
    return HttpResponse(answer_form_html(answer_slot, get_token(request)))


@org_view(Perm.ASSESSMENT_VIEW)
def answer_history_view(request, assessment_id, slot):
    """Who changed this answer when, from what to what."""
    assessment = assessment_of_url(request, assessment_id)
    answer_slot, answered = _resolve_slot(request, assessment, slot, editable=False)
    object_type = {"requirement": "requirementanswer", "category": "categoryanswer", "extension": "extensionanswer"}
    key = slot
    if answer_slot.kind == "extension":  # as written by extension_answer_set
        key = f"{answered['extension'].ext_id}:{answered['category_key']}"
    entries = answer_history(assessment=assessment, key=key, object_type=object_type[answer_slot.kind])
    template = "_history.html" if _is_htmx(request) else "history.html"
    return render(
        request,
        f"assessments/questionnaire/{template}",
        {"assessment": assessment, "s": answer_slot, "entries": entries, "page_title": f"History of {slot}"},
    )


# ---------------------------------------------------------------------------------------------
# Live: presence and the answers colleagues saved (polled by questionnaire.js)
# ---------------------------------------------------------------------------------------------


@org_view(Perm.ASSESSMENT_VIEW)
def category_live_view(request, assessment_id, category_key):
    """JSON for an open category page: who else is on it, the answers changed since ``since`` (a cursor
    this view returned before) and the new cursor. Cheap: no answer query when nothing changed."""
    assessment = assessment_of_url(request, assessment_id)
    if category_key not in model_catalogue(model_version=assessment.model_version).category_by_key:
        raise Http404
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        since = 0.0
    now = time.time()
    present = presence_touch(
        assessment_id=assessment.pk, category_key=category_key, user=request.user, label=user_label(request.user)
    )
    changes = []
    if answers_may_have_changed(assessment_id=assessment.pk, since=since):
        changes = category_answers_changed(
            assessment=assessment, category_key=category_key, since=since - CHANGE_WINDOW_SECONDS
        )
    return JsonResponse(
        {
            "cursor": now,
            "present": [p for p in present if p["id"] != request.user.pk],
            "changes": [_live_change(row) for row in changes],
        }
    )


@org_view(Perm.ASSESSMENT_VIEW)
@require_POST
def category_leave_view(request, assessment_id, category_key):
    """The page's beacon on leaving (pagehide, tab hidden): drop its user's presence at once."""
    assessment = assessment_of_url(request, assessment_id)
    if category_key not in model_catalogue(model_version=assessment.model_version).category_by_key:
        raise Http404
    presence_leave(assessment_id=assessment.pk, category_key=category_key, user=request.user)
    return HttpResponse(status=204)


def _live_change(row) -> dict:
    at = timezone.localtime(row["updated_at"]) if row["updated_at"] else None
    return {
        "dom_id": AnswerSlot.dom_id_for(row["key"]),
        "version": row["version"],
        "level": row["level"],
        "level_version": row["level_version"],
        "notes": row["notes"],
        "notes_version": row["notes_version"],
        "by": row["updated_by__email"] or row["updated_by__username"] or "someone",
        "by_id": row["updated_by_id"],
        "at": at.strftime("%d %b, %H:%M").lstrip("0") if at else "",
    }


@org_view(Perm.ASSESSMENT_COMMENT)
def mention_candidates_view(request, assessment_id):
    """Members to @mention in a comment (autocomplete): e-mail and name of those matching ``q``."""
    assessment_of_url(request, assessment_id)
    return JsonResponse(
        {"members": members_matching(organization=request.organization, query=request.GET.get("q", ""))}
    )


# ---------------------------------------------------------------------------------------------
# Comments and flags (plain posts that come back to the requirement on the category page)
# ---------------------------------------------------------------------------------------------


def _item_for_key(assessment, key):
    """A requirement ("G.1.1") or category ("G.1") of the assessment's model version, for comments/flags/evidence."""
    if key.count(".") == 2:
        requirement = requirement_for_key_or_none(assessment=assessment, key=key)
        if requirement is None:
            raise Http404
        return {"requirement": requirement}, requirement.category.key
    category = category_for_key_or_none(assessment=assessment, key=key)
    if category is None:
        raise Http404
    return {"category": category}, category.key


def back_to(request, assessment, category_key, key):
    url = reverse(
        "assessments:questionnaire_category",
        kwargs={"org_slug": request.organization.slug, "assessment_id": assessment.pk, "category_key": category_key},
    )
    return redirect(f"{url}#{anchor_for(key)}")


@org_view(Perm.ASSESSMENT_COMMENT)
@require_POST
def comment_add_view(request, assessment_id, key):
    assessment = assessment_of_url(request, assessment_id)
    item, category_key = _item_for_key(assessment, key)
    try:
        comment_add(
            assessment=assessment,
            body=request.POST.get("body", ""),
            by=request.user,
            **item,
            membership=request.membership,
        )
        messages.success(request, f"Comment added to {key}.")
    except AssessmentError as error:
        messages.error(request, f"Comment not added: {error}")
    return back_to(request, assessment, category_key, key)


@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def flag_toggle_view(request, assessment_id, key):
    """Raise "needs discussion" on a requirement, or resolve its open flag."""
    assessment = assessment_of_url(request, assessment_id)
    item, category_key = _item_for_key(assessment, key)
    try:
        if request.POST.get("action") == "resolve":
            flag_id = request.POST.get("flag_id", "")
            flag = tenant_get_or_404(
                Flag, request.organization, pk=int(flag_id) if flag_id.isdigit() else 0, assessment=assessment
            )
            flag_resolve(flag=flag, by=request.user, membership=request.membership)
            messages.success(request, f"{key}: discussion marked as resolved.")
        else:
            flag_raise(
                assessment=assessment,
                note=request.POST.get("note", ""),
                by=request.user,
                **item,
                membership=request.membership,
            )
            messages.success(request, f"{key} flagged as needing discussion.")
    except AssessmentError as error:
        messages.error(request, str(error))
    return back_to(request, assessment, category_key, key)
