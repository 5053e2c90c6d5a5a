"""Test data factories. Every test builds its own small org tree with unique names, so tests
never see each other's rows and need no clean-up between them."""
from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field

from server import auth
from server.accounts.models import User
from server.members import history
from server.members.models import Member
from server.markets.models import Market
from server.orgs.models import Org, Role
from server.orgs.service import insert_org
from tests.asgi import client

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}-{uuid.uuid4().hex[:6]}"


async def make_org(name: str, kind: str, parent: Org | None = None, district: str = "上城区") -> Org:
    return await insert_org(unique(name), kind, district, parent)


async def make_user(name: str = "user") -> User:
    return await User.create(openid=f"dev-{unique(name)}")


# Members a test makes have been on the roster since long before any activity it makes.
LONG_AGO = dt.date(2020, 1, 1)


async def make_member(user: User | None, life_org: Org, *, on_roster_since: dt.date = LONG_AGO, **overrides) -> Member:
    values = dict(
        name="王建国", mobile="13900000001", unit_name="建国南北货商行", is_owner=True, household_district="上城区",
        life_org=life_org, home_org="上城区市场监管局机关党委", category="affiliated", standing="full",
        placement="standalone", market=None, stall_no=None,
    )
    values.update(overrides)
    member = await Member.create(user=user, **values)
    await history.start(member, on=on_roster_since, by=None, reason="测试数据")
    return member


def registration_payload(world: "World", **overrides) -> dict:
    payload = {
        "unit_name": "秀英茶叶店",
        "name": "李秀英",
        "mobile": "13812345678",
        "is_owner": True,
        "household_district": "西湖区",
        "life_org_id": world.party_a.id,
        "home_org": "西湖区北山街道党工委",
        "standing": "full",
        "placement": "in_market",
        "market_id": world.market.id,
        "stall_no": "A-015",
        "category": "local",
    }
    payload.update(overrides)
    return payload


@dataclass
class World:
    backend: object
    root: Org
    branch_a: Org
    branch_b: Org
    party_a: Org
    party_b: Org
    market: Market
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str | None = None, *, token: str | None = None, ip: str = "127.0.0.1"):
        return client(self.backend.app, self.tokens[who] if who else token, ip=ip)

    async def add_user(self, who: str, *, role: str | None = None, org: Org | None = None) -> User:
        user = await make_user(who)
        if role:
            await Role.create(user=user, org=org, role=role)
        self.users[who] = user
        self.tokens[who] = await auth.issue_token(user, 1)
        return user


async def make_world(backend) -> World:
    """admin on the root; sec_a on branch A, sec_b on branch B; vendor: a user with no record;
    member_a: a member of party branch A with a login."""
    root = await make_org("市协会", "association")
    branch_a = await make_org("湖滨分会", "branch", root)
    branch_b = await make_org("清波分会", "branch", root)
    party_a = await make_org("湖滨第一党支部", "party_branch", branch_a)
    party_b = await make_org("清波党支部", "party_branch", branch_b)
    market = await Market.create(name=unique("河坊街市场"), kind="comprehensive", district="上城区", org=branch_a)
    world = World(backend, root, branch_a, branch_b, party_a, party_b, market)
    await world.add_user("admin", role="admin", org=root)
    await world.add_user("sec_a", role="secretary", org=branch_a)
    await world.add_user("sec_b", role="secretary", org=branch_b)
    await world.add_user("vendor")
    member_user = await world.add_user("member_a")
    world.member_a = await make_member(member_user, party_a)
    return world


async def make_activity(world: World, *, org: Org | None = None, starts_in_minutes: int = 10, hours: int = 2, **overrides):
    """An activity of party branch A starting soon, so its check-in window is open now."""
    import datetime as dt

    from server.activities.models import Activity
    from server.clock import now
    from server.codes import random_code

    starts = now() + dt.timedelta(minutes=starts_in_minutes)
    values = dict(org=org or world.party_a, kind="party_congress", title="支部党员大会", place="市场党员活动室",
                  starts_at=starts, ends_at=starts + dt.timedelta(hours=hours), checkin_code=random_code(12))
    values.update(overrides)
    return await Activity.create(**values)


async def make_logged_in_members(life_org: Org, count: int) -> list[str]:
    """`count` members of `life_org`, each with a login; returns their bearer tokens (bulk inserts)."""
    import secrets

    from server.accounts.models import AuthToken
    from server.clock import now

    prefix = unique("bulk")
    await User.bulk_create([User(openid=f"dev-{prefix}-{i}") for i in range(count)])
    users = await User.filter(openid__startswith=f"dev-{prefix}-").order_by("id")
    await Member.bulk_create([
        Member(user=u, name=f"党员{i}", mobile="13900000000", unit_name="摊位", is_owner=True,
               household_district="上城区", life_org=life_org, home_org="党委", category="local",
               standing="full", placement="standalone") for i, u in enumerate(users)])
    await history.start_many(await Member.filter(user_id__in=[u.id for u in users]), on=LONG_AGO, by=None,
                             reason="测试数据")
    bearer = [secrets.token_urlsafe(32) for _ in users]
    expires = now().replace(year=now().year + 1)
    await AuthToken.bulk_create([AuthToken(user=u, token_hash=auth.hash_token(t), expires_at=expires)
                                 for u, t in zip(users, bearer)])
    return bearer
