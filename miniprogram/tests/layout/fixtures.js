// What the stand-in server answers for each page the layout test lays out: realistic lengths
// (long names, a long market name, several meetings) so wrapping and overflow show.
function iso(daysFromNow, hhmm) {
  const day = new Date(Date.now() + 8 * 3600 * 1000 + daysFromNow * 86400 * 1000).toISOString().slice(0, 10);
  return `${day}T${hhmm}:00+08:00`;
}

const member = { id: 11, name: '王建国', unit_name: '杭州上城区建国南北货商行' };
const meMember = { user: { id: 1, phone: '13800000001' }, roles: [], member, registration: null };
const meSecretary = {
  user: { id: 2, phone: '13900000001' }, roles: [{ role: 'secretary', org_id: 6, org_name: '河坊街市场党支部' }],
  member: null, registration: null,
};
const meeting = (id, title, days, kind = 'party_congress') => ({
  id, org_id: 6, kind, title, place: '河坊街商品市场三楼党员活动室', status: 'scheduled',
  starts_at: iso(days, '19:00'), ends_at: iso(days, '21:00'), minutes: '',
});
const meetings = [meeting(3, '十二月支部党员大会：学习贯彻全会精神', 1), meeting(4, '党课：诚信经营与党员示范', 8, 'lecture'),
  meeting(5, '支委会', 15, 'committee')];
const orgs = { items: [{ id: 6, name: '河坊街市场党支部', kind: 'market_org', parent_id: 2 }, { id: 2, name: '湖滨分会', kind: 'branch', parent_id: 1 }] };
const plan = {
  org_id: 6, org_name: '河坊街市场党支部', year: 2026,
  kinds: [{ kind: 'lecture', label: '党课', every: 'quarter', times: 1, periods: [] }],
  attention: [{ kind: 'lecture', kind_label: '党课', period: 4, label: '第四季度', status: 'due', required: 1, held: 0, scheduled: 1 },
    { kind: 'committee', kind_label: '支委会', period: 11, label: '11月', status: 'overdue', required: 1, held: 0, scheduled: 0 }],
};
const entry = (id, name, status) => ({ member_id: id, name, category: 'local', status, method: status === 'present' ? 'scan' : 'manual', note: '' });
const sheet = {
  activity_id: 3, expected: 5, present: 2, leave: 1, absent: 0, unrecorded: 2,
  entries: [entry(1, '党员1', 'present'), entry(2, '党员2', null), entry(10, '党员10', 'leave'), entry(12, '欧阳建华', 'present'), entry(13, '周敏', null)],
};
const record = {
  kind: 'party_congress', decides: true, host: null, recorder: null, speaker: null, guests: '', topics: [], resolutions: [],
  minutes: '', expected: 5, present: 2, leave: 1, absent: 0, unrecorded: 2, quorum: null, absences: [],
};
const profile = { pledge: '诚信经营，明码标价，接受群众监督', pledge_max: 60, has_photo: true, public: true, plate_code: null, plate_url: null };

const figure = (key, label, value, last) => ({ key, label, value, last });
const overview = {
  org_id: 6, org_name: '河坊街市场党支部', today: '2026-11-28', last_snapshot: { id: 3, as_of: '2026-06-30', state: 'accepted' },
  figures: [figure('members', '党员总数', 38, 36), figure('in_market', '市场内个体工商户', 31, 30), figure('markets_met', '六化达标市场', 1, 0),
    figure('plates_hung', '抽查悬挂三亮牌', 27, 12)], training: [], evaluation: null, markets: [],
};
const market = { id: 5, name: '杭州河坊街商品交易市场', kind: 'comprehensive', district: '上城区', org_id: 6, stars: 4, address: '', scope: ['regional_key'],
  vendor_count: 126, org_form: 'single', org_level: 'branch' };
const stall = (no, name, reason) => ({ stall_no: no, member_id: no.length + name.length, name, plate_issued: reason !== '未发放三亮牌',
  last_check: null, to_fix: !!reason, reason });
const stalls = { market_id: 5, year: 2026, checked: 2, hung: 1, items: [stall('A-001', '王建国', ''), stall('B-017', '欧阳建华', '未悬挂'),
  stall('C-021', '李秀英', '未发放三亮牌')] };
const attestedItem = (key, label, count) => ({ key, label, how: 'attested', met: false, figure: '尚未认定', missing: '需上传材料并由检查人认定',
  evidence: Array.from({ length: count }, (_, i) => ({ id: i + 1 })) });
const checklist = { market_id: 5, market_name: market.name, year: 2026, met: false, missing: [], areas: [
  { key: 'info', label: '党员信息动态化', met: false, missing: [], items: [attestedItem('floating_files', '流动党员管理档案、党员报到登记', 2)] },
  { key: 'rules', label: '制度建设规范化', met: false, missing: [], items: [attestedItem('democratic_council', '党员民主议事制度建立并运行', 0)] }] };

const PAGES = [
  { name: 'market-check', page: 'market-check', routes: [['GET', '/api/v1/me', meSecretary], ['GET', '/api/v1/orgs', orgs],
    ['GET', '/api/v1/markets', { items: [market] }], ['GET', '/api/v1/markets/5/spot-checks', stalls],
    ['GET', '/api/v1/markets/5/standardisation', checklist]] },
  { name: 'index-member', page: 'index', routes: [['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities', { items: meetings, total: 3 }]] },
  { name: 'index-secretary', page: 'index', routes: [['GET', '/api/v1/me', meSecretary], ['GET', '/api/v1/activities', { items: meetings, total: 3 }],
    ['GET', '/api/v1/orgs', orgs], ['GET', '/api/v1/reports/meeting-plan', plan], ['GET', '/api/v1/statistics/overview', overview]] },
  { name: 'index-applicant', page: 'index', routes: [['GET', '/api/v1/me', { user: { id: 3, phone: '' }, roles: [], member: null,
    registration: { id: 5, status: 'rejected', reject_reason: '手机号与营业执照上的不一致，请核对后重新提交' } }]] },
  { name: 'scan', page: 'scan', routes: [] },
  { name: 'me', page: 'me', routes: [['GET', '/api/v1/me', meMember]] },
  { name: 'activities', page: 'activities', routes: [['GET', '/api/v1/activities', { items: meetings, total: 3 }]] },
  { name: 'activity', page: 'activity', options: { id: '3' }, routes: [['GET', '/api/v1/activities/3', meetings[0]], ['GET', '/api/v1/me', meMember],
    ['GET', '/api/v1/activities/3/record', record], ['GET', '/api/v1/activities/3/leave/mine',
      { leave: { id: 9, activity_id: 3, member_id: 11, reason: '去义乌进货', status: 'pending', created_at: iso(0, '09:00') } }]] },
  { name: 'checkin-done', page: 'checkin', options: { token: 'k7m2x9qr4tzw.1.2' }, routes: [['POST', '/api/v1/checkins',
    { status: 201, data: { activity_title: '十二月支部党员大会：学习贯彻全会精神', checked_in_at: iso(0, '18:52') } }]] },
  { name: 'checkin-refused', page: 'checkin', options: { token: 'k7m2x9qr4tzw.1.2' }, routes: [['POST', '/api/v1/checkins',
    { status: 403, data: { error: { code: 'outside_geofence', message: '你不在活动地点附近，请到现场后再扫码签到' } } }]] },
  { name: 'attendance', page: 'attendance', options: { id: '3' }, routes: [['GET', '/api/v1/activities/3/attendance', sheet],
    ['GET', '/api/v1/activities/3/leave', { items: [{ id: 9, activity_id: 3, member_id: 2, reason: '去义乌进货', status: 'pending', created_at: iso(0, '09:00') }] }]] },
  { name: 'approvals', page: 'approvals', routes: [['GET', '/api/v1/orgs', orgs], ['GET', '/api/v1/markets', { items: [{ id: 1, name: '河坊街商品市场' }] }],
    ['GET', '/api/v1/registrations', { total: 1, items: [{ id: 5, name: '周敏', unit_name: '周记布艺', mobile: '13900000006', mobile_verified: false,
      household_district: '绩溪县', home_org: '歙县徽城镇党委', stall_no: 'C-021', category: null, standing: 'probationary', is_owner: false,
      placement: 'in_market', life_org_id: 6, market_id: 1, filled_by_name: '张书记', filled_by_phone: '13900000001', created_at: iso(-1, '10:00'),
      suggested_category: 'floating', suggestion_reason: '组织关系在歙县、户籍在绩溪县、经营在上城区，三地分离，为流动党员' }] }]] },
  { name: 'flagged', page: 'flagged', routes: [['GET', '/api/v1/ratings', { total: 1, items: [{ id: 7, score: 1, comment: '秤不准，少了二两，投诉',
    is_complaint: true, flag_reason: 'complaint', member_name: '王建国', unit_name: '建国南北货商行', stall_no: 'A-012', created_at: iso(-1, '15:20'), reply: null }] }]] },
  { name: 'plate', page: 'plate', options: { member_id: '11' }, routes: [['GET', '/api/v1/members/11/profile', profile]] },
  { name: 'consent', page: 'consent', options: { member_id: '11' }, routes: [['GET', '/api/v1/profile-consent',
    { version: '2026-03', text: '同意后，顾客扫描你摊位上的三亮牌，可以看到你的姓名、照片、经营单位、所在市场和摊位号、你的承诺和群众评价。你可以随时撤回同意。' }],
  ['GET', '/api/v1/members/11/profile', { ...profile, public: false }]] },
  { name: 'received', page: 'received', options: { member_id: '11' }, routes: [['GET', '/api/v1/members/11/ratings', { total: 2, items: [
    { id: 1, score: 5, comment: '货真价实，老板很热情', created_at: iso(-2, '10:00'), reply: '谢谢支持' },
    { id: 2, score: 4, comment: '', created_at: iso(-5, '10:00'), reply: null }] }]] },
  { name: 'register', page: 'register', routes: [['GET', '/api/v1/orgs', orgs], ['GET', '/api/v1/markets', { items: [{ id: 1, name: '河坊街商品市场' }] }],
    ['GET', '/api/v1/me', { user: { id: 3 }, roles: [], member: null, registration: null }]] },
  { name: 'profile', page: 'profile', options: { code: 'hfjwjgdemxz8' }, routes: [['GET', '/api/v1/public/plates/hfjwjgdemxz8', {
    code: 'hfjwjgdemxz8', name: '王建国', photo_url: null, badge: '中共党员', market: '河坊街商品市场', stall: 'A-012', unit_name: '建国南北货商行',
    pledge: '诚信经营，明码标价', stars: null, rating_average: 4.6, rating_count: 12,
    ratings: [{ score: 5, comment: '货真价实', created_on: iso(-2, '10:00').slice(0, 10), reply: null, replied_on: null }] }]] },
  { name: 'plan', page: 'plan', routes: [['GET', '/api/v1/me', meSecretary], ['GET', '/api/v1/orgs', orgs], ['GET', '/api/v1/reports/meeting-plan', plan]] },
  { name: 'record', page: 'record', options: { id: '3' }, routes: [['GET', '/api/v1/activities/3', meetings[0]], ['GET', '/api/v1/activities/3/record', record],
    ['GET', '/api/v1/activities/3/attendance', sheet]] },
  { name: 'offline-scan', page: 'offline-scan', options: { id: '3', title: encodeURIComponent('十二月支部党员大会：学习贯彻全会精神') },
    routes: [['GET', '/api/v1/activities/3/offline-pack', { activity_id: 3, title: '十二月支部党员大会', pack: 'x', issued_at: iso(0, '18:00'),
      opens_at: iso(0, '18:30'), valid_until: iso(0, '21:00'), members: [{ member_id: 1, name: '王建国', digest: 'a' }] }]] },
  { name: 'my-code', page: 'my-code', options: { member_id: '11' }, routes: [['GET', '/api/v1/members/11/member-code',
    { code: 'k7m2x9qr4tzw', url: 'https://dj.example.cn/m/k7m2x9qr4tzw', qr: 'data:image/png;base64,iVBORw0KGgo=', issued_at: iso(-30, '10:00') }]] },
  { name: 'dev-login', page: 'dev-login', routes: [['GET', '/api/v1/console/dev-users', { items: [
    { key: 'admin', label: '湖滨分会管理员' }, { key: 'secretary1', label: '河坊街市场党支部书记' }, { key: 'vendor1', label: '普通用户（无工作台权限）' }] }]] },
  { name: 'evaluation', page: 'evaluation', routes: [['GET', '/api/v1/me/evaluation', { items: [evaluationTask()] }]] },
  { name: 'evaluation-final', page: 'evaluation', routes: [['GET', '/api/v1/me/evaluation', { items: [
    evaluationTask({ evaluation_id: 40, exclusion: 'away_over_6_months', peers: [] }),
    evaluationTask({ evaluation_id: 42, cycle: evaluationCycle('finalized', { year: 2025 }), stars: 4, outstanding: true })] }]] },
  { name: 'announcement', page: 'announcement', options: { code: 'abcdefghjk' }, routes: [['GET', '/api/v1/public/announcements/abcdefghjk', {
    cycle_id: 4, org_name: '杭州市上城区个体劳动者私营企业协会', year: 2026, announced_on: '2026-12-08', announce_until: '2026-12-14', open: true,
    items: [{ evaluation_id: 31, name: '欧阳建华', unit_name: '杭州上城区建国南北货商行', org_name: '河坊街市场党支部', market: '河坊街商品市场', stall_no: 'A-012', stars: 5 },
      { evaluation_id: 32, name: '李秀英', unit_name: '秀英茶叶店', org_name: '河坊街市场党支部', market: null, stall_no: null, stars: 3 }] }]] },
  { name: 'eval-review', page: 'eval-review', routes: [['GET', '/api/v1/evaluations/cycles', { items: [evaluationCycle('review'), evaluationCycle('finalized', { id: 3, year: 2025 })] }],
    ['GET', '/api/v1/evaluations/cycles/4/evaluations', { total: 2, items: [reviewRow(31, '欧阳建华'), reviewRow(32, '李秀英')] }]] },
  { name: 'floating-form', page: 'floating', options: { member_id: '11' }, routes: [['GET', '/api/v1/members/11/floating', {
    member_id: 11, name: '欧阳建华', registered: false, id_number: null, home_org: '安徽省黄山市歙县徽城镇党委', proof_state: 'missing',
    recheck_due: null, recheck_overdue: false, comments: [], letters: [] }]] },
  { name: 'floating', page: 'floating', options: { member_id: '11' }, routes: [['GET', '/api/v1/members/11/floating', {
    member_id: 11, name: '欧阳建华', registered: true, id_number: '330106********1235', home_org: '安徽省黄山市歙县徽城镇党委',
    home_org_contact: '程书记', home_org_phone: '0559-6512345', home_org_address: '安徽省黄山市歙县徽城镇新安路 18 号党委组织办',
    inflow_on: '2024-03-01', activity_card_no: '皖黄2024031', proof_state: 'rejected', proof_reason: '没有盖原籍党组织的公章，请重新开具',
    recheck_due: null, recheck_overdue: false,
    comments: [{ year: 2025, grade: 'excellent', text: '积极参加组织生活，诚信经营。', writer_name: '王书记', updated_at: iso(-300, '10:00') }],
    letters: [{ id: 1, year: 2025, letter_no: '河坊街市场党支部函〔2025〕3号', sent_on: '2025-11-20', received_at: null, overdue: true }] }]] },
  { name: 'floating-queue', page: 'floating-queue', routes: [['GET', '/api/v1/me', meSecretary], ['GET', '/api/v1/orgs', orgs],
    ['GET', '/api/v1/reports/floating', { org_id: 6, org_name: '河坊街市场党支部', year: 2026, floating: 3, registered: 3, identity_confirmed: 2,
      comments_written: 1, letters_sent: 1, receipts_returned: 0, overdue: 1, members: [
        floatingRow(1, '欧阳建华', { proof_state: 'pending' }), floatingRow(2, '李秀英', { commented: false }),
        floatingRow(3, '张伟', { letter_id: 9, letter_no: '河坊街市场党支部函〔2026〕1号', sent_on: '2026-10-01', overdue: true })] }]] },
];

function floatingRow(id, name, extra) {
  return {
    id, name, unit_name: '摊位', home_org: '安徽省黄山市歙县徽城镇党委', registered: true, proof_state: 'confirmed', commented: true,
    ready: true, letter_id: null, letter_no: null, sent_on: null, received_at: null, overdue: false, ...extra,
  };
}

function evaluationCycle(stage, extra = {}) {
  return {
    id: 4, org_id: 2, org_name: '杭州市上城区个体劳动者私营企业协会', year: 2026, scheme: {}, roster_on: '2026-11-28', stage,
    deadlines: { self_until: '2026-12-05', peer_until: '2026-12-05', review_until: '2026-12-20' },
    announce_days: 7, announced_on: null, announce_until: null, public_code: null, finalized_at: null, counts: null, ...extra,
  };
}

function evaluationTask(extra = {}) {
  return {
    evaluation_id: 31, cycle: evaluationCycle('collecting'), exclusion: null,
    items: [{ key: 'political', label: '政治素质', max: 20 }, { key: 'integrity', label: '诚信经营', max: 30 }, { key: 'org_life', label: '组织生活', max: 20 },
      { key: 'service', label: '服务群众', max: 20 }, { key: 'study', label: '学习培训', max: 10 }],
    self: { items: null, summary: '', submitted_at: null, editable: true },
    peers: [{ peer_evaluation_id: 32, name: '欧阳建华', unit_name: '杭州上城区建国南北货商行', stall_no: 'A-012', grade: 'excellent' },
      { peer_evaluation_id: 33, name: '李秀英', unit_name: '秀英茶叶店', stall_no: null, grade: null }],
    peers_editable: true, stars: null, outstanding: false, ...extra,
  };
}

function reviewRow(id, name) {
  return {
    id, member_id: id, name, unit_name: '杭州上城区建国南北货商行', org_id: 6, placement: 'in_market', category: 'affiliated', exclusion: null,
    veto_reason: id === 32 ? '受党纪处分' : null, self_total: 92, peer_counts: { excellent: 3, good: 2, fair: 1, poor: 0 }, peer_assigned: 8,
    customer: { average: 4.6, count: 12, complaints_upheld: 1 }, review_total: null, inputs: {}, score: null, stars: null, reviewed_at: null, outstanding: false,
  };
}

module.exports = { PAGES };
