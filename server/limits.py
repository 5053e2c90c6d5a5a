"""Per-user limits on work that costs the server (decoding photos, drawing plates, batches).

A logged-in user is not a reason to let them keep a core busy: each of these answers 429 with
the seconds left once the user's hourly allowance is spent. The figures leave a secretary
printing a market's plates one by one, or a vendor retaking a photo, far inside them.
"""
from __future__ import annotations

from server.errors import RateLimited
from server.kv import KeyValueStore

# action: (allowed per window, window in seconds, what the person is told)
PER_USER = {
    "photo.upload": (30, 3600, "上传照片太频繁了，请一小时后再试"),
    "plate.issue": (20, 3600, "重新生成三亮牌太频繁了，请一小时后再试"),
    "plate.render": (120, 3600, "生成三亮牌图片太频繁了，请稍后再试"),
    "plate.batch": (10, 3600, "批量打印提交太频繁了，请一小时后再试"),
    "member_code.reissue": (20, 3600, "补办签到码太频繁了，请一小时后再试"),
    "member_card.render": (60, 3600, "生成签到卡太频繁了，请稍后再试"),
    "evaluation.objection": (10, 3600, "提出异议太频繁了，请一小时后再试"),
    "letters.batch": (20, 3600, "打印反馈函太频繁了，请一小时后再试"),
    "offline.upload": (120, 3600, "上传离线签到太频繁了，请稍后再试"),
    "market.evidence": (60, 3600, "上传六化材料太频繁了，请稍后再试"),
    "market.spot_check": (300, 3600, "抽查记录提交太频繁了，请稍后再试"),
}


async def charge(store: KeyValueStore, user_id: int, action: str) -> None:
    limit, window, message = PER_USER[action]
    allowed, retry_after = await store.hit(f"rate:user:{action}:{user_id}", limit, window)
    if not allowed:
        raise RateLimited(message, extra={"retry_after": retry_after})
