"""HTTP for the org tree and roles: parse, call the service, reply."""
from sanic import Blueprint

from server.apidoc import doc, reply
from server.auth import authenticate
from server.orgs import service
from server.orgs.schemas import (
    OrgCreate, OrgList, OrgOut, OrgQuery, OrgUpdate, RevokedRole,
    RoleGrant, RoleHolder, RoleHolderList, RoleOut,
)
from server.validation import parse_body, parse_query

bp = Blueprint("orgs")


@bp.get("/orgs")
@doc("组织列表（登记表选择组织用）", tag="orgs", ok=OrgList, query=OrgQuery)
async def list_orgs(request):
    await authenticate(request)
    query = parse_query(request, OrgQuery)
    return reply(OrgList(items=await service.list_orgs(query.kind, query.parent_id)))


@bp.post("/orgs")
@doc("新建下级组织（上级管理员）", tag="orgs", ok=OrgOut, status=201, body=OrgCreate, errors=(403, 404))
async def create_org(request):
    principal = await authenticate(request)
    data = parse_body(request, OrgCreate)
    org = await service.create_org(principal, **data.model_dump())
    return reply(OrgOut.model_validate(org), 201)


@bp.patch("/orgs/<org_id:int>")
@doc("修改组织名称或所在区县（管理员）", tag="orgs", ok=OrgOut, body=OrgUpdate, errors=(403, 404))
async def update_org(request, org_id: int):
    principal = await authenticate(request)
    data = parse_body(request, OrgUpdate)
    org = await service.update_org(principal, org_id, data.model_dump(exclude_unset=True, exclude_none=True))
    return reply(OrgOut.model_validate(org))


@bp.get("/orgs/<org_id:int>/roles")
@doc("组织的书记和管理员（管理员）", tag="orgs", ok=RoleHolderList, errors=(403, 404))
async def list_roles(request, org_id: int):
    principal = await authenticate(request)
    rows = await service.list_roles(principal, org_id)
    return reply(RoleHolderList(items=[RoleHolder(**row) for row in rows]))


@bp.delete("/orgs/<org_id:int>/roles/<role_id:int>")
@doc("撤销书记或管理员角色（管理员，不能撤销自己的）", tag="orgs", ok=RevokedRole, errors=(403, 404, 409))
async def revoke_role(request, org_id: int, role_id: int):
    principal = await authenticate(request)
    await service.revoke_role(principal, org_id, role_id)
    return reply(RevokedRole())


@bp.post("/orgs/<org_id:int>/roles")
@doc("授予书记或管理员角色（管理员）", tag="orgs", ok=RoleOut, status=(200, 201), body=RoleGrant, errors=(403, 404))
async def grant_role(request, org_id: int):
    principal = await authenticate(request)
    data = parse_body(request, RoleGrant)
    role, created = await service.grant_role(principal, org_id, **data.model_dump())
    return reply(RoleOut.model_validate(role), 201 if created else 200)
