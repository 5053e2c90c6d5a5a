"""Reminders before an activity, through WeChat subscribe messages, on the job engine.

A member who accepted the subscribe prompt gets one Reminder row. A periodic task (run once
across all workers) enqueues a `reminders:send` job for each reminder that is due; the queueing
lock keeps one job per reminder. The send claims the row by a conditional UPDATE (pending ->
sending) that only one attempt can win, and the claim is committed before WeChat is called: a
reminder is never sent twice. WeChat's "busy" (-1) and "too frequent" (45011) put it back to
pending and the engine tries again with backoff (2, 4, 8, 16, 32 s). A send whose outcome is
unknown (WeChat did not answer, the worker died mid-call) is marked failed, not sent again.
Reminders that came due while no worker ran (an outage) are sent late if the activity has not
started yet, else dropped with the reason.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import procrastinate

from server.activities import service as activities
from server.activities.models import Reminder
from server.clock import SHANGHAI, now
from server.errors import DomainError
from server.jobs import engine
from server.miniprogram import activity_page
from server.wechat import NOT_SUBSCRIBED, SubscribeRefused, WeChatBusy, WeChatGateway, WeChatRateLimited

log = logging.getLogger("dangjian.reminders")
STALE_SENDING = timedelta(minutes=10)
MAX_TRIES = 6  # the first and five more, over about a minute
TRANSIENT = (WeChatBusy, WeChatRateLimited)
INTERRUPTED = "interrupted while sending: not sent again, it may have arrived"
STARTED = "activity started before the reminder could be sent"


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


async def dispatch(jobs_app, *, lead: timedelta) -> dict[str, int]:
    """Settle what cannot be sent any more, and enqueue one send job per due reminder."""
    moment = now()
    counts = {"queued": 0}
    counts["interrupted"] = await Reminder.filter(status="sending", claimed_at__lt=moment - STALE_SENDING).update(
        status="failed", error=INTERRUPTED)
    counts["cancelled"] = await Reminder.filter(status="pending", activity__status="cancelled").update(
        status="skipped", error="activity cancelled")
    counts["late"] = await Reminder.filter(status="pending", activity__starts_at__lte=moment).update(
        status="skipped", error=STARTED)
    due = await Reminder.filter(status="pending", activity__status="scheduled", activity__starts_at__lte=moment + lead,
                                activity__starts_at__gt=moment).values_list("id", flat=True)
    for reminder_id in due:
        key = f"reminders:{reminder_id}"
        if await engine.defer(jobs_app, "reminders:send", queueing_lock=key, reminder_id=reminder_id) is not None:
            counts["queued"] += 1
    if any(counts.values()):
        log.info("reminders: %s", counts)
    return counts


async def send(reminder_id: int, gateway: WeChatGateway, *, template_id: str, attempt: int = 0) -> str | None:
    """One attempt at one reminder. Returns its new status, or None if it was not this attempt's
    to send (sent or settled already, or claimed by another)."""
    rows = await Reminder.filter(id=reminder_id, status="pending").values(
        "id", "activity_id", "activity__title", "activity__starts_at", "activity__place", "activity__status",
        "member__user__openid")
    if not rows:
        return None
    reminder = rows[0]
    if reminder["activity__status"] != "scheduled" or reminder["activity__starts_at"] <= now():
        reason = STARTED if reminder["activity__status"] == "scheduled" else "activity cancelled"
        await Reminder.filter(id=reminder_id, status="pending").update(status="skipped", error=reason)
        return "skipped"
    if not await Reminder.filter(id=reminder_id, status="pending").update(status="sending", claimed_at=now()):
        return None  # another attempt has it
    try:
        outcome, error = await _send(gateway, template_id, reminder)
    except TRANSIENT as exc:
        if attempt + 1 < MAX_TRIES:  # nothing was sent: WeChat refused before sending
            await Reminder.filter(id=reminder_id, status="sending").update(status="pending", error=exc.code)
            raise
        outcome, error = "failed", f"{exc.code} after {MAX_TRIES} tries"
    await Reminder.filter(id=reminder_id, status="sending").update(
        status=outcome, error=error, sent_at=now() if outcome == "sent" else None)
    return outcome


async def _send(gateway: WeChatGateway, template_id: str, reminder: dict) -> tuple[str, str]:
    openid = reminder["member__user__openid"]
    if not openid:
        return "skipped", "member has no WeChat login"
    try:
        await gateway.send_subscribe_message(openid, template_id, message(reminder),
                                             page=activity_page(reminder["activity_id"]))
    except SubscribeRefused as exc:  # WeChat's errcode is kept: 41030, 47003, 40037 each mean a different fix
        return ("skipped" if exc.errcode == NOT_SUBSCRIBED else "failed"), exc.reason
    except TRANSIENT:
        raise
    except DomainError as exc:  # no answer: it may have arrived, so it is not sent again
        return "failed", exc.code
    return "sent", ""


def blueprint() -> procrastinate.Blueprint:
    """This domain's tasks (a new blueprint for each engine built: procrastinate binds tasks to one app)."""
    tasks = procrastinate.Blueprint()

    @tasks.periodic(cron="* * * * * */15", periodic_id="dispatch")
    @tasks.task(name="dispatch", queue="reminders", queueing_lock="reminders:dispatch", pass_context=True)
    async def dispatch_task(context: procrastinate.JobContext, timestamp: int) -> dict[str, int]:
        settings = engine.resources(context).settings
        if not settings.reminder_template_id:
            return {}
        return await dispatch(context.app, lead=timedelta(minutes=settings.reminder_lead_minutes))

    @tasks.task(name="send", queue="reminders", pass_context=True, retry=procrastinate.RetryStrategy(
        max_attempts=MAX_TRIES - 1, exponential_wait=2, retry_exceptions=TRANSIENT))
    async def send_task(context: procrastinate.JobContext, reminder_id: int) -> str | None:
        parts = engine.resources(context)
        return await send(reminder_id, parts.wechat, template_id=parts.settings.reminder_template_id,
                          attempt=context.job.attempts)

    return tasks
