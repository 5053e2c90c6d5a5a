"""A yearly cycle per org, one evaluation per member in scope, anonymous peer grades, objections
to the announcement, follow-ups of 1–2★ members and corrections after the result is final."""
from tortoise import fields
from tortoise.models import Model

EXCLUSIONS = {"probationary": "预备党员", "suspended": "停业或歇业", "away_over_6_months": "外出经营超过6个月"}
GRADES = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
STAGES = {"collecting": "个人自评、党员互评", "review": "组织审定", "announced": "审核公示",
          "announcement_closed": "公示期满，待确定", "finalized": "已确定星级"}


class Cycle(Model):
    id = fields.IntField(primary_key=True)
    org = fields.ForeignKeyField("models.Org", related_name="evaluation_cycles", on_delete=fields.RESTRICT)
    year = fields.SmallIntField()
    scheme = fields.JSONField()  # server/evaluation/scheme.py
    self_until = fields.DateField()
    peer_until = fields.DateField()
    review_until = fields.DateField()
    roster_on = fields.DateField()  # who is in scope, and why not, as of this day
    announce_days = fields.SmallIntField(default=7)
    announced_on = fields.DateField(null=True)
    announce_until = fields.DateField(null=True)  # the last day objections are taken
    public_code = fields.CharField(max_length=16, null=True, unique=True)  # the announcement's page
    finalized_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField("models.User", related_name="evaluation_cycles", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation_cycles"
        unique_together = (("org", "year"),)


class Evaluation(Model):
    # One member in one cycle's scope: eligible, or excluded with its reason. The org, market
    # and placement are those of the roster day.
    id = fields.IntField(primary_key=True)
    cycle = fields.ForeignKeyField("models.Cycle", related_name="evaluations", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("models.Member", related_name="evaluations", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="evaluations", on_delete=fields.RESTRICT)
    market = fields.ForeignKeyField("models.Market", related_name="evaluations", null=True, on_delete=fields.SET_NULL)
    placement = fields.CharField(max_length=20)
    category = fields.CharField(max_length=20)
    exclusion = fields.CharField(max_length=30, null=True)  # EXCLUSIONS; null = eligible
    veto_reason = fields.CharField(max_length=300, null=True)
    vetoed_by = fields.ForeignKeyField("models.User", related_name="evaluation_vetoes", null=True, on_delete=fields.SET_NULL)
    self_items = fields.JSONField(null=True)  # {item key: points}
    self_summary = fields.TextField(default="")
    self_at = fields.DatetimeField(null=True)
    review_items = fields.JSONField(null=True)
    adjustments = fields.JSONField(default=list)  # [{points, reason}]
    reviewed_by = fields.ForeignKeyField("models.User", related_name="evaluation_reviews", null=True, on_delete=fields.SET_NULL)
    reviewed_at = fields.DatetimeField(null=True)
    score = fields.DecimalField(max_digits=5, decimal_places=1, null=True)
    stars = fields.SmallIntField(null=True)
    outstanding = fields.BooleanField(default=False)

    class Meta:
        table = "evaluations"
        unique_together = (("cycle", "member"),)
        indexes = (("member_id", "cycle_id"), ("cycle_id", "org_id"))


class PeerGrade(Model):
    # Who grades whom is fixed when the cycle starts. Only the rater ever sees their row; every
    # other answer counts grades per ratee.
    id = fields.IntField(primary_key=True)
    rater = fields.ForeignKeyField("models.Evaluation", related_name="grades_given", on_delete=fields.CASCADE)
    ratee = fields.ForeignKeyField("models.Evaluation", related_name="grades_received", on_delete=fields.CASCADE)
    grade = fields.CharField(max_length=10, null=True)
    graded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "evaluation_peer_grades"
        unique_together = (("rater", "ratee"),)
        indexes = (("ratee_id",),)


class Objection(Model):
    id = fields.IntField(primary_key=True)
    cycle = fields.ForeignKeyField("models.Cycle", related_name="objections", on_delete=fields.CASCADE)
    evaluation = fields.ForeignKeyField("models.Evaluation", related_name="objections", null=True, on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="evaluation_objections", on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=500)
    answer = fields.CharField(max_length=500, null=True)
    answered_by = fields.ForeignKeyField("models.User", related_name="evaluation_answers", null=True, on_delete=fields.SET_NULL)
    answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation_objections"


class FollowUp(Model):
    # 谈心谈话 and 结对帮扶 for a member who got one or two stars.
    id = fields.IntField(primary_key=True)
    evaluation = fields.OneToOneField("models.Evaluation", related_name="follow_up", on_delete=fields.CASCADE)
    talk_on = fields.DateField(null=True)
    talk_by = fields.CharField(max_length=50, default="")
    talk_notes = fields.TextField(default="")
    mentor = fields.ForeignKeyField("models.Evaluation", related_name="mentoring", null=True, on_delete=fields.SET_NULL)
    due_on = fields.DateField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "evaluation_follow_ups"


class Correction(Model):
    # After the cycle is final, stars change only through one of these.
    id = fields.IntField(primary_key=True)
    evaluation = fields.ForeignKeyField("models.Evaluation", related_name="corrections", on_delete=fields.CASCADE)
    old_stars = fields.SmallIntField(null=True)
    new_stars = fields.SmallIntField(null=True)
    reason = fields.CharField(max_length=300)
    by = fields.ForeignKeyField("models.User", related_name="evaluation_corrections", null=True, on_delete=fields.SET_NULL)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation_corrections"
