"""The roster as a workbook (GET /members/export.xlsx): the list's filters and as_of, the
template's columns. Personal data leaves the system here: every export is audited with the
filter used, and full mobiles (masked by default) are audited as such."""
from __future__ import annotations

import asyncio

from server import audit
from server.auth import Principal
from server.clock import today
from server.errors import Conflict
from server.members import roster, roster_book, service
from server.members.models import BUSINESS_STATUSES, CATEGORIES, GENDERS, PLACEMENTS, STANDINGS
from server.markets.models import Market
from server.orgs.models import Org

LABELS = {"gender": GENDERS, "category": CATEGORIES, "standing": STANDINGS, "placement": PLACEMENTS,
          "business_status": BUSINESS_STATUSES}


class ExportTooLarge(Conflict):
    code = "export_too_large"
    message = f"一次最多导出 {roster.MAX_ROWS} 名党员，请按组织或条件分开导出"


def mask(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else "****"


def _rows(items: list[dict], orgs: dict, markets: dict, full_mobile: bool) -> list[list]:
    rows = []
    for item in items:
        values = {**item, "life_org": orgs.get(item["life_org_id"]), "market": markets.get(item["market_id"]),
                  "mobile": item["mobile"] if full_mobile else mask(item["mobile"]),
                  "is_owner": "是" if item["is_owner"] else "否"}
        rows.append([LABELS[c.field].get(values[c.field]) if c.field in LABELS else values.get(c.field)
                     for c in roster.COLUMNS])
    return rows


def _book(items: list[dict], orgs: dict, markets: dict, full_mobile: bool, note: str) -> bytes:
    return roster_book.export(_rows(items, orgs, markets, full_mobile), note)


async def export(principal: Principal, filters: dict, full_mobile: bool) -> tuple[bytes, str]:
    """The members are read a thousand at a time, so the event loop serves other requests
    between reads; the rows are laid out and the file made in a thread."""
    chunks = service.members_in_chunks(principal, **filters, most=roster.MAX_ROWS)
    total = await anext(chunks)
    if total > roster.MAX_ROWS:
        await chunks.aclose()
        raise ExportTooLarge(extra={"total": total})
    items = [item async for chunk in chunks for item in chunk]
    orgs = dict(await Org.filter(id__in={i["life_org_id"] for i in items} or [0]).values_list("id", "name"))
    markets = dict(await Market.filter(id__in={i["market_id"] for i in items if i["market_id"]} or [0])
                   .values_list("id", "name"))
    used = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v is not None}
    await audit.record("members.exported", actor=principal.user, rows=len(items), filters=used,
                       full_mobile=full_mobile)
    if full_mobile:
        await audit.record("members.exported.full_mobile", actor=principal.user, rows=len(items), filters=used)
    day = (filters.get("as_of") or today()).isoformat()
    note = f"党员名册（{day}），共 {len(items)} 人；" + ("手机号完整，注意保密" if full_mobile else "手机号已打码")
    body = await asyncio.to_thread(_book, items, orgs, markets, full_mobile, note)
    return body, day
