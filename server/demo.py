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
from server.markets.models import Market
from server.statistics.models import Snapshot
from server.orgs.models import Org, Role
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
        market = await Market.create(
            name="河坊街商品市场", kind="comprehensive", district="上城区", org=market_org, stars=4, scope=["regional_key"],
            operator_name="杭州河坊街市场管理有限公司", operator_contact="沈经理 0571-87001234", address="上城区河坊街 88 号",
            vendor_count=126, org_form="single", org_level="branch", workers=["沈丽"], has_room=True, has_board=False)
        await Market.create(name="清波农贸市场", kind="farmers", district="上城区", org=qingbo, stars=4,
                            scope=["district_farmers"], operator_name="清波街道农贸市场服务中心", address="上城区清波街 12 号",
                            vendor_count=64)

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
        await _meetings(market_org)
        vendor2 = await _user("vendor2")
        await Registration.create(
            user=vendor2, status="pending", open_key=vendor2.id, unit_name="周记布艺", name="周敏",
            mobile="13900000006", is_owner=True, household_district="拱墅区", life_org=market_org,
            home_org="拱墅区米市巷街道党工委", standing="full", placement="in_market", market=market,
            stall_no="C-021", category="local", filled_on=dt.date(2026, 11, 20),
        )
    await _evaluation(district)
    await _statistics()
    return True


async def _statistics() -> None:
    """The last half-year's snapshots, as the job engine would have taken them, with 湖滨分会's
    submitted to the district (which can accept or return it on the desk)."""
    from server.clock import now, today
    from server.statistics import snapshots

    day = today()
    half = dt.date(day.year, 6, 30) if day >= dt.date(day.year, 6, 30) else dt.date(day.year - 1, 12, 31)
    await snapshots.take_all(half)
    hubin = await Snapshot.get(org__name="湖滨分会", as_of=half)
    await Snapshot.filter(id=hubin.id).update(state="submitted", submitted_at=now())


async def _evaluation(org: Org) -> None:
    """This year's 先锋指数 on the district, in its first stage: 王建国 (vendor1) has peers to
    grade and a self-evaluation to hand in; 陈静, probationary, is on the roster, excluded."""
    from server.auth import load_principal
    from server.clock import today
    from server.evaluation import cycles

    day = today()
    last = max(day, dt.date(day.year, 12, 10))
    admin = await User.get(openid="dev-admin")
    await cycles.create_cycle(await load_principal(admin), {
        "org_id": org.id, "year": day.year,
        "deadlines": {"self_until": last - dt.timedelta(days=5), "peer_until": last - dt.timedelta(days=5), "review_until": last}})


async def _meetings(org: Org) -> None:
    """The market branch's year so far, so the plan and the ledger have something to show: the
    first half kept (a congress with its record, lectures, committees, theme days), the third
    quarter's lecture and congress missed."""
    from server.activities.models import Activity, Attendance
    from server.clock import SHANGHAI, now, today
    from server.codes import random_code

    year, members = today().year, await Member.filter(life_org=org).order_by("id")
    held = [("party_congress", 3, "第一季度支部党员大会"), ("lecture", 3, "党课：诚信经营与明码标价"),
            ("party_congress", 6, "第二季度支部党员大会"), ("lecture", 5, "党课：学习党章第三章")]
    held += [("committee", m, f"{m}月支委会") for m in range(1, 8)] + [("theme_day", m, f"{m}月主题党日") for m in (1, 2, 4, 5, 6)]
    for kind, month, title in held:
        starts = dt.datetime(year, month, 12, 19, tzinfo=SHANGHAI)
        if starts > now():
            continue
        activity = await Activity.create(
            org=org, kind=kind, title=title, place="河坊街市场党员活动室", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
            counts_as_training=kind == "lecture", checkin_code=random_code(12), host=members[0], recorder=members[1],
            topics=["学习上级文件精神", "讨论市场党员先锋岗设置"] if kind == "party_congress" else [],
            minutes="一、学习上级文件精神。\n二、讨论市场党员先锋岗设置，大家一致同意在 A 区设两个先锋岗。" if kind == "party_congress" else "",
            resolutions=[{"text": "在 A 区设两个党员先锋岗", "votes_for": 2, "votes_against": 0, "abstaining": 0}]
            if kind == "party_congress" else [])
        for number, member in enumerate(members):
            status = "present" if number < 2 else "leave"
            await Attendance.create(activity=activity, member=member, status=status, method="scan" if status == "present" else "leave",
                                    recorded_at=starts, note="外出进货" if status == "leave" else "")


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
