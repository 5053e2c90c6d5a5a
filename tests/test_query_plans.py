"""The plans, not the timings, of the queries that must stay indexed at a city's size (50 000
members, their registrations, a trail of a million audit entries): each is asked of PostgreSQL
with sequential scans discouraged (the test tables are tiny) and must name its index. An index on
an expression the query does not spell the same way is silently never used; these fail then.
PostgreSQL only: SQLite, the embedded default, scans at its sizes."""
import datetime as dt
from contextlib import asynccontextmanager

import pytest
from tortoise.transactions import in_transaction

from server.activities.models import ActivityPhoto
from server.audit import AuditEntry
from server.members import history
from server.members.models import Member, Registration
from server.members.service import _matching
from server.plates.models import Consent, Plate


class _Done(Exception):
    """Ends the planner's transaction by rolling it back."""


class Planner:
    def __init__(self, conn) -> None:
        self.conn = conn

    async def plan(self, query) -> str:
        """The text of the query's plan."""
        rows = await self.conn.execute_query_dict("EXPLAIN " + query.sql(params_inline=True))
        return " ".join(row["QUERY PLAN"] for row in rows)

    async def run(self, sql: str) -> None:
        await self.conn.execute_script(sql)


@asynccontextmanager
async def planner():
    """Plans asked on one connection, in a transaction that is rolled back: sequential scans off
    (the tables are tiny: which index serves?), and rows or statistics a test adds are never seen
    by another test."""
    try:
        async with in_transaction() as conn:
            await conn.execute_script("SET LOCAL enable_seqscan = off")
            yield Planner(conn)
            raise _Done()
    except _Done:
        pass


pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def test_roster_search_and_paging(world):
    """A search inside names, shops, stalls and mobiles by the trigram indexes; the page in name
    order by (name, id)."""
    roster = Member.all()  # the search alone: scope and membership have their own index
    async with planner() as planned:
        for text, columns in (("1390000", ("name", "unit_name", "mobile", "stall_no")),
                              ("王建国", ("name", "unit_name", "stall_no")), ("A-012", ("name", "unit_name", "stall_no"))):
            used = await planned.plan(roster.filter(_matching(text)))
            assert all(f"members_{column}_trgm" in used for column in columns), used
            assert ("mobile" in used) == ("mobile" in columns), used  # only digits can be inside a mobile
        assert "Index Scan using idx_members_name" in await planned.plan(roster.order_by("name", "id").limit(50))


async def test_a_member_by_mobile(world):
    """The import's match, a registrant's roster match, a verified phone's link: by the b-tree.
    Through the trigram index an equality reads every row sharing the digits' trigrams: the review
    queue of 50 registrants took a second at 50 000 members."""
    async with planner() as planned:
        for found in (Member.filter(mobile="13900000001", user_id=None, membership="active"),
                      Member.filter(mobile__in=["13900000001", "13900000002"])):
            used = await planned.plan(found)
            assert "idx_members_mobile" in used and "trgm" not in used, used
        # The trigram index must not answer an equality at all: with statistics that made it look
        # cheap (rows fresh from an import), the planner took it over the b-tree (a full run of the
        # suite did). With the b-tree gone, in this rolled-back transaction, nothing else serves.
        btree = (await planned.conn.execute_query_dict(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'members' AND indexdef LIKE '%btree (mobile)'"))[0]
        await planned.run(f"DROP INDEX {btree['indexname']}")
        assert "trgm" not in await planned.plan(Member.filter(mobile__in=["13900000001", "13900000002"]))


async def test_the_review_queue_of_a_subtree(world):
    """A secretary's registrations, pending or all, by their life orgs: without the index each page
    read every registration of the city (151 req/s with 50 000 elsewhere, 315 with it)."""
    async with planner() as planned:
        for queue in (Registration.filter(life_org_id__in=[world.party_a.id, world.party_b.id], status="pending"),
                      Registration.filter(life_org_id__in=[world.party_a.id, world.party_b.id])):
            assert "idx_registratio_life_or" in await planned.plan(queue.order_by("created_at", "id").limit(50))


async def test_the_audit_trail_by_org_actor_and_target(world):
    """The trail keeps everything and grows by the year: an org's subtree, one person's actions and
    one member's changes are each read by an index (a million entries: 12–14 req/s without, 54–760
    with)."""
    async with planner() as planned:
        assert "idx_audit_entri_org_id" in await planned.plan(AuditEntry.filter(org_id__in=[world.branch_a.id]))
        assert "idx_audit_entri_actor_i" in await planned.plan(AuditEntry.filter(actor_id=world.member_a.user_id or 1))
        assert "idx_audit_entri_target_" in await planned.plan(AuditEntry.filter(target_type="members", target_id=7))


async def test_a_markets_members_and_their_plates(world):
    """A market's page counts its members, the roster filters by it, its 六化 page asks who traded
    there on a day and which of them held a plate: at 50 000 members (500 in the market) each read
    them all (the 六化 page 26 ms, 9 with these)."""
    day = dt.date(2026, 6, 30)
    async with planner() as planned:
        assert "idx_members_market" in await planned.plan(Member.filter(market_id=world.market.id, placement="in_market"))
        assert "idx_member_peri_market" in await planned.plan(
            history.on_day(day, placement="in_market", market_id__in=[world.market.id]))
        assert "idx_plates_member" in await planned.plan(Plate.filter(member_id__in=[world.member_a.id, world.member_a.id + 1]))


async def test_a_meetings_photos_and_a_members_consents(world):
    """Read by their parent, not by reading every meeting's photos or every grant with its text."""
    async with planner() as planned:
        assert "idx_activity_ph_activit" in await planned.plan(ActivityPhoto.filter(activity_id=1))
        assert "idx_consents_member" in await planned.plan(Consent.filter(member_id=world.member_a.id, withdrawn_at=None))
