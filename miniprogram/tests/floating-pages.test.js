// 流动党员 on the phone: the member's registration (the 身份证号 checked before sending, shown
// masked after), the proof uploaded, and the secretary's queue (confirm, reject with a reason,
// the comment, the overdue letters).
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const floating = require('../src/services/floating');
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

const GOOD_ID = '330106198001011235';
const blank = {
  member_id: 11, name: '张伟', registered: false, id_number: null, home_org: '歙县徽城镇党委', proof_state: 'missing',
  recheck_due: null, recheck_overdue: false, comments: [], letters: [],
};
const saved = {
  ...blank, registered: true, id_number: '330106********1235', home_org_contact: '程书记', home_org_phone: '0559-6512345',
  home_org_address: '安徽省歙县徽城镇', inflow_on: '2024-03-01', activity_card_no: '', proof_state: 'rejected', proof_reason: '没有盖章',
  letters: [{ id: 1, year: 2026, letter_no: '湖滨分会函〔2026〕3号', sent_on: '2026-10-01', received_at: null, overdue: true }],
};

test('the ID check matches the server: check digit, real birth date, not in the future', () => {
  expect(floating.idProblem(GOOD_ID)).toBe('');
  expect(floating.idProblem('330106198001011236')).toContain('校验位');
  expect(floating.idProblem('11010519491231002x')).toBe(''); // a lower-case X is an X
  expect(floating.idProblem('12345')).toContain('18位');
  expect(floating.idProblem('330106198002311234')).toMatch(/校验位|出生日期/);
});

describe('流动党员登记 (member)', () => {
  test('a wrong ID is caught on the phone; a right one is sent trimmed and comes back masked', async () => {
    const sent = [];
    let current = blank;
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/members/11/floating', () => current],
        ['PUT', '/api/v1/members/11/floating', (req) => { sent.push(req.data); current = saved; return saved; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('floating', { member_id: '11' });
    await simulate.sleep(30);
    const type = (field, value) => comp.instance.type({ currentTarget: { dataset: { field } }, detail: { value } });
    type('id_number', '330106198001011236');
    type('home_org_contact', '程书记');
    type('home_org_phone', '0559-6512345');
    type('home_org_address', '安徽省歙县徽城镇');
    comp.instance.pickDay({ detail: { value: '2024-03-01' } });
    await comp.instance.save();
    expect(sent).toEqual([]);
    expect(fake.showModal.mock.calls.pop()[0].content).toContain('校验位');
    type('id_number', ` ${GOOD_ID} `);
    await comp.instance.save();
    expect(sent[0]).toMatchObject({ id_number: GOOD_ID, inflow_on: '2024-03-01', home_org_contact: '程书记' });
    await simulate.sleep(10);
    const shown = text(comp);
    expect(shown).toContain('330106********1235');
    expect(shown).not.toContain(GOOD_ID);
    expect(shown).toContain('退回原因：没有盖章');
    expect(shown).toContain('超过30天未回执');
  });

  test('a proof photo goes up as field "file" with the login', async () => {
    fake = installFakeWx({ handler: server([['GET', '/api/v1/members/11/floating', saved]]) });
    fake.setStorageSync('dj_token', 'member');
    const uploads = [];
    global.wx.uploadFile.mockImplementation((options) => { uploads.push(options); options.success({ statusCode: 200, data: JSON.stringify(saved) }); });
    const comp = open('floating', { member_id: '11' });
    await simulate.sleep(30);
    await comp.instance.send('/tmp/proof.jpg');
    expect(uploads[0]).toMatchObject({ name: 'file', filePath: '/tmp/proof.jpg' });
    expect(uploads[0].url).toMatch(/\/api\/v1\/members\/11\/floating\/proof$/);
    expect(uploads[0].header.Authorization).toBe('Bearer member');
  });
});

describe('流动党员 (secretary)', () => {
  const me = { user: { id: 2 }, roles: [{ role: 'secretary', org_id: 6, org_name: '河坊街市场党支部' }], member: null, registration: null };
  const row = (id, name, extra) => ({
    id, name, unit_name: '摊位', home_org: '歙县徽城镇党委', registered: true, proof_state: 'confirmed', commented: true, ready: true,
    letter_id: null, letter_no: null, sent_on: null, received_at: null, overdue: false, ...extra,
  });
  const report = {
    org_id: 6, org_name: '河坊街市场党支部', year: 2026, floating: 3, registered: 3, identity_confirmed: 2, comments_written: 1,
    letters_sent: 1, receipts_returned: 0, overdue: 1,
    members: [row(1, '待确认甲', { proof_state: 'pending' }), row(2, '待评语乙', { commented: false }),
      row(3, '逾期丙', { letter_id: 9, letter_no: '河坊街市场党支部函〔2026〕1号', sent_on: '2026-10-01', overdue: true })],
  };

  test('proofs to confirm, comments to write and late receipts, each acted on', async () => {
    const calls = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/me', me],
        ['GET', '/api/v1/orgs', { items: [{ id: 6, name: '河坊街市场党支部', kind: 'market_org', parent_id: 2 }] }],
        ['GET', '/api/v1/reports/floating', report],
        ['POST', '/api/v1/members/1/floating/proof/reject', (req) => { calls.push(['reject', req.data]); return { proof_state: 'rejected' }; }],
        ['PUT', /\/api\/v1\/members\/2\/floating\/comments\/\d{4}$/, (req) => { calls.push(['comment', req.data]); return { grade: req.data.grade }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('floating-queue');
    await simulate.sleep(40);
    const shown = text(comp);
    expect(shown).toContain('待确认身份证明（1）');
    expect(shown).toContain('待写评语（1）');
    expect(shown).toContain('河坊街市场党支部函〔2026〕1号，2026年10月1日寄出');
    fake.showModal.mockImplementationOnce((o) => o.success({ confirm: true, content: '没有盖章' }));
    comp.instance.reject({ currentTarget: { dataset: { id: 1 } } });
    await simulate.sleep(10);
    comp.instance.write({ currentTarget: { dataset: { id: 2 } } });
    await comp.instance.saveComment();
    expect(fake.showModal.mock.calls.pop()[0].content).toBe('请选择等次');
    comp.instance.pickGrade({ currentTarget: { dataset: { grade: 'qualified' } } });
    comp.instance.typeComment({ detail: { value: '按时参加组织生活' } });
    await comp.instance.saveComment();
    expect(calls).toEqual([['reject', { reason: '没有盖章' }], ['comment', { grade: 'qualified', text: '按时参加组织生活' }]]);
  });
});
