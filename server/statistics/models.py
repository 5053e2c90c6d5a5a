"""Half-year snapshots: an org's figures frozen as of 30 June or 31 December (or a day staff
chose), submitted up the tree, returned or accepted; corrections are rows, never silent."""
from tortoise import fields
from tortoise.models import Model

from server.jobs.asked import AskedJob
from server.jobs.files import MadeFile

SNAPSHOT_STATES = {"draft": "未上报", "submitted": "已上报", "returned": "已退回", "accepted": "已接收"}
SNAPSHOT_SOURCES = {"scheduled": "半年定时生成", "manual": "手动生成"}
SNAPSHOT_JOB_KINDS = {"take": "生成统计", "retake": "重新生成"}


class Snapshot(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="snapshots", on_delete=fields.CASCADE)
    as_of = fields.DateField()
    source = fields.CharField(max_length=20, default="manual")
    state = fields.CharField(max_length=20, default="draft")
    # totals, per-market rows and per-district counts (the members are SnapshotMember rows)
    figures = fields.JSONField()
    taken_by = fields.ForeignKeyField("models.User", related_name="snapshots_taken", null=True, on_delete=fields.SET_NULL)
    taken_at = fields.DatetimeField(auto_now_add=True)
    submitted_at = fields.DatetimeField(null=True)
    submitted_by = fields.ForeignKeyField("models.User", related_name="snapshots_submitted", null=True,
                                          on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.ForeignKeyField("models.User", related_name="snapshots_decided", null=True,
                                        on_delete=fields.SET_NULL)
    return_reason = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "snapshots"
        unique_together = (("org", "as_of"),)


class SnapshotMember(Model):
    # One member as the 个体工商户党建信息登记表 has them on the snapshot's day.

    id = fields.IntField(primary_key=True)
    snapshot = fields.ForeignKeyField("models.Snapshot", related_name="members", on_delete=fields.CASCADE)
    member_id = fields.IntField()
    name = fields.CharField(max_length=50)
    unit_name = fields.CharField(max_length=100)
    mobile = fields.CharField(max_length=11)
    is_owner = fields.BooleanField()
    household_district = fields.CharField(max_length=50)
    life_org_name = fields.CharField(max_length=100)
    home_org = fields.CharField(max_length=100)
    category = fields.CharField(max_length=20)
    standing = fields.CharField(max_length=20)
    placement = fields.CharField(max_length=20)
    market_name = fields.CharField(max_length=100, null=True)
    stall_no = fields.CharField(max_length=30, null=True)
    filled_by_name = fields.CharField(max_length=50, null=True)
    filled_by_phone = fields.CharField(max_length=11, null=True)
    filled_on = fields.DateField(null=True)

    class Meta:
        table = "snapshot_members"
        indexes = (("snapshot_id", "member_id"),)


class SnapshotCorrection(Model):
    # A snapshot taken again after the records for its day changed: who, why, what moved.

    id = fields.IntField(primary_key=True)
    snapshot = fields.ForeignKeyField("models.Snapshot", related_name="corrections", on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=500)
    changes = fields.JSONField()  # [{"what": "...", "before": x, "after": y}]
    made_by = fields.ForeignKeyField("models.User", related_name="snapshot_corrections", null=True,
                                     on_delete=fields.SET_NULL)
    made_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "snapshot_corrections"


class SnapshotJob(AskedJob):
    # A snapshot taken (or taken again) by the job engine for staff who asked for it: a city's
    # figures take seconds of work that no process answering requests should do.

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # SNAPSHOT_JOB_KINDS
    requested_by = fields.ForeignKeyField("models.User", related_name="snapshot_jobs", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="snapshot_jobs", on_delete=fields.CASCADE)
    as_of = fields.DateField()
    reason = fields.CharField(max_length=500, null=True)  # a retake's
    # The snapshot taken, or the one taken again; a retake's correction when anything changed.
    snapshot = fields.ForeignKeyField("models.Snapshot", related_name="jobs", null=True, on_delete=fields.SET_NULL)
    correction = fields.ForeignKeyField("models.SnapshotCorrection", related_name="jobs", null=True,
                                        on_delete=fields.SET_NULL)
    # active_key (AskedJob): "snapshot:<org>:<as_of>" while queued or running, so an org's figures
    # of a day are computed once at a time.

    class Meta:
        table = "snapshot_jobs"


class RosterExport(MadeFile, AskedJob):
    # A snapshot's 登记表 roster workbook made by the job engine: a city's 50 000 rows take seconds
    # no process answering requests should spend. The file is deleted after its retention.

    id = fields.IntField(primary_key=True)
    requested_by = fields.ForeignKeyField("models.User", related_name="roster_exports", on_delete=fields.CASCADE)
    snapshot = fields.ForeignKeyField("models.Snapshot", related_name="roster_exports", on_delete=fields.CASCADE)
    rows = fields.IntField(default=0)  # the snapshot's members, when it was asked for
    # active_key (AskedJob): "roster:<snapshot>" while queued or running.

    class Meta:
        table = "roster_exports"
