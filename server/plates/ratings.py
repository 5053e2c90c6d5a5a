"""Customers' ratings of a plate, and their moderation by the member's secretary.

A customer is known only as a keyed hash: of their openid when they come through the
mini-program, else of a random id in a signed cookie. One rating per customer per member per
Shanghai day (a unique constraint), a client nonce so a double tap stores one rating, and rate
limits per client address and per plate so a flood stores no more than the limits allow.
Scores of 1–2, complaints and comments WeChat wants a person to look at wait for the secretary,
who publishes or hides them (the reason is kept) and may reply under them. A comment typed on
the web page cannot go through WeChat's check (it needs an openid): it waits for the secretary
too, shown nowhere, while its score counts at once.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from server import audit
from server.auth import Principal
from server.clock import now, today
from server.db import MAX_ID, page_of
from server.errors import Conflict, Forbidden, NotFound, RateLimited
from server.kv import seconds_left
from server.members.models import Member
from server.members.service import get_member
from server.observe import RATINGS
from server.plates import cache, content, public
from server.plates.models import Rating

PER_CLIENT_PER_MINUTE = 10
PER_CLIENT_PER_HOUR = 60
PER_PLATE_PER_HOUR = 60
THANKS = {"published": "感谢您的评价！", "flagged": "感谢您的反馈，您的意见已转交党支部书记处理。",
          "comment_held": "感谢您的评价！评分已计入，留言经审核后显示。"}


class AlreadyRatedToday(Conflict):
    code, message = "already_rated_today", "您今天已经评价过这位经营户了，明天可以再来"


class RatingNotFound(NotFound):
    code, message = "rating_not_found", "找不到该评价"


class OwnPlate(Forbidden):
    code, message = "own_plate", "不能给自己的三亮牌评价"


@dataclass(frozen=True)
class Customer:
    channel: str  # miniprogram (WeChat openid) | web (signed cookie)
    identity: str  # the openid or the cookie's random id; never stored as such
    user_id: int | None = None  # a logged-in mini-program user

    def key(self, secret: str) -> str:
        digest = hmac.new(secret.encode(), f"{self.channel}:{self.identity}".encode(), hashlib.sha256)
        return digest.hexdigest()[:40]


async def _limit_sender(store, client: str) -> None:
    """Every attempt counts against the one who sends it, refused ones included."""
    for key, limit, window in ((f"rate:rating:client:{client}:m", PER_CLIENT_PER_MINUTE, 60),
                               (f"rate:rating:client:{client}:h", PER_CLIENT_PER_HOUR, 3600)):
        allowed, retry_after = await store.hit(key, limit, window)
        if not allowed:
            raise RateLimited("评价提交太频繁，请稍后再试", extra={"retry_after": retry_after})


def _plate_key(plate_code: str) -> str:
    return f"rate:rating:plate:{plate_code}:h"


async def _check_plate_quota(store, plate_code: str) -> None:
    """Only stored ratings use a plate's hourly quota (see _charge_plate): posts the word list
    or WeChat refuses cannot use it up and so silence genuine complaints."""
    if int(await store.get(_plate_key(plate_code)) or 0) >= PER_PLATE_PER_HOUR:
        retry_after = seconds_left(await store.ttl(_plate_key(plate_code)), 3600)
        raise RateLimited("这块三亮牌这一小时收到的评价太多了，请稍后再试", extra={"retry_after": retry_after})


async def _charge_plate(store, plate_code: str) -> None:
    await store.incr(_plate_key(plate_code), 3600)


def thanks_key(answer: dict) -> str:
    """Which of THANKS an answer carries (the page's form redirects with it)."""
    return next(key for key, text in THANKS.items() if text == answer["message"])


def _answer(rating: Rating) -> dict:
    held = rating.status == "flagged" and rating.flag_reason in public.SCORE_COUNTS_WHILE_FLAGGED
    return {"status": rating.status, "message": THANKS["comment_held" if held else rating.status]}


async def submit(code: str, *, score: int, comment: str, complaint: bool, nonce: str, customer: Customer,
                 client: str, store, gateway, secret: str) -> tuple[dict, bool]:
    """(answer, created). The same nonce again answers like the first time and stores nothing."""
    entry = await public.public_profile(code, store)  # unknown, replaced or not public: refused
    who = customer.key(secret)
    # The nonce is unique per member, not per customer: a browser's first double tap arrives
    # before it has a cookie, as two "customers" with one nonce.
    earlier = await Rating.get_or_none(member_id=entry.member_id, nonce=nonce)
    if earlier is not None:
        return _answer(earlier), False
    await _limit_sender(store, client)
    if customer.user_id is not None and await Member.exists(id=entry.member_id, user_id=customer.user_id):
        raise OwnPlate()
    await _check_plate_quota(store, code)
    openid = customer.identity if customer.channel == "miniprogram" else None
    verdict = await content.check(comment, field="comment", gateway=gateway, openid=openid, scene=2,
                                  wechat_down_means_review=True)
    flag_reason = ("low_score" if score <= 2 else "complaint" if complaint else
                   {"pass": "", "review": "content_review", "unchecked": "unchecked_comment"}[verdict])
    try:
        rating = await Rating.create(
            member_id=entry.member_id, plate_id=entry.plate_id, score=score, comment=comment, is_complaint=complaint,
            customer=who, channel=customer.channel, day=today(), nonce=nonce,
            status="flagged" if flag_reason else "published", flag_reason=flag_reason)
    except IntegrityError as exc:
        earlier = await Rating.get_or_none(member_id=entry.member_id, nonce=nonce)  # sent twice at once
        if earlier is not None:
            return _answer(earlier), False
        raise AlreadyRatedToday() from exc
    await _charge_plate(store, code)
    RATINGS.labels(rating.status).inc()
    if rating.status == "published" or rating.flag_reason in public.SCORE_COUNTS_WHILE_FLAGGED:
        await cache.forget([code], store)
    return _answer(rating), True


# ---------------------------------------------------------------------------------------------
# Moderation


async def _visible(principal: Principal):
    return Rating.filter(await principal.scope("member__life_org"))


async def list_ratings(principal: Principal, *, status=None, member_id=None, limit=50, offset=0):
    query = await _visible(principal)
    if status:
        query = query.filter(status=status)
    if member_id:
        query = query.filter(member_id=member_id)
    return await page_of(query.select_related("member"), ("-id",), offset, limit)


async def member_ratings(principal: Principal, member_id: int, *, limit=50, offset=0):
    """The rated member sees what the public sees; their staff see everything."""
    member = await get_member(principal, member_id)
    query = Rating.filter(member_id=member.id)
    if not principal.reaches(member.life_org):
        query = query.filter(status="published")
    return await page_of(query.select_related("member"), ("-id",), offset, limit)


async def _staff_rating(principal: Principal, rating_id: int, action: str) -> Rating:
    rating = await Rating.get_or_none(id=rating_id).select_related("member__life_org", "plate") \
        if 0 < rating_id <= MAX_ID else None
    if rating is None or not principal.reaches(rating.member.life_org):
        if rating is not None:
            await audit.record(f"rating.{action}.denied", actor=principal.user, target=rating)
        raise RatingNotFound()
    return rating


async def _moderate(principal: Principal, rating: Rating, action: str, store, **changes) -> Rating:
    rating.update_from_dict(changes)
    await rating.save()
    await audit.record(f"rating.{action}", actor=principal.user, org=rating.member.life_org_id, target=rating,
                       **{k: v for k, v in changes.items() if k in ("hidden_reason", "reply")})
    await cache.forget_member(rating.member_id, store)
    return rating


async def publish(principal: Principal, rating_id: int, store) -> Rating:
    rating = await _staff_rating(principal, rating_id, "publish")
    if rating.status == "published":
        return rating
    return await _moderate(principal, rating, "published", store, status="published", hidden_reason=None,
                           moderated_by=principal.user, moderated_at=now())


async def hide(principal: Principal, rating_id: int, reason: str, store) -> Rating:
    rating = await _staff_rating(principal, rating_id, "hide")
    if rating.status == "hidden" and rating.hidden_reason == reason:
        return rating
    return await _moderate(principal, rating, "hidden", store, status="hidden", hidden_reason=reason,
                           moderated_by=principal.user, moderated_at=now())


async def reply(principal: Principal, rating_id: int, text: str, store, gateway) -> Rating:
    rating = await _staff_rating(principal, rating_id, "reply")
    verdict = await content.check(text, field="reply", gateway=gateway, openid=principal.user.openid, scene=2)
    if verdict != "pass":
        raise content.ContentRejected(fields={"reply": "微信内容安全检测需要人工复核，请换一种说法"})
    if rating.reply == text:
        return rating
    return await _moderate(principal, rating, "replied", store, reply=text, replied_by=principal.user,
                           replied_at=now())


async def year_figures(member_ids: list[int], year: int) -> dict[int, dict]:
    """Per member, the year's published ratings (average, count) and the complaints the secretary
    upheld (published after review): the customer input of the 先锋指数."""
    import datetime as dt

    from tortoise.expressions import RawSQL
    from tortoise.functions import Count

    rows = await Rating.filter(member_id__in=member_ids, status="published", day__gte=dt.date(year, 1, 1),
                               day__lte=dt.date(year, 12, 31)) \
        .annotate(total=RawSQL("SUM(score)"), count=Count("id"),
                  complaints=RawSQL("SUM(CASE WHEN is_complaint AND moderated_by_id IS NOT NULL THEN 1 ELSE 0 END)")) \
        .group_by("member_id").values_list("member_id", "total", "count", "complaints")
    out = {member_id: {"average": None, "count": 0, "complaints_upheld": 0} for member_id in member_ids}
    for member_id, total, count, complaints in rows:
        out[member_id] = {"average": round(float(total) / count, 2), "count": count, "complaints_upheld": int(complaints or 0)}
    return out
