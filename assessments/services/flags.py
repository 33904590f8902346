from django.db import transaction
from django.utils import timezone

from assessments.models import Flag
from assessments.services.common import AssessmentError, category_ensure_editable
from assessments.services.items import item_category, item_check, item_label
from audit.services import audit_log
from organizations.roles import Perm
from organizations.tenancy import ensure_perm


def flag_raise(*, assessment, by, membership=None, note="", requirement=None, category=None) -> Flag:
    """Mark a requirement (or category) "needs discussion". Raising an already open flag returns it."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER, membership=membership)
    item = item_check(assessment=assessment, requirement=requirement, category=category)
    category_ensure_editable(assessment=assessment, category=item_category(requirement=requirement, category=category))
    note = (note or "").strip()
    if len(note) > 500:
        raise AssessmentError("The note of a flag is limited to 500 characters.")
    label = item_label(requirement=requirement, category=category)
    with transaction.atomic():
        open_flags = Flag.objects.for_org(assessment.organization_id).filter(assessment=assessment, resolved_at=None)
        existing = (
            open_flags.filter(requirement=requirement)
            if requirement
            else open_flags.filter(category=category, requirement=None)
        )
        flag = existing.select_for_update().first()
        if flag is not None:
            return flag
        flag = Flag.objects.create(
            organization_id=assessment.organization_id, assessment=assessment, raised_by=by, note=note, **item
        )
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="flag.raised",
            obj=flag,
            object_repr=f"Needs discussion: {label}",
            after={"note": note},
        )
    return flag


def flag_resolve(*, flag, by, membership=None) -> Flag:
    assessment = flag.assessment
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER, membership=membership)
    category_ensure_editable(assessment=assessment, category=flag.category)
    with transaction.atomic():
        # Only the first of two concurrent resolvers records it.
        now = timezone.now()
        updated = Flag.objects.filter(pk=flag.pk, resolved_at=None).update(resolved_at=now, resolved_by=by)
        if updated:
            flag.resolved_at, flag.resolved_by = now, by
            audit_log(
                organization=assessment.organization,
                actor=by,
                action="flag.resolved",
                obj=flag,
                object_repr="Needs discussion resolved",
                before={"note": flag.note},
            )
    return flag
