// 市场抽查与六化 on the phone: the stalls with what needs fixing, a spot check that cannot be sent
// without a photo and goes up with what was found in the address, evidence photos per attested
// item; and the secretary's home figures beside the last half-year snapshot's.
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const markets = require('../src/services/markets');
const { installFakeWx } = require('./wx');
const { open, server } = require('./harness');

let fake = null;
beforeEach(() => client.reset());
afterEach(() => {
  if (fake) fake.restore();
  fake = null;
});

const text = (comp) => comp.dom.textContent.replace(/\s+/g, '');
const me = { user: { id: 2 }, roles: [{ role: 'secretary', org_id: 2, org_name: '湖滨分会' }], member: null, registration: null };
const orgs = { items: [{ id: 2, name: '湖滨分会', kind: 'branch', parent_id: 1 }] };
const market = { id: 5, name: '河坊街商品市场', kind: 'comprehensive', district: '上城区', org_id: 6, stars: 4, address: '', scope: [], vendor_count: 120, org_form: 'single', org_level: 'branch' };
const stall = (no, name, extra) => ({ stall_no: no, member_id: no.length, name, plate_issued: true, last_check: null, to_fix: false, reason: '', ...extra });
const stalls = { market_id: 5, year: 2026, checked: 1, hung: 1, items: [
  stall('A-001', '王建国', { last_check: { id: 1 } }), stall('A-02', '李秀英', { to_fix: true, reason: '本年度未抽查' })] };
const item = (key, label, how, extra) => ({ key, label, how, met: false, figure: '尚未认定', missing: '', evidence: [], ...extra });
const checklist = { market_id: 5, market_name: '河坊街商品市场', year: 2026, met: false, missing: ['作用发挥实质化未达标'], areas: [
  { key: 'role', label: '作用发挥实质化', met: false, missing: [], items: [
    item('plates_hung', '三亮牌发到每名党员并在摊位悬挂', 'computed'),
    item('supervision', '党员亮身份、亮承诺，接受群众监督', 'attested', { evidence: [{ id: 3 }] })] }] };

function routes() {
  return server([
    ['GET', '/api/v1/me', me], ['GET', '/api/v1/orgs', orgs], ['GET', '/api/v1/markets', { items: [market] }],
    ['GET', '/api/v1/markets/5/spot-checks', stalls], ['GET', '/api/v1/markets/5/standardisation', checklist],
  ]);
}

describe('市场抽查与六化', () => {
  test('the stalls say what needs fixing; a check needs a photo and sends what was found', async () => {
    fake = installFakeWx({ handler: routes() });
    fake.setStorageSync('dj_token', 'secretary');
    const uploads = [];
    global.wx.uploadFile.mockImplementation((options) => { uploads.push(options); options.success({ statusCode: 201, data: '{"id": 9}' }); });
    const comp = open('market-check');
    await simulate.sleep(30);
    expect(text(comp)).toContain('已抽查1个摊位，悬挂清晰1个，要整改1个');
    expect(text(comp)).toContain('A-02·李秀英本年度未抽查');
    expect(text(comp)).toContain('党员亮身份、亮承诺，接受群众监督');
    expect(text(comp)).toContain('已有材料1份');
    expect(text(comp)).not.toContain('三亮牌发到每名党员'); // computed items are not for the phone to attest
    comp.instance.start({ currentTarget: { dataset: { stall: 'A-02' } } });
    await simulate.sleep(10);
    expect(text(comp)).toContain('摊位A-02·李秀英');
    comp.instance.setHung({ currentTarget: { dataset: { value: 'no' } } });
    await comp.instance.save();
    expect(uploads).toEqual([]); // no photo, nothing sent
    expect(global.wx.showModal.mock.calls.pop()[0].content).toContain('请先拍一张');
    comp.setData({ 'checking.photo': '/tmp/stall.jpg' });
    await comp.instance.save();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ name: 'photo', filePath: '/tmp/stall.jpg' });
    expect(uploads[0].url).toMatch(/\/api\/v1\/markets\/5\/spot-checks\?stall_no=A-02&hung=false&readable=false$/);
  });

  test('evidence goes up as field "file" for the item and the year', async () => {
    fake = installFakeWx({ handler: routes() });
    fake.setStorageSync('dj_token', 'secretary');
    const uploads = [];
    global.wx.uploadFile.mockImplementation((options) => { uploads.push(options); options.success({ statusCode: 201, data: '{"id": 4}' }); });
    global.wx.chooseMedia = jest.fn(({ success }) => success({ tempFiles: [{ tempFilePath: '/tmp/wall.jpg' }] }));
    const comp = open('market-check');
    await simulate.sleep(30);
    comp.instance.evidence({ currentTarget: { dataset: { key: 'supervision' } } });
    await simulate.sleep(20);
    expect(uploads[0]).toMatchObject({ name: 'file', filePath: '/tmp/wall.jpg' });
    expect(uploads[0].url).toMatch(/\/api\/v1\/markets\/5\/standardisation\/\d{4}\/items\/supervision\/evidence$/);
  });
});

test('the home figures: today beside the last snapshot, an unknown last left blank', () => {
  const view = { figures: [
    { key: 'members', label: '党员总数', value: 5, last: 4 }, { key: 'full', label: '正式党员', value: 4, last: 4 },
    { key: 'in_market', label: '市场内个体工商户', value: 3, last: null }, { key: 'markets_met', label: '六化达标市场', value: 0, last: 0 },
    { key: 'plates_hung', label: '抽查悬挂三亮牌', value: 1, last: 0 }] };
  expect(markets.homeFigures(view)).toEqual([
    { key: 'members', label: '党员总数', value: 5, last: '4' }, { key: 'in_market', label: '市场内个体工商户', value: 3, last: '' },
    { key: 'markets_met', label: '六化达标市场', value: 0, last: '0' }, { key: 'plates_hung', label: '抽查悬挂三亮牌', value: 1, last: '0' }]);
});
