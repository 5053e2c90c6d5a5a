"""Rules of markets: who may add and change them, and what a market's record must hold together
(its 星级 and the scope it claims, its party org's form and level, no fewer 经营户 than the party
members trading there)."""
from __future__ import annotations

from server import audit
from server.auth import Principal
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.markets.models import Market
from server.members.models import Member
from server.orgs.models import Org
from server.orgs.service import NotAnAdmin, org_for_field


class MarketNotFound(NotFound):
    code, message = "market_not_found", "找不到该市场"


class MarketInvalid(Conflict):
    code, message = "market_invalid", "市场信息前后矛盾，请检查标出的项目"


class VendorCountTooLow(Conflict):
    code = "vendor_count_too_low"


async def list_markets(org_id: int | None = None, district: str | None = None, under: int | None = None) -> list[Market]:
    query = Market.all().order_by("name")
    if org_id:
        query = query.filter(org_id=org_id)
    if under:
        root = await Org.get_or_none(id=under)
        query = query.filter(org__path__startswith=root.path) if root else query.filter(id=0)
    if district:
        query = query.filter(district=district)
    return await query


async def staff_market(principal: Principal, market_id: int, kinds: tuple[str, ...] = ("secretary", "admin")) -> Market:
    """A market whose org the caller's staff role reaches; any other is not found."""
    market = await Market.get_or_none(id=market_id).select_related("org") if 0 < market_id <= MAX_ID else None
    if market is None or not principal.reaches(market.org, kinds):
        raise MarketNotFound()
    return market


async def members_trading(market_id: int) -> int:
    return await Member.filter(market_id=market_id, placement="in_market", membership="active").count()


def _check(values: dict) -> None:
    """The rules between fields (schema-valid bodies that contradict themselves: 409)."""
    wrong = {}
    scope, stars, kind = set(values.get("scope") or ()), values.get("stars"), values.get("kind")
    if "five_star" in scope and stars != 5:
        wrong["scope"] = "五星级市场的星级须为5"
    if "district_farmers" in scope and (kind != "farmers" or (stars or 0) < 4):
        wrong["scope"] = "城区四星级以上农贸市场须为农贸市场且星级不低于4"
    if "county_central" in scope and kind != "farmers":
        wrong["scope"] = "县城中心农贸市场须为农贸市场"
    if (values.get("org_form") is None) != (values.get("org_level") is None):
        wrong["org_level"] = "已建党组织的市场须同时填写组建方式和建制；未建的两项都不填"
    if wrong:
        raise MarketInvalid(fields=wrong)


async def _check_vendors(market_id: int | None, vendor_count: int) -> None:
    trading = await members_trading(market_id) if market_id else 0
    if vendor_count < trading:
        raise VendorCountTooLow(f"经营户总数不能少于在本市场经营的党员数（{trading}人）",
                                fields={"vendor_count": f"至少 {trading}"})


def _dedupe(data: dict) -> dict:
    if data.get("scope") is not None:
        data["scope"] = sorted(set(data["scope"]))
    if data.get("workers") is not None:
        data["workers"] = list(dict.fromkeys(data["workers"]))
    return data


async def create_market(principal: Principal, data: dict) -> Market:
    org = await org_for_field(data["org_id"], "org_id")
    if not principal.reaches(org, ("admin",)):
        await audit.record("market.create.denied", actor=principal.user, org=org, name=data["name"])
        raise NotAnAdmin()
    values = _dedupe({k: v for k, v in data.items() if v is not None})
    _check(values)
    market = await Market.create(**values)
    await audit.record("market.created", actor=principal.user, org=org, target=market, name=market.name)
    return market


NULLABLE = ("stars", "org_form", "org_level", "funds_yuan")  # null in a change clears these


async def update_market(principal: Principal, market_id: int, changes: dict) -> Market:
    """`changes`: only the fields sent; null clears a NULLABLE field and is ignored for the others."""
    market = await staff_market(principal, market_id)
    changes = _dedupe({k: v for k, v in changes.items() if v is not None or k in NULLABLE})
    _check({**{f: getattr(market, f) for f in ("kind", "scope", "stars", "org_form", "org_level")}, **changes})
    if "vendor_count" in changes:
        await _check_vendors(market.id, changes["vendor_count"])
    changed = {k: [getattr(market, k), v] for k, v in changes.items() if getattr(market, k) != v}
    if changed:
        market.update_from_dict(changes)
        await market.save()
        await audit.record("market.updated", actor=principal.user, org=market.org_id, target=market, changes=changed)
    return market


async def detail(market: Market) -> dict:
    fields = ("id", "name", "kind", "district", "org_id", "stars", "address", "scope", "vendor_count", "org_form",
              "org_level", "operator_name", "operator_contact", "workers", "has_room", "has_board", "funds_yuan")
    return {**{f: getattr(market, f) for f in fields}, "party_members": await members_trading(market.id)}
