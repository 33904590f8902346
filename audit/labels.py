"""The audit log in words: a label for every action code and its before -> after values as text.

Codes ("answer.changed") stay what the log stores and filters on; people read the labels. Every code a
service writes needs a label here: tests/audit/test_labels.py collects the codes from the source and
fails on one without.
"""

from dataclasses import dataclass

from django.template.defaultfilters import truncatechars

from scoring.levels import level_label

# Each label reads after the person's name: "dana@example.com changed an answer".
ACTION_LABELS = {
    "answer.changed": "changed an answer",
    "answer.confirmed": "confirmed a carried-over answer",
    "api_token.created": "created an API token",
    "api_token.revoked": "revoked an API token",
    "api_token.used": "used an API token",
    "applicability.changed": "changed the scope of a category",
    "assessment.created": "created the assessment",
    "assessment.environment_updated": "described the PKI environment",
    "assessment.exported": "exported the assessment",
    "assessment.extension_disabled": "turned an extension off",
    "assessment.extension_enabled": "turned an extension on",
    "assessment.imported": "imported the assessment",
    "assessment.reassessment_started": "started a re-assessment",
    "assessment.reopened": "reopened the assessment",
    "assessment.review_requested": "requested review",
    "assessment.signed_off": "signed the assessment off",
    "assessment.started": "started the assessment",
    "assessment.updated": "changed the details of the assessment",
    "assignment.removed": "removed an assignment",
    "assignment.set": "assigned work",
    "assignment.bulk_set": "assigned several categories at once",
    "catalog.extension_imported": "imported a model extension",
    "catalog.model_imported": "imported a model version",
    "catalog.profile_imported": "imported an assessment profile",
    "catalog.references_imported": "imported the references catalogue",
    "category_review.accepted": "accepted a category in review",
    "category_review.changed_since_review": "changed a reviewed category",
    "category_review.reopened": "reopened the review of a category",
    "category_review.sent_back": "sent a category back",
    "comment.added": "added a comment",
    "evidence.added": "added evidence",
    "evidence.carried_forward": "carried evidence forward into the re-assessment",
    "evidence.deleted": "removed evidence",
    "evidence.downloaded": "downloaded evidence",
    "flag.raised": "flagged an item for discussion",
    "flag.resolved": "resolved a discussion flag",
    "invitation.accepted": "accepted an invitation",
    "invitation.created": "invited someone",
    "invitation.revoked": "revoked an invitation",
    "membership.added": "added a member",
    "membership.removed": "removed a member",
    "membership.role_changed": "changed the role of a member",
    "organization.created": "created the organization",
    "organization.mfa_required": "changed the two-factor sign-in rule",
    "organization.updated": "changed the settings of the organization",
    "plan.created": "created an action plan",
    "plan.status_changed": "changed the status of an action plan",
    "plan.task_added": "added a task to an action plan",
    "plan.task_toggled": "ticked a task of an action plan",
    "plan.updated": "changed an action plan",
    "profile.updated": "changed their profile",
    "reminder.sent": "sent a reminder",
    "report.countersigned": "counter-signed a report",
    "report.downloaded": "downloaded a report",
    "report.rendered": "rendered a report",
    "report.requested": "requested a report",
    "report.retried": "retried a report",
    "sso_domain.linked": "linked an e-mail domain for single sign-on",
    "target.set": "set a target level",
    "use_case.added": "added a use-case",
    "use_case.removed": "removed a use-case",
    "use_case.updated": "changed a use-case",
    "webhook.created": "added a webhook",
    "webhook.deleted": "removed a webhook",
}

# What kind of thing an entry is about, as the audit page names it.
OBJECT_TYPE_LABELS = {
    "actionplan": "Action plan",
    "apitoken": "API token",
    "assessment": "Assessment",
    "assignment": "Assignment",
    "categoryanswer": "Answer (category)",
    "categoryreview": "Category review",
    "comment": "Comment",
    "evidence": "Evidence",
    "extension": "Extension",
    "extensionanswer": "Extension answer",
    "flag": "Flag",
    "invitation": "Invitation",
    "membership": "Membership",
    "modelversion": "Model version",
    "organization": "Organization",
    "profile": "Profile",
    "reference": "References",
    "report": "Report",
    "requirementanswer": "Answer (requirement)",
    "target": "Target",
    "webhook": "Webhook",
}

# Field names as people say them; any other name is shown with its underscores as spaces.
FIELD_LABELS = {
    "assessor_name": "Assessor",
    "assessor_org": "Assessor's organization",
    "assignee": "Assigned to",
    "carried_over": "Carried over",
    "category": "Category",
    "due_date": "Due date",
    "environment_design": "High-level design",
    "environment_interactions": "Points of interaction",
    "ext_id": "Extension",
    "finish_date": "Finish date",
    "full_name": "Name",
    "job_title": "Job title",
    "key": "Item",
    "linked": "Evidence linked",
    "model_version": "Model version",
    "previous": "Previous assessment",
    "sha256": "SHA-256",
    "source_name": "File",
    "start_date": "Start date",
    "target_date": "Target date",
    "target_level": "Target level",
}
# Fields whose whole numbers are maturity levels.
LEVEL_FIELDS = {"level", "target_level", "target", "current_level"}
VALUE_LENGTH = 160


def action_label(code: str) -> str:
    """The label of a code; an unknown one (only possible for codes a later version stopped writing) in words."""
    return ACTION_LABELS.get(code) or code.replace(".", ": ").replace("_", " ")


def object_type_label(object_type: str) -> str:
    return OBJECT_TYPE_LABELS.get(object_type) or object_type.replace("_", " ").capitalize()


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def value_text(value, *, field: str = "") -> str:
    """One stored value as text: levels named, yes/no, lists and nested values spelled out, "–" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in LEVEL_FIELDS and isinstance(value, int) and 1 <= value <= 5:
        return level_label(value)
    if isinstance(value, list | tuple):
        return truncatechars(", ".join(value_text(item) for item in value), VALUE_LENGTH)
    if isinstance(value, dict):
        parts = [f"{field_label(k)} {value_text(v, field=k)}" for k, v in value.items()]
        return truncatechars("; ".join(parts), VALUE_LENGTH)
    text = str(value)
    if field in {"status", "method", "role", "kind", "type", "source", "level"} and "_" in text:
        text = text.replace("_", " ")
    return truncatechars(text, VALUE_LENGTH)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the entry has no value before (something was created)
    after: str | None  # None: nothing after (something was removed)

    def __str__(self):
        if self.before is None:
            return f"{self.field}: {self.after}"
        if self.after is None:
            return f"{self.field}: {self.before} (removed)"
        return f"{self.field}: {self.before} → {self.after}"


def changes(before, after) -> list[Change]:
    """The fields that differ between ``before`` and ``after`` (each a dict, a value or None), in words."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before is None and after is None:
            return []
        if isinstance(before, dict) or isinstance(after, dict):
            before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
            after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
        else:
            return [Change("Value", _or_none(before), _or_none(after))]
    out = []
    for name in list(dict.fromkeys([*before, *after])):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        out.append(
            Change(
                field_label(name),
                value_text(old, field=name) if name in before else None,
                value_text(new, field=name) if name in after else None,
            )
        )
    return out


def _or_none(value):
    return None if value is None else value_text(value)
