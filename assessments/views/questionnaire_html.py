"""The answer forms of the questionnaire with their save state, and the discussion of an item (evidence,
comments, flag, history), as HTML built in Python; the requirement cards around them are a template
(``assessments/questionnaire/_requirement_cards.html``), like the rest of the pages.

Measured with ``bench/questionnaire.py`` (PostgreSQL, model 1.1.0 formal, CPU time of the process per request
as a multiple of the minimal signed-in page):
- category page M.7 (7 cards) with the cards built in Python: 2.24x and 2.54x; with the card templates:
  2.76x and 2.67x (load 7-10). Within 3x, so the cards became templates.
- Then the baseline page got cheaper (#17: raw-SQL membership look-up, 2.6 ms CPU), and the same page was
  3.31x with the discussion as a template, even after the page's assessment read was cut and the card
  templates read dicts and safe strings: the discussion was 2/3 of the cards' cost (10.5k of 16k calls per
  page, 2 of 2.6 ms). With the discussion built here (same HTML, byte for byte): 2.55x and 2.56x (load 2;
  8.8k calls for the cards). So the discussion is Python again.
- saving one answer (the htmx response is this answer form): 2.41x-3.12x with the form built here, already
  at the limit; a template form would add to every save, so the form and its status stay Python.
Every value from the database or a user is escaped here (``e``); Markdown arrives already rendered and
sanitized (``core.markdown``). Catalogue keys ("G.1.1": a letter and digits, checked by the import), DOM ids
made of them and the URLs joined from them need no escaping.
"""

import re

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat, linebreaksbr, truncatechars
from django.template.defaultfilters import time as time_filter
from django.template.loader import render_to_string
from django.utils.html import conditional_escape as e
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from scoring.levels import level_label

SAVE_BUTTON = '<button type="submit" class="btn btn-sm btn-primary">Save</button>'
# Saves are triggered by questionnaire.js ("pkimm-save": a level once the choice settles, notes while
# typing, a conflict resolved) or by the Save button.
HTMX_SAVE = (
    ' hx-post="{url}" hx-target="#{dom_id}-status" hx-swap="outerHTML"'
    ' hx-trigger="submit, pkimm-save" hx-sync="this:queue last"'
)


def _date(value, fmt: str) -> str:
    """Like the ``date`` template filter (which shows datetimes in the current time zone)."""
    return date_filter(template_localtime(value), fmt) if value else ""


def csrf_input(token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(token)}">'


# ---------------------------------------------------------------------------------------------
# Answer form and its save state
# ---------------------------------------------------------------------------------------------


def answer_status_html(s) -> SafeString:
    """The save state under an answer form; also the whole response to an htmx save."""
    base_level = "" if s.base_level is None else s.base_level
    out = [
        f'<div id="{s.dom_id}-status" class="answer-status" aria-live="polite">\n'
        f'  <input type="hidden" name="version" value="{s.version}">\n'
        f'  <input type="hidden" name="level_version" value="{s.level_version}">\n'
        f'  <input type="hidden" name="notes_version" value="{s.notes_version}">\n'
        f'  <input type="hidden" name="level_base" value="{e(base_level)}">\n'
        f'  <textarea name="notes_base" hidden aria-hidden="true" tabindex="-1">{e(s.base_notes)}</textarea>\n'
    ]
    if s.state == "saved":
        out.append(f'  <span class="save-state saved">Saved ✓ {time_filter(s.saved_at, "H:i")}</span>\n')
    elif s.state == "failed":
        out.append(f'  <span class="save-state failed" role="alert">Not saved: {e(s.message)}</span>\n')
    elif s.state == "conflict":
        out.append(_conflict_html(s))
    elif s.updated_at:
        out.append(
            f'  <span class="save-state text-body-secondary">Saved by {e(s.updated_by_label)}, '
            f"{_date(s.updated_at, 'j M, H:i')}</span>\n"
        )
        if s.carried_over:
            out.append('  <span class="badge text-bg-info">Carried over: save to confirm</span>\n')
    out.append('  <span class="htmx-indicator save-state text-body-secondary">Saving…</span>\n</div>')
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _notes_html(notes: str, *, br: bool = True) -> str:
    if not notes:
        return ""
    text = f'<span class="text-body-secondary">{linebreaksbr(truncatechars(notes, 400), autoescape=True)}</span>'
    return f"<br>{text}" if br else text


def _conflict_html(s) -> str:
    """Who changed which field; their value and mine per conflicting field; one click resolves it.

    "Keep mine" saves my values over theirs (based on their versions), "Take theirs" shows the answer
    as stored (my other fields were saved already), and for notes both texts can be merged by hand.
    """
    current = s.current
    when = ""
    if current.updated_at:
        when = f" at {_date(current.updated_at, 'H:i')} on {_date(current.updated_at, 'j M')}"
    fields = s.conflict_fields or ["level", "notes"]
    names = " and ".join({"level": "the level", "notes": "the notes"}[f] for f in fields)
    rows, theirs_versions = [], []
    for field in fields:
        label = "Level" if field == "level" else "Notes"
        if field == "level":
            theirs, mine = f"<strong>{level_label(current.level)}</strong>", f"<strong>{level_label(s.level)}</strong>"
        else:
            theirs = _notes_html(current.notes, br=False) or "<em>(empty)</em>"
            mine = _notes_html(s.notes, br=False) or "<em>(empty)</em>"
        rows.append(
            f'      <dt class="col-sm-3">{label}: theirs</dt>\n'
            f'      <dd class="col-sm-9 conflict-theirs" data-field="{field}">{theirs}</dd>\n'
            f'      <dt class="col-sm-3">{label}: yours</dt>\n'
            f'      <dd class="col-sm-9 conflict-mine" data-field="{field}">{mine}</dd>\n'
        )
        theirs_versions.append(
            f'    <input type="hidden" name="theirs_{field}_version" value="{getattr(current, f"{field}_version")}">\n'
        )
    merge = ""
    if "notes" in fields:
        merged = f"{current.notes}\n\n{s.notes}" if current.notes and s.notes else current.notes or s.notes
        merge = (
            '    <details class="conflict-merge mt-2">\n'
            "      <summary>Merge the notes by hand</summary>\n"
            f'      <label class="form-label small mt-1" for="{s.dom_id}-merged">Both texts, theirs first: '
            "edit them into one</label>\n"
            f'      <textarea class="form-control form-control-sm" name="merged_notes" id="{s.dom_id}-merged" '
            f'rows="4">{e(merged)}</textarea>\n'
            '      <button type="submit" name="resolve" value="merge" class="btn btn-sm btn-warning mt-1">'
            "Save merged notes</button>\n"
            "    </details>\n"
        )
    saved = ""
    if s.message and "was saved" in s.message:
        saved = f' <span class="conflict-saved">{e(s.message.split(".", 1)[1].strip())}</span>'
    return (
        '  <div class="conflict alert alert-warning mb-0 py-2 px-3" role="alert">\n'
        f'    <p class="mb-1"><strong>Not saved.</strong> {e(s.current_by)} changed {names} of this answer{when}, '
        f"after you opened it.{saved}</p>\n"
        f'    <dl class="row small mb-2 conflict-values">\n{"".join(rows)}    </dl>\n'
        f"{''.join(theirs_versions)}"
        '    <button type="submit" name="resolve" value="mine" class="btn btn-sm btn-warning">Keep mine</button>\n'
        f'    <a class="btn btn-sm btn-outline-secondary" href="{e(s.page_url)}#{s.dom_id}" '
        f'hx-get="{e(s.fragment_url)}" hx-target="#{s.dom_id}" hx-swap="outerHTML">Take theirs</a>\n'
        f"{merge}"
        "  </div>\n"
    )


_DASHED_NUMBER = re.compile(r"^(\d+)\s*-\s*")


def level_help_html(levels, *, category_key: str, category_name: str) -> str:
    """The category's five level descriptions beside a requirement's level buttons (formal mode).

    A <details>: closed it is one line, open a row of five short texts (one column on a phone); the
    description of the level chosen in the same form is marked by CSS (questionnaire.css), no script.
    ``levels``: (number, label, description html) as ``CategoryTexts.levels``.
    """
    # "2 - Basic" (as 1.x names it) reads "2 Basic", as on the buttons.
    described = [(number, _DASHED_NUMBER.sub(r"\1 ", label), html) for number, label, html in levels if html]
    if not described:
        return ""
    out = [
        '    <details class="level-help small mt-2">\n'
        f"      <summary>What the levels mean for {category_key} {e(category_name)}</summary>\n"
        '      <ol class="level-help-list list-unstyled mb-0 mt-2">\n'
    ]
    for number, label, html in described:
        out.append(
            f'        <li class="level-help-item level-{e(number)}" data-level="{e(number)}">'
            f'<span class="fw-semibold">{e(label)}</span><div class="markdown">{html}</div></li>\n'
        )
    out.append("      </ol>\n    </details>\n")
    return "".join(out)


def answer_form_html(s, csrf_token: str) -> SafeString:
    """One answer form: the level (radio buttons, or descriptor cards side by side), notes, save state."""
    dom_id = s.dom_id
    htmx = HTMX_SAVE.format(url=e(s.save_url), dom_id=dom_id) if s.editable else ""
    out = [
        f'<form id="{dom_id}" class="answer-form" method="post" action="{e(s.save_url)}"{htmx}>\n'
        f"  {csrf_input(csrf_token)}\n"
        f'  <fieldset class="mb-2"{"" if s.editable else " disabled"}>\n'
        f'    <legend class="fs-6 fw-semibold mb-1">Level{" for " + s.key if s.kind == "requirement" else ""}'
        "</legend>\n"
    ]
    unset = " checked" if s.level is None else ""
    if s.layout == "radios":
        out.append('    <div class="level-radios">\n')
        for number, label, _description in s.levels:
            checked = " checked" if number == s.level else ""
            out.append(
                f'      <input type="radio" class="btn-check" name="level" id="{dom_id}-l{number}" '
                f'value="{number}"{checked}>\n'
                f'      <label class="btn btn-sm btn-outline-secondary level-option level-{number}" '
                f'for="{dom_id}-l{number}">{e(label)}</label>\n'
            )
        out.append(
            f'      <input type="radio" class="btn-check" name="level" id="{dom_id}-l0" value=""{unset}>\n'
            f'      <label class="btn btn-sm btn-outline-secondary level-option" for="{dom_id}-l0">'
            "Not assessed</label>\n"
            "    </div>\n"
        )
        out.append(s.level_help)
    else:
        out.append('    <div class="level-grid">\n')
        for number, label, description in s.levels:
            checked = " checked" if number == s.level else ""
            out.append(
                f'      <div class="level-card level-choice level-{e(number)}">\n'
                f'        <input type="radio" class="form-check-input me-1" name="level" id="{dom_id}-l{e(number)}" '
                f'value="{e(number)}"{checked}>\n'
                f'        <label class="form-check-label fw-semibold" for="{dom_id}-l{e(number)}">{e(label)}</label>\n'
                f'        <div class="markdown small mt-1">{description}</div>\n'
                "      </div>\n"
            )
        out.append(
            "    </div>\n"
            '    <div class="form-check mt-2">\n'
            f'      <input type="radio" class="form-check-input" name="level" id="{dom_id}-l0" value=""{unset}>\n'
            f'      <label class="form-check-label" for="{dom_id}-l0">Not assessed</label>\n'
            "    </div>\n"
        )
    out.append(
        "  </fieldset>\n"
        '  <div class="mb-2">\n'
        f'    <label class="form-label small fw-semibold mb-1" for="{dom_id}-notes">Notes</label>\n'
        f'    <textarea class="form-control form-control-sm" name="notes" id="{dom_id}-notes" rows="2"'
        f"{'' if s.editable else ' readonly'}>{e(s.notes)}</textarea>\n"
        "  </div>\n"
        '  <div class="d-flex flex-wrap align-items-center gap-2">\n'
        f"    {SAVE_BUTTON if s.editable else ''}\n"
        f"    {answer_status_html(s)}\n"
        "  </div>\n"
        "</form>"
    )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


# ---------------------------------------------------------------------------------------------
# The discussion of a requirement (or of a self-assessed category), and the requirement cards (a template)
# ---------------------------------------------------------------------------------------------


def discussion_values(*, key, dom_id, urls, evidence, comments, flag) -> dict:
    """What the discussion of one item shows (``discussion_html``): evidence, comments, flag and its URLs."""
    return {
        "key": SafeString(key),  # catalogue keys and DOM ids need no escaping (above)
        "dom_id": SafeString(dom_id),
        "links": urls.item(key),
        "history_url": urls.history(key),
        "evidence": evidence,
        "comments": comments,
        "flag": flag,
    }


def _evidence_html(ev, page) -> str:
    """One evidence item of the list, as the discussion template had it (the blank lines of its tags included)."""
    if ev["kind"] == "link":
        label = (
            f'<a href="{e(ev["url"])}" rel="noopener noreferrer nofollow" target="_blank">'
            f"{e(truncatechars(ev['title'] or ev['url'], 80))}</a>"
            ' <span class="text-body-secondary">(link)</span>\n        '
        )
    elif not ev["stored"]:
        label = (
            f"<span>{e(ev['title'] or ev['original_name'])}</span>"
            ' <span class="text-body-secondary">(file not stored here: imported without its content)</span>\n        '
        )
    elif page.can_view_evidence:
        label = (
            f'<a href="{page.urls.evidence_download(ev["id"])}">{e(ev["title"] or ev["original_name"])}</a>'
            f' <span class="text-body-secondary">({e(filesizeformat(ev["size"]))})</span>\n        '
        )
    else:
        label = (
            f"<span>{e(ev['title'] or ev['original_name'])}</span>"
            f' <span class="text-body-secondary">({e(filesizeformat(ev["size"]))})</span>'
        )
    remove = ""
    if page.editable:
        name = ev["title"] or ev["original_name"] or ev["url"]
        remove = (
            f'<form method="post" action="{page.urls.evidence_delete(ev["id"])}" class="ms-auto">'
            f"{csrf_input(page.csrf_token)}\n"
            '          <button class="btn btn-link btn-sm p-0 text-danger" type="submit" '
            f'aria-label="Remove {e(name)}">Remove</button>\n'
            "        </form>"
        )
    return f'<li class="d-flex align-items-center gap-2 mb-1">\n        {label}\n        {remove}\n      </li>'


def discussion_html(d: dict, page) -> SafeString:
    """Evidence, comments, flag and history of one item (``discussion_values``: ``d``); ``page``: what the whole
    page shares (``CardPage``). Built here, not by a template: see the figures at the top of this module."""
    key, dom_id, links, csrf = d["key"], d["dom_id"], d["links"], csrf_input(page.csrf_token)
    evidence, comments, flag = d["evidence"], d["comments"], d["flag"]
    out = [
        '<div class="row g-3 mt-1">\n'
        f'  <section class="col-lg-6" aria-label="Evidence for {key}">\n'
        f'    <h3 class="h6 mb-2">Evidence <span class="badge text-bg-light border">{len(evidence)}</span></h3>\n    '
    ]
    if evidence:
        items = "".join(_evidence_html(ev, page) for ev in evidence)
        out.append(f'<ul class="list-unstyled small mb-2 evidence-list">\n      {items}\n    </ul>')
    else:
        out.append('<p class="small text-body-secondary mb-2">No evidence yet.</p>')
    out.append("\n    ")
    if page.editable:
        out.append(
            '<details class="small evidence-add">\n'
            "      <summary>Add evidence</summary>\n"
            f'      <form method="post" enctype="multipart/form-data" action="{links["upload"]}" class="mt-2">{csrf}\n'
            f'        <label class="form-label mb-1" for="file-{dom_id}">File (PDF, image, office document, text or '
            f"archive; at most {e(page.max_upload)})</label>\n"
            '        <div class="input-group input-group-sm">\n'
            f'          <input class="form-control" type="file" name="file" id="file-{dom_id}" required>\n'
            '          <button class="btn btn-outline-primary" type="submit">Upload</button>\n'
            "        </div>\n"
            "      </form>\n"
            f'      <form method="post" action="{links["link"]}" class="mt-2">{csrf}\n'
            f'        <label class="form-label mb-1" for="url-{dom_id}">Link</label>\n'
            '        <div class="input-group input-group-sm">\n'
            f'          <input class="form-control" type="url" name="url" id="url-{dom_id}" placeholder="https://" '
            "required>\n"
            '          <input class="form-control" type="text" name="title" aria-label="Title of the link" '
            'placeholder="Title (optional)">\n'
            '          <button class="btn btn-outline-primary" type="submit">Add link</button>\n'
            "        </div>\n"
            "      </form>\n"
            "    </details>"
        )
    out.append(
        "\n  </section>\n"
        f'  <section class="col-lg-6" aria-label="Comments on {key}">\n'
        f'    <h3 class="h6 mb-2">Comments <span class="badge text-bg-light border">{len(comments)}</span></h3>\n    '
    )
    for c in comments:
        author = c["author__email"] or c["author__username"] or "former member"
        out.append(
            f'<div class="comment small mb-2"><span class="fw-semibold">{e(author)}</span> '
            f'<span class="text-body-secondary">{e(_date(c["created_at"], "j M, H:i"))}</span>'
            f"<div>{linebreaksbr(c['body'], autoescape=True)}</div></div>\n    "
        )
    if not comments:
        out.append('<p class="small text-body-secondary mb-2">No comments yet.</p>')
    out.append("\n    ")
    if page.can_comment:
        out.append(
            f'<form method="post" action="{links["comment"]}" class="comment-form position-relative" '
            f'data-mentions-url="{page.urls.base}members/">{csrf}\n'
            f'      <label class="visually-hidden" for="comment-{dom_id}">Comment on {key}</label>\n'
            '      <div class="input-group input-group-sm">\n'
            f'        <textarea class="form-control" name="body" id="comment-{dom_id}" rows="1" '
            'placeholder="Add a comment (@ names a member)" required></textarea>\n'
            '        <button class="btn btn-outline-primary" type="submit">Comment</button>\n'
            "      </div>\n"
            "    </form>"
        )
    out.append(
        '\n  </section>\n</div>\n<div class="d-flex flex-wrap align-items-start gap-3 mt-3 pt-2 border-top small">\n  '
    )
    if page.flags_editable:
        if flag:
            button = (
                f'<input type="hidden" name="action" value="resolve"><input type="hidden" name="flag_id" '
                f'value="{e(flag["id"])}">\n'
                '    <button class="btn btn-sm btn-outline-warning" type="submit">'
                "Resolve “needs discussion”</button>\n    "
            )
        else:
            button = '<button class="btn btn-sm btn-outline-secondary" type="submit">Flag: needs discussion</button>'
        out.append(f'<form method="post" action="{links["flag"]}">{csrf}\n    {button}\n  </form>')
    history = d["history_url"]
    out.append(
        '\n  <details class="answer-history-toggle">\n'
        "    <summary>Change history</summary>\n"
        f'    <div class="mt-2" hx-get="{history}" hx-trigger="toggle from:closest details once" hx-swap="innerHTML">\n'
        f'      <a href="{history}">Show the change history of {key}</a>\n'
        "    </div>\n"
        "  </details>\n"
        "</div>\n"
    )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above or safe (keys, ids, URLs)


def requirement_cards_html(items, page) -> SafeString:
    """The requirement cards of a category page (template ``_requirement_cards.html``); their answer forms
    are built above, like the htmx fragments of the same forms.

    The template gets a dict per card, not objects: a template looks a name up in a dict first, so a dict answers
    at once where an object's attribute costs a caught exception.
    """
    cards = []
    for item in items:
        r = item.requirement
        card = {
            "key": SafeString(r.key),
            "title": r.title,
            "weight": r.weight,
            "anchor": SafeString(item.anchor),
            "applicable": item.applicable,
            "partial": item.applicability == "partial",
            "flag": item.flag,
            "assignment": item.assignment,
        }
        if item.applicable:
            card.update(
                discussion_values(
                    key=r.key,
                    dom_id=item.slot.dom_id,
                    urls=page.urls,
                    evidence=item.evidence,
                    comments=item.comments,
                    flag=item.flag,
                )
            )
            card["guidance"], card["hints"], card["references"] = page.texts.requirements[r.pk]
            card["form_html"] = answer_form_html(item.slot, page.csrf_token)
            card["discussion_html"] = discussion_html(card, page)
        cards.append(card)
    return render_to_string("assessments/questionnaire/_requirement_cards.html", {"cards": cards})
