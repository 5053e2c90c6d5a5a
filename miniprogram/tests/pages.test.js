// Pages are written with Component(), so miniprogram-simulate can load them like components.
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const { installFakeWx } = require('./wx');
const { TEMPLATES } = require('../src/utils/config');
const { open } = require('./harness');

let fake = null;

beforeEach(() => client.reset());
afterEach(() => {
  TEMPLATES.plan = '';
  TEMPLATES.activity = '';
  if (fake) fake.restore();
  fake = null;
});

describe('check-in page', () => {
  test('arriving from WeChat camera with options.q signs in once and says 签到成功', async () => {
    fake = installFakeWx({
      handler: ({ url, data }) => (url.endsWith('/api/v1/checkins')
        ? { statusCode: 201, data: { status: 'checked_in', activity_id: 3, activity_title: '十二月支部党员大会', member_id: 1, checked_in_at: '2026-12-10T18:52:00+08:00', nonce: data.nonce } }
        : { statusCode: 404, data: {} }),
    });
    fake.setStorageSync('dj_token', 'member-token');
    const comp = open('checkin', { q: encodeURIComponent('https://dj.example.cn/c/k7m2x9qr4tzw.293812.3f9a0b1c2d3e') });
    await simulate.sleep(20);
    expect(comp.querySelector('.big').dom.textContent).toBe('签到成功');
    expect(comp.querySelector('.what').dom.textContent).toBe('十二月支部党员大会');
    const posted = fake.calls.filter((c) => c.url.endsWith('/checkins'));
    expect(posted).toHaveLength(1);
    expect(posted[0].data.token).toBe('k7m2x9qr4tzw.293812.3f9a0b1c2d3e');
    expect(posted[0].data.nonce).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  test("a refusal shows the server's own message", async () => {
    fake = installFakeWx({
      handler: () => ({ statusCode: 403, data: { error: { code: 'token_expired', message: '签到码已过期，请扫描书记手机上最新的签到码', fields: {} } } }),
    });
    fake.setStorageSync('dj_token', 'member-token');
    const comp = open('checkin', { token: 'k7m2x9qr4tzw.1.2' });
    await simulate.sleep(20);
    expect(comp.querySelector('.big').dom.textContent).toBe('没有签到成功');
    expect(comp.querySelector('.what').dom.textContent).toBe('签到码已过期，请扫描书记手机上最新的签到码');
  });

  test('something that is not a check-in code is refused before any request', async () => {
    fake = installFakeWx({ handler: () => ({ statusCode: 500, data: {} }) });
    const comp = open('checkin', { q: encodeURIComponent('https://evil.example/login') });
    await simulate.sleep(10);
    expect(comp.querySelector('.what').dom.textContent).toContain('不是有效的签到码');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('customer profile page', () => {
  const profile = {
    code: 'hfjwjgdemxz8', name: '王建国', photo_url: '/p/hfjwjgdemxz8/photo.jpg?v=1', badge: '中共党员', market: '河坊街商品市场',
    stall: 'A-012', unit_name: '建国南北货商行', pledge: '诚信经营', stars: null, rating_average: null, rating_count: 0, ratings: [],
  };

  test('opens from a plate scan, logs in silently and rates with a nonce', async () => {
    fake = installFakeWx({
      handler: ({ url, method, data, header }) => {
        if (url.endsWith('/auth/wechat')) return { statusCode: 200, data: { token: 'customer-token', user: {}, member: null } };
        if (url.endsWith('/ratings') && method === 'POST') {
          return header.Authorization === 'Bearer customer-token' && data.score === 4 && data.nonce
            ? { statusCode: 201, data: { status: 'published', message: '感谢您的评价！' } }
            : { statusCode: 422, data: { error: { code: 'validation_failed', message: '填写有误', fields: {} } } };
        }
        return { statusCode: 200, data: profile };
      },
    });
    const comp = open('profile', { q: encodeURIComponent('https://dj.example.cn/p/hfjwjgdemxz8') });
    await simulate.sleep(20);
    expect(comp.querySelector('.name').dom.textContent).toBe('王建国');
    expect(comp.data.profile.photo_url).toBe('http://127.0.0.1:8000/p/hfjwjgdemxz8/photo.jpg?v=1');
    expect(fake.calls[0].header).toEqual({}); // looking needs no login
    comp.instance.score({ detail: { value: 4 } });
    comp.instance.inputComment({ detail: { value: '秤准' } });
    await comp.instance.submit();
    await simulate.sleep(20);
    expect(comp.querySelector('.sent').dom.textContent).toBe('感谢您的评价！');
    expect(fake.logins).toBe(1);
  });

  test('a replaced plate shows the reason and no form', async () => {
    fake = installFakeWx({
      handler: () => ({ statusCode: 404, data: { error: { code: 'plate_replaced', message: '这块三亮牌已更换，请扫描摊位上的新牌', fields: {} } } }),
    });
    const comp = open('profile', { code: 'hfjwjgdemxz8' });
    await simulate.sleep(20);
    expect(comp.querySelector('.title').dom.textContent).toBe('这块三亮牌已更换，请扫描摊位上的新牌');
    expect(comp.querySelector('.btn')).toBeUndefined();
  });

  test('a rating without a score is stopped on the phone with a clear message', async () => {
    fake = installFakeWx({ handler: () => ({ statusCode: 200, data: profile }) });
    fake.setStorageSync('dj_token', 't');
    const comp = open('profile', { code: 'hfjwjgdemxz8' });
    await simulate.sleep(20);
    await comp.instance.submit();
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '请先点星星打分（1 到 5 分）' }));
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

describe('registration page', () => {
  const choices = ({ url }) => {
    if (url.includes('/orgs')) return { statusCode: 200, data: { items: [{ id: 1, name: '市协会', kind: 'association' }, { id: 6, name: '河坊街市场党支部', kind: 'market_org' }] } };
    if (url.includes('/markets')) return { statusCode: 200, data: { items: [{ id: 1, name: '河坊街商品市场' }] } };
    return null;
  };

  test('offers branches (never an association) and shows each wrong field under itself', async () => {
    fake = installFakeWx({ handler: choices });
    fake.setStorageSync('dj_token', 't');
    const comp = open('register', {});
    await simulate.sleep(20);
    expect(comp.data.branches.map((b) => b.name)).toEqual(['河坊街市场党支部']);
    comp.instance.input({ currentTarget: { dataset: { field: 'mobile' } }, detail: { value: '123' } });
    await comp.instance.submit();
    await simulate.sleep(10);
    expect(comp.data.fields.mobile).toBe('应为 11 位中国大陆手机号');
    expect(comp.data.fields.life_org_id).toBe('请选择组织生活所在的支部');
    expect(comp.querySelectorAll('.error').map((e) => e.dom.textContent)).toContain('应为 11 位中国大陆手机号');
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  test('a complete form is sent once, with what the server takes', async () => {
    const handler = (options) => (options.method === 'POST'
      ? { statusCode: 201, data: { id: 9, status: 'pending' } }
      : choices(options));
    fake = installFakeWx({ handler });
    fake.setStorageSync('dj_token', 't');
    global.wx.reLaunch = jest.fn();
    const comp = open('register', {});
    await simulate.sleep(20);
    const type = (field, value) => comp.instance.input({ currentTarget: { dataset: { field } }, detail: { value } });
    type('name', '李秀英'); type('mobile', '13812345678'); type('unit_name', '秀英茶叶店');
    type('household_district', '西湖区'); type('home_org', '北山街道党工委'); type('stall_no', 'A-015');
    comp.instance.pickBranch({ detail: { value: '0' } });
    comp.instance.pickMarket({ detail: { value: '0' } });
    await comp.instance.submit();
    const posted = fake.calls.filter((c) => c.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(posted[0].data).toEqual({
      name: '李秀英', mobile: '13812345678', unit_name: '秀英茶叶店', household_district: '西湖区', home_org: '北山街道党工委',
      stall_no: 'A-015', is_owner: true, standing: 'full', life_org_id: 6, placement: 'in_market', market_id: 1,
    });
    expect(global.wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' });
  });
});

describe("secretary's pages", () => {
  const pending = {
    items: [{ id: 5, name: '周敏', unit_name: '周记布艺', mobile: '13900000006', mobile_verified: false, household_district: '拱墅区',
      home_org: '米市巷街道党工委', stall_no: 'C-021', category: null, standing: 'probationary', is_owner: false,
      placement: 'in_market', life_org_id: 6, market_id: 1, filled_by_name: '张书记', filled_by_phone: '13900000001',
      suggested_category: 'floating', suggestion_reason: '组织关系在歙县、户籍在绩溪县、经营在上城区，三地分离，为流动党员',
      matching_member_id: 12, matching_member_name: '周敏' }],
    total: 1,
  };
  const choices = (url) => {
    if (url.includes('/orgs')) return { items: [{ id: 6, name: '河坊街市场党支部', kind: 'market_org' }] };
    if (url.includes('/markets')) return { items: [{ id: 1, name: '河坊街商品市场' }] };
    return pending;
  };

  test('approvals: nothing is preset; the suggestion and its reason are shown and adopted with a tap; reject needs a reason', async () => {
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (method === 'GET') return { statusCode: 200, data: choices(url) };
        if (url.endsWith('/approve')) return { statusCode: 200, data: { id: 77 } };
        return { statusCode: 200, data: { status: 'rejected', reject_reason: '手机号有误' } };
      },
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('approvals', {});
    comp.instance.onShow();
    await simulate.sleep(20);
    expect(comp.querySelector('.title').dom.textContent).toBe('周敏 · 周记布艺');
    const text = comp.dom.textContent;
    for (const shown of ['预备党员 · 从业人员 · 市场内个体工商户', '组织生活：河坊街市场党支部', '河坊街商品市场 · C-021 号摊位',
      '代填：张书记', '建议：流动党员', '三地分离', '名册里已有「周敏」']) {
      expect(text).toContain(shown);
    }
    expect(comp.data.picked[5]).toBeUndefined(); // the vendor left it blank: nothing chosen for the secretary
    expect(text).toContain('请选择');
    await comp.instance.approve({ currentTarget: { dataset: { id: 5 } } });
    expect(fake.calls.some((c) => c.url.endsWith('/approve'))).toBe(false);
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '请选择党员类别' }));
    comp.instance.adopt({ currentTarget: { dataset: { id: 5, category: 'floating' } } });
    await comp.instance.approve({ currentTarget: { dataset: { id: 5 } } });
    const approve = fake.calls.find((c) => c.url.endsWith('/registrations/5/approve'));
    expect(approve.data).toEqual({ category: 'floating' });
    await comp.instance.reject({ currentTarget: { dataset: { id: 5 } } });
    expect(fake.calls.some((c) => c.url.endsWith('/reject'))).toBe(false);
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '请写明退回原因，方便党员修改' }));
    comp.instance.inputReason({ currentTarget: { dataset: { id: 5 } }, detail: { value: ' 手机号有误 ' } });
    await comp.instance.reject({ currentTarget: { dataset: { id: 5 } } });
    expect(fake.calls.find((c) => c.url.endsWith('/registrations/5/reject')).data).toEqual({ reason: '手机号有误' });
  });

  const memberRecord = {
    id: 12, name: '周敏', unit_name: '周记布艺', category: 'local', standing: 'full', gender: 'female', joined_party_on: '2001-07-01',
    full_member_on: '2002-07-01', business_status: 'suspended', business_status_since: '2026-11-20', away_since: null,
    membership: 'active', left_on: null, left_reason: null, life_org_id: 6, market_id: 1, stall_no: 'C-021',
  };
  const meAs = (roles, member) => ({ user: { id: 1 }, roles, member, registration: null });

  test('member page: the vendor sees their status and dates, and no way to change them', async () => {
    fake = installFakeWx({
      handler: ({ url }) => {
        if (url.endsWith('/me')) return { statusCode: 200, data: meAs([], { id: 12 }) };
        if (url.endsWith('/history')) return { statusCode: 200, data: { items: [] } };
        return { statusCode: 200, data: memberRecord };
      },
    });
    fake.setStorageSync('dj_token', 'vendor');
    const comp = open('member', { id: '12' });
    await simulate.sleep(20);
    const text = comp.dom.textContent;
    for (const shown of ['入党日期2001-07-01', '转正日期2002-07-01', '停业（2026-11-20起）', '在本地经营', '在册']) {
      expect(text.replace(/\s+/g, '')).toContain(shown);
    }
    expect(comp.data.staff).toBe(false);
    expect(text).not.toContain('记录变动');
  });

  test('member page: a secretary marks a member away from a past day, or left only with a reason', async () => {
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (url.endsWith('/me')) return { statusCode: 200, data: meAs([{ role: 'secretary', org_id: 2 }], null) };
        if (url.endsWith('/history')) return { statusCode: 200, data: { items: [] } };
        if (method === 'PATCH') return { statusCode: 200, data: { ...memberRecord, away_since: '2026-11-01' } };
        return { statusCode: 200, data: memberRecord };
      },
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('member', { id: '12' });
    await simulate.sleep(20);
    expect(comp.data.staff).toBe(true);
    comp.instance.pickAction({ detail: { value: '0' } }); // 外出经营
    comp.instance.pickDay({ detail: { value: '2026-11-01' } });
    comp.instance.inputReason({ detail: { value: ' 去义乌经营 ' } });
    await comp.instance.save();
    const patch = fake.calls.find((c) => c.method === 'PATCH');
    expect(patch.url).toMatch(/\/api\/v1\/members\/12$/);
    expect(patch.data).toEqual({ away_since: '2026-11-01', reason: '去义乌经营' });
    comp.instance.pickAction({ detail: { value: '5' } }); // 离开
    await comp.instance.save();
    expect(fake.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1); // no reason chosen: not sent
    comp.instance.pickLeftReason({ detail: { value: '0' } });
    await comp.instance.save();
    const left = fake.calls.filter((c) => c.method === 'PATCH')[1];
    expect(left.data).toEqual({ membership: 'left', left_reason: 'transferred_out', effective_on: '2026-11-01' });
  });

  test('flagged ratings: the stall is named, a complaint is a complaint, reply and hide reason are kept apart', async () => {
    const flagged = { items: [
      { id: 9, score: 4, comment: '缺斤少两', is_complaint: true, flag_reason: 'complaint', reply: null, member_name: '王建国',
        unit_name: '建国南北货商行', stall_no: 'A-012', created_at: '2026-11-27T10:00:00+08:00' },
      { id: 10, score: 1, comment: '', is_complaint: false, flag_reason: 'low_score', reply: '已改正', member_name: '李秀英',
        unit_name: '秀英茶叶店', stall_no: null, created_at: '2026-11-26T10:00:00+08:00' },
    ], total: 2 };
    fake = installFakeWx({ handler: ({ method }) => ({ statusCode: 200, data: method === 'GET' ? flagged : { status: 'ok' } }) });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('flagged', {});
    comp.instance.onShow();
    await simulate.sleep(20);
    expect(comp.querySelector('.who').dom.textContent).toBe('王建国（建国南北货商行，A-012）');
    expect(comp.data.items.map((i) => i.why)).toEqual(['顾客投诉', '低分']); // 4 stars and a complaint: not 低分
    expect(comp.querySelector('.replied').dom.textContent).toBe('已回复：已改正（公开或隐藏后离开这里）');
    const act = (action) => comp.instance.act({ currentTarget: { dataset: { id: 9, action } } });
    comp.instance.typeReply({ currentTarget: { dataset: { id: 9 } }, detail: { value: '已核实，补足斤两并道歉' } });
    await act('hide'); // the reply box is not a reason
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '请写明隐藏原因' }));
    await act('reply');
    expect(fake.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '已回复' }));
    comp.instance.typeReason({ currentTarget: { dataset: { id: 9 } }, detail: { value: '恶意差评' } });
    await act('hide');
    expect(fake.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '已隐藏' }));
    const posted = fake.calls.filter((c) => c.method !== 'GET').map((c) => [c.method, c.url.replace('http://127.0.0.1:8000', ''), c.data]);
    expect(posted).toEqual([
      ['PUT', '/api/v1/ratings/9/reply', { reply: '已核实，补足斤两并道歉' }],
      ['POST', '/api/v1/ratings/9/hide', { reason: '恶意差评' }],
    ]);
  });
});

describe('new activity page', () => {
  const ME = { user: { id: 1 }, roles: [{ role: 'secretary', org_id: 6, org_name: '河坊街市场党支部' }], member: null, registration: null };

  test('sends the start and the length, never an end before the start', async () => {
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (url.endsWith('/api/v1/me')) return { statusCode: 200, data: ME };
        if (url.endsWith('/api/v1/activities') && method === 'POST') return { statusCode: 201, data: { id: 42 } };
        return { statusCode: 404, data: {} };
      },
    });
    fake.setStorageSync('dj_token', 'secretary-token');
    global.wx.redirectTo = jest.fn();
    const comp = open('activity-new');
    await simulate.sleep(20);
    comp.instance.setData({ title: '十二月党课', date: '2026-12-10', start: '19:00', end: '18:30' });
    await comp.instance.create();
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    expect(fake.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '结束时间应晚于开始时间' }));

    comp.instance.setData({ end: '21:15' });
    await comp.instance.create();
    const [posted] = fake.calls.filter((c) => c.method === 'POST');
    expect(posted.data).toEqual({ org_id: 6, kind: 'party_congress', title: '十二月党课', place: '',
      starts_at: '2026-12-10T19:00:00+08:00', duration_minutes: 135 });
    expect(global.wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/activity/index?id=42' });
  });
});

describe('desk login page', () => {
  const deskUrl = 'https://dj.example.cn/l/Qx3vT9mKp2LwZr8sYb4n1A';

  test('nothing is confirmed until the tap; then the computer is named', async () => {
    fake = installFakeWx({
      handler: ({ url, method }) => (url.endsWith('/api/v1/console/login-requests/Qx3vT9mKp2LwZr8sYb4n1A/confirm') && method === 'POST'
        ? { statusCode: 200, data: { state: 'confirmed', agent: 'Chrome 130 (Windows)' } }
        : { statusCode: 404, data: {} }),
    });
    fake.setStorageSync('dj_token', 'secretary-token');
    const comp = open('desk-login', { q: encodeURIComponent(deskUrl) });
    await simulate.sleep(20);
    expect(fake.calls.filter((c) => c.url.includes('/console/'))).toHaveLength(0);
    expect(comp.querySelector('.big').dom.textContent).toBe('在电脑上登录党建工作台？');
    await comp.instance.confirm();
    expect(fake.calls.filter((c) => c.url.includes('/confirm'))).toHaveLength(1);
    expect(comp.querySelector('.big').dom.textContent).toBe('已确认，请回到电脑操作');
    expect(comp.querySelector('.muted').dom.textContent).toBe('Chrome 130 (Windows)');
  });

  test("an expired QR shows the server's message, and another code is not a desk login", async () => {
    fake = installFakeWx({
      handler: () => ({ statusCode: 404, data: { error: { code: 'login_request_expired', message: '二维码已过期或已使用，请在电脑上刷新二维码', fields: {} } } }),
    });
    fake.setStorageSync('dj_token', 'secretary-token');
    const comp = open('desk-login', { q: encodeURIComponent(deskUrl) });
    await comp.instance.confirm();
    expect(comp.querySelector('.what').dom.textContent).toBe('二维码已过期或已使用，请在电脑上刷新二维码');
    const plate = open('desk-login', { q: encodeURIComponent('https://dj.example.cn/p/hfjwjgdemxz8') });
    expect(plate.querySelector('.big').dom.textContent).toBe('没有登录成功');
  });
});

describe('desk sessions page', () => {
  test('lists the computers and ends one', async () => {
    let ended = false;
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (url.endsWith('/api/v1/me/desk-sessions/7') && method === 'DELETE') {
          ended = true;
          return { statusCode: 200, data: { status: 'revoked' } };
        }
        if (url.endsWith('/api/v1/me/desk-sessions')) {
          return { statusCode: 200, data: { items: ended ? [] : [{ id: 7, agent: 'Chrome 130', created_at: '2026-12-01T09:00:00+08:00', last_used_at: '2026-12-01T10:30:00+08:00' }] } };
        }
        return { statusCode: 404, data: {} };
      },
    });
    fake.setStorageSync('dj_token', 'secretary-token');
    const comp = open('desk-sessions');
    await comp.instance.load();
    expect(comp.querySelector('.title').dom.textContent).toBe('Chrome 130');
    expect(comp.querySelector('.muted').dom.textContent).toBe('登录于 12月1日 周二 09:00，最近使用 12月1日 周二 10:30');
    await comp.instance.end({ currentTarget: { dataset: { id: 7 } } });
    await simulate.sleep(10);
    expect(comp.querySelector('.empty').dom.textContent).toBe('没有电脑登录着你的工作台');
  });
});

describe('check-in page, a second scan', () => {
  test('already checked in is shown as the success it is, with the time the server gives', async () => {
    fake = installFakeWx({
      handler: () => ({ statusCode: 409, data: { error: { code: 'already_checked_in', message: '你已在 18:52 签到过了，无需重复签到', fields: {}, checked_in_at: '2026-12-10T18:52:00+08:00' } } }),
    });
    fake.setStorageSync('dj_token', 'member-token');
    const comp = open('checkin', { token: 'k7m2x9qr4tzw.1.2' });
    await simulate.sleep(20);
    expect(comp.querySelector('.big').dom.textContent).toBe('已经签到过了');
    expect(comp.querySelector('.what').dom.textContent).toBe('你已在 18:52 签到过了，无需重复签到');
    expect(comp.querySelector('.done')).toBeTruthy();
    expect(comp.querySelector('.refused')).toBeFalsy();
  });
});

describe('meeting record and plan pages', () => {
  const sheet = { activity_id: 3, expected: 3, present: 2, leave: 0, absent: 0, unrecorded: 1, entries: [
    { member_id: 11, name: '王建国', category: 'affiliated', status: 'present', method: 'scan', recorded_at: null, note: '' },
    { member_id: 12, name: '钱记录', category: 'affiliated', status: 'present', method: 'scan', recorded_at: null, note: '' },
    { member_id: 13, name: '周敏', category: 'local', status: null, method: null, recorded_at: null, note: '' },
  ] };
  const empty = { activity_id: 3, kind: 'party_congress', decides: true, host: null, recorder: null, speaker: null, guests: '',
    topics: [], resolutions: [], minutes: '', expected: 3, present: 2, leave: 0, absent: 0, unrecorded: 1,
    quorum: { full_expected: 3, required: 2, present: 2, met: true }, absences: [] };
  const activity = { id: 3, title: '十二月支部党员大会', kind: 'party_congress', place: '活动室', status: 'scheduled',
    starts_at: '2026-12-10T19:00:00+08:00', ends_at: '2026-12-10T21:00:00+08:00' };

  test('record: people are picked from those expected, topics and votes typed, and the whole record is sent', async () => {
    fake = installFakeWx({
      handler: ({ url, method, data }) => {
        if (method === 'PUT') {
          if (data.resolutions[0].votes_for > 2) {
            return { statusCode: 409, data: { error: { code: 'votes_exceed_present', message: '第 1 项决议的表决票数（3）超过了到会正式党员人数（2）', fields: { 'resolutions.0': '票数之和 3 超过到会正式党员 2 人' } } } };
          }
          return { statusCode: 200, data: { ...empty, host: { member_id: 11, name: '王建国' } } };
        }
        if (url.endsWith('/record')) return { statusCode: 200, data: empty };
        if (url.endsWith('/attendance')) return { statusCode: 200, data: sheet };
        return { statusCode: 200, data: activity };
      },
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('record', { id: '3' });
    await simulate.sleep(20);
    expect(comp.data.names).toEqual(['（不填）', '王建国', '钱记录', '周敏']);
    expect(comp.dom.textContent).toContain('达到法定人数：应到正式党员 3 人，须到 2 人，实到 2 人');
    comp.instance.pick({ currentTarget: { dataset: { who: 'host' } }, detail: { value: '1' } });
    comp.instance.pick({ currentTarget: { dataset: { who: 'recorder' } }, detail: { value: '2' } });
    comp.instance.input({ currentTarget: { dataset: { field: 'topics[0].text' } }, detail: { value: ' 讨论发展对象 ' } });
    comp.instance.addTopic();
    comp.instance.input({ currentTarget: { dataset: { field: 'topics[1].text' } }, detail: { value: '第二项\n两行' } });
    comp.instance.addTopic(); // left empty: not sent
    comp.instance.addResolution();
    comp.instance.input({ currentTarget: { dataset: { field: 'resolutions[0].text' } }, detail: { value: '同意' } });
    comp.instance.input({ currentTarget: { dataset: { field: 'resolutions[0].votes_for' } }, detail: { value: '3' } });
    comp.instance.input({ currentTarget: { dataset: { field: 'minutes' } }, detail: { value: '一、……\n二、……' } });
    await comp.instance.save();
    await simulate.sleep(10);
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('超过了到会正式党员人数') }));
    expect(comp.dom.textContent).toContain('票数之和 3 超过到会正式党员 2 人'); // shown at the resolution itself
    comp.instance.input({ currentTarget: { dataset: { field: 'resolutions[0].votes_for' } }, detail: { value: '2' } });
    comp.instance.input({ currentTarget: { dataset: { field: 'resolutions[0].abstaining' } }, detail: { value: '0' } });
    await comp.instance.save();
    const sent = fake.calls.filter((c) => c.method === 'PUT');
    expect(sent[1].url).toMatch(/\/api\/v1\/activities\/3\/record$/);
    expect(sent[1].data).toEqual({
      host_id: 11, recorder_id: 12, speaker_id: null, speaker_name: '', guests: '', topics: ['讨论发展对象', '第二项\n两行'],
      minutes: '一、……\n二、……', resolutions: [{ text: '同意', votes_for: 2, votes_against: null, abstaining: 0 }],
    });
    expect(fake.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '会议记录已保存' }));
  });

  test('record: a lecture has no resolutions box, and an outside speaker is typed', async () => {
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (method === 'PUT') return { statusCode: 200, data: { ...empty, kind: 'lecture', decides: false, quorum: null } };
        if (url.endsWith('/record')) return { statusCode: 200, data: { ...empty, kind: 'lecture', decides: false, quorum: null, speaker: { member_id: null, name: '区委党校 林老师' } } };
        if (url.endsWith('/attendance')) return { statusCode: 200, data: sheet };
        return { statusCode: 200, data: { ...activity, kind: 'lecture' } };
      },
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('record', { id: '3' });
    await simulate.sleep(20);
    expect(comp.querySelector('.resolution')).toBeFalsy();
    expect(comp.dom.textContent).not.toContain('会议决议');
    expect(comp.querySelector('.speaker-name').dom.getAttribute('value') || comp.data.speakerName).toBe('区委党校 林老师');
    await comp.instance.save();
    const put = fake.calls.find((c) => c.method === 'PUT');
    expect(put.data.speaker_name).toBe('区委党校 林老师');
    expect(put.data.resolutions).toEqual([]);
  });

  const plan = {
    org_id: 6, org_name: '河坊街市场党支部', year: 2026,
    kinds: [
      { kind: 'lecture', label: '党课', every: 'quarter', times: 1, periods: [
        { period: '2026-Q3', label: '第三季度', first_day: '2026-07-01', last_day: '2026-09-30', required: 1, held: 0, scheduled: 0, status: 'overdue' },
        { period: '2026-Q4', label: '第四季度', first_day: '2026-10-01', last_day: '2026-12-31', required: 1, held: 0, scheduled: 1, status: 'due' }] },
      { kind: 'committee', label: '支委会', every: 'none', times: 1, periods: [] },
    ],
    attention: [
      { kind: 'lecture', kind_label: '党课', period: '2026-Q4', label: '第四季度', first_day: '2026-10-01', last_day: '2026-12-31', required: 1, held: 0, scheduled: 1, status: 'due' },
      { kind: 'lecture', kind_label: '党课', period: '2026-Q3', label: '第三季度', first_day: '2026-07-01', last_day: '2026-09-30', required: 1, held: 0, scheduled: 0, status: 'overdue' }],
  };
  const orgs = { items: [{ id: 2, name: '湖滨分会', kind: 'branch', parent_id: 1 }, { id: 6, name: '河坊街市场党支部', kind: 'market_org', parent_id: 2 },
    { id: 9, name: '别的支部', kind: 'party_branch', parent_id: 3 }] };
  const me = { user: { id: 1 }, roles: [{ role: 'secretary', org_id: 2, org_name: '湖滨分会' }], member: null, registration: null };

  test("plan: what is due and what was missed come first; 提醒我 asks WeChat inside the tap, then the server", async () => {
    TEMPLATES.plan = 'tpl-plan';
    fake = installFakeWx({
      handler: ({ url, method }) => {
        if (url.endsWith('/me')) return { statusCode: 200, data: me };
        if (url.endsWith('/orgs')) return { statusCode: 200, data: orgs };
        if (method === 'POST') return { statusCode: 201, data: { org_id: 6, status: 'pending', created_at: '2026-11-28T09:00:00+08:00' } };
        return { statusCode: 200, data: plan };
      },
    });
    fake.requestSubscribeMessage.mockImplementation(({ success }) => success({ 'tpl-plan': 'accept' }));
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('plan', {});
    await simulate.sleep(30);
    expect(comp.data.orgNames).toEqual(['河坊街市场党支部', '湖滨分会']); // the org that holds meetings first; not another branch's
    expect(fake.calls.find((c) => c.url.includes('/reports/meeting-plan')).url).toContain('org_id=6');
    const text = comp.dom.textContent.replace(/\s+/g, '');
    expect(text).toContain('本期待开第四季度党课：要开1次，已开0次，已安排1次');
    expect(text).toContain('逾期未开党课：第三季度');
    expect(comp.data.kinds.map((k) => k.kind)).toEqual(['lecture']); // a kind not required is not shown
    const asking = comp.instance.remindMe();
    expect(fake.requestSubscribeMessage).toHaveBeenCalledTimes(1); // before any request: WeChat refuses it later
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await asking;
    expect(fake.calls.find((c) => c.method === 'POST').url).toMatch(/\/api\/v1\/orgs\/6\/meeting-plan\/reminder$/);
    expect(comp.data.reminded).toBe(true);
  });

  test('activity: a member reads the record; the secretary gets the record form', async () => {
    const record = { ...empty, host: { member_id: 11, name: '王建国' }, topics: ['讨论发展对象'], minutes: '一、<b>学习</b>\n二、讨论',
      quorum: { full_expected: 4, required: 3, present: 2, met: false } };
    fake = installFakeWx({
      handler: ({ url }) => {
        if (url.endsWith('/me')) return { statusCode: 200, data: { ...me, roles: [], member: { id: 11 } } };
        if (url.endsWith('/record')) return { statusCode: 200, data: record };
        return { statusCode: 200, data: activity };
      },
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('activity', { id: '3' });
    comp.instance.onShow();
    await simulate.sleep(20);
    const text = comp.dom.textContent;
    expect(text).toContain('主持人：王建国');
    expect(text).toContain('未达到法定人数');
    expect(text).toContain('议题 1：讨论发展对象');
    expect(comp.querySelector('.minutes').dom.textContent).toBe('一、<b>学习</b>\n二、讨论'); // as typed, not markup
    expect(comp.querySelector('.write-record')).toBeFalsy();
  });

  test('my attended meetings list the member\'s own record at each', async () => {
    fake = installFakeWx({
      handler: () => ({ statusCode: 200, data: { total: 1, items: [
        { activity_id: 3, title: '十二月支部党员大会', kind: 'party_congress', starts_at: '2026-12-10T19:00:00+08:00',
          activity_status: 'scheduled', status: 'leave', method: 'leave', note: '进货', recorded_at: '2026-12-09T10:00:00+08:00' }] } }),
    });
    fake.setNavigationBarTitle = jest.fn();
    fake.setStorageSync('dj_token', 'member');
    const comp = open('activities', { attended: '11' });
    comp.instance.onShow();
    await simulate.sleep(20);
    expect(fake.calls[0].url).toMatch(/\/api\/v1\/members\/11\/attendance\?limit=20&offset=0$/);
    expect(comp.dom.textContent.replace(/\s+/g, '')).toContain('支部党员大会·12月10日周四19:00');
    expect(comp.querySelector('.mine').dom.textContent).toBe('我：请假');
  });
});
