"""The 党建信息登记表 (registration) and the party members it becomes."""
from tortoise import fields
from tortoise.models import Model

CATEGORIES = {"affiliated": "隶属党员", "local": "属地党员", "floating": "流动党员"}
STANDINGS = {"full": "正式党员", "probationary": "预备党员"}
PLACEMENTS = {"standalone": "个体工商户", "in_market": "市场内个体工商户"}
REGISTRATION_STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}


class Registration(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="registrations", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=20, default="pending")
    # Equals user_id while pending and NULL otherwise: the unique constraint then allows one
    # open registration per user on SQLite and PostgreSQL alike (NULLs never collide).
    open_key = fields.IntField(null=True, unique=True)
    unit_name = fields.CharField(max_length=100)
    name = fields.CharField(max_length=50)
    mobile = fields.CharField(max_length=11)
    is_owner = fields.BooleanField()
    household_district = fields.CharField(max_length=50)
    life_org = fields.ForeignKeyField("models.Org", related_name="registrations", on_delete=fields.RESTRICT)
    home_org = fields.CharField(max_length=100)
    standing = fields.CharField(max_length=20)
    placement = fields.CharField(max_length=20)
    market = fields.ForeignKeyField("models.Market", related_name="registrations", null=True, on_delete=fields.RESTRICT)
    stall_no = fields.CharField(max_length=30, null=True)
    category = fields.CharField(max_length=20, null=True)  # the registrant's guess; the secretary decides
    filled_by_name = fields.CharField(max_length=50, null=True)
    filled_by_phone = fields.CharField(max_length=11, null=True)
    filled_on = fields.DateField()
    reject_reason = fields.CharField(max_length=500, null=True)
    reviewed_by = fields.ForeignKeyField("models.User", related_name="reviewed_registrations", null=True, on_delete=fields.SET_NULL)
    reviewed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "registrations"


class Member(Model):
    id = fields.IntField(primary_key=True)
    # Null for members imported from an existing roster who have not logged in yet.
    user = fields.OneToOneField("models.User", related_name="member", null=True, on_delete=fields.SET_NULL)
    registration = fields.OneToOneField("models.Registration", related_name="member", null=True, on_delete=fields.SET_NULL)
    name = fields.CharField(max_length=50)
    mobile = fields.CharField(max_length=11)
    unit_name = fields.CharField(max_length=100)
    is_owner = fields.BooleanField()
    household_district = fields.CharField(max_length=50)
    life_org = fields.ForeignKeyField("models.Org", related_name="members", on_delete=fields.RESTRICT)
    home_org = fields.CharField(max_length=100)
    category = fields.CharField(max_length=20)
    standing = fields.CharField(max_length=20)
    placement = fields.CharField(max_length=20)
    market = fields.ForeignKeyField("models.Market", related_name="members", null=True, on_delete=fields.RESTRICT)
    stall_no = fields.CharField(max_length=30, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "members"


class Attachment(Model):
    # 一方隶属，多重管理: the member also takes part in this org's activities.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="attachments", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="attachments", on_delete=fields.CASCADE)
    created_by = fields.ForeignKeyField("models.User", related_name="created_attachments", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachments"
        unique_together = (("member", "org"),)
