"""The audit trail at the desk: admins read their subtree's entries, in Chinese, filtered."""
from server.audit import AuditEntry, action_label, record


async def test_admin_reads_entries_in_chinese_filtered_and_paged(world):
    await record("registration.approved", actor=world.users["sec_a"], org=world.party_a, target=world.member_a)
    await record("org.create.denied", actor=world.users["sec_b"], org=world.branch_b)
    async with world.client("admin") as c:
        everything = (await c.get("/api/v1/audit", params={"limit": 200})).json()
        approvals = (await c.get("/api/v1/audit", params={"action": "registration", "target_type": "members"})).json()
        by_sec_b = (await c.get("/api/v1/audit", params={"actor_id": world.users["sec_b"].id})).json()
        future = (await c.get("/api/v1/audit", params={"date_from": "2099-01-01"})).json()
        bad = await c.get("/api/v1/audit", params={"date_from": "yesterday"})
    labels = {e["action"]: e["label"] for e in everything["items"]}
    assert labels["registration.approved"] == "登记表·批准"
    assert labels["org.create.denied"] == "组织·新建（被拒绝）"
    [approval] = [e for e in approvals["items"] if e["target_id"] == world.member_a.id]
    assert approval["org_name"] == world.party_a.name and approval["actor_id"] == world.users["sec_a"].id
    assert {e["action"] for e in by_sec_b["items"]} == {"org.create.denied"}
    assert future == {"items": [], "total": 0}
    assert bad.status_code == 422
    assert everything["total"] >= len(everything["items"]) >= 2


async def test_a_branch_admin_sees_only_her_subtree_and_secretaries_nothing(world):
    await world.add_user("admin_b", role="admin", org=world.branch_b)
    await record("role.granted", actor=world.users["admin"], org=world.party_a)
    await record("role.granted", actor=world.users["admin"], org=world.party_b)
    await record("desk.logged_in", actor=world.users["admin"])  # no org: root admins only
    async with world.client("admin_b") as c:
        seen = (await c.get("/api/v1/audit", params={"limit": 200})).json()["items"]
    assert seen and all(e["org_id"] is not None for e in seen)
    org_ids = {e["org_id"] for e in seen}
    assert world.party_b.id in org_ids and world.party_a.id not in org_ids
    async with world.client("sec_a") as c:
        refused = await c.get("/api/v1/audit")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "audit_admins_only"
    assert await AuditEntry.filter(action="desk.logged_in").exists()


def test_every_action_the_server_records_has_a_chinese_label():
    import re
    from pathlib import Path

    names = set()
    for path in Path("server").rglob("*.py"):
        names |= set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', path.read_text()))
    assert len(names) > 30
    for name in names:
        label = action_label(name)
        assert not re.search(r"[a-z]", label), (name, label)
