"""What staff record at a market: 六化 items attested with evidence, and plate spot checks."""
from __future__ import annotations

import datetime as dt

from server import audit, documents, images, limits
from server.auth import Principal
from server.clock import SHANGHAI, today, utc
from server.db import MAX_ID
from server.errors import Conflict, NotFound, ValidationFailed
from server.markets import standard
from server.markets.models import Attestation, Evidence, SpotCheck
from server.markets.service import staff_market
from server.members.models import Member
from server.plates.issuing import issued_on


class ItemNotFound(NotFound):
    code, message = "item_not_found", "六化清单里没有这一项"


class ItemComputed(Conflict):
    code, message = "item_computed", "这一项由系统按记录计算，不能人工认定"


class EvidenceMissing(Conflict):
    code, message = "evidence_missing", "认定达标前请先上传照片或文件作为材料"


class CheckedInFuture(Conflict):
    code, message = "checked_on_in_future", "检查日期不能晚于今天"


class YearInFuture(Conflict):
    code, message = "year_in_future", "还没到这一年"


class EvidenceNotFound(NotFound):
    code, message = "evidence_not_found", "找不到这份材料"


class NotEvidence(documents.NotADocument):
    code, message = "evidence_type", "材料请上传照片（JPG、PNG）或 PDF 文件"


class StallNotFound(NotFound):
    code, message = "stall_not_found", "这个摊位没有登记党员，请核对摊位号"


def attested_item(item_key: str) -> standard.Item:
    item = standard.ITEMS.get(item_key)
    if item is None:
        raise ItemNotFound()
    if item.computed:
        raise ItemComputed()
    return item


def check_year(year: int) -> int:
    if year > today().year:
        raise YearInFuture()
    return year


async def checklist(principal: Principal, market_id: int, year: int | None) -> dict:
    market = await staff_market(principal, market_id)
    year = check_year(year or today().year)
    day = today() if year == today().year else dt.date(year, 12, 31)
    return (await standard.evaluate_many([market], year, day))[market.id]


async def attest(principal: Principal, market_id: int, year: int, item_key: str, data: dict) -> None:
    market = await staff_market(principal, market_id)
    check_year(year)
    attested_item(item_key)
    if data["checked_on"] > today():
        raise CheckedInFuture(fields={"checked_on": "不能晚于今天"})
    if data["met"] and not await Evidence.filter(market=market, year=year, item_key=item_key).exists():
        raise EvidenceMissing()
    values = {"met": data["met"], "inspector": data["inspector"], "checked_on": data["checked_on"],
              "note": data.get("note") or "", "recorded_by": principal.user}
    row, created = await Attestation.get_or_create(market=market, year=year, item_key=item_key, defaults=values)
    if not created:
        row.update_from_dict(values)
        await row.save()
    await audit.record("market.item.attested", actor=principal.user, org=market.org_id, target=market, year=year,
                       item=item_key, met=data["met"], inspector=data["inspector"])


async def add_evidence(principal: Principal, market_id: int, year: int, item_key: str, data: bytes, files, store) -> Evidence:
    market = await staff_market(principal, market_id)
    check_year(year)
    attested_item(item_key)
    await limits.charge(store, principal.user.id, "market.evidence")
    body, content_type = await documents.clean(data, wrong_type=NotEvidence)
    key = await files.put(body, documents.suffix(content_type))
    evidence = await Evidence.create(market=market, year=year, item_key=item_key, file_key=key,
                                     content_type=content_type, size=len(body), uploaded_by=principal.user)
    await audit.record("market.evidence.added", actor=principal.user, org=market.org_id, target=market, year=year,
                       item=item_key, evidence_id=evidence.id)
    return evidence


async def read_evidence(principal: Principal, market_id: int, evidence_id: int, files) -> tuple[bytes, str]:
    market = await staff_market(principal, market_id)
    evidence = await Evidence.get_or_none(id=evidence_id, market=market) if 0 < evidence_id <= MAX_ID else None
    data = await files.get(evidence.file_key) if evidence else None
    if data is None:
        raise EvidenceNotFound()
    return data, evidence.content_type


async def spot_check(principal: Principal, market_id: int, form: dict, photo: bytes | None, files, store) -> SpotCheck:
    market = await staff_market(principal, market_id)
    if photo is None:
        raise ValidationFailed(fields={"photo": "请拍一张摊位三亮牌的照片"})
    member = await Member.filter(market=market, stall_no=form["stall_no"], placement="in_market",
                                 membership="active").order_by("id").first()
    if member is None:
        raise StallNotFound(fields={"stall_no": "该摊位没有登记党员"})
    await limits.charge(store, principal.user.id, "market.spot_check")
    jpeg, _, _ = await images.clean(photo)
    key = await files.put(jpeg, ".jpg")
    check = await SpotCheck.create(market=market, member=member, stall_no=form["stall_no"], hung=form["hung"],
                                   readable=form["readable"], note=form.get("note") or "", photo_key=key,
                                   inspector=principal.user)
    await audit.record("market.spot_check.added", actor=principal.user, org=market.org_id, target=market,
                       stall_no=check.stall_no, hung=check.hung, readable=check.readable)
    return check


async def stalls(principal: Principal, market_id: int, year: int | None) -> dict:
    """Every stall with a party member, its plate and the year's latest check; what to fix."""
    market = await staff_market(principal, market_id)
    year = check_year(year or today().year)
    members = await Member.filter(market=market, placement="in_market", membership="active") \
        .order_by("stall_no", "id").values("id", "name", "stall_no")
    moment = standard.end_of(min(today(), dt.date(year, 12, 31)))
    plated = await issued_on([m["id"] for m in members], moment)
    first = utc(dt.datetime(year, 1, 1, tzinfo=SHANGHAI))
    latest = {c.member_id: c for c in await SpotCheck.filter(market=market, checked_at__gte=first, checked_at__lte=moment)
              .order_by("checked_at", "id")}
    items = []
    for m in members:
        check = latest.get(m["id"])
        reason = ("未发放三亮牌" if m["id"] not in plated else "本年度未抽查" if check is None else
                  "未悬挂" if not check.hung else "看不清" if not check.readable else "")
        items.append({"stall_no": m["stall_no"] or "", "member_id": m["id"], "name": m["name"],
                      "plate_issued": m["id"] in plated, "last_check": check, "to_fix": bool(reason), "reason": reason})
    return {"market_id": market.id, "year": year, "checked": len(latest),
            "hung": sum(c.hung and c.readable for c in latest.values()), "items": items}


async def spot_check_photo(principal: Principal, market_id: int, check_id: int, files) -> bytes:
    market = await staff_market(principal, market_id)
    check = await SpotCheck.get_or_none(id=check_id, market=market) if 0 < check_id <= MAX_ID else None
    data = await files.get(check.photo_key) if check else None
    if data is None:
        raise NotFound("找不到这张照片")
    return data


