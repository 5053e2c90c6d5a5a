"""Per-user limits on costly work, and denials audited once a minute, not once a request."""
from server.audit import AuditEntry
from server.limits import PER_USER
from tests.plate_helpers import publish_member


async def test_plate_reissues_and_renders_have_a_per_user_allowance(world):
    await publish_member(world)
    limit = PER_USER["plate.issue"][0]
    async with world.client("member_a") as c:
        answers = [(await c.post(f"/api/v1/members/{world.member_a.id}/plate")).status_code for _ in range(limit + 2)]
    assert answers.count(429) == 3  # publish_member issued one already
    async with world.client("sec_a") as c:  # another user keeps their own allowance
        assert (await c.post(f"/api/v1/members/{world.member_a.id}/plate")).status_code == 201


async def test_a_denied_request_is_audited_once_a_minute_per_actor_and_action(world):
    async with world.client("member_a") as c:  # a member may read his record, not edit it
        for _ in range(25):
            assert (await c.patch(f"/api/v1/members/{world.member_a.id}", json={"name": "改名"})).status_code == 404
    entries = await AuditEntry.filter(action="member.update.denied", actor_id=world.users["member_a"].id).count()
    assert entries == 1


async def test_a_reissue_costs_the_same_however_many_codes_came_before(world):
    from server.kv import MemoryStore
    from server.plates import issuing

    class Counting(MemoryStore):
        deleted = 0

        async def near_delete(self, *keys):
            Counting.deleted += len(keys)
            await super().near_delete(*keys)

    store = Counting()
    costs = []
    for _ in range(15):
        before = Counting.deleted
        await issuing.issue_for(world.member_a, world.users["sec_a"], store)
        costs.append(Counting.deleted - before)
    assert costs[0] == 1 and set(costs[1:]) == {2}  # the new code and the one it replaced, never all 15
