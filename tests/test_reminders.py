"""Reminders are sent once, however many workers run the loop, and survive a restart."""
import asyncio
import datetime as dt

from server.activities import reminders
from server.activities.models import Reminder
from server.clock import now
from tests.factories import make_activity, make_member, unique

LEAD = dt.timedelta(minutes=60)


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
    passes = await asyncio.gather(*[reminders.send_due(backend.wechat, template_id=template, lead=LEAD)
                                    for _ in range(4)])
    ours = {world.users[f"r{i}"].openid for i in range(30)}
    sent = [m for m in backend.wechat.sent if m["template_id"] == template and m["touser"] in ours]
    assert sum(p["sent"] for p in passes) >= 30  # other tests' due reminders may go out in the same passes
    assert sorted(m["touser"] for m in sent) == sorted(ours)  # each exactly once
    assert sent[0]["data"]["thing1"]["value"] == "支部党员大会"
    assert await Reminder.filter(activity=activity, status="sent").count() == 30
    assert (await Reminder.get(activity=later)).status == "pending"  # not due yet
    # A later pass (or a restarted worker) sends nothing again.
    await reminders.send_due(backend.wechat, template_id=template, lead=LEAD)
    assert len([m for m in backend.wechat.sent if m["touser"] in ours]) == 30


async def test_restart_cancelled_and_unreachable_members(world, backend):
    activity = await make_activity(world, starts_in_minutes=30)
    cancelled = await make_activity(world, starts_in_minutes=30, status="cancelled")
    no_login = await make_member(None, world.party_a, name="没登录过")
    crashed = await Reminder.create(activity=activity, member=world.member_a, status="sending",
                                    claimed_at=now() - dt.timedelta(minutes=30))
    await Reminder.create(activity=activity, member=no_login)
    await Reminder.create(activity=cancelled, member=world.member_a)
    template = unique("tpl")
    counts = await reminders.send_due(backend.wechat, template_id=template, lead=LEAD)
    assert counts["skipped"] >= 2
    assert (await Reminder.get(id=crashed.id)).status == "failed"  # caught mid-send: never sent twice
    assert not [m for m in backend.wechat.sent if m["template_id"] == template and m["touser"] == world.users["member_a"].openid]
    statuses = dict(await Reminder.filter(member_id__in=[no_login.id, world.member_a.id]).values_list("activity_id", "status"))
    assert statuses[cancelled.id] == "skipped"


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
        await reminders.send_due(gateway, template_id=TEMPLATE, lead=LEAD)
        [delivered] = [m for m in standin.delivered if m["touser"] == agreed.openid]
        later = await make_activity(world, starts_in_minutes=25)
        await Reminder.create(activity=later, member=agreed_member)
        standin.grant(agreed.openid, "tpl-deleted-in-console")
        await reminders.send_due(gateway, template_id="tpl-deleted-in-console", lead=LEAD)
    assert delivered["page"] == f"pages/activity/index?id={activity.id}"
    assert delivered["data"]["thing1"]["value"] == title[:20]
    assert delivered["miniprogram_state"] == "formal"
    sent = await Reminder.get(activity=activity, member=agreed_member)
    skipped = await Reminder.get(activity=activity, member=declined_member)
    failed = await Reminder.get(activity=later, member=agreed_member)
    assert (sent.status, sent.error) == ("sent", "")
    assert skipped.status == "skipped" and skipped.error.startswith("43101 ")
    assert failed.status == "failed" and failed.error.startswith("40037 ")
