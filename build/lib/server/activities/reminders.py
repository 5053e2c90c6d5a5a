"""Reminders before an activity, through WeChat subscribe messages.

A member who accepted the subscribe prompt gets one Reminder row. Every worker runs the same
loop; a reminder is claimed by a conditional UPDATE (pending -> sending) that only one worker
can win, so it is sent once however many workers there are. The row records the outcome, so a
restart neither loses a pending reminder nor repeats a sent one; one caught mid-send by a crash
is marked failed rather than sent twice.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from server.activities import service as activities
from server.activities.models import Reminder
from server.clock import SHANGHAI, now
from server.errors import DomainError
from server.miniprogram import activity_page
from server.wechat import NOT_SUBSCRIBED, SubscribeRefused, WeChatGateway

log = logging.getLogger("dangjian.reminders")
STALE_SENDING = timedelta(minutes=10)


def message(activity: dict) -> dict:
    """Template data. The template chosen in the WeChat console must have these three keys."""
    starts = activity["activity__starts_at"].astimezone(SHANGHAI)
    return {"thing1": {"value": activity["activity__title"][:20]},
            "time2": {"value": starts.strftime("%Y年%m月%d日 %H:%M")},
            "thing3": {"value": (activity["activity__place"] or "见小程序")[:20]}}


async def subscribe(principal, activity_id: int) -> tuple[Reminder, bool]:
    """The member accepted the subscribe prompt for this activity: remember to remind them once."""
    activity, member = await activities.activity_for_member(principal, activity_id)
    return await Reminder.get_or_create(activity=activity, member=member)


async def send_due(gateway: WeChatGateway, *, template_id: str, lead: timedelta) -> dict[str, int]:
    """One pass: send the reminders whose activity starts within `lead`. Returns counts."""
    moment = now()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    await Reminder.filter(status="sending", claimed_at__lt=moment - STALE_SENDING).update(
        status="failed", error="interrupted while sending")
    counts["skipped"] += await Reminder.filter(status="pending", activity__status="cancelled").update(
        status="skipped", error="activity cancelled")
    due = await Reminder.filter(
        status="pending", activity__status="scheduled",
        activity__starts_at__lte=moment + lead, activity__starts_at__gt=moment,
    ).values("id", "activity_id", "activity__title", "activity__starts_at", "activity__place", "member__user__openid")
    for reminder in due:
        claimed = await Reminder.filter(id=reminder["id"], status="pending").update(status="sending", claimed_at=now())
        if not claimed:
            continue  # another worker has it
        outcome, error = await _send(gateway, template_id, reminder)
        await Reminder.filter(id=reminder["id"]).update(status=outcome, error=error,
                                                        sent_at=now() if outcome == "sent" else None)
        counts[outcome] += 1
    return counts


async def _send(gateway: WeChatGateway, template_id: str, reminder: dict) -> tuple[str, str]:
    openid = reminder["member__user__openid"]
    if not openid:
        return "skipped", "member has no WeChat login"
    try:
        await gateway.send_subscribe_message(openid, template_id, message(reminder),
                                             page=activity_page(reminder["activity_id"]))
    except SubscribeRefused as exc:  # WeChat's errcode is kept: 41030, 47003, 40037 each mean a different fix
        return ("skipped" if exc.errcode == NOT_SUBSCRIBED else "failed"), exc.reason
    except DomainError as exc:  # WeChat unreachable, busy or limiting
        return "failed", exc.code
    return "sent", ""


async def run_forever(app) -> None:
    """The loop each worker runs (started by the app when reminders are configured)."""
    settings = app.ctx.settings
    lead = timedelta(minutes=settings.reminder_lead_minutes)
    while True:
        try:
            counts = await send_due(app.ctx.wechat, template_id=settings.reminder_template_id, lead=lead)
            if any(counts.values()):
                log.info("reminders: %s", counts)
        except Exception:  # noqa: BLE001 — the loop must outlive a database hiccup; it is logged whole
            log.exception("reminder pass failed")
        await asyncio.sleep(settings.reminder_interval_seconds)
