// 先锋指数 on the phone: the member's self-evaluation and anonymous peer grades, the announcement
// with an objection, and the secretary's review and follow-up, each against a stand-in server.
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const { installFakeWx } = require('./wx');
const { open, server } = require('./harness');

let fake = null;
beforeEach(() => client.reset());
afterEach(() => {
  if (fake) fake.restore();
  fake = null;
});

function text(comp) {
  return comp.dom.textContent.replace(/\s+/g, '');
}

const ITEMS = [{ key: 'political', label: '政治素质', max: 20 }, { key: 'integrity', label: '诚信经营', max: 30 }];
const cycle = (stage, extra = {}) => ({
  id: 4, org_id: 2, org_name: '上城区个私协会', year: 2026, scheme: { items: ITEMS }, roster_on: '2026-11-28', stage,
  deadlines: { self_until: '2026-12-05', peer_until: '2026-12-05', review_until: '2026-12-20' },
  announce_days: 7, announced_on: null, announce_until: null, public_code: null, finalized_at: null, counts: null, ...extra,
});
const task = (extra = {}) => ({
  evaluation_id: 31, cycle: cycle('collecting'), exclusion: null, items: ITEMS,
  self: { items: null, summary: '', submitted_at: null, editable: true },
  peers: [{ peer_evaluation_id: 32, name: '李秀英', unit_name: '秀英茶叶店', stall_no: 'A-015', grade: null },
    { peer_evaluation_id: 33, name: '张伟', unit_name: '伟业五金', stall_no: null, grade: 'good' }],
  peers_editable: true, stars: null, outstanding: false, ...extra,
});

describe('先锋指数 (member)', () => {
  test('self-evaluation checks each item against its maximum before sending, then sends numbers', async () => {
    const sent = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/me/evaluation', { items: [task()] }],
        ['PUT', '/api/v1/evaluations/31/self', (req) => { sent.push(req.data); return { id: 31, stars: null, outstanding: false, veto_reason: null }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('evaluation');
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(text(comp)).toContain('上城区个私协会2026年党员先锋指数考评');
    expect(text(comp)).toContain('截止2026年12月5日');
    expect(text(comp)).toContain('党员互评（1/2）');
    comp.instance.typePoints({ currentTarget: { dataset: { index: 0, key: 'political' } }, detail: { value: '18' } });
    comp.instance.typePoints({ currentTarget: { dataset: { index: 0, key: 'integrity' } }, detail: { value: '31' } });
    await comp.instance.saveSelf({ currentTarget: { dataset: { index: 0 } } });
    expect(sent).toEqual([]);
    expect(fake.showModal.mock.calls.pop()[0].content).toContain('“诚信经营”的分数应在0到30之间');
    comp.instance.typePoints({ currentTarget: { dataset: { index: 0, key: 'integrity' } }, detail: { value: '28.5' } });
    comp.instance.typeSummary({ currentTarget: { dataset: { index: 0 } }, detail: { value: ' 守法经营 ' } });
    await comp.instance.saveSelf({ currentTarget: { dataset: { index: 0 } } });
    expect(sent).toEqual([{ items: { political: 18, integrity: 28.5 }, summary: '守法经营' }]);
  });

  test('a grade is one tap, shown chosen; the count goes up once per peer', async () => {
    const graded = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/me/evaluation', { items: [task()] }],
        ['PUT', /\/api\/v1\/evaluations\/31\/peers\/\d+$/, (req) => { graded.push([req.url.split('/').pop(), req.data.grade]); return { peer_evaluation_id: 32, grade: req.data.grade }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('evaluation');
    comp.instance.onShow();
    await simulate.sleep(30);
    await comp.instance.grade({ currentTarget: { dataset: { index: 0, peer: 32, grade: 'excellent' } } });
    await comp.instance.grade({ currentTarget: { dataset: { index: 0, peer: 32, grade: 'good' } } });
    expect(graded).toEqual([['32', 'excellent'], ['32', 'good']]);
    expect(text(comp)).toContain('党员互评（2/2）');
    expect(comp.querySelectorAll('.grade.chosen').map((b) => b.dom.textContent)).toEqual(['良好', '良好']);
    expect(text(comp)).toContain('不记名');
  });

  test('excluded, announced and final: the reason, the way to the announcement, the stars', async () => {
    fake = installFakeWx({
      handler: server([['GET', '/api/v1/me/evaluation', { items: [
        task({ evaluation_id: 40, exclusion: 'away_over_6_months', peers: [] }),
        task({ evaluation_id: 41, cycle: cycle('announced', { public_code: 'abcdefghjk' }) }),
        task({ evaluation_id: 42, cycle: cycle('finalized', { year: 2025 }), stars: 4, outstanding: true }),
      ] }]]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('evaluation');
    comp.instance.onShow();
    await simulate.sleep(30);
    const shown = text(comp);
    expect(shown).toContain('你本次不参加考评：外出经营超过6个月');
    expect(shown).toContain('★★★★☆4星优秀党员');
    comp.instance.openAnnouncement({ currentTarget: { dataset: { code: 'abcdefghjk' } } });
    expect(fake.navigateTo).toHaveBeenCalledWith({ url: '/pages/announcement/index?code=abcdefghjk' });
  });
});

describe('考评结果公示', () => {
  const listed = {
    cycle_id: 4, org_name: '上城区个私协会', year: 2026, announced_on: '2026-12-08', announce_until: '2026-12-14', open: true,
    items: [{ evaluation_id: 31, name: '王建国', unit_name: '建国南北货商行', org_name: '河坊街市场党支部', market: '河坊街商品市场', stall_no: 'A-012', stars: 5 }],
  };

  test('stars without scores; an objection needs a reason and names the member chosen', async () => {
    const sent = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/public/announcements/abcdefghjk', listed],
        ['POST', '/api/v1/evaluations/cycles/4/objections', (req) => { sent.push(req.data); return { id: 1 }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'someone');
    const comp = open('announcement', { code: 'abcdefghjk' });
    await simulate.sleep(30);
    expect(text(comp)).toContain('王建国');
    expect(text(comp)).toContain('★★★★★');
    expect(text(comp)).toContain('公示期2026年12月8日至2026年12月14日');
    await comp.instance.send();
    expect(sent).toEqual([]);
    expect(fake.showModal.mock.calls.pop()[0].content).toBe('请写明异议的理由');
    comp.instance.pick({ detail: { value: '1' } });
    comp.instance.typeReason({ detail: { value: '缺斤少两' } });
    await comp.instance.send();
    expect(sent).toEqual([{ evaluation_id: 31, reason: '缺斤少两' }]);
    expect(text(comp)).toContain('异议已提交');
  });
});

describe('先锋指数审定 (secretary)', () => {
  const row = {
    id: 31, member_id: 11, name: '王建国', unit_name: '建国南北货商行', org_id: 6, placement: 'in_market', category: 'affiliated',
    exclusion: null, veto_reason: null, self_total: 46, peer_counts: { excellent: 1, good: 0, fair: 0, poor: 1 }, peer_assigned: 2,
    customer: { average: 4.5, count: 2, complaints_upheld: 1 }, review_total: null, inputs: {}, score: null, stars: null,
    reviewed_at: null, outstanding: false,
  };
  const detail = {
    ...row, cycle_id: 4, scheme: { items: ITEMS }, self_items: { political: 18, integrity: 28 }, self_summary: '守法经营',
    review_items: null, adjustments: [], record: { attended: 9, trainings: 2, leave: 1, absent: 0 }, follow_up: null,
  };

  test('the inputs side by side, then the review with an adjustment and its reason', async () => {
    const saved = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/evaluations/cycles', { items: [cycle('review')] }],
        ['GET', '/api/v1/evaluations/cycles/4/evaluations', { items: [row], total: 1 }],
        ['GET', '/api/v1/evaluations/31', detail],
        ['PUT', '/api/v1/evaluations/31/review', (req) => { saved.push(req.data); return { ...detail, score: 91.5, stars: 4 }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('eval-review');
    await simulate.sleep(30);
    expect(text(comp)).toContain('自评46分·互评优秀1良好0一般0较差1·群众4.5分（2条）');
    await comp.instance.open({ currentTarget: { dataset: { id: 31 } } });
    const shown = text(comp);
    expect(shown).toContain('政治素质18/20');
    expect(shown).toContain('核实的投诉1条');
    expect(shown).toContain('出席9次·培训2次');
    comp.instance.typePoints({ currentTarget: { dataset: { key: 'political' } }, detail: { value: '19' } });
    comp.instance.typePoints({ currentTarget: { dataset: { key: 'integrity' } }, detail: { value: '27' } });
    comp.instance.typeField({ currentTarget: { dataset: { field: 'adjustPoints' } }, detail: { value: '-3' } });
    await comp.instance.saveReview();
    expect(saved).toEqual([]); // a deduction without its reason stays on the phone
    expect(fake.showModal.mock.calls.pop()[0].content).toBe('请写明加分或减分的理由');
    comp.instance.typeField({ currentTarget: { dataset: { field: 'adjustReason' } }, detail: { value: '投诉属实' } });
    await comp.instance.saveReview();
    expect(saved).toEqual([{ items: { political: 19, integrity: 27 }, adjustments: [{ points: -3, reason: '投诉属实' }] }]);
  });

  test('a follow-up offers only 4–5★ members of the same org as mentors', async () => {
    const saved = [];
    const others = [
      { ...row, id: 50, name: '五星甲', stars: 5 }, { ...row, id: 51, name: '三星乙', stars: 3 },
      { ...row, id: 52, name: '外支部丙', stars: 5, org_id: 99 },
    ];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/evaluations/cycles', { items: [cycle('finalized')] }],
        ['GET', '/api/v1/evaluations/cycles/4/evaluations', { items: others, total: 3 }],
        ['GET', '/api/v1/evaluations/cycles/4/follow-ups', { items: [{ evaluation_id: 31, name: '王建国', stars: 2, org_id: 6, talk_on: null, talk_by: '', talk_notes: '', mentor_evaluation_id: null, mentor_name: null, due_on: null, done: false }] }],
        ['PUT', '/api/v1/evaluations/31/follow-up', (req) => { saved.push(req.data); return { done: true, mentor_name: '五星甲' }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('eval-review');
    await simulate.sleep(30);
    comp.instance.pickTab({ currentTarget: { dataset: { tab: 'follow' } } });
    await simulate.sleep(30);
    expect(text(comp)).toContain('未谈心谈话·未定帮扶人');
    await comp.instance.openFollow({ currentTarget: { dataset: { index: 0 } } });
    expect(comp.instance.data.mentorNames).toEqual(['五星甲（5星）']);
    comp.instance.pickMentor({ detail: { value: '0' } });
    comp.instance.pickDate({ currentTarget: { dataset: { field: 'talk_on' } }, detail: { value: '2026-12-20' } });
    comp.instance.typeField({ currentTarget: { dataset: { field: 'followForm.talk_by' } }, detail: { value: '王书记' } });
    await comp.instance.saveFollow();
    expect(saved).toEqual([{ talk_on: '2026-12-20', talk_by: '王书记', mentor_evaluation_id: 50 }]);
  });
});
