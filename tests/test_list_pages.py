"""The secretary's four lists read a page and its total in one statement (server/db.page_of):
every page carries the whole list's total, pages join up without a gap or a repeat, and a page
past the end is empty with the total still right."""
import pytest

from server.clock import today
from server.plates.models import Plate, Rating
from tests.factories import make_activity, make_member, make_user, registration_payload
from tests.plate_helpers import publish_member

FIVE = 5


async def _members(world):
    for i in range(FIVE - 1):  # with member_a, five
        await make_member(await make_user(f"m{i}"), world.party_a, name=f"名册{i}")


async def _activities(world):
    for i in range(FIVE):
        await make_activity(world, starts_in_minutes=10 + i)


async def _registrations(world):
    for i in range(FIVE):
        who = f"reg{i}"
        await world.add_user(who)
        async with world.client(who) as vendor:
            sent = await vendor.post("/api/v1/registrations", json=registration_payload(world, mobile=f"1370000100{i}"))
        assert sent.status_code == 201, sent.text


async def _ratings(world):
    plate = await Plate.get(code=await publish_member(world))
    for i in range(FIVE):
        await Rating.create(member=world.member_a, plate=plate, score=5, comment="好", customer=f"c{i}",
                            channel="web", day=today(), nonce=f"n{i}", status="published")


LISTS = {"/api/v1/members": _members, "/api/v1/activities": _activities,
         "/api/v1/registrations": _registrations, "/api/v1/ratings": _ratings}


@pytest.mark.parametrize("path", LISTS)
async def test_every_page_carries_the_total_and_pages_join_up(world, path):
    await LISTS[path](world)
    async with world.client("sec_a") as c:
        whole = (await c.get(path)).json()
        pages = [(await c.get(f"{path}?limit=2&offset={offset}")).json() for offset in (0, 2, 4, 9)]
    assert whole["total"] == FIVE and len(whole["items"]) == FIVE
    assert [page["total"] for page in pages] == [FIVE] * 4
    assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
    assert [item["id"] for page in pages for item in page["items"]] == [item["id"] for item in whole["items"]]
    async with world.client("sec_b") as other:  # another branch: nothing, and a total of nothing
        assert (await other.get(f"{path}?limit=2&offset=2")).json() == {**(await other.get(path)).json(), "items": []}
