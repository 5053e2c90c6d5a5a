"""The audit trail: who did what, with dotted action names, denials included."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    action = fields.CharField(max_length=64, db_index=True)  # e.g. registration.approved
    actor = fields.ForeignKeyField("models.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL)
    org = fields.ForeignKeyField("models.Org", related_name="audit_entries", null=True, on_delete=fields.SET_NULL)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.IntField(null=True)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entries"


async def record(action: str, *, actor=None, org=None, target=None, **data) -> AuditEntry:
    """Write one audit entry. `target` is a model instance; its table and id are kept."""
    return await AuditEntry.create(
        action=action,
        actor_id=getattr(actor, "id", actor if isinstance(actor, int) else None),
        org_id=getattr(org, "id", org if isinstance(org, int) else None),
        target_type=target.Meta.table if target is not None else "",
        target_id=getattr(target, "id", None),
        data=data,
    )
