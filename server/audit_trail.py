"""Reading the audit trail at the desk: admins only, the entries of the orgs they administer
(entries tied to no org, such as desk logins, only for admins of a root org), newest first."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sanic import Blueprint

from server.apidoc import doc, reply
from server.audit import AuditEntry, action_label
from server.auth import Principal, authenticate
from server.clock import SHANGHAI, LocalDatetime, utc
from server.errors import Forbidden
from server.members.models import Member
from server.orgs.models import Org
from server.validation import Day, Id, OptionalText, Query, parse_query
from tortoise.expressions import Q

bp = Blueprint("audit")


class NotAnAdmin(Forbidden):
    code, message = "audit_admins_only", "只有管理员可以查看操作记录"


class AuditQuery(Query):
    actor_id: Id | None = Field(default=None, description="操作人（用户编号）")
    action: OptionalText(64) | None = Field(default=None, description="动作名或其开头，如 registration 或 role.granted")
    target_type: OptionalText(32) | None = Field(default=None, description="对象的表名，如 members")
    target_id: Id | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class AuditOut(BaseModel):
    id: int
    action: str
    label: str = Field(description="动作的中文名")
    actor_id: int | None
    actor_name: str | None
    org_id: int | None
    org_name: str | None
    target_type: str
    target_id: int | None
    data: dict
    created_at: LocalDatetime


class AuditList(BaseModel):
    items: list[AuditOut]
    total: int


def _day_start(day: dt.date) -> dt.datetime:
    return utc(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI))


async def entries(principal: Principal, query: AuditQuery) -> dict:
    paths = principal.paths(("admin",))
    if not paths:
        raise NotAnAdmin()
    reach = await principal.scope("org", ("admin",))
    if await Org.filter(path__in=paths, parent_id=None).exists():
        reach = Q(reach, Q(org_id=None), join_type="OR")
    rows = AuditEntry.filter(reach)
    if query.actor_id:
        rows = rows.filter(actor_id=query.actor_id)
    if query.action:
        rows = rows.filter(Q(action=query.action) | Q(action__startswith=query.action + "."))
    if query.target_type:
        rows = rows.filter(target_type=query.target_type)
    if query.target_id:
        rows = rows.filter(target_id=query.target_id)
    if query.date_from:
        rows = rows.filter(created_at__gte=_day_start(query.date_from))
    if query.date_to:
        rows = rows.filter(created_at__lt=_day_start(query.date_to + dt.timedelta(days=1)))
    total = await rows.count()
    page = await rows.order_by("-id").offset(query.offset).limit(query.limit).values(
        "id", "action", "actor_id", "org_id", "org__name", "target_type", "target_id", "data", "created_at")
    names = dict(await Member.filter(user_id__in={r["actor_id"] for r in page if r["actor_id"]})
                 .values_list("user_id", "name"))
    items = [{**row, "org_name": row.pop("org__name"), "label": action_label(row["action"]),
              "actor_name": names.get(row["actor_id"]) or (f"用户{row['actor_id']}" if row["actor_id"] else None)}
             for row in page]
    return {"items": items, "total": total}


@bp.get("/audit")
@doc("操作记录（管理员，只读）", tag="audit", ok=AuditList, query=AuditQuery, errors=(403,))
async def list_audit(request):
    principal = await authenticate(request)
    return reply(AuditList(**await entries(principal, parse_query(request, AuditQuery))))
