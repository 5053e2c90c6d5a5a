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


# Denials are kept at most once per actor and action a minute: a client hammering a route it
# may not use must not fill the audit table (the store remembers who was just recorded).
DENIED_EVERY = 60
_store = None


def use_store(store) -> None:
    """The app's key-value store, for the once-a-minute rule on denials (set at start-up)."""
    global _store
    _store = store


async def record(action: str, *, actor=None, org=None, target=None, **data) -> AuditEntry | None:
    """Write one audit entry. `target` is a model instance; its table and id are kept. A denial
    already recorded for this actor and action within the minute is not written again (None)."""
    actor_id = getattr(actor, "id", actor if isinstance(actor, int) else None)
    if action.endswith(".denied") and _store is not None and actor_id is not None:
        # incr, not set-if-absent: with the store down it answers 1, and the denial is kept.
        if await _store.incr(f"audit:denied:{actor_id}:{action}", DENIED_EVERY) > 1:
            return None
    return await AuditEntry.create(
        action=action,
        actor_id=actor_id,
        org_id=getattr(org, "id", org if isinstance(org, int) else None),
        target_type=target.Meta.table if target is not None else "",
        target_id=getattr(target, "id", None),
        data=data,
    )
