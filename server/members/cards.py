"""Member cards (党员签到卡): the wallet card with the member's sign-in code, one or an org's worth
on one PDF, drawn by the plates renderer (plates.MEMBER_CARD) in a thread, never on the event
loop. The photo is printed only for a member who agreed to show it publicly."""
from __future__ import annotations

import asyncio
import io

import plates
from server import audit, limits
from server.auth import Principal
from server.db import MAX_ID
from server.errors import Conflict, Forbidden, ReferenceNotFound
from server.members import codes
from server.members.models import Member
from server.members.service import get_member
from server.orgs.models import Org
from server.plates import issuing
from server.plates.profiles import consented_photos

MAX_CARDS = 500  # one PDF; a bigger org prints branch by branch
TITLE = "党员签到卡"


class TooManyCards(Conflict):
    code, message = "too_many_cards", f"一次最多打印 {MAX_CARDS} 张签到卡，请按支部分批打印"


class NoCards(Conflict):
    code, message = "no_cards", "这个组织没有在册党员，未生成文件"


class NotOrgStaff(Forbidden):
    code, message = "not_org_staff", "只能为你所管辖范围内的组织打印签到卡"


async def _cards(members: list[Member], settings, files) -> list[plates.PlateData]:
    """The cards' data, read a handful of times for all of them (codes issued where missing)."""
    ids = [m.id for m in members]
    held = await codes.ensure_many(ids)
    photos = await consented_photos(ids)
    orgs = dict(await Org.filter(id__in={m.life_org_id for m in members}).values_list("id", "name"))
    emblem = issuing.emblem(settings.plate_emblem)
    return [plates.PlateData(name=m.name, url=codes.card_url(held[m.id], settings.public_base_url), code=held[m.id],
                             unit_name=m.unit_name, org=orgs[m.life_org_id], title=TITLE, emblem=emblem,
                             photo=await files.get(photos[m.id]) if m.id in photos else None)
            for m in members]


def _pdf(cards: list[plates.PlateData], fonts: plates.FontSet) -> bytes:
    out = io.BytesIO()
    plates.write_pdf(cards, out, plates.MEMBER_CARD, fonts)
    return out.getvalue()


async def one(principal: Principal, member_id: int, settings, files, store) -> bytes:
    member = await get_member(principal, member_id)
    await limits.charge(store, principal.user.id, "member_card.render")
    fonts = issuing.fonts(settings)
    return await asyncio.to_thread(_pdf, await _cards([member], settings, files), fonts)


async def of_org(principal: Principal, org_id: int, settings, files, store) -> bytes:
    """Every member on the roster of the org's subtree that the caller reaches, in name order."""
    org = await Org.get_or_none(id=org_id) if 0 < org_id <= MAX_ID else None
    if org is None:
        raise ReferenceNotFound(fields={"org_id": "找不到该组织"})
    if not principal.reaches(org):
        await audit.record("member_card.batch.denied", actor=principal.user, org=org)
        raise NotOrgStaff()
    members = Member.filter(await principal.scope("life_org", within=org), membership="active")
    count = await members.count()
    if count > MAX_CARDS:
        raise TooManyCards()
    if not count:
        raise NoCards()
    await limits.charge(store, principal.user.id, "member_card.render")
    fonts = issuing.fonts(settings)
    body = await asyncio.to_thread(_pdf, await _cards(await members.order_by("name", "id"), settings, files), fonts)
    await audit.record("member_card.batch", actor=principal.user, org=org, count=count)
    return body
