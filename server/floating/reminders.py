"""The secretary is reminded of late receipts: after tapping 提醒我 on the 流动党员 screen (a
one-time WeChat permission), a daily task (09:30 Shanghai, once across all workers) sends one
subscribe message when letters of the org's subtree have waited over 30 days for their 回执."""
from __future__ import annotations

import datetime as dt
import logging

import procrastinate

from server.auth import Principal
from server.clock import now, today
from server.floating.letters import OVERDUE_DAYS, NotLetterStaff
from server.floating.models import Letter, ReceiptReminder
from server.jobs import engine
from server.miniprogram import floating_queue_page
from server.orgs.models import Org
from server.orgs.service import get_org
from server.wechat import WeChatGateway, send_once

log = logging.getLogger("dangjian.floating.reminders")


async def subscribe(principal: Principal, org_id: int) -> tuple[ReceiptReminder, bool]:
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise NotLetterStaff("只能为你所管辖范围内的组织订阅提醒")
    return await ReceiptReminder.get_or_create(user=principal.user, org=org, status="pending")


def message(org_name: str, late: int, oldest: dt.date) -> dict:
    return {"thing1": {"value": org_name[:20]}, "thing2": {"value": f"{late}份反馈函超{OVERDUE_DAYS}天未回执"[:20]},
            "date3": {"value": oldest.strftime("%Y年%m月%d日")}}


async def remind_all(gateway: WeChatGateway, *, template_id: str, day: dt.date | None = None) -> dict[str, int]:
    day = day or today()
    counts = {"sent": 0, "failed": 0, "skipped": 0, "kept": 0}
    for reminder_id, org_id, openid in await ReceiptReminder.filter(status="pending").values_list("id", "org_id", "user__openid"):
        org = await Org.get(id=org_id)
        late = await Letter.filter(org__path__startswith=org.path, received_at=None,
                                   sent_on__lt=day - dt.timedelta(days=OVERDUE_DAYS)).order_by("sent_on").values_list("sent_on", flat=True)
        if not late:
            continue  # nothing late: the permission waits
        if not await ReceiptReminder.filter(id=reminder_id, status="pending").update(status="sending"):
            continue  # another worker has it
        status, error = await send_once(gateway, template_id, openid, message(org.name, len(late), late[0]),
                                        floating_queue_page(org_id))
        await ReceiptReminder.filter(id=reminder_id, status="sending").update(
            status=status, error=error, sent_at=now() if status == "sent" else None)
        counts["kept" if status == "pending" else status] += 1
    if any(counts.values()):
        log.info("receipt reminders: %s", counts)
    return counts


def blueprint() -> procrastinate.Blueprint:
    tasks = procrastinate.Blueprint()

    @tasks.periodic(cron="30 1 * * *", periodic_id="receipts")
    @tasks.task(name="receipts", queue="reminders", queueing_lock="reminders:receipts", pass_context=True)
    async def receipts_task(context: procrastinate.JobContext, timestamp: int) -> dict[str, int]:
        parts = engine.resources(context)
        if not parts.settings.receipt_reminder_template_id:
            return {}
        return await remind_all(parts.wechat, template_id=parts.settings.receipt_reminder_template_id)

    return tasks
