"""Reminders are sent once, however many workers take them, retried when WeChat is busy, and
settled (not forgotten) when they can no longer be sent."""
import asyncio
import datetime as dt

import procrastinate
import pytest
from procrastinate import testing

from server.activities import reminders
from server.activities.models import Reminder
from server.clock import now
from tests.factories import make_activity, make_member, unique

LEAD = dt.timedelta(minutes=60)


async def send_due(gateway, *, template_id: str, lead=LEAD, workers: int = 1) -> list:
    """What the engine does: every due reminder sent by `workers` attempts at once."""
    moment = now()
    due = await Reminder.filter(status="pending", activity__status="scheduled", activity__starts_at__gt=moment,
                                activity__starts_at__lte=moment + lead).values_list("id", flat=True)
    return await asyncio.gather(*[reminders.send(i, gateway, template_id=template_id) for i in due
                                  for _ in range(workers)])


def engine_with_reminders():
    app = procrastinate.App(connector=testing.InMemoryConnector())
    app.add_tasks_from(reminders.blueprint(), namespace="reminders")
    return app


async def test_member_subscribes_once(world):
    activity = await make_activity(world)
    async with world.client("member_a") as c:
        first = await c.post(f"/api/v1/activities/{activity.id}/reminder")
        again = await c.post(f"/api/v1/activities/{activity.id}/reminder")
    async with world.client("vendor") as c:
        outsider = await c.post(f"/api/v1/activities/{activity.id}/reminder")
    assert first.status_code == 201 and again.status_code == 200 and first.json()["status"] == "pending"
    assert outsider.status_code == 404  # not a member: the activity is not visible to them
    assert await Reminder.filter(activity=activity).count() == 1


async def test_four_workers_send_each_reminder_once(world, backend):
    activity = await make_activity(world, starts_in_minutes=30)
    later = await make_activity(world, starts_in_minutes=180)
    members = []
    for i in range(30):
        user = await world.add_user(f"r{i}")
        members.append(await make_member(user, world.party_a, name=f"提醒{i}"))
    await Reminder.bulk_create([Reminder(activity=activity, member=m) for m in members])
    await Reminder.create(activity=later, member=members[0])
    template = unique("tpl")
    outcomes = await send_due(backend.wechat, template_id=template, workers=4)
    ours = {world.users[f"r{i}"].openid for i in range(30)}
    sent = [m for m in backend.wechat.sent if m["template_id"] == template and m["touser"] in ours]
    assert outcomes.count("sent") >= 30  # other tests' due reminders may go out in the same passes
    assert sorted(m["touser"] for m in sent) == sorted(ours)  # each exactly once
    assert sent[0]["data"]["thing1"]["value"] == "支部党员大会"
    assert await Reminder.filter(activity=activity, status="sent").count() == 30
    assert (await Reminder.get(activity=later)).status == "pending"  # not due yet
    # A later pass (or a restarted worker) sends nothing again.
    await send_due(backend.wechat, template_id=template)
    assert len([m for m in backend.wechat.sent if m["touser"] in ours]) == 30


async def test_dispatch_settles_what_cannot_be_sent_and_queues_each_due_reminder_once(world, backend):
    activity = await make_activity(world, starts_in_minutes=30)
    cancelled = await make_activity(world, starts_in_minutes=30, status="cancelled")
    started = await make_activity(world, starts_in_minutes=-5)  # came due during an outage
    no_login = await make_member(None, world.party_a, name="没登录过")
    crashed = await Reminder.create(activity=activity, member=world.member_a, status="sending",
                                    claimed_at=now() - dt.timedelta(minutes=30))
    waiting = await Reminder.create(activity=activity, member=no_login)
    await Reminder.create(activity=cancelled, member=world.member_a)
    late = await Reminder.create(activity=started, member=world.member_a)
    jobs_app = engine_with_reminders()
    async with jobs_app.open_async():
        first = await reminders.dispatch(jobs_app, lead=LEAD)
        second = await reminders.dispatch(jobs_app, lead=LEAD)  # another worker's pass: nothing twice
        queued = [job["args"]["reminder_id"] for job in jobs_app.connector.jobs.values()
                  if job["task_name"] == "reminders:send"]
    assert first["interrupted"] >= 1 and first["cancelled"] >= 1 and first["late"] >= 1
    assert waiting.id in queued and queued.count(waiting.id) == 1 and second["queued"] == 0
    crashed, late = await Reminder.get(id=crashed.id), await Reminder.get(id=late.id)
    assert crashed.status == "failed" and "not sent again" in crashed.error  # caught mid-send: never twice
    assert (late.status, late.error) == ("skipped", reminders.STARTED)
    assert (await Reminder.get(activity=cancelled, member=world.member_a)).status == "skipped"
    # The queued job, run: a member who never logged in is skipped with the reason.
    assert await reminders.send(waiting.id, backend.wechat, template_id=unique("tpl")) == "skipped"
    assert (await Reminder.get(id=waiting.id)).error == "member has no WeChat login"


async def test_a_busy_wechat_is_tried_again_and_the_reminder_goes_once(world, backend):
    """WeChat answers -1 three times, then 0: each refusal puts the reminder back to pending for
    the engine's next try; the fourth try sends it, once."""
    from server.wechat import RealWeChat, WeChatBusy
    from tests.wechat_standin import TEMPLATE, StandIn

    activity = await make_activity(world, starts_in_minutes=20)
    user = await world.add_user(unique("busy"))
    reminder = await Reminder.create(activity=activity, member=await make_member(user, world.party_a, name="忙"))
    with StandIn() as standin:
        standin.grant(user.openid)
        standin.fail_next["/cgi-bin/message/subscribe/send"] = [-1, -1, -1]
        gateway = RealWeChat("wxappid", "wxsecret", backend.store, base_url=standin.base_url, timeout=5)
        for attempt in range(3):
            with pytest.raises(WeChatBusy):
                await reminders.send(reminder.id, gateway, template_id=TEMPLATE, attempt=attempt)
            assert (await Reminder.get(id=reminder.id)).status == "pending"
        assert await reminders.send(reminder.id, gateway, template_id=TEMPLATE, attempt=3) == "sent"
        assert await reminders.send(reminder.id, gateway, template_id=TEMPLATE, attempt=4) is None
        delivered = [m for m in standin.delivered if m["touser"] == user.openid]
        # Busy on the last try: failed with the reason, not retried for ever.
        other = await world.add_user(unique("busy"))
        given_up = await Reminder.create(activity=activity, member=await make_member(other, world.party_a, name="忙2"))
        standin.grant(other.openid)
        standin.fail_next["/cgi-bin/message/subscribe/send"] = [-1]
        last = await reminders.send(given_up.id, gateway, template_id=TEMPLATE, attempt=reminders.MAX_TRIES - 1)
    assert len(delivered) == 1
    assert last == "failed" and (await Reminder.get(id=given_up.id)).error.startswith("wechat_busy")


async def test_reminders_reach_a_strict_wechat_and_keep_its_errcodes(world, backend):
    """Through the real gateway and a stand-in as strict as WeChat: the page exists in the
    mini-program, a long title fits a `thing`, a member who did not consent is skipped with
    43101, and a wrong template id fails with 40037 instead of a generic error."""
    from server.wechat import RealWeChat
    from tests.wechat_standin import TEMPLATE, StandIn

    title = "二〇二六年第四季度支部党员大会暨民主评议党员会议"  # 24 characters: too long for a `thing`
    activity = await make_activity(world, starts_in_minutes=20, title=title)
    agreed, declined = (await world.add_user(unique("yes")), await world.add_user(unique("no")))
    agreed_member = await make_member(agreed, world.party_a, name="愿意")
    declined_member = await make_member(declined, world.party_a, name="没点允许")
    await Reminder.create(activity=activity, member=agreed_member)
    await Reminder.create(activity=activity, member=declined_member)
    with StandIn() as standin:
        standin.grant(agreed.openid)
        gateway = RealWeChat("wxappid", "wxsecret", backend.store, base_url=standin.base_url, timeout=5)
        await send_due(gateway, template_id=TEMPLATE)
        [delivered] = [m for m in standin.delivered if m["touser"] == agreed.openid]
        later = await make_activity(world, starts_in_minutes=25)
        await Reminder.create(activity=later, member=agreed_member)
        standin.grant(agreed.openid, "tpl-deleted-in-console")
        await send_due(gateway, template_id="tpl-deleted-in-console")
    assert delivered["page"] == f"pages/activity/index?id={activity.id}"
    assert delivered["data"]["thing1"]["value"] == title[:20]
    assert delivered["miniprogram_state"] == "formal"
    sent = await Reminder.get(activity=activity, member=agreed_member)
    skipped = await Reminder.get(activity=activity, member=declined_member)
    failed = await Reminder.get(activity=later, member=agreed_member)
    assert (sent.status, sent.error) == ("sent", "")
    assert skipped.status == "skipped" and skipped.error.startswith("43101 ")
    assert failed.status == "failed" and failed.error.startswith("40037 ")
