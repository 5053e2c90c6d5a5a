"""Markets (商品交易市场, 农贸市场) as the statistics tables describe them, their 六化 checklist's
attested items with evidence, and plate spot checks (抽查) stall by stall."""
from tortoise import fields
from tortoise.models import Model

MARKET_KINDS = {
    "specialized": "专业市场",
    "farmers": "农贸市场",
    "comprehensive": "综合市场",
    "other": "其他市场",
}
# The markets the 六化 document (浙工商党委〔2013〕23号) puts in scope.
SCOPES = {
    "provincial_key": "省级重点市场",
    "regional_key": "区域性重点市场",
    "five_star": "五星级市场",
    "district_farmers": "城区四星级以上农贸市场",
    "county_central": "县城中心农贸市场",
}
ORG_FORMS = {"single": "单独组建", "joint": "联合组建", "regional": "区域性党组织覆盖"}
ORG_LEVELS = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}


class Market(Model):
    # 商品交易市场: looked after by one org of the tree (its own market org when it has one).

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=20)
    district = fields.CharField(max_length=50, default="")
    org = fields.ForeignKeyField("models.Org", related_name="markets", on_delete=fields.RESTRICT)
    stars = fields.SmallIntField(null=True)  # 星级 1–5
    operator_name = fields.CharField(max_length=100, default="", db_default="")  # 举办者
    operator_contact = fields.CharField(max_length=50, default="", db_default="")
    address = fields.CharField(max_length=200, default="", db_default="")
    scope = fields.JSONField(default=list, db_default="[]")  # SCOPES keys; empty = not in scope
    vendor_count = fields.IntField(default=0, db_default=0)  # 经营户总数
    org_form = fields.CharField(max_length=20, null=True)  # ORG_FORMS; null = no party org yet
    org_level = fields.CharField(max_length=20, null=True)  # ORG_LEVELS
    workers = fields.JSONField(default=list, db_default="[]")  # 1–2 党务工作者' names
    has_room = fields.BooleanField(default=False, db_default=False)  # 党员活动室
    has_board = fields.BooleanField(default=False, db_default=False)  # 党务公开栏
    funds_yuan = fields.IntField(null=True)  # 党建经费 a year
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, null=True)

    class Meta:
        table = "markets"


class Attestation(Model):
    # A 六化 item that staff attest (not computed from the records), for one market and year.

    id = fields.IntField(primary_key=True)
    market = fields.ForeignKeyField("models.Market", related_name="attestations", on_delete=fields.CASCADE)
    year = fields.SmallIntField()
    item_key = fields.CharField(max_length=30)
    met = fields.BooleanField()
    note = fields.CharField(max_length=500, default="")
    inspector = fields.CharField(max_length=50)
    checked_on = fields.DateField()
    recorded_by = fields.ForeignKeyField("models.User", related_name="attestations", null=True, on_delete=fields.SET_NULL)
    recorded_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "market_attestations"
        unique_together = (("market", "year", "item_key"),)


class Evidence(Model):
    # A photo or a document behind an attested item (re-encoded or rewritten on upload).

    id = fields.IntField(primary_key=True)
    market = fields.ForeignKeyField("models.Market", related_name="evidence", on_delete=fields.CASCADE)
    year = fields.SmallIntField()
    item_key = fields.CharField(max_length=30)
    file_key = fields.CharField(max_length=64)
    content_type = fields.CharField(max_length=40)
    size = fields.IntField()
    uploaded_by = fields.ForeignKeyField("models.User", related_name="market_evidence", null=True, on_delete=fields.SET_NULL)
    uploaded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "market_evidence"
        indexes = (("market_id", "year", "item_key"),)


class SpotCheck(Model):
    # 抽查: an inspector at a stall, whether the member's plate is hung and readable, with a photo.

    id = fields.IntField(primary_key=True)
    market = fields.ForeignKeyField("models.Market", related_name="spot_checks", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("models.Member", related_name="spot_checks", on_delete=fields.CASCADE)
    stall_no = fields.CharField(max_length=30)
    hung = fields.BooleanField()
    readable = fields.BooleanField()
    note = fields.CharField(max_length=200, default="")
    photo_key = fields.CharField(max_length=64)
    inspector = fields.ForeignKeyField("models.User", related_name="spot_checks", null=True, on_delete=fields.SET_NULL)
    checked_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "market_spot_checks"
        indexes = (("market_id", "checked_at"),)
