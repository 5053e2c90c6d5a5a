"""Rules of the org tree: who may add orgs, and who may grant roles."""
from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import audit
from server.accounts.models import User
from server.auth import Principal, forget_principal
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, NotFound, ReferenceNotFound
from server.members.models import Member
from server.orgs.models import Org, Role, path_ids


class OrgNotFound(NotFound):
    code, message = "org_not_found", "找不到该组织"


class NotAnAdmin(Forbidden):
    code, message = "not_org_admin", "只有该组织或上级组织的管理员可以进行此操作"


class RoleNotFound(NotFound):
    code, message = "role_not_found", "找不到该角色"


class OwnRole(Conflict):
    code, message = "own_role", "不能撤销自己的角色，请由其他管理员操作"


class TreeNotEmpty(Conflict):
    code, message = "tree_not_empty", "已有组织，不能再创建根组织"


async def get_org(org_id: int) -> Org:
    org = await Org.get_or_none(id=org_id) if 0 < org_id <= MAX_ID else None
    if org is None:
        raise OrgNotFound()
    return org


async def org_for_field(org_id: int, field: str) -> Org:
    """The org an input field names, or a 422 that points at the field."""
    org = await Org.get_or_none(id=org_id)
    if org is None:
        raise ReferenceNotFound(fields={field: "找不到该组织"})
    return org


async def list_orgs(kind: str | None = None, parent_id: int | None = None) -> list[Org]:
    query = Org.all().order_by("path")
    if kind:
        query = query.filter(kind=kind)
    if parent_id:
        query = query.filter(parent_id=parent_id)
    return await query


async def insert_org(name: str, kind: str, district: str, parent: Org | None) -> Org:
    """Add an org under `parent` with its materialised path (no permission check: callers decide)."""
    async with in_transaction():
        org = await Org.create(name=name, kind=kind, district=district, parent=parent)
        org.path = f"{parent.path if parent else '/'}{org.id}/"
        await org.save(update_fields=["path"])
    # Cached principals carry the org ids their roles reach: those holding a role above the new
    # org drop theirs, after the commit so that none is rebuilt from the tree without it.
    above = path_ids(org.path)[:-1]
    if above:
        await forget_principal(*set(await Role.filter(org_id__in=above).values_list("user_id", flat=True)))
    return org


async def create_org(principal: Principal, *, name: str, kind: str, district: str, parent_id: int) -> Org:
    parent = await org_for_field(parent_id, "parent_id")
    if not principal.reaches(parent, ("admin",)):
        await audit.record("org.create.denied", actor=principal.user, org=parent, name=name)
        raise NotAnAdmin()
    org = await insert_org(name, kind, district, parent)
    await audit.record("org.created", actor=principal.user, org=org, target=org, name=name, kind=kind)
    return org


async def create_root(*, name: str, district: str, admin_openid: str) -> tuple[Org, User]:
    """First org of an empty database and its admin (the `create-root` command)."""
    if await Org.exists():
        raise TreeNotEmpty()
    org = await insert_org(name, "association", district, None)
    admin, _ = await User.get_or_create(openid=admin_openid)
    await Role.create(user=admin, org=org, role="admin")
    await audit.record("role.granted", org=org, target=admin, role="admin", via="create-root")
    return org, admin


async def grant_role(principal: Principal, org_id: int, *, role: str, user_id: int | None, member_id: int | None) -> tuple[Role, bool]:
    """Grant `role` on an org. Returns (role, created); granting what exists changes nothing."""
    org = await admin_org(principal, org_id, "role.grant", role=role)
    if member_id is not None:
        member = await Member.get_or_none(id=member_id)
        if member is None or member.user_id is None:
            raise ReferenceNotFound(fields={"member_id": "找不到该党员，或该党员尚未登录过小程序"})
        user_id = member.user_id
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise ReferenceNotFound(fields={"user_id": "找不到该用户"})
    existing = await Role.get_or_none(user=user, org=org, role=role)
    if existing:
        return existing, False
    try:
        granted = await Role.create(user=user, org=org, role=role, granted_by=principal.user)
    except IntegrityError:  # the same grant sent twice at once
        return await Role.get(user=user, org=org, role=role), False
    await forget_principal(user.id)
    await audit.record("role.granted", actor=principal.user, org=org, target=user, role=role)
    return granted, True


async def admin_org(principal: Principal, org_id: int, action: str, **data) -> Org:
    """The org, if the caller administers it or an org above it; otherwise the denial is audited."""
    org = await get_org(org_id)
    if not principal.reaches(org, ("admin",)):
        await audit.record(f"{action}.denied", actor=principal.user, org=org, **data)
        raise NotAnAdmin()
    return org


async def update_org(principal: Principal, org_id: int, changes: dict) -> Org:
    org = await admin_org(principal, org_id, "org.update")
    before = {key: getattr(org, key) for key in changes}
    if changes and before != changes:
        for key, value in changes.items():
            setattr(org, key, value)
        await org.save(update_fields=list(changes))
        await forget_principal(*await Role.filter(org=org).values_list("user_id", flat=True))  # grants name the org
        await audit.record("org.updated", actor=principal.user, org=org, target=org, before=before, after=changes)
    return org


async def list_roles(principal: Principal, org_id: int) -> list[dict]:
    """Who holds a role on the org, with the member name of each (admins of the org or above)."""
    org = await admin_org(principal, org_id, "role.list")
    roles = await Role.filter(org=org).order_by("role", "id").values("id", "role", "org_id", "user_id", "created_at")
    names = dict(await Member.filter(user_id__in=[r["user_id"] for r in roles]).values_list("user_id", "name"))
    return [{**row, "name": names.get(row["user_id"])} for row in roles]


async def revoke_role(principal: Principal, org_id: int, role_id: int) -> None:
    org = await admin_org(principal, org_id, "role.revoke")
    role = await Role.get_or_none(id=role_id, org=org) if 0 < role_id <= MAX_ID else None
    if role is None:
        raise RoleNotFound()
    if role.user_id == principal.user.id:
        raise OwnRole()
    await role.delete()
    await forget_principal(role.user_id)
    await audit.record("role.revoked", actor=principal.user, org=org, target=role, role=role.role, user_id=role.user_id)
