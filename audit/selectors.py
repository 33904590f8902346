from audit.models import AuditEntry


def audit_entry_list(*, organization, object_type: str = "", object_id: str = "", actor_id=None, action: str = ""):
    entries = AuditEntry.objects.for_org(organization).select_related("actor")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=str(object_id))
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action__startswith=action)
    return entries
