"""The secretary's plan reminder: a week before a period ends with a required meeting of the org
not held, one WeChat subscribe message names what is missing.

A secretary taps 提醒我 on the plan screen (a one-time subscribe permission: one message each);
a daily periodic task on the job engine (run once across all workers) looks at every pending
permission, and for an org with something due and ending within a week claims the row
(pending -> sending, a conditional update only one worker wins) and sends. WeChat's busy and
too-frequent answers leave it pending for the next day's run (the period still has days left);
anything else settles it, with WeChat's errcode kept.
"""
from __future__ import annotations

import logging

import procrastinate

from server.activities import plan
from server.activities.models import PlanReminder
from server.clock import SHANGHAI, now
from server.jobs import engine
from server.miniprogram import plan_page
from server.orgs.models import Org
from server.wechat import WeChatGateway, send_once

log = logging.getLogger("dangjian.plan_reminders")


def message(org_name: str, missing: list[dict]) -> dict:
    """Template data: thing1 the org, thing2 what is missing, date3 the period's last day."""
    first = missing[0]
    what = f"{first['label']}未召开{first['kind_label']}" + (f"等{len(missing)}项" if len(missing) > 1 else "")
    return {"thing1": {"value": org_name[:20]}, "thing2": {"value": what[:20]},
            "date3": {"value": first["last_day"].strftime("%Y年%m月%d日")}}


async def remind_all(gateway: WeChatGateway, *, template_id: str, moment=None) -> dict[str, int]:
    moment = moment or now()
    counts = {"sent": 0, "failed": 0, "skipped": 0, "kept": 0}
    pending = await PlanReminder.filter(status="pending").values_list("id", "org_id", "user__openid")
    plans: dict[int, tuple[str, list[dict]]] = {}
    for reminder_id, org_id, openid in pending:
        if org_id not in plans:
            org = await Org.get(id=org_id)
            year_plan = await plan.year_plan(org, moment.astimezone(SHANGHAI).year, moment)
            missing = plan.ending_soon(year_plan, moment)
            plans[org_id] = (org.name, missing)
        org_name, missing = plans[org_id]
        if not missing:
            continue  # nothing ending soon: the permission waits for a period that needs it
        if not await PlanReminder.filter(id=reminder_id, status="pending").update(status="sending"):
            continue  # another worker has it
        status, error = await send_once(gateway, template_id, openid, message(org_name, missing), plan_page(org_id))
        await PlanReminder.filter(id=reminder_id, status="sending").update(
            status=status, error=error, period=missing[0]["period"], sent_at=now() if status == "sent" else None)
        counts["kept" if status == "pending" else status] += 1
    if any(counts.values()):
        log.info("plan reminders: %s", counts)
    return counts


def blueprint() -> procrastinate.Blueprint:
    tasks = procrastinate.Blueprint()

    # 09:30 in Shanghai (01:30 UTC): a reminder arrives in the morning, not at midnight.
    @tasks.periodic(cron="30 1 * * *", periodic_id="plan")
    @tasks.task(name="plan", queue="reminders", queueing_lock="reminders:plan", pass_context=True)
    async def plan_task(context: procrastinate.JobContext, timestamp: int) -> dict[str, int]:
        parts = engine.resources(context)
        if not parts.settings.plan_reminder_template_id:
            return {}
        return await remind_all(parts.wechat, template_id=parts.settings.plan_reminder_template_id)

    return tasks
