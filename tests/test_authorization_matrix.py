"""Every API route × every kind of caller outside branch A, against branch A's records: no
write lands, no read leaks. A route added without a line here fails the coverage check."""
import io
import secrets

from PIL import Image

from server import auth
from server.accounts.models import AuthToken
from server.activities import tokens
from server.activities.models import Activity, ActivityPhoto, Attendance, LeaveRequest, MeetingPlan, OfflineScan, PlanReminder
from server.evaluation.models import Cycle, Evaluation, Objection
from server.floating.models import FloatingComment, FloatingRecord, Letter, ReceiptReminder
from server.members.models import Attachment, Member, MemberCode, Registration, RosterImport
from server.markets.models import Attestation, Evidence, Market, SpotCheck
from server.orgs.models import Org, Role
from server.statistics.models import RosterExport, Snapshot, SnapshotJob
from server.clock import today
from server.plates.models import Plate, PlateJob, Profile, Rating
from server.plates.profiles import CONSENT_VERSION
from server.reports.models import LedgerExport
from tests.factories import make_activity, make_member, registration_payload
from tests.plate_helpers import publish_member
from tests.roster_helpers import XLSX, row, workbook

OUTSIDERS = ("vendor", "sec_b", "member_b")
# Routes about the caller's own account or open to every logged-in user by design: an outsider
# gets 2xx, but never branch A's private data.
OPEN = {("POST", "api/v1/auth/wechat"), ("POST", "api/v1/auth/logout"), ("GET", "api/v1/me"),
        ("POST", "api/v1/me/phone"), ("GET", "api/v1/orgs"), ("GET", "api/v1/markets"),
        ("POST", "api/v1/registrations"), ("GET", "api/v1/activities"), ("GET", "api/v1/members"),
        ("GET", "api/v1/registrations"), ("GET", "api/v1/profile-consent"), ("GET", "api/v1/ratings"),
        ("GET", "api/v1/public/plates/<code:str>"), ("POST", "api/v1/public/plates/<code:str>/ratings"),
        # Workbooks of the caller's own reach: empty for someone without a staff role.
        ("GET", "api/v1/members/export.xlsx"), ("GET", "api/v1/imports/members/template.xlsx"),
        # The desk's login: confirming a QR logs a console in as the caller themself; their own desk sessions.
        ("POST", "api/v1/console/login-requests/<code:str>/confirm"), ("GET", "api/v1/me/desk-sessions"),
        ("POST", "api/v1/console/login-requests"), ("GET", "api/v1/console/dev-users"), ("GET", "api/v1/vocabularies"),
        # 先锋指数: the caller's own tasks; cycles of their own reach; anyone logged in may object to an
        # announcement (branch A's is not announced: 409); the announcement itself is public.
        ("GET", "api/v1/me/evaluation"), ("GET", "api/v1/evaluations/cycles"),
        ("POST", "api/v1/evaluations/cycles/<cycle_id:int>/objections"),
        ("GET", "api/v1/public/announcements/<code:str>")}
PUBLIC = {("POST", "api/v1/auth/wechat"), ("POST", "api/v1/console/login-requests"),
          ("GET", "api/v1/console/login-requests/<code:str>"), ("GET", "api/v1/console/dev-users"),
          ("POST", "api/v1/console/dev-login"), ("GET", "api/v1/vocabularies"), ("GET", "api/v1/public/plates/<code:str>"),
          ("POST", "api/v1/public/plates/<code:str>/ratings"), ("GET", "api/v1/public/announcements/<code:str>")}
# The public profile shows what the member agreed to make public (their unit name among it).
CONSENTED = {("GET", "api/v1/public/plates/<code:str>")}


async def branch_a(world, backend) -> dict:
    applicant = await world.add_user("applicant")
    from server.members import service

    registration = await service.submit_registration(
        applicant, {**registration_payload(world, mobile="13700001111"), "filled_on": None})
    activity = await make_activity(world)
    leave = await LeaveRequest.create(activity=activity, member=world.member_a, reason="进货")
    photo = await ActivityPhoto.create(activity=activity, key=secrets.token_hex(16) + ".jpg", width=1, height=1, size=1)
    member_b_user = await world.add_user("member_b")
    await make_member(member_b_user, world.party_b, name="清波党员", mobile="13600002222", unit_name="清波茶叶店")
    token, _ = tokens.issue(backend.settings.secret_key, activity.checkin_code)
    code = await publish_member(world)
    rating = await Rating.create(member=world.member_a, plate=await Plate.get(code=code), score=1, comment="秤不准，投诉",
                                 is_complaint=True, customer="c" * 40, channel="web", day=today(), nonce="n",
                                 status="flagged", flag_reason="complaint")
    await Attachment.create(member=world.member_a, org=world.branch_b)  # she also attends branch B's activities
    job = await PlateJob.create(requested_by=world.users["sec_a"], org=world.party_a, layout="a5-landscape",
                                state="done", total=1, done=1, file_key=await backend.app.ctx.files.put(b"%PDF", ".pdf"))
    from server.desk import service as desk

    desk_token = await desk.dev_login(backend.settings, backend.store, world.users["sec_a"].openid[4:], "desk")
    desk_session = await AuthToken.get(token_hash=auth.hash_token(desk_token))
    login_request = await desk.create_request(backend.store, public_base_url="http://x", agent="a", client="matrix")
    sec_a_role = await Role.get(user=world.users["sec_a"])
    roster_import = await RosterImport.create(org=world.branch_a, requested_by=world.users["sec_a"], filename="名册.xlsx",
                                              total=1, created=1, rows=[], report=[])
    from server.activities import offline
    from server.clock import now
    from server.members import codes

    member_code = (await codes.ensure(world.member_a)).code
    pack = offline.pack_token(backend.settings.secret_key, activity.id, now(), activity.ends_at)
    from server.evaluation import cycles as evaluation_cycles
    from server.evaluation.models import Evaluation, Objection
    from tests.evaluation_helpers import deadlines

    cycle, _ = await evaluation_cycles.create_cycle(await auth.load_principal(world.users["sec_a"]), {
        "org_id": world.branch_a.id, "year": today().year, "deadlines": {
            k: __import__("datetime").date.fromisoformat(v) for k, v in deadlines().items()}})
    evaluation = await Evaluation.get(cycle=cycle, member=world.member_a)
    objection = await Objection.create(cycle=cycle, evaluation=evaluation, user=world.users["sec_a"], reason="异议")
    from server.codes import random_code
    from server.floating import service as floating
    from server.floating.models import FloatingComment, Letter, LetterBatch
    from tests.test_floating import ID, REGISTRATION

    floater = await make_member(None, world.party_a, name="流动甲", category="floating", mobile="13600003333")
    await floating.register(await auth.load_principal(world.users["sec_a"]), floater.id, {
        **REGISTRATION, "inflow_on": __import__("datetime").date(2024, 3, 1)}, backend.settings)
    await FloatingComment.create(member=floater, year=today().year, grade="qualified", text="评语甲")
    letter_batch = await LetterBatch.create(org=world.party_a, year=today().year, state="done", total=1, done=1,
                                            file_key=await backend.app.ctx.files.put(b"%PDF", ".pdf"))
    letter = await Letter.create(member=floater, org=world.party_a, year=today().year, number=1, code=random_code(12),
                                 batch=letter_batch, sent_on=today())
    from server.markets.models import Evidence, SpotCheck
    from server.statistics import snapshots as statistics

    evidence = await Evidence.create(market=world.market, year=today().year, item_key="supervision", content_type="image/jpeg",
                                     size=1, file_key=await backend.app.ctx.files.put(b"x", ".jpg"))
    spot_check = await SpotCheck.create(market=world.market, member=world.member_a, stall_no="A-001", hung=True, readable=True,
                                        photo_key=await backend.app.ctx.files.put(b"x", ".jpg"))
    snapshot = await statistics.take(world.branch_a, today(), by=world.users["sec_a"])
    snapshot_job = await SnapshotJob.create(kind="take", requested_by=world.users["sec_a"], org=world.branch_a, as_of=today(),
                                            state="done", snapshot=snapshot)
    export = await LedgerExport.create(requested_by=world.users["sec_a"], org=world.party_a, year=today().year, format="xlsx",
                                       state="done", file_key=await backend.app.ctx.files.put(b"PK", ".xlsx"), file_size=2)
    roster_export = await RosterExport.create(requested_by=world.users["sec_a"], snapshot=snapshot, state="done", rows=1,
                                              file_key=await backend.app.ctx.files.put(b"PK-roster", ".xlsx"), file_size=9)
    return {"export": export, "snapshot_job": snapshot_job, "roster_export": roster_export, "evidence": evidence, "spot_check": spot_check, "snapshot": snapshot, "floater": floater, "id_number": ID, "letter": letter, "letter_batch": letter_batch,
            "cycle": cycle, "evaluation": evaluation, "objection": objection, "member_code": member_code, "pack": pack, "registration": registration, "activity": activity, "leave": leave, "photo": photo, "token": token,
            "code": code, "rating": rating, "job": job, "import": roster_import,
            "desk_session": desk_session, "login_request": login_request, "role": sec_a_role}


def matrix(world, a) -> list[tuple[str, str, str, dict | None]]:
    """(method, route as the router names it, concrete path, json body)."""
    act, reg, mem = a["activity"].id, a["registration"].id, world.member_a.id
    cyc, ev = a["cycle"].id, a["evaluation"].id
    fl = a["floater"].id
    mk, sn = world.market.id, a["snapshot"].id
    from tests.test_floating import REGISTRATION as FLOATING
    when = {"starts_at": "2026-12-10T19:00:00+08:00", "duration_minutes": 120}
    return [
        ("POST", "api/v1/auth/wechat", "/api/v1/auth/wechat", {"code": "dev:someone-new"}),
        ("GET", "api/v1/me", "/api/v1/me", None),
        ("POST", "api/v1/console/login-requests", "/api/v1/console/login-requests", None),
        ("GET", "api/v1/console/login-requests/<code:str>", f"/api/v1/console/login-requests/{a['login_request']['code']}", None),
        ("POST", "api/v1/console/login-requests/<code:str>/confirm", "/api/v1/console/login-requests/not-a-code/confirm", None),
        ("GET", "api/v1/console/dev-users", "/api/v1/console/dev-users", None),
        ("POST", "api/v1/console/dev-login", "/api/v1/console/dev-login", {"key": "nobody-at-all"}),
        ("GET", "api/v1/me/desk-sessions", "/api/v1/me/desk-sessions", None),
        ("DELETE", "api/v1/me/desk-sessions/<session_id:int>", f"/api/v1/me/desk-sessions/{a['desk_session'].id}", None),
        ("GET", "api/v1/audit", "/api/v1/audit", None),
        ("GET", "api/v1/vocabularies", "/api/v1/vocabularies", None),
        ("POST", "api/v1/me/phone", "/api/v1/me/phone", {"code": "dev-phone:13512345678"}),
        ("GET", "api/v1/orgs", "/api/v1/orgs", None),
        ("POST", "api/v1/orgs", "/api/v1/orgs", {"name": "x", "kind": "party_branch", "district": "上城区", "parent_id": world.branch_a.id}),
        ("POST", "api/v1/orgs/<org_id:int>/roles", f"/api/v1/orgs/{world.branch_a.id}/roles", {"role": "secretary", "user_id": world.users["vendor"].id}),
        ("PATCH", "api/v1/orgs/<org_id:int>", f"/api/v1/orgs/{world.branch_a.id}", {"name": "改名分会"}),
        ("GET", "api/v1/orgs/<org_id:int>/roles", f"/api/v1/orgs/{world.branch_a.id}/roles", None),
        ("DELETE", "api/v1/orgs/<org_id:int>/roles/<role_id:int>", f"/api/v1/orgs/{world.branch_a.id}/roles/{a['role'].id}", None),
        ("GET", "api/v1/markets", "/api/v1/markets", None),
        ("POST", "api/v1/markets", "/api/v1/markets", {"name": "x", "kind": "farmers", "district": "上城区", "org_id": world.branch_a.id}),
        ("GET", "api/v1/markets/<market_id:int>", f"/api/v1/markets/{mk}", None),
        ("PATCH", "api/v1/markets/<market_id:int>", f"/api/v1/markets/{mk}", {"stars": 3}),
        ("GET", "api/v1/markets/<market_id:int>/standardisation", f"/api/v1/markets/{mk}/standardisation", None),
        ("PUT", "api/v1/markets/<market_id:int>/standardisation/<year:int>/items/<item_key:str>",
         f"/api/v1/markets/{mk}/standardisation/{today().year}/items/supervision",
         {"met": True, "inspector": "x", "checked_on": today().isoformat()}),
        ("POST", "api/v1/markets/<market_id:int>/standardisation/<year:int>/items/<item_key:str>/evidence",
         f"/api/v1/markets/{mk}/standardisation/{today().year}/items/supervision/evidence", "FILE"),
        ("GET", "api/v1/markets/<market_id:int>/evidence/<evidence_id:int>", f"/api/v1/markets/{mk}/evidence/{a['evidence'].id}", None),
        ("POST", "api/v1/markets/<market_id:int>/spot-checks",
         f"/api/v1/markets/{mk}/spot-checks?stall_no=A-001&hung=false&readable=false", "PHOTO"),
        ("GET", "api/v1/markets/<market_id:int>/spot-checks", f"/api/v1/markets/{mk}/spot-checks", None),
        ("GET", "api/v1/markets/<market_id:int>/spot-checks/<check_id:int>/photo.jpg",
         f"/api/v1/markets/{mk}/spot-checks/{a['spot_check'].id}/photo.jpg", None),
        ("POST", "api/v1/statistics/snapshots", "/api/v1/statistics/snapshots", {"org_id": world.branch_a.id, "as_of": "2026-01-31"}),
        ("GET", "api/v1/statistics/snapshots", f"/api/v1/statistics/snapshots?org_id={world.branch_a.id}", None),
        ("GET", "api/v1/statistics/snapshot-jobs/<job_id:int>", f"/api/v1/statistics/snapshot-jobs/{a['snapshot_job'].id}", None),
        ("GET", "api/v1/statistics/snapshots/<snapshot_id:int>", f"/api/v1/statistics/snapshots/{sn}", None),
        ("POST", "api/v1/statistics/snapshots/<snapshot_id:int>/submit", f"/api/v1/statistics/snapshots/{sn}/submit", None),
        ("POST", "api/v1/statistics/snapshots/<snapshot_id:int>/return", f"/api/v1/statistics/snapshots/{sn}/return", {"reason": "x"}),
        ("POST", "api/v1/statistics/snapshots/<snapshot_id:int>/accept", f"/api/v1/statistics/snapshots/{sn}/accept", None),
        ("POST", "api/v1/statistics/snapshots/<snapshot_id:int>/retake", f"/api/v1/statistics/snapshots/{sn}/retake", {"reason": "x"}),
        ("GET", "api/v1/statistics/snapshots/<snapshot_id:int>/markets.xlsx", f"/api/v1/statistics/snapshots/{sn}/markets.xlsx", None),
        ("GET", "api/v1/statistics/snapshots/<snapshot_id:int>/market-counts.xlsx", f"/api/v1/statistics/snapshots/{sn}/market-counts.xlsx", None),
        ("GET", "api/v1/statistics/snapshots/<snapshot_id:int>/roster.xlsx", f"/api/v1/statistics/snapshots/{sn}/roster.xlsx", None),
        ("POST", "api/v1/statistics/snapshots/<snapshot_id:int>/roster-exports", f"/api/v1/statistics/snapshots/{sn}/roster-exports", None),
        ("GET", "api/v1/statistics/roster-exports/<export_id:int>", f"/api/v1/statistics/roster-exports/{a['roster_export'].id}", None),
        ("GET", "api/v1/statistics/roster-exports/<export_id:int>/file", f"/api/v1/statistics/roster-exports/{a['roster_export'].id}/file", None),
        ("GET", "api/v1/statistics/snapshots/<snapshot_id:int>/forms.pdf", f"/api/v1/statistics/snapshots/{sn}/forms.pdf", None),
        ("GET", "api/v1/statistics/overview", f"/api/v1/statistics/overview?org_id={world.branch_a.id}", None),
        ("POST", "api/v1/registrations", "/api/v1/registrations", registration_payload(world, life_org_id=world.party_b.id, placement="standalone", market_id=None, stall_no=None)),
        ("GET", "api/v1/registrations", "/api/v1/registrations", None),
        ("GET", "api/v1/registrations/<registration_id:int>", f"/api/v1/registrations/{reg}", None),
        ("POST", "api/v1/registrations/<registration_id:int>/approve", f"/api/v1/registrations/{reg}/approve", {"category": "local"}),
        ("POST", "api/v1/registrations/<registration_id:int>/reject", f"/api/v1/registrations/{reg}/reject", {"reason": "x"}),
        ("GET", "api/v1/members", "/api/v1/members", None),
        ("GET", "api/v1/members/<member_id:int>", f"/api/v1/members/{mem}", None),
        ("PATCH", "api/v1/members/<member_id:int>", f"/api/v1/members/{mem}", {"category": "floating"}),
        ("GET", "api/v1/members/<member_id:int>/history", f"/api/v1/members/{mem}/history", None),
        ("GET", "api/v1/members/<member_id:int>/attendance", f"/api/v1/members/{mem}/attendance", None),
        ("GET", "api/v1/members/export.xlsx", f"/api/v1/members/export.xlsx?org_id={world.branch_a.id}", None),
        ("GET", "api/v1/imports/members/template.xlsx", "/api/v1/imports/members/template.xlsx", None),
        ("POST", "api/v1/imports/members", f"/api/v1/imports/members?org_id={world.branch_a.id}", "ROSTER"),
        ("GET", "api/v1/imports/<import_id:int>", f"/api/v1/imports/{a['import'].id}", None),
        ("POST", "api/v1/imports/<import_id:int>/commit", f"/api/v1/imports/{a['import'].id}/commit", None),
        ("POST", "api/v1/members/<member_id:int>/attachments", f"/api/v1/members/{mem}/attachments", {"org_id": world.party_a.id}),
        # the attack that worked: another branch's secretary attaching branch A's member to her own org
        ("POST", "api/v1/members/<member_id:int>/attachments", f"/api/v1/members/{mem}/attachments", {"org_id": world.party_b.id}),
        ("GET", "api/v1/members/<member_id:int>/attachments", f"/api/v1/members/{mem}/attachments", None),
        ("DELETE", "api/v1/members/<member_id:int>/attachments/<org_id:int>",
         f"/api/v1/members/{mem}/attachments/{world.branch_b.id}", None),
        ("POST", "api/v1/activities", "/api/v1/activities", {"org_id": world.party_a.id, "kind": "lecture", "title": "x", **when}),
        ("GET", "api/v1/activities", "/api/v1/activities", None),
        ("GET", "api/v1/activities/<activity_id:int>", f"/api/v1/activities/{act}", None),
        ("PATCH", "api/v1/activities/<activity_id:int>", f"/api/v1/activities/{act}", {"title": "改掉"}),
        ("GET", "api/v1/activities/<activity_id:int>/record", f"/api/v1/activities/{act}/record", None),
        ("PUT", "api/v1/activities/<activity_id:int>/record", f"/api/v1/activities/{act}/record",
         {"host_id": mem, "topics": ["改掉"], "minutes": "改掉"}),
        ("GET", "api/v1/orgs/<org_id:int>/meeting-plan", f"/api/v1/orgs/{world.party_a.id}/meeting-plan", None),
        ("PUT", "api/v1/orgs/<org_id:int>/meeting-plan", f"/api/v1/orgs/{world.party_a.id}/meeting-plan",
         {"items": [{"kind": "lecture", "every": "none"}]}),
        ("POST", "api/v1/orgs/<org_id:int>/meeting-plan/reminder", f"/api/v1/orgs/{world.party_a.id}/meeting-plan/reminder", None),
        ("GET", "api/v1/reports/meeting-plan", f"/api/v1/reports/meeting-plan?org_id={world.party_a.id}", None),
        ("GET", "api/v1/reports/ledger.pdf", f"/api/v1/reports/ledger.pdf?org_id={world.party_a.id}", None),
        ("POST", "api/v1/activities/<activity_id:int>/cancel", f"/api/v1/activities/{act}/cancel", {"reason": "x"}),
        ("GET", "api/v1/activities/<activity_id:int>/checkin-code", f"/api/v1/activities/{act}/checkin-code", None),
        ("POST", "api/v1/checkins", "/api/v1/checkins", {"token": a["token"], "nonce": "matrix-nonce-1"}),
        ("GET", "api/v1/activities/<activity_id:int>/attendance", f"/api/v1/activities/{act}/attendance", None),
        ("PUT", "api/v1/activities/<activity_id:int>/attendance/<member_id:int>", f"/api/v1/activities/{act}/attendance/{mem}", {"status": "absent"}),
        ("POST", "api/v1/activities/<activity_id:int>/leave", f"/api/v1/activities/{act}/leave", {"reason": "x"}),
        ("GET", "api/v1/activities/<activity_id:int>/leave", f"/api/v1/activities/{act}/leave", None),
        ("GET", "api/v1/activities/<activity_id:int>/leave/mine", f"/api/v1/activities/{act}/leave/mine", None),
        ("GET", "api/v1/activities/<activity_id:int>/offline-pack", f"/api/v1/activities/{act}/offline-pack", None),
        ("POST", "api/v1/activities/<activity_id:int>/offline-scans", f"/api/v1/activities/{act}/offline-scans",
         {"device_id": "outsider-phone-1", "pack": a["pack"], "downloaded_at": "2026-12-01T18:00:00+08:00",
          "sent_at": "2026-12-01T21:00:00+08:00",
          "scans": [{"seq": 1, "member_code": a["member_code"], "scanned_at": "2026-12-01T18:55:00+08:00"}]}),
        ("POST", "api/v1/activities/<activity_id:int>/leave/<leave_id:int>/approve", f"/api/v1/activities/{act}/leave/{a['leave'].id}/approve", None),
        ("POST", "api/v1/activities/<activity_id:int>/leave/<leave_id:int>/reject", f"/api/v1/activities/{act}/leave/{a['leave'].id}/reject", None),
        ("POST", "api/v1/activities/<activity_id:int>/photos", f"/api/v1/activities/{act}/photos", "PHOTO"),
        ("GET", "api/v1/activities/<activity_id:int>/photos", f"/api/v1/activities/{act}/photos", None),
        ("GET", "api/v1/activities/<activity_id:int>/photos/<photo_id:int>", f"/api/v1/activities/{act}/photos/{a['photo'].id}", None),
        ("POST", "api/v1/activities/<activity_id:int>/reminder", f"/api/v1/activities/{act}/reminder", None),
        ("GET", "api/v1/reports/training-rates", f"/api/v1/reports/training-rates?org_id={world.party_a.id}", None),
        ("GET", "api/v1/reports/ledger.xlsx", f"/api/v1/reports/ledger.xlsx?org_id={world.party_a.id}", None),
        ("POST", "api/v1/reports/ledger-exports", "/api/v1/reports/ledger-exports", {"org_id": world.party_a.id, "format": "xlsx"}),
        ("GET", "api/v1/reports/ledger-exports/<export_id:int>", f"/api/v1/reports/ledger-exports/{a['export'].id}", None),
        ("GET", "api/v1/reports/ledger-exports/<export_id:int>/file", f"/api/v1/reports/ledger-exports/{a['export'].id}/file", None),
        ("GET", "api/v1/profile-consent", "/api/v1/profile-consent", None),
        ("GET", "api/v1/members/<member_id:int>/profile", f"/api/v1/members/{mem}/profile", None),
        ("PATCH", "api/v1/members/<member_id:int>/profile", f"/api/v1/members/{mem}/profile", {"pledge": "改掉"}),
        ("POST", "api/v1/members/<member_id:int>/profile/photo", f"/api/v1/members/{mem}/profile/photo", "PHOTO"),
        ("GET", "api/v1/members/<member_id:int>/profile/photo.jpg", f"/api/v1/members/{mem}/profile/photo.jpg", None),
        ("POST", "api/v1/members/<member_id:int>/profile/consent", f"/api/v1/members/{mem}/profile/consent", {"version": CONSENT_VERSION}),
        ("DELETE", "api/v1/members/<member_id:int>/profile/consent", f"/api/v1/members/{mem}/profile/consent", None),
        ("POST", "api/v1/members/<member_id:int>/plate", f"/api/v1/members/{mem}/plate", None),
        ("GET", "api/v1/members/<member_id:int>/plate.png", f"/api/v1/members/{mem}/plate.png", None),
        ("GET", "api/v1/members/<member_id:int>/plate.pdf", f"/api/v1/members/{mem}/plate.pdf", None),
        ("GET", "api/v1/members/<member_id:int>/member-code", f"/api/v1/members/{mem}/member-code", None),
        ("POST", "api/v1/members/<member_id:int>/member-code", f"/api/v1/members/{mem}/member-code", None),
        ("GET", "api/v1/members/<member_id:int>/member-card.pdf", f"/api/v1/members/{mem}/member-card.pdf", None),
        ("GET", "api/v1/orgs/<org_id:int>/member-cards.pdf", f"/api/v1/orgs/{world.branch_a.id}/member-cards.pdf", None),
        ("POST", "api/v1/plates/batch", "/api/v1/plates/batch", {"org_id": world.party_a.id}),
        ("GET", "api/v1/jobs", f"/api/v1/jobs?org_id={world.branch_a.id}", None),
        ("GET", "api/v1/jobs/<job_id:int>", f"/api/v1/jobs/{a['job'].id}", None),
        ("GET", "api/v1/jobs/<job_id:int>/file", f"/api/v1/jobs/{a['job'].id}/file", None),
        ("GET", "api/v1/members/<member_id:int>/ratings", f"/api/v1/members/{mem}/ratings", None),
        ("GET", "api/v1/ratings", "/api/v1/ratings?status=flagged", None),
        ("POST", "api/v1/ratings/<rating_id:int>/publish", f"/api/v1/ratings/{a['rating'].id}/publish", None),
        ("POST", "api/v1/ratings/<rating_id:int>/hide", f"/api/v1/ratings/{a['rating'].id}/hide", {"reason": "x"}),
        ("PUT", "api/v1/ratings/<rating_id:int>/reply", f"/api/v1/ratings/{a['rating'].id}/reply", {"reply": "x"}),
        ("GET", "api/v1/public/plates/<code:str>", f"/api/v1/public/plates/{a['code']}", None),
        ("POST", "api/v1/public/plates/<code:str>/ratings", f"/api/v1/public/plates/{a['code']}/ratings", {"score": 5, "nonce": secrets.token_hex(8)}),
        ("POST", "api/v1/evaluations/cycles", "/api/v1/evaluations/cycles",
         {"org_id": world.branch_a.id, "year": 2030, "deadlines": {"self_until": "2030-11-01", "peer_until": "2030-11-01", "review_until": "2030-11-20"}}),
        ("GET", "api/v1/evaluations/cycles", "/api/v1/evaluations/cycles", None),
        ("GET", "api/v1/evaluations/cycles/<cycle_id:int>", f"/api/v1/evaluations/cycles/{cyc}", None),
        ("GET", "api/v1/evaluations/cycles/<cycle_id:int>/roster", f"/api/v1/evaluations/cycles/{cyc}/roster", None),
        ("GET", "api/v1/evaluations/cycles/<cycle_id:int>/evaluations", f"/api/v1/evaluations/cycles/{cyc}/evaluations", None),
        ("POST", "api/v1/evaluations/cycles/<cycle_id:int>/vetoes", f"/api/v1/evaluations/cycles/{cyc}/vetoes", {"member_id": mem, "reason": "x"}),
        ("POST", "api/v1/evaluations/cycles/<cycle_id:int>/announce", f"/api/v1/evaluations/cycles/{cyc}/announce", {}),
        ("POST", "api/v1/evaluations/cycles/<cycle_id:int>/objections", f"/api/v1/evaluations/cycles/{cyc}/objections", {"reason": "x"}),
        ("GET", "api/v1/evaluations/cycles/<cycle_id:int>/objections", f"/api/v1/evaluations/cycles/{cyc}/objections", None),
        ("POST", "api/v1/evaluations/objections/<objection_id:int>/answer", f"/api/v1/evaluations/objections/{a['objection'].id}/answer", {"answer": "x"}),
        ("POST", "api/v1/evaluations/cycles/<cycle_id:int>/finalize", f"/api/v1/evaluations/cycles/{cyc}/finalize", None),
        ("GET", "api/v1/evaluations/cycles/<cycle_id:int>/follow-ups", f"/api/v1/evaluations/cycles/{cyc}/follow-ups", None),
        ("GET", "api/v1/me/evaluation", "/api/v1/me/evaluation", None),
        ("PUT", "api/v1/evaluations/<evaluation_id:int>/self", f"/api/v1/evaluations/{ev}/self", {"items": {"political": 1}}),
        ("PUT", "api/v1/evaluations/<evaluation_id:int>/peers/<peer_evaluation_id:int>", f"/api/v1/evaluations/{ev}/peers/{ev}", {"grade": "poor"}),
        ("GET", "api/v1/evaluations/<evaluation_id:int>", f"/api/v1/evaluations/{ev}", None),
        ("PUT", "api/v1/evaluations/<evaluation_id:int>/review", f"/api/v1/evaluations/{ev}/review",
         {"items": {"political": 1, "integrity": 1, "org_life": 1, "service": 1, "study": 1}}),
        ("PUT", "api/v1/evaluations/<evaluation_id:int>/outstanding", f"/api/v1/evaluations/{ev}/outstanding", {"outstanding": True}),
        ("PUT", "api/v1/evaluations/<evaluation_id:int>/follow-up", f"/api/v1/evaluations/{ev}/follow-up", {"talk_by": "x"}),
        ("POST", "api/v1/evaluations/<evaluation_id:int>/corrections", f"/api/v1/evaluations/{ev}/corrections", {"stars": 1, "reason": "x"}),
        ("GET", "api/v1/reports/evaluations.xlsx", f"/api/v1/reports/evaluations.xlsx?cycle_id={cyc}", None),
        ("GET", "api/v1/public/announcements/<code:str>", "/api/v1/public/announcements/abcdefghjk", None),
        ("GET", "api/v1/members/<member_id:int>/floating", f"/api/v1/members/{fl}/floating", None),
        ("PUT", "api/v1/members/<member_id:int>/floating", f"/api/v1/members/{fl}/floating",
         {**FLOATING, "home_org_contact": "改掉"}),
        ("POST", "api/v1/members/<member_id:int>/floating/reveal", f"/api/v1/members/{fl}/floating/reveal", None),
        ("POST", "api/v1/members/<member_id:int>/floating/proof", f"/api/v1/members/{fl}/floating/proof", "FILE"),
        ("GET", "api/v1/members/<member_id:int>/floating/proof", f"/api/v1/members/{fl}/floating/proof", None),
        ("POST", "api/v1/members/<member_id:int>/floating/proof/confirm", f"/api/v1/members/{fl}/floating/proof/confirm", None),
        ("POST", "api/v1/members/<member_id:int>/floating/proof/reject", f"/api/v1/members/{fl}/floating/proof/reject", {"reason": "x"}),
        ("GET", "api/v1/members/<member_id:int>/floating/record", f"/api/v1/members/{fl}/floating/record", None),
        ("PUT", "api/v1/members/<member_id:int>/floating/comments/<year:int>", f"/api/v1/members/{fl}/floating/comments/2026",
         {"grade": "unqualified", "text": "改掉"}),
        ("POST", "api/v1/floating/letters", "/api/v1/floating/letters", {"org_id": world.branch_a.id, "year": 2026}),
        ("GET", "api/v1/floating/letters/batches/<batch_id:int>", f"/api/v1/floating/letters/batches/{a['letter_batch'].id}", None),
        ("GET", "api/v1/floating/letters/batches/<batch_id:int>/file", f"/api/v1/floating/letters/batches/{a['letter_batch'].id}/file", None),
        ("POST", "api/v1/floating/letters/<letter_id:int>/receipt", f"/api/v1/floating/letters/{a['letter'].id}/receipt", "FILE"),
        ("POST", "api/v1/floating/reminders", "/api/v1/floating/reminders", {"org_id": world.branch_a.id}),
        ("GET", "api/v1/reports/floating", f"/api/v1/reports/floating?org_id={world.branch_a.id}", None),
        # last: it revokes the caller's token
        ("POST", "api/v1/auth/logout", "/api/v1/auth/logout", None),
    ]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG")
    return out.getvalue()


async def call(c, method, path, body):
    if body == "FILE":
        return await c.request(method, path, files={"file": ("a.jpg", jpeg(), "image/jpeg")})
    if body == "PHOTO":
        return await c.request(method, path, files={"photo": ("a.jpg", jpeg(), "image/jpeg")})
    if body == "ROSTER":  # a good row for branch A: an outsider must not get it checked, let alone written
        book = workbook([row(组织生活所在党组织="湖滨第一党支部", 手机号码="13900009876")])
        return await c.request(method, path, files={"file": ("名册.xlsx", book, XLSX)})
    return await c.request(method, path, json=body) if body is not None else await c.request(method, path)


async def test_every_route_is_in_the_matrix(world, backend):
    a = await branch_a(world, backend)
    listed = {(method, route) for method, route, _, _ in matrix(world, a)}
    routes = {(method, r.path) for r in backend.app.router.routes if r.path.startswith("api/v1/")
              for method in r.methods - {"OPTIONS", "HEAD"}}
    assert listed == routes


async def test_no_caller_outside_branch_a_writes_or_reads_its_records(world, backend):
    a = await branch_a(world, backend)
    private = [world.member_a.mobile, "13700001111", world.member_a.unit_name, "进货", "秤不准", a["job"].file_key, a["export"].file_key, a["roster_export"].file_key, a["member_code"],
               a["id_number"], a["id_number"][:6] + "*" * 8 + a["id_number"][-4:], "评语甲", "流动甲", a["letter"].code]
    before = await snapshot(world, a)
    for method, route, path, body in matrix(world, a):
        async with world.client() as anonymous:
            response = await call(anonymous, method, path, body)
        if (method, route) not in PUBLIC:
            assert response.status_code == 401, (method, path)
    for who in OUTSIDERS:
        async with world.client(who) as c:
            for method, route, path, body in matrix(world, a):
                response = await call(c, method, path, body)
                if (method, route) not in OPEN:
                    assert response.status_code in (403, 404, 422), (who, method, path, response.status_code)
                text = response.text
                for secret in private:
                    if (method, route) in CONSENTED and secret == world.member_a.unit_name:
                        continue
                    assert secret not in text, (who, method, path)
    assert await snapshot(world, a) == before


async def snapshot(world, a) -> dict:
    """Branch A's state that an outsider's request must not change."""
    return {
        "registration": (await Registration.get(id=a["registration"].id)).status,
        "member": tuple((await Member.filter(id=world.member_a.id).values_list("category", "name"))[0]),
        "activity": tuple((await Activity.filter(id=a["activity"].id).values_list("title", "status", "host_id", "minutes"))[0]),
        "plan": await MeetingPlan.filter(org=world.party_a).count(),
        "plan_reminders": await PlanReminder.filter(org=world.party_a).count(),
        "attendance": await Attendance.filter(activity=a["activity"]).count(),
        "offline_scans": await OfflineScan.filter(activity=a["activity"]).count(),
        "member_codes": tuple(await MemberCode.filter(member=world.member_a, revoked_at=None).values_list("code", flat=True)),
        "leave": (await LeaveRequest.get(id=a["leave"].id)).status,
        "photos": await ActivityPhoto.filter(activity=a["activity"]).count(),
        "roles": await Role.filter(org_id__in=[world.branch_a.id, world.party_a.id]).count(),
        "orgs": await Org.filter(path__startswith=world.branch_a.path).count(),
        "org_name": (await Org.get(id=world.branch_a.id)).name,
        "desk_session": (await AuthToken.get(id=a["desk_session"].id)).revoked_at,
        "attachments": await world.member_a.attachments.all().count(),
        "market": tuple((await Market.filter(id=world.market.id).values_list("stars", "org_form", "vendor_count"))[0]),
        "market_checks": (await Attestation.all().count(), await Evidence.all().count(), await SpotCheck.all().count()),
        "snapshots": tuple(await Snapshot.filter(org_id=world.branch_a.id).values_list("state", "as_of", "figures")),
        "snapshot_jobs": await SnapshotJob.filter(org=world.branch_a).count(),
        "roster_exports": await RosterExport.filter(snapshot__org=world.branch_a).count(),
        "activities": await Activity.filter(org=world.party_a).count(),
        "ledger_exports": await LedgerExport.filter(org=world.party_a).count(),
        "profile": tuple((await Profile.filter(member=world.member_a).values_list("pledge", "photo_key", "consent_at"))[0]),
        "plates": tuple(await Plate.filter(member=world.member_a, revoked_at=None).values_list("code", flat=True)),
        "rating": tuple((await Rating.filter(id=a["rating"].id).values_list("status", "reply"))[0]),
        "jobs": await PlateJob.filter(org=world.party_a).count(),
        "imports": await RosterImport.filter(org=world.branch_a).count(),
        "import": (await RosterImport.get(id=a["import"].id)).state,
        "evaluation": tuple((await Evaluation.filter(id=a["evaluation"].id).values_list(
            "self_items", "review_items", "veto_reason", "stars", "outstanding"))[0]),
        "cycles": tuple(await Cycle.filter(org=world.branch_a).values_list("announced_on", "finalized_at")),
        "objections": tuple(await Objection.filter(cycle=a["cycle"]).values_list("answer", flat=True)),
        "floating": tuple((await FloatingRecord.filter(member=a["floater"]).values_list(
            "proof_state", "id_number_sealed", "home_org_contact", "proof_key"))[0]),
        "receipt_reminders": await ReceiptReminder.filter(org_id__in=[world.branch_a.id, world.party_a.id]).count(),
        "floating_comments": tuple(await FloatingComment.filter(member=a["floater"]).values_list("grade", "text")),
        "letters": tuple(await Letter.filter(member=a["floater"]).values_list("received_at", "receipt_file_key", "batch_id")),
        "roster": await Member.filter(life_org__path__startswith=world.branch_a.path).count(),
    }
