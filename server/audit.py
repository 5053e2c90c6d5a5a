"""The audit trail: who did what, with dotted action names, denials included."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    action = fields.CharField(max_length=64, db_index=True)  # e.g. registration.approved
    actor = fields.ForeignKeyField("models.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL)
    org = fields.ForeignKeyField("models.Org", related_name="audit_entries", null=True, on_delete=fields.SET_NULL)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.IntField(null=True)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entries"
        # The trail read by an org's subtree, by who did it and by what it was done to (a member's
        # changes): the table keeps everything and grows by the year, so none of these may read it all.
        indexes = (("org_id",), ("actor_id",), ("target_type", "target_id"))


# Denials are kept at most once per actor and action a minute: a client hammering a route it
# may not use must not fill the audit table (the store remembers who was just recorded).
DENIED_EVERY = 60
_store = None


def use_store(store) -> None:
    """The app's key-value store, for the once-a-minute rule on denials (set at start-up)."""
    global _store
    _store = store


async def record(action: str, *, actor=None, org=None, target=None, **data) -> AuditEntry | None:
    """Write one audit entry. `target` is a model instance; its table and id are kept. A denial
    already recorded for this actor and action within the minute is not written again (None)."""
    actor_id = getattr(actor, "id", actor if isinstance(actor, int) else None)
    if action.endswith(".denied") and _store is not None and actor_id is not None:
        # incr, not set-if-absent: with the store down it answers 1, and the denial is kept.
        if await _store.incr(f"audit:denied:{actor_id}:{action}", DENIED_EVERY) > 1:
            return None
    return await AuditEntry.create(
        action=action,
        actor_id=actor_id,
        org_id=getattr(org, "id", org if isinstance(org, int) else None),
        target_type=target.Meta.table if target is not None else "",
        target_id=getattr(target, "id", None),
        data=data,
    )


# The dotted names in Chinese, for the desk's audit screen: the thing, then what happened to it.
SUBJECTS = {
    "activity": "活动", "activity.photo": "活动照片", "attachment": "参加组织生活", "attendance": "签到记录",
    "checkin": "扫码签到", "desk": "电脑工作台", "leave": "请假", "ledger": "台账", "ledger.export": "台账后台生成", "market": "市场", "meeting_plan": "三会一课计划", "member": "党员",
    "members": "党员名册", "org": "组织", "plate": "三亮牌", "plate.batch": "三亮牌批量打印", "profile": "公开档案",
    "profile.consent": "公开同意", "profile.photo": "档案照片", "profile.pledge": "承诺", "rating": "群众评价",
    "registration": "登记表", "role": "角色", "roster.import": "名册导入", "member_code": "签到码",
    "member_card": "党员签到卡", "member_card.batch": "党员签到卡批量打印",
    "evaluation": "先锋指数考评", "evaluation.cycle": "先锋指数考评", "evaluation.objection": "考评异议",
    "evaluation.follow_up": "谈心谈话与结对帮扶", "evaluation.summary": "先锋指数考评汇总",
    "floating": "流动党员", "floating.id_number": "流动党员身份证号", "floating.proof": "流动党员身份证明",
    "market.item": "六化认定", "market.evidence": "六化材料", "market.spot_check": "三亮牌抽查",
    "statistics.snapshot": "半年统计", "statistics.tables": "统计报表",
    "floating.comment": "流动党员评语", "floating.letters": "流动党员反馈函", "floating.receipt": "反馈函回执",
}
VERBS = {
    "created": "新建", "updated": "修改", "cancelled": "取消", "added": "上传", "deleted": "删除", "marked": "标记",
    "approved": "批准", "rejected": "退回", "submitted": "提交", "granted": "授予", "revoked": "撤销",
    "exported": "导出", "issued": "发放", "requested": "发起", "downloaded": "下载", "given": "同意",
    "withdrawn": "撤回", "published": "公开", "hidden": "隐藏", "replied": "回复", "linked": "关联微信账号",
    "checked": "检查", "committed": "写入", "logged_in": "登录", "login_confirmed": "手机确认登录",
    "session_revoked": "退出登录", "full_mobile": "（含完整手机号）", "create": "新建", "update": "修改",
    "cancel": "取消", "approve": "批准", "reject": "退回", "grant": "授予", "batch": "批量打印", "consent": "公开同意",
    "mark": "标记", "photo": "照片", "checkin_code": "签到码", "leave_decide": "审批请假", "leave_list": "查看请假",
    "list": "查看", "revoke": "撤销", "publish": "公开", "hide": "隐藏", "reply": "回复",
    "recorded": "填写会议记录", "record": "填写会议记录", "changed": "修改", "attendance": "查看签到情况",
    "reissued": "补办", "offline_pack": "下载离线签到名单", "offline_upload": "上传离线签到",
    "vetoed": "一票否决", "announced": "公示", "finalized": "确定结果", "reviewed": "组织审定",
    "outstanding": "推选优秀党员", "corrected": "更正星级", "registered": "登记", "revealed": "查看完整号码",
    "confirmed": "确认", "attested": "认定", "taken": "生成", "retaken": "重新生成", "returned": "退回", "accepted": "接收",
}


def action_label(action: str) -> str:
    """registration.approved → 登记表·批准; org.create.denied → 组织·新建（被拒绝）."""
    denied = action.endswith(".denied")
    parts = action.removesuffix(".denied").split(".")
    for cut in range(len(parts), 0, -1):
        subject = SUBJECTS.get(".".join(parts[:cut]))
        if subject:
            rest = [VERBS.get(part, part) for part in parts[cut:]]
            break
    else:
        subject, rest = parts[0], [VERBS.get(part, part) for part in parts[1:]]
    label = subject + ("·" + "".join(rest) if rest else "")
    return label + ("（被拒绝）" if denied else "")
