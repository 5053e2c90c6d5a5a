"""The secretary's plan reminder: sent once, a week before a period ends with a required meeting
not held, through a WeChat as strict as the real one; kept for later when nothing is missing."""
import asyncio
import datetime as dt

from server.activities import plan_reminders
from server.activities.models import MeetingPlan, PlanReminder
from server.clock import SHANGHAI
from server.wechat import RealWeChat
from tests.factories import make_activity
from tests.wechat_standin import TEMPLATE, StandIn



def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


async def only_lectures(org):
    for kind in ("party_congress", "committee", "group", "theme_day", "life_meeting", "appraisal"):
        await MeetingPlan.create(org=org, kind=kind, every="none", times=1)


async def test_a_quarter_ending_without_a_lecture_reminds_the_secretary_once(world, backend):
    await only_lectures(world.party_a)
    await only_lectures(world.party_b)
    # Party B held its Q4 lecture; party A did not.
    await make_activity(world, org=world.party_b, kind="lecture", starts_at=at(2026, 11, 3, 19), ends_at=at(2026, 11, 3, 21))
    async with world.client("sec_a") as c:
        first = await c.post(f"/api/v1/orgs/{world.party_a.id}/meeting-plan/reminder")
        again = await c.post(f"/api/v1/orgs/{world.party_a.id}/meeting-plan/reminder")
    async with world.client("sec_b") as c:
        theirs = await c.post(f"/api/v1/orgs/{world.party_b.id}/meeting-plan/reminder")
        refused = await c.post(f"/api/v1/orgs/{world.party_a.id}/meeting-plan/reminder")
    assert (first.status_code, again.status_code, theirs.status_code) == (201, 200, 201)
    assert refused.status_code == 403
    sec_a, sec_b = world.users["sec_a"].openid, world.users["sec_b"].openid
    with StandIn() as standin:
        standin.grant(sec_a, TEMPLATE)
        standin.grant(sec_b, TEMPLATE)
        gateway = RealWeChat("wxappid", "wxsecret", backend.store, base_url=standin.base_url, timeout=5)
        early = await plan_reminders.remind_all(gateway, template_id=TEMPLATE, moment=at(2026, 12, 1))
        # Four workers at once a week before the quarter ends: one message.
        outcomes = await asyncio.gather(*[plan_reminders.remind_all(gateway, template_id=TEMPLATE, moment=at(2026, 12, 26))
                                          for _ in range(4)])
        later = await plan_reminders.remind_all(gateway, template_id=TEMPLATE, moment=at(2026, 12, 27))
        delivered = [m for m in standin.delivered if m["touser"] in (sec_a, sec_b)]
    assert early["sent"] == 0  # a month left in the quarter: not yet
    assert sum(o["sent"] for o in outcomes) == 1 and later["sent"] == 0
    [message] = delivered
    assert message["touser"] == sec_a and message["page"] == f"pages/plan/index?org_id={world.party_a.id}"
    assert message["data"]["thing2"]["value"] == "第四季度未召开党课"
    assert message["data"]["date3"]["value"] == "2026年12月31日"
    assert len(message["data"]["thing1"]["value"]) <= 20
    sent = await PlanReminder.get(org=world.party_a)
    assert (sent.status, sent.period) == ("sent", "2026-Q4")
    assert (await PlanReminder.get(org=world.party_b)).status == "pending"  # nothing missing: kept for a later period


async def test_a_secretary_who_did_not_allow_it_is_skipped_with_wechats_errcode(world, backend):
    await only_lectures(world.party_a)
    await PlanReminder.create(user=world.users["sec_a"], org=world.party_a)
    with StandIn() as standin:  # no grant: WeChat answers 43101
        gateway = RealWeChat("wxappid", "wxsecret", backend.store, base_url=standin.base_url, timeout=5)
        counts = await plan_reminders.remind_all(gateway, template_id=TEMPLATE, moment=at(2026, 12, 26))
    reminder = await PlanReminder.get(org=world.party_a)
    assert counts["skipped"] == 1 and reminder.status == "skipped" and reminder.error.startswith("43101")
