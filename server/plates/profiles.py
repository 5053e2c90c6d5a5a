"""The member's public profile: the separate consent that makes it public, the pledge and the
photo. Every change that shows on the public page drops the page from the cache."""
from __future__ import annotations

from tortoise.transactions import in_transaction

import plates

from server import audit, images, limits
from server.auth import Principal
from server.clock import now
from server.errors import Forbidden, NotFound
from server.members.models import Member
from server.members.service import get_member
from server.plates import cache, content
from server.plates.models import Consent, Profile
from server.storage import FileStorage
from server.wechat import WeChatGateway

# The text shown on the consent screen and stored with every consent. A new wording gets a
# new version; the client sends back the version it showed, so what was agreed to is exact.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = (
    "为落实“三亮”（亮身份、亮承诺、亮形象）要求，我同意将以下个人信息在我的摊位三亮牌二维码页面上向公众公开："
    "姓名、照片、党员身份、所在市场及摊位号、经营单位名称、我的承诺、群众评价及先锋指数星级。"
    "手机号、户籍、组织关系所在地及登记表其他内容不会公开。"
    "我可以随时撤回本同意，撤回后页面立即停止展示上述信息，但不影响撤回前基于同意已进行的处理。"
)
PLEDGE_MAX = 80


class ConsentIsPersonal(Forbidden):
    code, message = "consent_is_personal", "公开个人信息须由党员本人在小程序中同意，他人不能代为同意"


class ConsentVersionStale(Forbidden):
    status, code, message = 409, "consent_version_stale", "同意书内容已更新，请重新阅读后再同意"


class PhotoNotFound(NotFound):
    code, message = "photo_not_found", "还没有上传照片"


async def consented_photos(member_ids: list[int]) -> dict[int, str]:
    """member id → photo key, for the members who agreed to show their profile publicly (reading
    only: no empty profile is made for the others)."""
    return dict(await Profile.filter(member_id__in=member_ids, consent_at__isnull=False, photo_key__isnull=False)
                .values_list("member_id", "photo_key"))


async def profile_of(member: Member) -> Profile:
    profile, _ = await Profile.get_or_create(member=member)
    return profile


async def _own_member(principal: Principal, member_id: int) -> Member:
    member = await get_member(principal, member_id)
    if member.user_id != principal.user.id:
        await audit.record("profile.consent.denied", actor=principal.user, target=member)
        raise ConsentIsPersonal()
    return member


async def view(principal: Principal, member_id: int) -> tuple[Member, Profile]:
    """The member or their staff see the profile as they manage it."""
    member = await get_member(principal, member_id)
    return member, await profile_of(member)


async def give_consent(principal: Principal, member_id: int, version: str, store) -> Profile:
    """Idempotent: agreeing again while consent stands changes nothing."""
    member = await _own_member(principal, member_id)
    if version != CONSENT_VERSION:
        raise ConsentVersionStale(extra={"current_version": CONSENT_VERSION})
    await profile_of(member)  # the row exists before it is locked
    async with in_transaction():
        profile = await Profile.filter(member=member).select_for_update().get()
        if profile.consent_at is None:
            consent = await Consent.create(member=member, user=principal.user, version=version, text=CONSENT_TEXT)
            profile.consent_at = consent.granted_at
            await profile.save(update_fields=["consent_at", "updated_at"])
            await audit.record("profile.consent.given", actor=principal.user, org=member.life_org_id, target=member,
                               version=version)
    await cache.forget_member(member.id, store)
    return profile


async def withdraw_consent(principal: Principal, member_id: int, store) -> Profile:
    member = await _own_member(principal, member_id)
    profile = await profile_of(member)
    if profile.consent_at is not None:
        moment = now()
        await Consent.filter(member=member, withdrawn_at=None).update(withdrawn_at=moment)
        profile.consent_at = None
        await profile.save(update_fields=["consent_at", "updated_at"])
        await audit.record("profile.consent.withdrawn", actor=principal.user, org=member.life_org_id, target=member)
    # Always, not only on a change: the page must be gone the moment this answers.
    await cache.forget_member(member.id, store)
    return profile


async def update_pledge(principal: Principal, member_id: int, pledge: str, gateway: WeChatGateway, store) -> Profile:
    member, profile = await view(principal, member_id)
    # The author is always a mini-program user, so WeChat's check always applies to a pledge.
    verdict = await content.check(pledge, field="pledge", gateway=gateway, openid=principal.user.openid, scene=1)
    if verdict != "pass":  # a pledge has no moderation queue: unclear text is sent back
        raise content.ContentRejected(fields={"pledge": "微信内容安全检测需要人工复核，请换一种说法"})
    if pledge != profile.pledge:
        profile.pledge = pledge
        await profile.save(update_fields=["pledge", "updated_at"])
        await audit.record("profile.pledge.updated", actor=principal.user, org=member.life_org_id, target=member)
        await cache.forget_member(member.id, store)
    return profile


async def upload_photo(principal: Principal, member_id: int, data: bytes, files: FileStorage, store) -> Profile:
    member, profile = await view(principal, member_id)
    await limits.charge(store, principal.user.id, "photo.upload")
    # Kept at the largest plate's photo slot: what the plate prints and more than the page shows.
    jpeg, _width, _height = await images.clean(data, fit=plates.PHOTO_PX)
    old_key, profile.photo_key = profile.photo_key, await files.put(jpeg, ".jpg")
    await profile.save(update_fields=["photo_key", "updated_at"])
    if old_key:  # a replaced photo is not kept anywhere
        await files.delete(old_key)
    await audit.record("profile.photo.updated", actor=principal.user, org=member.life_org_id, target=member)
    await cache.forget_member(member.id, store)
    return profile


async def read_photo(profile: Profile, files: FileStorage) -> bytes:
    data = await files.get(profile.photo_key) if profile.photo_key else None
    if data is None:
        raise PhotoNotFound()
    return data
