"""A floating member's registration (身份证号 encrypted), the stamped proof, the yearly comment,
the letters (函) to the home branch with their numbers and receipts, and the print batches."""
from tortoise import fields
from tortoise.models import Model

from server.jobs.files import JOB_STATES

PROOF_STATES = {"missing": "未上传", "pending": "待确认", "confirmed": "已确认", "rejected": "已退回"}
COMMENT_GRADES = {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格", "unqualified": "不合格"}
RECEIPT_CHANNELS = {"web": "扫码确认", "paper": "纸质回执"}
BATCH_STATES = JOB_STATES  # a letter batch is a job that makes a file


class FloatingRecord(Model):
    id = fields.IntField(primary_key=True)
    member = fields.OneToOneField("models.Member", related_name="floating", on_delete=fields.CASCADE)
    id_number_sealed = fields.CharField(max_length=200)  # AES-GCM (server/floating/idnumber.py)
    id_number_masked = fields.CharField(max_length=18)
    home_org_contact = fields.CharField(max_length=50)
    home_org_phone = fields.CharField(max_length=20)
    home_org_address = fields.CharField(max_length=200)
    inflow_on = fields.DateField()
    activity_card_no = fields.CharField(max_length=30, default="")  # 《流动党员活动证》 number
    proof_state = fields.CharField(max_length=12, default="missing")
    proof_key = fields.CharField(max_length=64, null=True)
    proof_type = fields.CharField(max_length=20, null=True)  # image/jpeg | application/pdf
    proof_uploaded_at = fields.DatetimeField(null=True)
    proof_reason = fields.CharField(max_length=300, null=True)
    proof_confirmed_on = fields.DateField(null=True)
    proof_by = fields.ForeignKeyField("models.User", related_name="floating_proofs", null=True, on_delete=fields.SET_NULL)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "floating_records"


class FloatingComment(Model):
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="floating_comments", on_delete=fields.CASCADE)
    year = fields.SmallIntField()
    grade = fields.CharField(max_length=24)
    text = fields.TextField()
    written_by = fields.ForeignKeyField("models.User", related_name="floating_comments", null=True, on_delete=fields.SET_NULL)
    writer_name = fields.CharField(max_length=50, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "floating_comments"
        unique_together = (("member", "year"),)


class LetterCounter(Model):
    # The last 函号 an org gave in a year: numbers are taken under this row's lock, never reused.
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="letter_counters", on_delete=fields.CASCADE)
    year = fields.SmallIntField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "floating_letter_counters"
        unique_together = (("org", "year"),)


class LetterBatch(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="letter_batches", on_delete=fields.CASCADE)
    year = fields.SmallIntField()
    requested_by = fields.ForeignKeyField("models.User", related_name="letter_batches", null=True, on_delete=fields.SET_NULL)
    full_id_numbers = fields.BooleanField(default=False)
    state = fields.CharField(max_length=10, default="queued")
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    skipped = fields.JSONField(default=list)  # [{member_id, name, code}] not printed, and why
    file_key = fields.CharField(max_length=64, null=True)
    error = fields.CharField(max_length=300, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "floating_letter_batches"


class Letter(Model):
    # One letter a member a year, with its number and the code of its receipt; printing it again
    # prints the same letter.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="floating_letters", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="floating_letters", on_delete=fields.RESTRICT)
    year = fields.SmallIntField()
    number = fields.IntField()
    code = fields.CharField(max_length=16, unique=True)
    batch = fields.ForeignKeyField("models.LetterBatch", related_name="letters", null=True, on_delete=fields.SET_NULL)
    sent_on = fields.DateField()
    received_at = fields.DatetimeField(null=True)
    receipt_channel = fields.CharField(max_length=10, null=True)
    receiver_name = fields.CharField(max_length=50, null=True)
    receiver_org = fields.CharField(max_length=100, null=True)
    receiver_phone = fields.CharField(max_length=20, null=True)
    receipt_file_key = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "floating_letters"
        unique_together = (("member", "year"), ("org", "year", "number"))


class ReceiptReminder(Model):
    # A secretary's one-time subscribe permission: tell me once when a letter of this org's subtree
    # has waited over 30 days for its receipt. Claimed pending -> sending, like the plan's.
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="receipt_reminders", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="receipt_reminders", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10, default="pending")  # pending | sending | sent | skipped | failed
    sent_at = fields.DatetimeField(null=True)
    error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "floating_receipt_reminders"
