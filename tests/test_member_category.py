"""The category a registration's three places suggest, with its reason; and a member imported
without a login meeting their WeChat account (a verified phone, or a registration), once."""
import pytest

from server.members.category import district_in, suggest
from server.members.models import Member
from tests.factories import make_member, registration_payload, unique

CASES = [
    # home_org, household, business → category
    ("上城区个私协会湖滨分会党支部", "上城区", "上城区", "affiliated"),
    ("湖滨第一党支部", "西湖区", "上城区", "affiliated"),  # the association's own org, by name
    ("上城区小营街道党工委", "西湖区", "上城区", "local"),
    ("清波街道清河坊社区党委", "上城区", "上城区", "local"),  # no district named: the household's
    ("歙县城关镇党委", "歙县", "上城区", None),  # two places, not three
    ("歙县城关镇党委", "绩溪县", "上城区", "floating"),
    ("拱墅区米市巷街道党工委", "拱墅区", "上城区", None),
    ("某公司党委", "上城区", "上城区", None),
]


@pytest.mark.parametrize(("home", "household", "business", "expected"), CASES)
def test_three_places_suggest_a_category_with_a_reason(home, household, business, expected):
    category, reason = suggest(home, household, business, {"湖滨第一党支部", "湖滨分会"})
    assert category == expected, reason
    assert reason and (home in reason or expected == "floating")
    if expected is None:
        assert "请向本人核实" in reason


def test_districts_are_read_from_free_text():
    assert district_in("上城区市场监管局机关党委") == "上城区"
    assert district_in("歙县城关镇党委") == "歙县"
    assert district_in("米市巷街道党工委") is None


async def test_the_approval_screen_shows_the_suggestion_and_approving_needs_a_category(world):
    who = unique("reg")
    await world.add_user(who)
    async with world.client(who) as vendor:
        sent = await vendor.post("/api/v1/registrations", json=registration_payload(
            world, mobile="13700009999", home_org="歙县城关镇党委", household_district="绩溪县", category=None))
    assert sent.status_code == 201, sent.text
    async with world.client("sec_a") as c:
        shown = (await c.get(f"/api/v1/registrations/{sent.json()['id']}")).json()
        no_category = await c.post(f"/api/v1/registrations/{shown['id']}/approve", json={})
    assert shown["suggested_category"] == "floating" and "三地分离" in shown["suggestion_reason"]
    assert shown["category"] is None  # the vendor left it blank: nothing is preset
    assert no_category.status_code == 422


async def test_an_imported_member_is_linked_by_a_wechat_verified_phone(world):
    imported = await make_member(None, world.party_a, name="导入的", mobile="13512345678")
    async with world.client("vendor") as c:
        bound = await c.post("/api/v1/me/phone", json={"code": "dev-phone:13512345678"})
        me = (await c.get("/api/v1/me")).json()
        again = await c.post("/api/v1/me/phone", json={"code": "dev-phone:13512345678"})
    assert bound.status_code == again.status_code == 200
    assert me["member"]["id"] == imported.id
    assert await Member.filter(mobile="13512345678").count() == 1
    assert (await Member.get(id=imported.id)).user_id == world.users["vendor"].id


async def test_two_roster_entries_with_one_mobile_are_left_for_staff(world):
    await make_member(None, world.party_a, name="甲", mobile="13511112222")
    await make_member(None, world.party_b, name="乙", mobile="13511112222")
    async with world.client("vendor") as c:
        await c.post("/api/v1/me/phone", json={"code": "dev-phone:13511112222"})
        me = (await c.get("/api/v1/me")).json()
    assert me["member"] is None
    assert not await Member.filter(mobile="13511112222", user_id__not_isnull=True).exists()


async def test_a_registration_of_an_imported_member_merges_into_the_record(world):
    imported = await make_member(None, world.party_a, name="李秀英", mobile="13812340000", category="local")
    who = unique("reg")
    user = await world.add_user(who)
    async with world.client(who) as vendor:
        sent = await vendor.post("/api/v1/registrations", json=registration_payload(world, mobile="13812340000"))
    async with world.client("sec_a") as c:
        shown = (await c.get(f"/api/v1/registrations/{sent.json()['id']}")).json()
        approved = await c.post(f"/api/v1/registrations/{shown['id']}/approve", json={"category": "floating"})
        history = (await c.get(f"/api/v1/members/{imported.id}/history")).json()["items"]
    assert (shown["matching_member_id"], shown["matching_member_name"]) == (imported.id, "李秀英")
    assert approved.status_code == 200 and approved.json()["id"] == imported.id
    member = await Member.get(id=imported.id)
    assert (member.user_id, member.category, member.stall_no) == (user.id, "floating", "A-015")
    assert await Member.filter(mobile="13812340000").count() == 1
    assert any(e["field"] == "category" and e["new_value"] == "floating" and "合并" in e["reason"] for e in history)


async def test_a_page_of_pending_registrations_shows_each_ones_own_suggestion_and_match(world):
    """The list reads the page's orgs, markets and roster matches once for the page: each
    registration still gets the suggestion of its own org's names and places, and its own match."""
    imported = await make_member(None, world.party_a, name="王建国", mobile="13822220001")
    await make_member(None, world.party_a, name="甲", mobile="13822220002")
    await make_member(None, world.party_b, name="乙", mobile="13822220002")
    sent = {}
    for who, overrides in {
        "own_org": dict(mobile="13822220001", home_org=world.party_a.name, household_district="西湖区"),
        "floating": dict(mobile="13822220002", life_org_id=world.party_b.id, home_org="歙县城关镇党委",
                         household_district="绩溪县", placement="standalone"),
    }.items():
        await world.add_user(who)
        payload = registration_payload(world, **overrides)
        if payload["placement"] == "standalone":
            del payload["market_id"], payload["stall_no"]
        async with world.client(who) as vendor:
            answer = await vendor.post("/api/v1/registrations", json=payload)
        assert answer.status_code == 201, answer.text
        sent[who] = answer.json()["id"]
    async with world.client("admin") as c:
        page = (await c.get("/api/v1/registrations?status=pending")).json()
    shown = {item["id"]: item for item in page["items"]}
    own, floating = shown[sent["own_org"]], shown[sent["floating"]]
    assert own["suggested_category"] == "affiliated" and world.party_a.name in own["suggestion_reason"]
    assert (own["matching_member_id"], own["matching_member_name"]) == (imported.id, "王建国")
    assert floating["suggested_category"] == "floating" and "三地分离" in floating["suggestion_reason"]
    assert floating["matching_member_id"] is None  # two roster entries hold that mobile: staff decide
