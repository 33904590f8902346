from django.db import transaction

from audit.services import audit_log
from catalog.models import Category
from improvement.models import TargetLevel
from improvement.services.common import ImprovementError
from organizations.roles import Perm
from organizations.tenancy import ensure_perm


@transaction.atomic
def target_level_set(*, assessment, category_key: str, level: int | None, by, membership=None) -> TargetLevel | None:
    """Set the target level of one category; ``None`` goes back to the default (current level + 1).

    Targets are planning, not assessment content: they may be set on a signed-off assessment too.
    """
    organization = assessment.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE, membership=membership)
    if not Category.objects.filter(model_version_id=assessment.model_version_id, key=category_key).exists():
        raise ImprovementError(f"The model {assessment.model_version.version} has no category {category_key}.")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5):
        raise ImprovementError("A target level is a whole number from 1 to 5.")
    existing = TargetLevel.objects.for_org(organization).filter(assessment=assessment, category_key=category_key)
    before = existing.values_list("level", flat=True).first()
    if before == level:
        return existing.first()
    target = None
    if level is None:
        existing.delete()
    else:
        target, _ = TargetLevel.objects.update_or_create(
            organization=organization,
            assessment=assessment,
            category_key=category_key,
            defaults={"level": level, "updated_by": by},
        )
    audit_log(
        organization=organization,
        actor=by,
        action="target.set",
        obj=assessment,
        before={"category": category_key, "level": before},
        after={"category": category_key, "level": level},
    )
    return target
