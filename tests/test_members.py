"""Member records: listed, read and edited within the caller's subtree only."""
from server.audit import AuditEntry
from server.members.models import Member
from tests.factories import make_member


async def test_secretary_lists_members_of_the_subtree_with_filters(world):
    floating = await make_member(None, world.party_a, name="张伟", category="floating", mobile="13911112222")
    await make_member(None, world.party_b, name="外支部")
    async with world.client("sec_a") as c:
        everyone = (await c.get("/api/v1/members")).json()
        only_floating = (await c.get("/api/v1/members", params={"category": "floating"})).json()
        by_phone = (await c.get("/api/v1/members", params={"q": "1111"})).json()
        paged = (await c.get("/api/v1/members", params={"limit": 1, "offset": 1})).json()
    assert {m["id"] for m in everyone["items"]} == {world.member_a.id, floating.id} and everyone["total"] == 2
    assert [m["id"] for m in only_floating["items"]] == [floating.id]
    assert [m["id"] for m in by_phone["items"]] == [floating.id]
    assert len(paged["items"]) == 1 and paged["total"] == 2


async def test_members_of_another_branch_are_invisible(world):
    other = await make_member(None, world.party_b)
    async with world.client("sec_a") as c:
        read = await c.get(f"/api/v1/members/{other.id}")
        edit = await c.patch(f"/api/v1/members/{other.id}", json={"name": "改名"})
        listed = (await c.get("/api/v1/members", params={"org_id": world.party_b.id})).json()
    assert read.status_code == 404 and read.json()["error"]["code"] == "member_not_found"
    assert edit.status_code == 404
    assert listed == {"items": [], "total": 0, "as_of": None}
    assert (await Member.get(id=other.id)).name != "改名"


async def test_a_member_reads_their_own_record_but_cannot_edit_it(world):
    async with world.client("member_a") as c:
        read = await c.get(f"/api/v1/members/{world.member_a.id}")
        edit = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"category": "floating"})
        listed = (await c.get("/api/v1/members")).json()
    assert read.status_code == 200 and read.json()["name"] == world.member_a.name
    assert edit.status_code == 404 and listed["total"] == 0
    assert (await Member.get(id=world.member_a.id)).category == "affiliated"
    assert await AuditEntry.filter(action="member.update.denied", target_id=world.member_a.id).exists()


async def test_secretary_edits_and_the_change_is_audited(world):
    async with world.client("sec_a") as c:
        response = await c.patch(f"/api/v1/members/{world.member_a.id}", json={
            "category": "floating", "placement": "in_market", "market_id": world.market.id, "stall_no": "B-7"})
    assert response.status_code == 200
    body = response.json()
    assert (body["category"], body["market_id"], body["stall_no"]) == ("floating", world.market.id, "B-7")
    entry = await AuditEntry.get(action="member.updated", target_id=world.member_a.id)
    assert entry.data["fields"] == ["category", "market_id", "placement", "stall_no"]


async def test_edit_refuses_nulls_and_inconsistent_placement(world):
    async with world.client("sec_a") as c:
        null_name = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"name": None})
        no_stall = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"placement": "in_market"})
        unknown = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"openid": "x"})
    assert null_name.status_code == 422 and "name" in null_name.json()["error"]["fields"]
    assert no_stall.status_code == 409 and "market_id" in no_stall.json()["error"]["fields"]  # with what is stored
    assert unknown.status_code == 422 and "openid" in unknown.json()["error"]["fields"]
    assert (await Member.get(id=world.member_a.id)).placement == "standalone"


async def test_moving_a_member_out_of_ones_subtree_is_refused(world):
    async with world.client("sec_a") as c:
        response = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"life_org_id": world.party_b.id})
    assert response.status_code == 403 and "life_org_id" in response.json()["error"]["fields"]
    async with world.client("admin") as c:  # the admin above both branches may move them
        moved = await c.patch(f"/api/v1/members/{world.member_a.id}", json={"life_org_id": world.party_b.id})
    assert moved.status_code == 200 and moved.json()["life_org_id"] == world.party_b.id


