"""The plans, not the timings, of the queries that must stay indexed at a city's size (50 000
members, their registrations, a trail of a million audit entries): each is asked of PostgreSQL
with sequential scans discouraged (the test tables are tiny) and must name its index. An index on
an expression the query does not spell the same way is silently never used; these fail then.
PostgreSQL only: SQLite, the embedded default, scans at its sizes."""
from contextlib import asynccontextmanager

import pytest
from tortoise import connections

from server.audit import AuditEntry
from server.members.models import Member, Registration
from server.members.service import _matching


@asynccontextmanager
async def planner():
    """plan(query) -> the text of its plan, with sequential scans off (a tiny table: which index serves)."""
    conn = connections.get("default")

    async def plan(query) -> str:
        rows = await conn.execute_query_dict("EXPLAIN " + query.sql(params_inline=True))
        return " ".join(row["QUERY PLAN"] for row in rows)

    await conn.execute_script("SET enable_seqscan = off")
    try:
        yield plan
    finally:
        await conn.execute_script("SET enable_seqscan = on")

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def test_roster_search_and_paging(world):
    """A search inside names, shops, stalls and mobiles by the trigram indexes; the page in name
    order by (name, id)."""
    roster = Member.all()  # the search alone: scope and membership have their own index
    async with planner() as plan:
        for text in ("1390000", "王建国", "A-012"):
            used = await plan(roster.filter(_matching(text)))
            assert all(f"members_{column}_trgm" in used for column in ("name", "unit_name", "mobile", "stall_no")), used
        assert "Index Scan using idx_members_name" in await plan(roster.order_by("name", "id").limit(50))


async def test_a_member_by_mobile(world):
    """The import's match, a registrant's roster match, a verified phone's link: by the b-tree.
    Through the trigram index an equality reads every row sharing the digits' trigrams: the review
    queue of 50 registrants took a second at 50 000 members."""
    async with planner() as plan:
        for found in (Member.filter(mobile="13900000001", user_id=None, membership="active"),
                      Member.filter(mobile__in=["13900000001", "13900000002"])):
            used = await plan(found)
            assert "idx_members_mobile" in used and "trgm" not in used, used


async def test_the_review_queue_of_a_subtree(world):
    """A secretary's registrations, pending or all, by their life orgs: without the index each page
    read every registration of the city (151 req/s with 50 000 elsewhere, 315 with it)."""
    async with planner() as plan:
        for queue in (Registration.filter(life_org_id__in=[world.party_a.id, world.party_b.id], status="pending"),
                      Registration.filter(life_org_id__in=[world.party_a.id, world.party_b.id])):
            assert "idx_registratio_life_or" in await plan(queue.order_by("created_at", "id").limit(50))


async def test_the_audit_trail_by_org_actor_and_target(world):
    """The trail keeps everything and grows by the year: an org's subtree, one person's actions and
    one member's changes are each read by an index (a million entries: 12–14 req/s without, 54–760
    with)."""
    async with planner() as plan:
        assert "idx_audit_entri_org_id" in await plan(AuditEntry.filter(org_id__in=[world.branch_a.id]))
        assert "idx_audit_entri_actor_i" in await plan(AuditEntry.filter(actor_id=world.member_a.user_id or 1))
        assert "idx_audit_entri_target_" in await plan(AuditEntry.filter(target_type="members", target_id=7))
