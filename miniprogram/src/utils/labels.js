// Chinese labels for the server's codes (the glossary of DESIGN.md §2).
module.exports = {
  category: { affiliated: '隶属党员', local: '属地党员', floating: '流动党员' },
  standing: { full: '正式党员', probationary: '预备党员' },
  placement: { standalone: '个体工商户', in_market: '市场内个体工商户' },
  registration: { pending: '待审核', approved: '已通过', rejected: '未通过' },
  gender: { male: '男', female: '女' },
  businessStatus: { operating: '正常经营', suspended: '停业', closed: '歇业' },
  membership: { active: '在册', left: '已离开' },
  leftReason: { transferred_out: '组织关系转出', other: '其他' },
  activityKind: {
    party_congress: '支部党员大会', committee: '支委会', group: '党小组会', lecture: '党课',
    theme_day: '主题党日', life_meeting: '组织生活会', appraisal: '民主评议',
    training: '教育培训', volunteer: '志愿服务', other: '其他',
  },
  planStatus: { done: '已完成', due: '本期待开', overdue: '逾期未开', upcoming: '未到期' },
  absence: { leave: '请假', absent: '缺席', unrecorded: '未签到' },
  attendance: { present: '出席', leave: '请假', absent: '缺席' },
  rating: { published: '已公开', flagged: '待处理', hidden: '已隐藏' },
  evaluationStage: {
    collecting: '个人自评、党员互评', review: '组织审定', announced: '审核公示', announcement_closed: '公示期满，待确定', finalized: '已确定星级',
  },
  exclusion: { probationary: '预备党员', suspended: '停业或歇业', away_over_6_months: '外出经营超过6个月' },
  proofState: { missing: '未上传', pending: '待确认', confirmed: '已确认', rejected: '已退回' },
  commentGrade: { excellent: '优秀', qualified: '合格', basically_qualified: '基本合格', unqualified: '不合格' },
  grade: { excellent: '优秀', good: '良好', fair: '一般', poor: '较差' },
  flag: { low_score: '低分', complaint: '投诉', content_review: '内容待复核', unchecked_comment: '网页留言待审' },
};
