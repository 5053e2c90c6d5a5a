// The vendor's pages (and the tabs everyone has), each through its main action, against a
// stand-in server: a broken page fails here.
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const privacy = require('../src/utils/privacy');
const location = require('../src/utils/location');
const elder = require('../src/utils/elder');
const { TEMPLATES } = require('../src/utils/config');
const { installFakeWx } = require('./wx');
const { open, server } = require('./harness');

let fake = null;
beforeEach(() => {
  client.reset();
  privacy.reset();
  location.reset();
});
afterEach(() => {
  TEMPLATES.activity = '';
  if (fake) fake.restore();
  fake = null;
});

function text(comp) {
  return comp.dom.textContent.replace(/\s+/g, '');
}

const member = { id: 11, name: '王建国', unit_name: '建国南北货商行' };
const meMember = { user: { id: 1, phone: '13800000001' }, roles: [], member, registration: null };
// Tomorrow 09:00 Beijing time: in the future, and a two-hour meeting that never runs past midnight
// (one an hour from now did after 22:00 Beijing time, and the page then names both days).
const beijingToday = new Date(Date.now() + 8 * 3600 * 1000);
const tomorrowNine = new Date(Date.UTC(beijingToday.getUTCFullYear(), beijingToday.getUTCMonth(), beijingToday.getUTCDate() + 1, 1));
function iso(date) {
  // the server's form: local Beijing time with its offset
  return new Date(date.getTime() + 8 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, '+08:00');
}
const meeting = {
  id: 3, org_id: 6, kind: 'party_congress', title: '十二月支部党员大会', place: '市场党员活动室', status: 'scheduled',
  starts_at: iso(tomorrowNine), ends_at: iso(new Date(tomorrowNine.getTime() + 2 * 3600 * 1000)), minutes: '',
};
const emptyRecord = {
  kind: 'party_congress', decides: true, host: null, recorder: null, speaker: null, guests: '', topics: [], resolutions: [],
  minutes: '', expected: 3, present: 0, leave: 0, absent: 0, unrecorded: 3, quorum: null, absences: [],
};

describe('home (首页)', () => {
  test("a member sees who they are, 扫码签到 and the next meetings in words, not ISO strings", async () => {
    fake = installFakeWx({ handler: server([['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities', { items: [meeting], total: 1 }]]) });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('index');
    comp.instance.onShow();
    await simulate.sleep(30);
    const shown = text(comp);
    expect(shown).toContain('王建国');
    expect(comp.querySelector('.scan').dom.textContent).toBe('扫码签到');
    expect(comp.querySelector('.next').dom.textContent).toContain('十二月支部党员大会');
    expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(shown).toMatch(/\d+月\d+日周.\d{2}:\d{2}–\d{2}:\d{2}/);
    const listed = fake.calls.find((c) => c.url.includes('/api/v1/activities'));
    expect(listed.url).toMatch(/from=\d{4}-\d{2}-\d{2}T00%3A00%3A00%2B08%3A00/);
    comp.instance.go({ currentTarget: { dataset: { url: '/pages/activity/index?id=3' } } });
    expect(fake.navigateTo).toHaveBeenCalledWith({ url: '/pages/activity/index?id=3' });
    comp.instance.go({ currentTarget: { dataset: { url: '/pages/me/index' } } });
    expect(fake.switchTab).toHaveBeenCalledWith({ url: '/pages/me/index' }); // a tab is switched to, never navigated to
    const asked = fake.calls.filter((c) => c.url.endsWith('/api/v1/me')).length;
    await comp.instance.onPullDownRefresh(); // the page behavior's: load again, then stop the spinner
    expect(fake.calls.filter((c) => c.url.endsWith('/api/v1/me')).length).toBe(asked + 1);
    expect(fake.stopPullDownRefresh).toHaveBeenCalled();
  });

  test('a failed start shows the reason and 重试 loads again', async () => {
    let up = false;
    fake = installFakeWx({ handler: (req) => (up ? server([['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities', { items: [], total: 0 }]])(req) : null) });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('index');
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelector('.error').dom.textContent).toBe('网络不给力，请稍后再试');
    up = true;
    await comp.instance.load();
    expect(text(comp)).toContain('王建国');
  });
});

describe('activities list', () => {
  function page(offset, count, total) {
    return { items: Array.from({ length: count }, (_, i) => ({ ...meeting, id: offset + i + 1, title: `会议${offset + i + 1}` })), total };
  }

  test('twenty at a time: the bottom of the list loads the next twenty, pull-down starts again', async () => {
    fake = installFakeWx({
      handler: server([['GET', '/api/v1/activities', (req) => {
        const offset = Number(/offset=(\d+)/.exec(req.url)[1]);
        return offset === 0 ? page(0, 20, 25) : page(20, 5, 25);
      }]]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('activities');
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelectorAll('.item')).toHaveLength(20);
    expect(fake.calls[0].url).toMatch(/limit=20&offset=0$/);
    expect(comp.querySelector('.more').dom.textContent).toBe('上拉加载更多');
    comp.instance.onReachBottom();
    await simulate.sleep(30);
    expect(fake.calls[1].url).toMatch(/limit=20&offset=20$/);
    expect(comp.querySelectorAll('.item')).toHaveLength(25);
    expect(comp.querySelector('.more').dom.textContent).toBe('没有更多了');
    comp.instance.onReachBottom(); // nothing more to fetch
    await simulate.sleep(10);
    expect(fake.calls).toHaveLength(2);
    await comp.instance.onPullDownRefresh();
    expect(fake.calls[2].url).toMatch(/offset=0$/);
    expect(fake.stopPullDownRefresh).toHaveBeenCalled();
    expect(comp.querySelectorAll('.item')).toHaveLength(20);
  });

  test('nothing yet is said in words; an error offers 重试', async () => {
    let answer = { status: 503, data: { error: { code: 'backend_unavailable', message: '服务暂时不可用，请稍后再试' } } };
    fake = installFakeWx({ handler: server([['GET', '/api/v1/activities', () => answer]]) });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('activities');
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelector('.error').dom.textContent).toBe('服务暂时不可用，请稍后再试');
    answer = { items: [], total: 0 };
    await comp.instance.reload();
    expect(comp.querySelector('.empty').dom.textContent).toBe('暂时没有活动');
  });
});

describe('one activity, as a member', () => {
  function routes(leave, log) {
    return server([
      ['GET', '/api/v1/activities/3', meeting], ['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities/3/record', emptyRecord],
      ['GET', '/api/v1/activities/3/leave/mine', () => ({ leave: leave.current })],
      ['POST', '/api/v1/activities/3/leave', (req) => {
        log.push(req.data);
        if (!req.data.reason) return { status: 422, data: { error: { code: 'validation_failed', message: '请检查标出的项目', fields: { reason: '请填写请假原因' } } } };
        leave.current = { id: 9, activity_id: 3, member_id: 11, reason: req.data.reason, status: 'pending', created_at: iso(new Date()) };
        return leave.current;
      }],
      ['POST', '/api/v1/activities/3/reminder', { status: 'subscribed' }],
    ]);
  }

  test('asks for leave; the pending request is shown, not the form again; an empty reason names the field', async () => {
    const leave = { current: null };
    const log = [];
    fake = installFakeWx({ handler: routes(leave, log) });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('activity', { id: '3' });
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelector('.when').dom.textContent).toMatch(/^\d+月\d+日 周. \d{2}:\d{2}–\d{2}:\d{2}$/);
    expect(comp.querySelector('.ask-leave .label').dom.textContent).toBe('不能参加？写明原因请假');
    await comp.instance.askLeave();
    expect(fake.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '请检查标出的项目：请填写请假原因' }));
    comp.instance.inputReason({ detail: { value: ' 进货 ' } });
    await comp.instance.askLeave();
    await simulate.sleep(20);
    expect(log.slice(-1)).toEqual([{ reason: '进货' }]);
    expect(comp.querySelector('.leave .label').dom.textContent).toBe('请假已提交，等待书记批准');
    expect(comp.querySelector('.ask-leave .label').dom.textContent).toBe('修改请假原因');
    leave.current = { ...leave.current, status: 'approved' };
    await comp.instance.load();
    expect(comp.querySelector('.leave .label').dom.textContent).toBe('书记已批准请假');
    expect(comp.querySelector('.ask-leave')).toBeUndefined(); // decided: nothing to ask again
  });

  test('开始前提醒我 only with a template, and WeChat is asked before any request', async () => {
    const leave = { current: null };
    fake = installFakeWx({ handler: routes(leave, []) });
    fake.setStorageSync('dj_token', 'member');
    let comp = open('activity', { id: '3' });
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelector('.remind')).toBeUndefined(); // no template: no promise of a notice
    TEMPLATES.activity = 'tpl-reminder';
    fake.requestSubscribeMessage.mockImplementation(({ success }) => success({ 'tpl-reminder': 'accept' }));
    comp = open('activity', { id: '3' });
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(comp.querySelector('.remind').dom.textContent).toBe('开始前提醒我');
    const before = fake.calls.length;
    const asking = comp.instance.remindMe();
    expect(fake.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    expect(fake.calls).toHaveLength(before);
    await asking;
    expect(fake.calls.slice(-1)[0].url).toMatch(/\/activities\/3\/reminder$/);
  });
});

describe('check-in with location', () => {
  const token = 'k7m2x9qr4tzw.293812.3f9a0b1c2d3e';
  const locationRequired = { status: 422, data: { error: { code: 'location_required', message: '本次活动需要定位签到，请允许小程序获取位置后再试' } } };
  const expired = { status: 403, data: { error: { code: 'token_expired', message: '签到码已过期，请重新扫描书记手机上的最新签到码' } } };
  const ok = { status: 201, data: { activity_title: '十二月支部党员大会', checked_in_at: '2026-12-10T18:52:00+08:00' } };

  test('the meeting asks for the position: the phone gives it with its accuracy and the same scan signs in', async () => {
    const posts = [];
    fake = installFakeWx({ handler: server([['POST', '/api/v1/checkins', (req) => { posts.push(req.data); return req.data.location ? ok : locationRequired; }]]) });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('checkin', { token });
    await simulate.sleep(40);
    expect(comp.querySelector('.big').dom.textContent).toBe('签到成功');
    expect(posts).toHaveLength(2);
    expect(posts[1].location).toEqual({ lat: 30.2489, lng: 120.1711, accuracy_m: 35 });
    expect(fake.getLocation.mock.calls[0][0].type).toBe('gcj02');
  });

  test('the code turned while the dialogs were open: scan again, and the position goes with the first request', async () => {
    const posts = [];
    let round = 0;
    fake = installFakeWx({
      handler: server([['POST', '/api/v1/checkins', (req) => {
        posts.push(req.data);
        if (round === 0) return req.data.location ? expired : locationRequired;
        return req.data.location ? ok : locationRequired;
      }]]),
    });
    fake.setStorageSync('dj_token', 'member');
    let comp = open('checkin', { token });
    await simulate.sleep(40);
    expect(comp.querySelector('.big').dom.textContent).toBe('没有签到成功');
    expect(comp.querySelector('.what').dom.textContent).toContain('请再扫一次');
    round = 1;
    comp = open('checkin', { token: 'k7m2x9qr4tzw.293813.aaaaaaaaaaaa' });
    await simulate.sleep(40);
    expect(comp.querySelector('.big').dom.textContent).toBe('签到成功');
    expect(posts).toHaveLength(3); // one request this time, with the position in it
    expect(posts[2].location.accuracy_m).toBe(35);
  });

  test('location refused: the member is told where to allow it', async () => {
    fake = installFakeWx({ handler: server([['POST', '/api/v1/checkins', locationRequired]]) });
    fake.getLocation.mockImplementation(({ fail }) => fail({ errMsg: 'getLocation:fail auth deny' }));
    fake.setStorageSync('dj_token', 'member');
    const comp = open('checkin', { token });
    await simulate.sleep(40);
    expect(comp.querySelector('.what').dom.textContent).toContain('允许使用位置信息');
  });
});

describe('my plate, consent and ratings', () => {
  const profile = { pledge: '诚信经营', pledge_max: 60, has_photo: true, public: false, plate_code: null, plate_url: null };

  test('plate: the pledge is saved trimmed; a first plate is made after the confirm', async () => {
    const sent = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/members/11/profile', () => profile],
        ['PATCH', '/api/v1/members/11/profile', (req) => { sent.push(req.data); return { pledge: req.data.pledge }; }],
        ['POST', '/api/v1/members/11/plate', (req) => { sent.push('plate'); return { code: 'hfjwjgdemxz8', url: 'x', public: false }; }],
      ]),
    });
    fake.showModal.mockImplementation(({ success }) => success && success({ confirm: true }));
    fake.setStorageSync('dj_token', 'member');
    const comp = open('plate', { member_id: '11' });
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(text(comp)).toContain('还没有同意公开');
    comp.instance.inputPledge({ detail: { value: ' 明码标价，童叟无欺 ' } });
    await comp.instance.savePledge();
    expect(sent[0]).toEqual({ pledge: '明码标价，童叟无欺' });
    comp.instance.issue();
    await simulate.sleep(30);
    expect(sent).toContain('plate');
  });

  test('consent: 同意公开 stays disabled until the text is read; the agreement carries the version shown', async () => {
    const sent = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/profile-consent', { version: '2026-03', text: '同意后，顾客扫码可以看到你的姓名、照片……' }],
        ['GET', '/api/v1/members/11/profile', profile],
        ['POST', '/api/v1/members/11/profile/consent', (req) => { sent.push(req.data); return { public: true }; }],
      ]),
    });
    fake.setStorageSync('dj_token', 'member');
    const comp = open('consent', { member_id: '11' });
    await simulate.sleep(30);
    expect(text(comp)).toContain('版本2026-03');
    expect(comp.data.read).toBe(false);
    comp.instance.toggleRead({ detail: { value: ['read'] } });
    expect(comp.data.read).toBe(true);
    await comp.instance.agree();
    expect(sent).toEqual([{ version: '2026-03' }]);
    expect(fake.navigateBack).toHaveBeenCalled();
  });

  test('received: ratings with their day and the secretary\'s reply; none yet is said', async () => {
    let items = [{ id: 1, score: 5, comment: '货真价实', created_at: '2026-11-20T10:00:00+08:00', reply: '谢谢支持' }];
    fake = installFakeWx({ handler: server([['GET', '/api/v1/members/11/ratings', () => ({ items, total: items.length })]]) });
    fake.setStorageSync('dj_token', 'member');
    let comp = open('received', { member_id: '11' });
    await simulate.sleep(30);
    expect(text(comp)).toContain('货真价实');
    expect(text(comp)).toContain('11月20日周五');
    expect(comp.querySelector('.reply').dom.textContent).toBe('书记回复：谢谢支持');
    items = [];
    comp = open('received', { member_id: '11' });
    await simulate.sleep(30);
    expect(comp.querySelector('.empty').dom.textContent).toBe('还没有公开的评价');
  });
});

describe('签到 and 我的 tabs, the develop build', () => {
  test('签到: the camera opens and a check-in code goes to the check-in page', async () => {
    fake = installFakeWx({ handler: server([]) });
    fake.scanCode.mockImplementation(({ success }) => success({ result: 'https://dj.example.cn/c/k7m2x9qr4tzw.293812.3f9a0b1c2d3e' }));
    const comp = open('scan');
    await comp.instance.scan();
    expect(fake.navigateTo).toHaveBeenCalledWith({ url: '/pages/checkin/index?token=k7m2x9qr4tzw.293812.3f9a0b1c2d3e' });
    fake.scanCode.mockImplementation(({ success }) => success({ result: 'https://evil.example/x' }));
    await comp.instance.scan();
    expect(comp.querySelector('.error').dom.textContent).toContain('不是签到码');
  });

  test('我的: 长辈模式 turned on makes every open page large at once', async () => {
    fake = installFakeWx({ handler: server([['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities', { items: [], total: 0 }]]) });
    fake.setStorageSync('dj_token', 'member');
    const home = open('index');
    const me = open('me');
    me.instance.onShow();
    await simulate.sleep(30);
    expect(text(me)).toContain('我的党员信息');
    expect(home.querySelector('.page').dom.className).not.toContain('elder');
    me.instance.pickElder({ detail: { value: '1' } }); // 开启（大字）
    expect(fake.getStorageSync('dj_elder')).toBe('on');
    expect(home.querySelector('.page').dom.className).toContain('elder');
    expect(me.querySelector('.page').dom.className).toContain('elder');
    me.instance.pickElder({ detail: { value: '0' } }); // follow the phone (standard size here)
    expect(home.querySelector('.page').dom.className).not.toContain('elder');
    elder.set(fake, 'auto');
  });

  test("a phone set to large text opens in 长辈模式 without anyone choosing it", async () => {
    fake = installFakeWx({ handler: server([['GET', '/api/v1/me', meMember]]), fontSizeSetting: 22 });
    const comp = open('me');
    expect(comp.querySelector('.page').dom.className).toContain('elder');
  });

  test('dev-login: the server\'s demo users are listed and the one picked logs in', async () => {
    fake = installFakeWx({ handler: server([['GET', '/api/v1/console/dev-users', { items: [{ key: 'vendor1', label: '普通用户（无工作台权限）' }, { key: 'secretary1', label: '河坊街市场党支部书记' }] }]]) });
    fake.setStorageSync('dj_token', 'old');
    const comp = open('dev-login');
    await simulate.sleep(30);
    expect(comp.querySelectorAll('.user')).toHaveLength(2);
    expect(text(comp)).toContain('河坊街市场党支部书记');
    comp.instance.pick({ currentTarget: { dataset: { key: 'secretary1' } } });
    expect(fake.getStorageSync('dj_dev_user')).toBe('secretary1');
    expect(fake.getStorageSync('dj_token')).toBe('');
    expect(fake.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' });
  });

  test('dev-login in a trial build refuses without asking the server', async () => {
    fake = installFakeWx({ handler: server([]), envVersion: 'trial' });
    const comp = open('dev-login');
    await simulate.sleep(10);
    expect(comp.querySelector('.error').dom.textContent).toBe('只有开发版可以选择演示用户');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('the privacy sheet across pages', () => {
  test('home → 我的三亮牌 → back: WeChat\'s request is shown on the page on screen', async () => {
    let ask = null;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    fake = installFakeWx({ handler: server([['GET', '/api/v1/me', meMember], ['GET', '/api/v1/activities', { items: [], total: 0 }],
      ['GET', '/api/v1/members/11/profile', { pledge: '', pledge_max: 60, has_photo: false, public: false, plate_code: null }]]) });
    fake.setStorageSync('dj_token', 'member');
    const home = open('index');
    const plate = open('plate', { member_id: '11' });
    ask(jest.fn());
    await simulate.sleep(10);
    const sheetShown = (comp) => /mask/.test(comp.dom.querySelector('privacy-sheet').innerHTML);
    expect(sheetShown(plate)).toBe(true);
    expect(sheetShown(home)).toBe(false);
    privacy.disagree();
    plate.detach(); // back
    const resolve = jest.fn();
    ask(resolve);
    await simulate.sleep(10);
    expect(sheetShown(home)).toBe(true); // the sheet did not go away with the other page
    privacy.agree();
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-privacy', event: 'agree' });
  });
});
