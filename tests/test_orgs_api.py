"""The org tree, roles reaching a subtree and nothing else, markets."""
from server.audit import AuditEntry
from server.orgs.models import Org, Role


async def test_any_logged_in_user_lists_orgs_for_the_form(world):
    async with world.client("vendor") as c:
        response = await c.get("/api/v1/orgs", params={"parent_id": world.root.id})
    names = {o["name"] for o in response.json()["items"]}
    assert names == {world.branch_a.name, world.branch_b.name}
    async with world.client() as anonymous:
        assert (await anonymous.get("/api/v1/orgs")).status_code == 401


async def test_admin_creates_a_child_org_with_its_path(world):
    async with world.client("admin") as c:
        response = await c.post("/api/v1/orgs", json={
            "name": "新街分会", "kind": "branch", "district": "上城区", "parent_id": world.root.id})
    assert response.status_code == 201
    org = await Org.get(id=response.json()["id"])
    assert org.parent_id == world.root.id and org.path == f"{world.root.path}{org.id}/"
    assert await AuditEntry.filter(action="org.created", target_id=org.id).exists()


async def test_secretary_cannot_create_orgs_and_the_denial_is_audited(world):
    async with world.client("sec_a") as c:
        response = await c.post("/api/v1/orgs", json={
            "name": "x", "kind": "party_branch", "district": "上城区", "parent_id": world.branch_a.id})
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_org_admin"
    assert await AuditEntry.filter(action="org.create.denied", org_id=world.branch_a.id).exists()


async def test_grant_role_reaches_the_subtree_and_nothing_else(world):
    newcomer = await world.add_user("newcomer")
    async with world.client("admin") as c:
        granted = await c.post(f"/api/v1/orgs/{world.branch_a.id}/roles", json={"role": "secretary", "user_id": newcomer.id})
        again = await c.post(f"/api/v1/orgs/{world.branch_a.id}/roles", json={"role": "secretary", "user_id": newcomer.id})
    assert granted.status_code == 201 and again.status_code == 200
    assert granted.json()["id"] == again.json()["id"]
    assert await Role.filter(user=newcomer).count() == 1
    assert await AuditEntry.filter(action="role.granted", target_id=newcomer.id).count() == 1

    async with world.client("newcomer") as c:
        inside = await c.get(f"/api/v1/members/{world.member_a.id}")  # member of party A, under branch A
        roles = (await c.get("/api/v1/me")).json()["roles"]
    assert inside.status_code == 200
    assert roles == [{"role": "secretary", "org_id": world.branch_a.id, "org_name": world.branch_a.name}]


async def test_grant_by_member_id(world):
    async with world.client("admin") as c:
        response = await c.post(f"/api/v1/orgs/{world.party_a.id}/roles", json={"role": "secretary", "member_id": world.member_a.id})
    assert response.status_code == 201 and response.json()["user_id"] == world.member_a.user_id


async def test_only_admins_of_an_ancestor_grant_roles(world):
    async with world.client("sec_a") as c:
        response = await c.post(f"/api/v1/orgs/{world.branch_a.id}/roles", json={"role": "admin", "user_id": world.users["sec_a"].id})
    assert response.status_code == 403
    assert not await Role.filter(user=world.users["sec_a"], role="admin").exists()
    assert await AuditEntry.filter(action="role.grant.denied", actor_id=world.users["sec_a"].id).exists()


async def test_grant_needs_exactly_one_target_and_a_known_role(world):
    async with world.client("admin") as c:
        neither = await c.post(f"/api/v1/orgs/{world.branch_a.id}/roles", json={"role": "secretary"})
        bad_role = await c.post(f"/api/v1/orgs/{world.branch_a.id}/roles", json={"role": "king", "user_id": 1})
        unknown_org = await c.post("/api/v1/orgs/99999999/roles", json={"role": "secretary", "user_id": 1})
    assert neither.status_code == 422 and "body" in neither.json()["error"]["fields"]
    assert bad_role.status_code == 422 and "role" in bad_role.json()["error"]["fields"]
    assert unknown_org.status_code == 404 and unknown_org.json()["error"]["code"] == "org_not_found"


async def test_markets_are_listed_and_created_by_admins(world):
    async with world.client("admin") as c:
        created = await c.post("/api/v1/markets", json={"name": "清波农贸市场", "kind": "farmers", "district": "上城区", "org_id": world.branch_b.id})
    async with world.client("vendor") as c:
        listed = await c.get("/api/v1/markets", params={"org_id": world.branch_b.id})
    assert created.status_code == 201
    assert [m["name"] for m in listed.json()["items"]] == ["清波农贸市场"]
    async with world.client("sec_b") as c:
        refused = await c.post("/api/v1/markets", json={"name": "x", "kind": "farmers", "district": "上城区", "org_id": world.branch_b.id})
    assert refused.status_code == 403


async def test_admin_renames_an_org_lists_and_revokes_roles_but_not_her_own(world):
    async with world.client("admin") as c:
        renamed = await c.patch(f"/api/v1/orgs/{world.branch_a.id}", json={"name": "湖滨街道分会"})
        blank = await c.patch(f"/api/v1/orgs/{world.branch_a.id}", json={"name": "   "})
        null = await c.patch(f"/api/v1/orgs/{world.branch_a.id}", json={"name": None})
        roles = (await c.get(f"/api/v1/orgs/{world.branch_a.id}/roles")).json()["items"]
        [secretary] = [r for r in roles if r["user_id"] == world.users["sec_a"].id]
        revoked = await c.delete(f"/api/v1/orgs/{world.branch_a.id}/roles/{secretary['id']}")
        again = await c.delete(f"/api/v1/orgs/{world.branch_a.id}/roles/{secretary['id']}")
        elsewhere = await c.delete(f"/api/v1/orgs/{world.branch_b.id}/roles/{secretary['id']}")
        [own] = (await c.get(f"/api/v1/orgs/{world.root.id}/roles")).json()["items"]
        self_revoke = await c.delete(f"/api/v1/orgs/{world.root.id}/roles/{own['id']}")
    assert renamed.status_code == 200 and renamed.json()["name"] == "湖滨街道分会"
    assert blank.status_code == 422 and null.status_code == 422
    assert (await Org.get(id=world.branch_a.id)).name == "湖滨街道分会"
    assert secretary["role"] == "secretary" and revoked.status_code == 200
    assert again.status_code == 404 and elsewhere.status_code == 404
    assert self_revoke.status_code == 409 and self_revoke.json()["error"]["code"] == "own_role"
    assert not await Role.filter(user=world.users["sec_a"]).exists()
    assert await AuditEntry.filter(action="role.revoked", org_id=world.branch_a.id).exists()
    assert await AuditEntry.filter(action="org.updated", target_id=world.branch_a.id).exists()
    async with world.client("sec_a") as c:  # her role is gone: the branch is no longer hers
        assert (await c.get(f"/api/v1/orgs/{world.branch_a.id}/roles")).status_code == 403


async def test_a_secretary_neither_renames_nor_lists_roles(world):
    async with world.client("sec_a") as c:
        rename = await c.patch(f"/api/v1/orgs/{world.branch_a.id}", json={"name": "x"})
        roles = await c.get(f"/api/v1/orgs/{world.branch_a.id}/roles")
    assert rename.status_code == roles.status_code == 403
    assert (await Org.get(id=world.branch_a.id)).name == world.branch_a.name
