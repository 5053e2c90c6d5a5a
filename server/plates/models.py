"""三亮: what a member shows the public, the plates at their stall, customers' ratings, and the
batch print jobs."""
from tortoise import fields
from tortoise.models import Model

from server.jobs.files import MadeFile

RATING_STATUSES = {"published": "已公开", "flagged": "待书记处理", "hidden": "已隐藏"}


class Profile(Model):
    # The member's public profile: pledge and photo, public only while consent_at is set.
    id = fields.IntField(primary_key=True)
    member = fields.OneToOneField("models.Member", related_name="profile", on_delete=fields.CASCADE)
    pledge = fields.CharField(max_length=200, default="")
    photo_key = fields.CharField(max_length=64, null=True)
    consent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "profiles"


class Consent(Model):
    # PIPL art. 25: the separate consent to make personal information public, with the exact
    # text agreed to. One row per grant; withdrawal stamps it. Rows are never deleted.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="consents", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="consents", null=True, on_delete=fields.SET_NULL)
    version = fields.CharField(max_length=20)
    text = fields.TextField()
    granted_at = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consents"
        indexes = (("member_id",),)  # a member's grants (withdrawing them), not every member's


class Plate(Model):
    # A printed plate's QR code. Issuing again revokes the old one; active_key equals member_id
    # while the plate is current and NULL once revoked, so a unique constraint allows one
    # current plate per member even when two issues race.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="plates", on_delete=fields.CASCADE)
    code = fields.CharField(max_length=16, unique=True)
    active_key = fields.IntField(null=True, unique=True)
    issued_by = fields.ForeignKeyField("models.User", related_name="issued_plates", null=True, on_delete=fields.SET_NULL)
    issued_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "plates"
        indexes = (("member_id",),)  # the plates some members held on a day (a market's 六化 page, statistics)


class Rating(Model):
    # A customer's score and comment. `customer` is a keyed hash of the WeChat openid or of the
    # browser's signed cookie: enough to allow one rating a day, nothing that identifies a person.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="ratings", on_delete=fields.CASCADE)
    plate = fields.ForeignKeyField("models.Plate", related_name="ratings", on_delete=fields.CASCADE)
    score = fields.SmallIntField()
    comment = fields.CharField(max_length=200, default="")
    is_complaint = fields.BooleanField(default=False)
    customer = fields.CharField(max_length=64)
    channel = fields.CharField(max_length=16)  # web | miniprogram
    day = fields.DateField()  # Shanghai date: one rating per customer per member per day
    nonce = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, db_index=True)
    flag_reason = fields.CharField(max_length=32, default="")  # low_score | complaint | content_review | unchecked_comment
    hidden_reason = fields.CharField(max_length=200, null=True)
    moderated_by = fields.ForeignKeyField("models.User", related_name="moderated_ratings", null=True, on_delete=fields.SET_NULL)
    moderated_at = fields.DatetimeField(null=True)
    reply = fields.CharField(max_length=300, null=True)
    replied_by = fields.ForeignKeyField("models.User", related_name="rating_replies", null=True, on_delete=fields.SET_NULL)
    replied_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ratings"
        unique_together = (("member", "customer", "day"), ("member", "nonce"))


class PlateJob(MadeFile):
    # A batch of plates printed into one PDF by the job engine (server/jobs). `runner` names the
    # attempt that owns it: an attempt that lost it (its worker stalled and the job was started
    # again elsewhere) can no longer write progress, the file or the outcome.
    id = fields.IntField(primary_key=True)
    requested_by = fields.ForeignKeyField("models.User", related_name="plate_jobs", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="plate_jobs", null=True, on_delete=fields.CASCADE)
    market = fields.ForeignKeyField("models.Market", related_name="plate_jobs", null=True, on_delete=fields.CASCADE)
    layout = fields.CharField(max_length=32)
    state = fields.CharField(max_length=16, default="queued", db_index=True)
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    skipped = fields.IntField(default=0)  # members without consent to a public profile
    attempts = fields.IntField(default=0)
    error = fields.CharField(max_length=200, null=True)
    runner = fields.CharField(max_length=32, null=True)
    # "plates:org:N" / "plates:market:N" while queued or running, else null: unique, so two
    # requests at the same instant on two hosts cannot both start a batch for one scope.
    active_scope = fields.CharField(max_length=40, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "plate_jobs"
