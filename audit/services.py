from audit.models import AuditEntry


def audit_log(
    *,
    organization,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    before=None,
    after=None,
) -> AuditEntry:
    """Append one entry. ``obj`` (a model instance) fills type, id and repr unless they are given."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor.get_username()
    else:
        actor = None
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor,
        actor_label=actor_label or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:300],
        before=before,
        after=after,
    )
