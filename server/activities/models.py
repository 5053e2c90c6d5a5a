"""三会一课, trainings and other activities; who attended and how it was recorded."""
from tortoise import fields
from tortoise.models import Model

ACTIVITY_KINDS = {
    "party_congress": "支部党员大会",
    "committee": "支委会",
    "group": "党小组会",
    "lecture": "党课",
    "training": "教育培训",
    "theme_day": "主题党日",
    "life_meeting": "组织生活会",
    "appraisal": "民主评议",
    "volunteer": "志愿服务",
    "other": "其他活动",
}
# Kinds that decide things by vote (their records carry resolutions with votes), and the one
# whose decisions need more than half of the full members expected (党章: 党员大会 quorum).
DECIDING_KINDS = ("party_congress", "committee")
QUORUM_KINDS = ("party_congress",)
ATTENDANCE_STATUSES = {"present": "出席", "leave": "请假", "absent": "缺席"}
ATTENDANCE_METHODS = {"scan": "扫码签到", "card": "党员卡签到", "manual": "书记登记", "leave": "请假审批"}


class Activity(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="activities", on_delete=fields.RESTRICT)
    kind = fields.CharField(max_length=20)
    title = fields.CharField(max_length=100)
    place = fields.CharField(max_length=100, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    counts_as_training = fields.BooleanField(default=False)
    # The check-in window: from this many minutes before the start until this many after the end.
    checkin_opens_before = fields.IntField(default=30)
    checkin_closes_after = fields.IntField(default=0)
    geofence_lat = fields.FloatField(null=True)
    geofence_lng = fields.FloatField(null=True)
    geofence_radius_m = fields.IntField(null=True)
    # Random, printed inside the rotating check-in token instead of the database id.
    checkin_code = fields.CharField(max_length=16, unique=True)
    status = fields.CharField(max_length=20, default="scheduled")  # scheduled | cancelled
    minutes = fields.TextField(default="")
    # The meeting record (台账): who chaired, took the minutes and spoke; guests; agenda; decisions.
    host = fields.ForeignKeyField("models.Member", related_name="hosted_activities", null=True, on_delete=fields.SET_NULL)
    recorder = fields.ForeignKeyField("models.Member", related_name="recorded_activities", null=True,
                                      on_delete=fields.SET_NULL)
    speaker = fields.ForeignKeyField("models.Member", related_name="spoken_activities", null=True,
                                     on_delete=fields.SET_NULL)
    # db_default: meetings held before the record existed get an empty one (migration 0010)
    speaker_name = fields.CharField(max_length=50, default="", db_default="")  # a speaker from outside (上级党委、讲师)
    guests = fields.CharField(max_length=500, default="", db_default="")  # 列席 and 到会指导, as written
    topics = fields.JSONField(default=list, db_default="[]")  # ["议题一", ...]
    resolutions = fields.JSONField(default=list, db_default="[]")  # [{"text", "votes_for", "votes_against", "abstaining"}]
    created_by = fields.ForeignKeyField("models.User", related_name="created_activities", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "activities"
        indexes = (("org_id", "starts_at"),)  # an org's meetings of a period (lists, ledger, calendar)


class Attendance(Model):
    # One row per member and activity, whichever way it was recorded: the unique pair is what
    # makes a check-in exactly-once, whatever the phones retry.
    id = fields.IntField(primary_key=True)
    activity = fields.ForeignKeyField("models.Activity", related_name="attendance", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("models.Member", related_name="attendance", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10)  # present | leave | absent
    method = fields.CharField(max_length=10)  # scan | manual | leave
    nonce = fields.CharField(max_length=64, null=True, unique=True)  # the phone's, for replaying retries
    recorded_at = fields.DatetimeField()
    recorded_by = fields.ForeignKeyField("models.User", related_name="recorded_attendance", null=True, on_delete=fields.SET_NULL)
    note = fields.CharField(max_length=200, default="")
    lat = fields.FloatField(null=True)
    lng = fields.FloatField(null=True)

    class Meta:
        table = "attendance"
        unique_together = (("activity", "member"),)
        indexes = (("member_id",),)  # one member's attendance (their page, training rates)


class LeaveRequest(Model):
    id = fields.IntField(primary_key=True)
    activity = fields.ForeignKeyField("models.Activity", related_name="leave_requests", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("models.Member", related_name="leave_requests", on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=200)
    status = fields.CharField(max_length=10, default="pending")  # pending | approved | rejected
    decided_by = fields.ForeignKeyField("models.User", related_name="decided_leaves", null=True, on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "leave_requests"
        unique_together = (("activity", "member"),)


class Reminder(Model):
    # A member's one-time subscribe-message permission for one activity's reminder. The status
    # moves pending -> sending -> sent|failed|skipped by conditional updates, so one worker sends it.
    id = fields.IntField(primary_key=True)
    activity = fields.ForeignKeyField("models.Activity", related_name="reminders", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("models.Member", related_name="reminders", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10, default="pending")
    claimed_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reminders"
        unique_together = (("activity", "member"),)


class MeetingPlan(Model):
    # An org's own required frequency for one kind, where it differs from PLAN_DEFAULTS
    # (server/activities/plan.py). every = "none": not required of this org.
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="meeting_plans", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    every = fields.CharField(max_length=10)  # month | quarter | year | none
    times = fields.IntField(default=1)
    updated_by = fields.ForeignKeyField("models.User", related_name="meeting_plans", null=True, on_delete=fields.SET_NULL)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "meeting_plans"
        unique_together = (("org", "kind"),)


class PlanReminder(Model):
    # A secretary's one-time subscribe permission: remind me once when a period is ending with a
    # required meeting not held. Claimed pending -> sending by a conditional update, like Reminder.
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="plan_reminders", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="plan_reminders", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10, default="pending")  # pending | sending | sent | failed
    period = fields.CharField(max_length=10, default="")  # the period it was sent for, "2026-Q4"
    sent_at = fields.DatetimeField(null=True)
    error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "plan_reminders"


class ActivityPhoto(Model):
    # A photo of the meeting for its record; the file itself is in FileStorage under `key`.
    id = fields.IntField(primary_key=True)
    activity = fields.ForeignKeyField("models.Activity", related_name="photos", on_delete=fields.CASCADE)
    key = fields.CharField(max_length=64, unique=True)
    width = fields.IntField()
    height = fields.IntField()
    size = fields.IntField()
    uploaded_by = fields.ForeignKeyField("models.User", related_name="uploaded_photos", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_photos"
        indexes = (("activity_id",),)  # a meeting's photos (its record, the ledger), not every meeting's


class OfflineScan(Model):
    # A member card scanned by a secretary's phone without a network, as it was uploaded: one row
    # per (device, sequence number), so an upload sent twice changes nothing, with the outcome
    # the first upload got. The attendance it made, if any, is an ordinary Attendance row.
    id = fields.IntField(primary_key=True)
    activity = fields.ForeignKeyField("models.Activity", related_name="offline_scans", on_delete=fields.CASCADE)
    device_id = fields.CharField(max_length=64)
    seq = fields.IntField()
    member_code = fields.CharField(max_length=64)
    scanned_at = fields.DatetimeField()  # the phone's clock
    counted_at = fields.DatetimeField()  # the same moment on the server's clock
    member = fields.ForeignKeyField("models.Member", related_name="offline_scans", null=True, on_delete=fields.SET_NULL)
    outcome = fields.CharField(max_length=24)
    uploaded_by = fields.ForeignKeyField("models.User", related_name="offline_scans", null=True, on_delete=fields.SET_NULL)
    uploaded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "offline_scans"
        unique_together = (("device_id", "seq"),)
