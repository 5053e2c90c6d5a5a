"""The 党建信息登记表 (registration) and the party members it becomes."""
from tortoise import fields
from tortoise.models import Model

CATEGORIES = {"affiliated": "隶属党员", "local": "属地党员", "floating": "流动党员"}
STANDINGS = {"full": "正式党员", "probationary": "预备党员"}
PLACEMENTS = {"standalone": "个体工商户", "in_market": "市场内个体工商户"}
REGISTRATION_STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}
GENDERS = {"male": "男", "female": "女"}
BUSINESS_STATUSES = {"operating": "正常经营", "suspended": "停业", "closed": "歇业"}
MEMBERSHIPS = {"active": "在册", "left": "已离开"}
LEFT_REASONS = {"transferred_out": "组织关系转出", "other": "其他"}


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
        # A login's own registrations (GET /me, resubmitting); the review queue of a subtree (its
        # life orgs, pending or all): without it every page read all of a city's registrations.
        indexes = (("user_id",), ("life_org_id", "status"))


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
    gender = fields.CharField(max_length=10, null=True)
    joined_party_on = fields.DateField(null=True)  # 入党日期
    full_member_on = fields.DateField(null=True)  # 转正日期
    business_status = fields.CharField(max_length=20, default="operating", db_default="operating")  # 停业/歇业
    business_status_since = fields.DateField(null=True)
    away_since = fields.DateField(null=True)  # 外出经营 since; null while present
    membership = fields.CharField(max_length=10, default="active", db_default="active", db_index=True)
    left_on = fields.DateField(null=True)
    left_reason = fields.CharField(max_length=20, null=True)
    # The first day the member is on this system's roster (approval, or the import's date).
    on_roster_since = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "members"
        # The roster of a subtree, in name order, paged: its rows by (life_org_id, membership), which
        # also counts them from the index alone; its order by (name, id). A member by mobile (the
        # import's match, a registrant's roster match, a verified phone's link) by (mobile): the
        # trigram index serves the roster's search inside a mobile, but an equality through it
        # reads every row sharing the digits' trigrams (50 mobiles among 50 000 members: 240 ms).
        # A market's members (its page, the roster filtered by market, its plates) by (market_id).
        indexes = (("life_org_id", "membership"), ("name", "id"), ("mobile",), ("market_id",))


class MemberEvent(Model):
    # One change of one tracked attribute (server/members/history.py), effective on a day that
    # may lie in the past. The member's periods are rebuilt from these.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="events", on_delete=fields.CASCADE)
    field = fields.CharField(max_length=20)
    old_value = fields.CharField(max_length=100, null=True)
    new_value = fields.CharField(max_length=100, null=True)
    effective_on = fields.DateField()
    reason = fields.CharField(max_length=200, default="")
    recorded_by = fields.ForeignKeyField("models.User", related_name="member_events", null=True,
                                         on_delete=fields.SET_NULL)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member_events"
        indexes = (("member_id", "effective_on"),)


class MemberPeriod(Model):
    # The tracked attributes of a member over [valid_from, valid_to): valid_to null = still so.
    # "Who was a member of org X with attribute Y on day D" is one indexed query over these.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="periods", on_delete=fields.CASCADE)
    valid_from = fields.DateField()
    valid_to = fields.DateField(null=True)
    life_org = fields.ForeignKeyField("models.Org", related_name="member_periods", on_delete=fields.RESTRICT)
    category = fields.CharField(max_length=20)
    standing = fields.CharField(max_length=20)
    placement = fields.CharField(max_length=20)
    market = fields.ForeignKeyField("models.Market", related_name="member_periods", null=True,
                                    on_delete=fields.RESTRICT)
    stall_no = fields.CharField(max_length=30, null=True)
    business_status = fields.CharField(max_length=20)
    away_since = fields.DateField(null=True)
    membership = fields.CharField(max_length=10)

    class Meta:
        table = "member_periods"
        # By day, by member, by org and by market (who traded in a market on a day: its 六化 page).
        indexes = (("valid_from", "valid_to"), ("member_id", "valid_from"), ("life_org_id", "valid_from"),
                   ("market_id", "valid_from"))


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


IMPORT_STATES = {"checked": "已检查（未写入）", "committing": "正在写入", "committed": "已写入", "failed": "写入失败"}


class RosterImport(Model):
    # An uploaded roster workbook: checked (a dry run: nothing written), then committed in one
    # transaction. The normalised rows wait here between the two; the report says per row what
    # the commit will do (created, updated, unchanged) or what is wrong (the row, the column).
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="roster_imports", on_delete=fields.CASCADE)
    requested_by = fields.ForeignKeyField("models.User", related_name="roster_imports", on_delete=fields.CASCADE)
    filename = fields.CharField(max_length=200)
    state = fields.CharField(max_length=12, default="checked")
    total = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    unchanged = fields.IntField(default=0)
    errors = fields.IntField(default=0)
    rows = fields.JSONField(default=list)  # the normalised rows, for the commit
    report = fields.JSONField(default=list)  # [{row, outcome, member_id, changes, errors: [{column, message}]}]
    failure = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    committed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "roster_imports"


class MemberCode(Model):
    # The member's personal sign-in code: printed on their card and shown as 我的签到码, scanned
    # by the secretary's phone, offline if need be. Reissuing (a lost card) revokes the old one;
    # active_key equals member_id while current and NULL once revoked, so one current code per member.
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="codes", on_delete=fields.CASCADE)
    code = fields.CharField(max_length=16, unique=True)
    active_key = fields.IntField(null=True, unique=True)
    issued_by = fields.ForeignKeyField("models.User", related_name="issued_member_codes", null=True, on_delete=fields.SET_NULL)
    issued_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "member_codes"
