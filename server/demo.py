"""Demo data for `make run` on an empty database: a city association, a district, two branches
with a secretary each, a market with stalls, members of every category and one registration
waiting for approval.

Logins (fake WeChat gateway): dev:admin, dev:secretary1, dev:secretary2, dev:vendor1 (a member),
dev:vendor2 (a pending registration); any other dev:<name> is a brand-new WeChat user.
王建国 (dev:vendor1) has agreed to a public profile, has a pledge and a plate: its code is
DEMO_PLATE_CODE, so the demo's public page is always /p/hfjwjgdemxz8.
"""
from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.members import history
from server.members.models import Member, Registration
from server.orgs.models import Market, Org, Role
from server.orgs.service import insert_org
from server.plates.models import Consent, Plate, Profile
from server.plates.profiles import CONSENT_TEXT, CONSENT_VERSION

# The demo association's members have been on the roster since then (past meetings count them).
DEMO_ROSTER_SINCE = dt.date(2020, 1, 1)

DEMO_PLATE_CODE = "hfjwjgdemxz8"  # fixed so the README can link it; random for every real plate
DEMO_PLEDGE = "诚信经营，明码标价，足斤足两，不卖假冒伪劣商品，热情服务每一位顾客，接受群众监督。"


async def _org(name, kind, district, parent=None) -> Org:
    return await insert_org(name, kind, district, parent)


async def _user(name: str) -> User:
    return (await User.get_or_create(openid=f"dev-{name}"))[0]


MEMBERS = [
    # name, mobile, unit, owner, household, category, standing, placement, stall, has login
    ("王建国", "13900000001", "建国南北货商行", True, "上城区", "affiliated", "full", "in_market", "A-012", "vendor1"),
    ("李秀英", "13900000002", "秀英茶叶店", True, "西湖区", "local", "full", "in_market", "A-015", None),
    ("张伟", "13900000003", "伟业五金", False, "安徽省歙县", "floating", "full", "in_market", "B-003", None),
    ("陈静", "13900000004", "陈记小吃", True, "上城区", "affiliated", "probationary", "standalone", None, None),
    ("刘洋", "13900000005", "洋洋水果", True, "江西省上饶市", "floating", "full", "standalone", None, None),
]


async def load() -> bool:
    """Load the demo data if the database has no org yet. Returns whether anything was loaded."""
    if await Org.exists():
        return False
    async with in_transaction():
        city = await _org("杭州市个体劳动者私营企业协会", "association", "杭州市")
        district = await _org("上城区个体劳动者私营企业协会", "association", "上城区", city)
        hubin = await _org("湖滨分会", "branch", "上城区", district)
        qingbo = await _org("清波分会", "branch", "上城区", district)
        hubin_party = await _org("湖滨分会第一党支部", "party_branch", "上城区", hubin)
        market_org = await _org("河坊街市场党支部", "market_org", "上城区", hubin)
        await _org("清波分会党支部", "party_branch", "上城区", qingbo)
        market = await Market.create(name="河坊街商品市场", kind="comprehensive", district="上城区", org=market_org)
        await Market.create(name="清波农贸市场", kind="farmers", district="上城区", org=qingbo)

        await Role.create(user=await _user("admin"), org=city, role="admin")
        await Role.create(user=await _user("secretary1"), org=hubin, role="secretary")
        await Role.create(user=await _user("secretary2"), org=qingbo, role="secretary")

        for name, mobile, unit, owner, household, category, standing, placement, stall, login in MEMBERS:
            in_market = placement == "in_market"
            member = await Member.create(
                user=await _user(login) if login else None, name=name, mobile=mobile, unit_name=unit,
                is_owner=owner, household_district=household, life_org=market_org if in_market else hubin_party,
                home_org="歙县城关镇党委" if category == "floating" else "上城区市场监管局机关党委",
                category=category, standing=standing, placement=placement,
                market=market if in_market else None, stall_no=stall,
            )
            await history.start(member, on=DEMO_ROSTER_SINCE, by=None, reason="演示数据")
            if login == "vendor1":
                await _publish(member)
        vendor2 = await _user("vendor2")
        await Registration.create(
            user=vendor2, status="pending", open_key=vendor2.id, unit_name="周记布艺", name="周敏",
            mobile="13900000006", is_owner=True, household_district="拱墅区", life_org=market_org,
            home_org="拱墅区米市巷街道党工委", standing="full", placement="in_market", market=market,
            stall_no="C-021", category="local", filled_on=dt.date(2026, 11, 20),
        )
    return True


async def _publish(member: Member) -> None:
    consent = await Consent.create(member=member, user_id=member.user_id, version=CONSENT_VERSION, text=CONSENT_TEXT)
    await Profile.create(member=member, pledge=DEMO_PLEDGE, consent_at=consent.granted_at)
    await Plate.create(member=member, code=DEMO_PLATE_CODE, active_key=member.id)


async def crowd(org_id: int, count: int, prefix: str = "crowd") -> list[str]:
    """`count` more members of `org_id`, logging in as dev:<prefix>1 … dev:<prefix>N (fake gateway):
    enough people to try a meeting's check-in rush by hand. Existing ones are kept."""
    org = await Org.get(id=org_id)
    codes = []
    for number in range(1, count + 1):
        user = await _user(f"{prefix}{number}")
        member, created = await Member.get_or_create(user=user, defaults=dict(
            name=f"演示党员{number}", mobile=f"139{number:08d}"[:11], unit_name=f"演示摊位{number}", is_owner=True,
            household_district=org.district, life_org=org, home_org="演示党委", category="local",
            standing="full", placement="standalone"))
        if created:
            await history.start(member, on=DEMO_ROSTER_SINCE, by=None, reason="演示数据")
        codes.append(f"dev:{prefix}{number}")
    return codes
