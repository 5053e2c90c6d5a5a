"""The fault drill's job-worker scenarios (deploy/drill.py runs them): a batch with its worker
killed half-way, two workers racing over the same reminders, WeChat busy. The workers send
reminders to the strict stand-in WeChat of tests/wechat_standin.py."""
from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time

import httpx


class JobScenarios:
    """Mixed into Drill: uses its database_url, app_ports, standin and start_worker/stop_worker."""

    async def in_database(self, work):
        from server import db

        await db.connect(self.database_url)
        try:
            return await work()
        finally:
            await db.close()

    async def consenting_org(self, count: int):
        """A new branch under the demo market's branch with `count` members who agreed to a
        public profile and hold no plate yet."""
        from server.clock import now
        from server.members.models import Member
        from server.orgs.models import Org
        from server.plates.models import Profile
        from tests.factories import make_org

        parent = await Org.get(name="河坊街市场党支部")
        org = await make_org("演练批量打印支部", "party_branch", parent)
        await Member.bulk_create([Member(name=f"演练{i:03d}", mobile="13900000000", unit_name="演练摊位", is_owner=True,
                                         household_district="上城区", life_org=org, home_org="党委",
                                         category="local", standing="full", placement="standalone",
                                         stall_no=f"Y-{i:03d}") for i in range(count)])
        from server.clock import today
        from server.members import history

        await history.start_many(await Member.filter(life_org=org), on=today(), by=None, reason="演练")
        ids = await Member.filter(life_org=org).values_list("id", flat=True)
        await Profile.bulk_create([Profile(member_id=i, pledge="诚信经营", consent_at=now()) for i in ids])
        return org.id, ids

    async def batch_with_the_worker_killed(self) -> str:
        import io

        import pypdf
        import zxingcpp

        count = 300
        org_id, ids = await self.in_database(lambda: self.consenting_org(count))
        first, second = (f"http://127.0.0.1:{p}" for p in self.app_ports)
        headers = {"X-Forwarded-For": "10.9.9.9"}
        async with httpx.AsyncClient(timeout=30) as http:
            token = (await http.post(f"{first}/api/v1/auth/wechat", json={"code": "dev:secretary1"})).json()["token"]
            headers["Authorization"] = f"Bearer {token}"
            survived = self.workers["a"].poll() is None  # through the PostgreSQL restart before
            self.stop_worker("a")  # no worker: the job waits
            stopped_cleanly = self.workers["a"].returncode == 0
            started = await http.post(f"{first}/api/v1/plates/batch", json={"org_id": org_id}, headers=headers)
            job_id = started.json()["id"]
            await asyncio.sleep(3)
            waiting = (await http.get(f"{second}/api/v1/jobs/{job_id}", headers=headers)).json()["state"]
            self.start_worker("a")
            progress = []
            while True:
                job = (await http.get(f"{second}/api/v1/jobs/{job_id}", headers=headers)).json()
                if job["done"] >= count // 2 or job["state"] in ("done", "failed"):
                    break
                await asyncio.sleep(0.2)
            self.stop_worker("a", signal.SIGKILL)  # kill -9 half-way
            # read after the kill: the worker may have committed a plate between the poll and the signal
            killed_at = (await http.get(f"{second}/api/v1/jobs/{job_id}", headers=headers)).json()["done"]
            await asyncio.sleep(2)
            frozen = (await http.get(f"{second}/api/v1/jobs/{job_id}", headers=headers)).json()["done"]
            self.start_worker("a")
            restarted = time.monotonic()
            while job["state"] not in ("done", "failed") and time.monotonic() - restarted < 240:
                await asyncio.sleep(0.5)
                job = (await http.get(f"{second}/api/v1/jobs/{job_id}", headers=headers)).json()
                progress.append(job["done"])
            finished_in = time.monotonic() - restarted
            pdf = await http.get(f"{second}{job['download_url']}", headers=headers) if job.get("download_url") else None

        async def facts():
            from tortoise import connections

            from server.plates.models import Plate, PlateJob
            from server.storage import FileRecord

            plates = await Plate.filter(member_id__in=ids).values_list("member_id", "code", "revoked_at")
            row = await PlateJob.get(id=job_id)
            _n, engine_jobs = await connections.get("default").execute_query(
                "SELECT status FROM procrastinate_jobs WHERE task_name = 'plates:batch' AND (args->>'job_id')::int = $1",
                [job_id])
            return plates, row.attempts, await FileRecord.filter(key__endswith=".pdf").count(), \
                [r["status"] for r in engine_jobs]

        plates, attempts, pdf_files, engine_jobs = await self.in_database(facts)
        active = {code for _member, code, revoked in plates if revoked is None}
        per_member = {}
        for member, _code, _revoked in plates:
            per_member[member] = per_member.get(member, 0) + 1
        decoded, pages = [], 0
        if pdf is not None and pdf.status_code == 200:
            for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages:
                pages += 1
                image = page.images[0].image
                image = image.resize((image.width // 2, image.height // 2))
                found = zxingcpp.read_barcodes(image)
                decoded.append(found[0].text.rsplit("/", 1)[-1] if found else None)
        valid = sum(1 for code in decoded if code in active)
        twice = sum(1 for n in per_member.values() if n > 1)
        ok = (survived and stopped_cleanly and waiting == "queued" and job["state"] == "done" and job["done"] == count and pages == count
              and valid == count and len(set(decoded)) == count and twice == 0 and len(per_member) == count
              and pdf_files == 1 and engine_jobs == ["succeeded"] and frozen == killed_at and attempts == 2)
        return (f"[{'OK' if ok else 'FAILED'}] worker killed mid-batch: the worker "
                f"{'lived through' if survived else 'died in'} the PostgreSQL restart and "
                f"{'stopped cleanly' if stopped_cleanly else 'did not stop cleanly'} on SIGTERM; "
                f"queued while no worker ran ({waiting}); "
                f"killed at {killed_at}/{count} (still {frozen} 2 s later), restarted, done in {finished_in:.1f} s "
                f"({job['state']}, attempts {attempts}); engine jobs {engine_jobs}; {pdf_files} PDF stored, downloaded "
                f"from the other instance: {pages} pages, {valid} decode to a valid code, {len(set(decoded))} distinct; "
                f"{len(per_member)} members hold plates, {twice} issued twice")

    async def due_reminders(self, count: int, prefix: str):
        from server.accounts.models import User
        from server.activities.models import Activity, Reminder
        from server.clock import now
        from server.codes import random_code
        from server.members.models import Member
        from server.orgs.models import Org

        org = await Org.get(name="河坊街市场党支部")
        activity = await Activity.create(org=org, kind="lecture", title=f"演练提醒 {prefix}",
                                         starts_at=now() + dt.timedelta(minutes=30),
                                         ends_at=now() + dt.timedelta(hours=2), checkin_code=random_code(12))
        await User.bulk_create([User(openid=f"o-{prefix}-{i}") for i in range(count)])
        users = await User.filter(openid__startswith=f"o-{prefix}-").order_by("id")
        await Member.bulk_create([Member(user=u, name=f"提醒{i}", mobile="13900000000", unit_name="摊位",
                                         is_owner=True, household_district="上城区", life_org=org, home_org="党委",
                                         category="local", standing="full", placement="standalone")
                                  for i, u in enumerate(users)])
        members = await Member.filter(user_id__in=[u.id for u in users])
        from server.clock import today
        from server.members import history

        await history.start_many(members, on=today(), by=None, reason="演练")
        await Reminder.bulk_create([Reminder(activity=activity, member=m) for m in members])
        return [u.openid for u in users], activity.id

    async def reminder_statuses(self, activity_id: int) -> dict[str, int]:
        from server.activities.models import Reminder

        async def work():
            statuses = await Reminder.filter(activity_id=activity_id).values_list("status", flat=True)
            return {s: statuses.count(s) for s in sorted(set(statuses))}

        return await self.in_database(work)

    async def wait_reminders(self, activity_id: int, count: int, seconds: float) -> tuple[dict, float]:
        started = time.monotonic()
        while True:
            statuses = await self.reminder_statuses(activity_id)
            if statuses.get("pending", 0) + statuses.get("sending", 0) == 0 and sum(statuses.values()) == count \
                    or time.monotonic() - started > seconds:
                return statuses, time.monotonic() - started
            await asyncio.sleep(0.5)

    async def two_workers_over_reminders(self) -> str:
        self.start_worker("b")
        openids, activity_id = await self.in_database(lambda: self.due_reminders(50, "race"))
        for openid in openids:
            self.standin.grant(openid)  # one consent each: a second send would be refused (43101)
        statuses, seconds = await self.wait_reminders(activity_id, 50, 60)
        calls = [body["touser"] for path, _q, body in self.standin.calls
                 if path == "/cgi-bin/message/subscribe/send" and body and body.get("touser") in set(openids)]
        delivered = [m["touser"] for m in self.standin.delivered if m["touser"] in set(openids)]
        ok = statuses == {"sent": 50} and sorted(delivered) == sorted(openids) and len(calls) == 50
        return (f"[{'OK' if ok else 'FAILED'}] two workers over 50 due reminders: {statuses} in {seconds:.1f} s; "
                f"the stand-in WeChat got {len(calls)} sends, delivered {len(delivered)} to {len(set(delivered))} "
                f"members, {len(delivered) - len(set(delivered))} twice")

    async def wechat_busy(self) -> str:
        openids, activity_id = await self.in_database(lambda: self.due_reminders(1, "busy"))
        self.standin.grant(openids[0])
        self.standin.fail_next["/cgi-bin/message/subscribe/send"] = [-1, -1, -1]
        statuses, seconds = await self.wait_reminders(activity_id, 1, 90)
        calls = [body for path, _q, body in self.standin.calls
                 if path == "/cgi-bin/message/subscribe/send" and body and body.get("touser") == openids[0]]
        delivered = [m for m in self.standin.delivered if m["touser"] == openids[0]]
        ok = statuses == {"sent": 1} and len(calls) == 4 and len(delivered) == 1
        return (f"[{'OK' if ok else 'FAILED'}] WeChat busy (-1) three times, then 0: {statuses} after {seconds:.1f} s, "
                f"{len(calls)} sends tried, {len(delivered)} delivered")
