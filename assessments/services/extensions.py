"""Which model extensions an assessment uses. Extensions add a view beside the baseline, never change it."""

from django.db import transaction

from assessments.services.common import AssessmentError, assessment_lock_editable
from audit.services import audit_log
from organizations.roles import Perm
from organizations.tenancy import ensure_perm


def assessment_extension_enable(*, assessment, extension, by, membership=None) -> None:
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE, membership=membership)
    with transaction.atomic():
        current = assessment_lock_editable(assessment=assessment)
        extension_add(assessment=current, extension=extension, by=by)


def extension_add(*, assessment, extension, by) -> None:
    """Add ``extension`` to an assessment the caller has locked (or just created), checked and audited."""
    current = assessment
    with transaction.atomic():
        version = current.model_version.version
        if not extension.is_compatible_with(version):
            raise AssessmentError(
                f"{extension.name} {extension.version} is not compatible with PKIMM {version} "
                f"(it supports {', '.join(extension.compatibility) or 'no model version'})."
            )
        enabled = list(current.extensions.all())
        if extension in enabled:
            return
        other = next((e for e in enabled if e.ext_id == extension.ext_id), None)
        if other is not None:
            # Two versions of one extension would both score under the same id.
            raise AssessmentError(f"{other} is already in use. Disable it before enabling version {extension.version}.")
        current.extensions.add(extension)
        audit_log(
            organization=current.organization,
            actor=by,
            action="assessment.extension_enabled",
            obj=current,
            after={"extension": extension.ext_id, "version": extension.version},
        )


def assessment_extension_disable(*, assessment, extension, by, membership=None) -> None:
    """Stop using ``extension``. Its relevance answers are kept, so enabling it again restores them."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE, membership=membership)
    with transaction.atomic():
        current = assessment_lock_editable(assessment=assessment)
        if not current.extensions.filter(pk=extension.pk).exists():
            return
        current.extensions.remove(extension)
        audit_log(
            organization=current.organization,
            actor=by,
            action="assessment.extension_disabled",
            obj=current,
            before={"extension": extension.ext_id, "version": extension.version},
        )
