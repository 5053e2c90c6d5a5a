const { baseUrl, envVersion, BASE_URLS, TEMPLATES } = require('../src/utils/config');
const { parseUrl, fromOptions } = require('../src/utils/qr');
const { checkRegistration } = require('../src/utils/rules');
const privacy = require('../src/utils/privacy');
const subscribe = require('../src/utils/subscribe');
const { nonce } = require('../src/utils/nonce');
const format = require('../src/utils/format');
const elder = require('../src/utils/elder');
const { ApiError, describe: describeError } = require('../src/utils/request');
const { fakeWx } = require('./wx');

describe('config', () => {
  test.each([['develop', BASE_URLS.develop], ['trial', BASE_URLS.trial], ['release', BASE_URLS.release]])(
    '%s build talks to its own server', (version, url) => {
      expect(baseUrl(fakeWx({ envVersion: version }))).toBe(url);
    });
  test('an unknown or failing build talks to production, never to a laptop', () => {
    expect(baseUrl(fakeWx({ envVersion: 'gray' }))).toBe(BASE_URLS.release);
    expect(envVersion({ getAccountInfoSync: () => { throw new Error('old base library'); } })).toBe('release');
  });
});

describe('QR codes and links', () => {
  const checkinUrl = 'https://dj.example.cn/c/k7m2x9qr4tzw.29381234.3f9a0b1c2d3e4f5a';
  test('a check-in link from WeChat camera arrives URL-encoded in options.q', () => {
    expect(fromOptions({ q: encodeURIComponent(checkinUrl) })).toEqual({ kind: 'checkin', token: 'k7m2x9qr4tzw.29381234.3f9a0b1c2d3e4f5a' });
  });
  test('a plate link opens the stall profile', () => {
    expect(fromOptions({ q: encodeURIComponent('https://dj.example.cn/p/hfjwjgdemxz8') })).toEqual({ kind: 'plate', code: 'hfjwjgdemxz8' });
    expect(fromOptions({ code: 'hfjwjgdemxz8' })).toEqual({ kind: 'plate', code: 'hfjwjgdemxz8' });
    expect(fromOptions({ q: encodeURIComponent('https://dj.example.cn/l/Qx3vT9mKp2LwZr8sYb4n1A') })).toEqual({ kind: 'desk', code: 'Qx3vT9mKp2LwZr8sYb4n1A' });
    expect(parseUrl('https://dj.example.cn/p/hfjwjgdemxz8?from=share#top')).toEqual({ kind: 'plate', code: 'hfjwjgdemxz8' });
  });
  test('anything else is unknown, including look-alike codes and broken encoding', () => {
    for (const text of ['https://evil.example/x', '/p/0Ol1Il0Ol1Il', '/p/abc', '%E0%A4%A', '', null]) {
      expect(parseUrl(text).kind).toBe('unknown');
    }
    expect(fromOptions({ q: '%E0%A4%A' })).toEqual({ kind: 'unknown' });
    expect(fromOptions(undefined)).toEqual({ kind: 'unknown' });
  });
});

describe('registration form rules mirror the server', () => {
  const good = {
    unit_name: '秀英茶叶店', name: '李秀英', mobile: '13812345678', is_owner: true, household_district: '西湖区',
    life_org_id: 3, home_org: '西湖区北山街道党工委', standing: 'full', placement: 'in_market', market_id: 1, stall_no: 'A-015',
  };
  test('a complete form passes and is sent trimmed', () => {
    const checked = checkRegistration({ ...good, name: '  李秀英 ' });
    expect(checked.valid).toBe(true);
    expect(checked.data.name).toBe('李秀英');
  });
  test('required fields, mobile format and lengths are named', () => {
    const checked = checkRegistration({ ...good, name: ' ', mobile: '12345678901', unit_name: '店'.repeat(101), is_owner: 'yes' });
    expect(checked.fields).toEqual({ name: '不能为空', mobile: '应为 11 位中国大陆手机号', unit_name: '太长了，最多 100 个字', is_owner: '请选择是否业主' });
  });
  test('a stall in a market needs the market and the stall number; a standalone business neither', () => {
    expect(checkRegistration({ ...good, market_id: null }).fields.market_id).toBe('市场内个体工商户须填写市场和摊位号');
    expect(checkRegistration({ ...good, stall_no: '' }).fields.stall_no).toBe('市场内个体工商户须填写市场和摊位号');
    const standalone = checkRegistration({ ...good, placement: 'standalone' });
    expect(standalone.valid).toBe(true);
    expect(standalone.data.market_id).toBeUndefined();
    expect(standalone.data.stall_no).toBeUndefined();
  });
  test('a branch must be chosen from the org list', () => {
    expect(checkRegistration({ ...good, life_org_id: undefined }).fields.life_org_id).toBe('请选择组织生活所在的支部');
  });
});

describe('privacy authorization', () => {
  afterEach(() => privacy.reset());
  function sheet() {
    const shown = [];
    return { shown, setVisible: (visible) => shown.push(visible) };
  }
  test("the showing page's sheet answers WeChat, and agreeing resolves WeChat with the button id", () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    const home = sheet();
    privacy.register(home);
    const resolve = jest.fn();
    ask(resolve);
    expect(home.shown.slice(-1)).toEqual([true]);
    privacy.agree();
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-privacy', event: 'agree' });
    expect(home.shown.slice(-1)).toEqual([false]);
  });
  test('home → another page → back: the home page still shows the sheet (one listener for the app)', () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    const home = sheet();
    const plate = sheet();
    privacy.register(home); // home attached
    privacy.register(plate); // 我的三亮牌 opened on top
    ask(jest.fn());
    expect(plate.shown.slice(-1)).toEqual([true]);
    expect(home.shown.includes(true)).toBe(false);
    privacy.disagree();
    privacy.unregister(plate); // back: the plate page is gone
    privacy.register(home); // and home shows again
    const resolve = jest.fn();
    ask(resolve);
    expect(home.shown.slice(-1)).toEqual([true]);
    privacy.agree();
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-privacy', event: 'agree' });
  });
  test('a request that comes while no sheet is registered is shown by the next page that shows', () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    ask(jest.fn());
    const late = sheet();
    privacy.register(late);
    expect(late.shown.slice(-1)).toEqual([true]);
  });
  test('disagreeing tells WeChat so and hides the sheet', () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    const page = sheet();
    privacy.register(page);
    const resolve = jest.fn();
    ask(resolve);
    privacy.disagree();
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' });
    expect(page.shown.slice(-1)).toEqual([false]);
  });
});

describe('subscribe messages', () => {
  afterEach(() => { TEMPLATES.activity = ''; });
  test('without a template id nothing is asked and nothing is promised', async () => {
    const wxApi = { requestSubscribeMessage: jest.fn() };
    expect(subscribe.enabled('activity')).toBe(false);
    expect(await subscribe.ask(wxApi, 'activity')).toEqual({ accepted: false });
    expect(wxApi.requestSubscribeMessage).not.toHaveBeenCalled();
  });
  test("asks for the configured template, synchronously, and reads the person's answer", async () => {
    TEMPLATES.activity = 'T1';
    const wxApi = { requestSubscribeMessage: jest.fn(({ success }) => success({ T1: 'accept' })) };
    const pending = subscribe.ask(wxApi, 'activity');
    expect(wxApi.requestSubscribeMessage).toHaveBeenCalledTimes(1); // inside the tap, before anything is awaited
    expect(wxApi.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['T1']);
    expect(await pending).toEqual({ accepted: true });
    wxApi.requestSubscribeMessage = ({ success }) => success({ T1: 'reject' });
    expect(await subscribe.ask(wxApi, 'activity')).toEqual({ accepted: false });
  });
  test('a refused prompt does not stop the flow', async () => {
    TEMPLATES.activity = 'T1';
    const wxApi = { requestSubscribeMessage: ({ fail }) => fail({ errMsg: 'requestSubscribeMessage:fail cancel' }) };
    expect(await subscribe.ask(wxApi, 'activity')).toEqual({ accepted: false });
  });
});

describe('dates and names', () => {
  const now = Date.parse('2026-11-28T10:00:00+08:00');
  test('times read in Beijing whatever the zone the server wrote them in', () => {
    expect(format.when('2026-12-05T19:00:00+08:00', now)).toBe('12月5日 周六 19:00');
    expect(format.when('2026-12-05T11:00:00Z', now)).toBe('12月5日 周六 19:00');
    expect(format.when('2025-12-31T23:30:00+08:00', now)).toBe('2025年12月31日 周三 23:30');
    expect(format.span('2026-12-05T19:00:00+08:00', '2026-12-05T21:00:00+08:00', now)).toBe('12月5日 周六 19:00–21:00');
    expect(format.span('2026-12-05T23:00:00+08:00', '2026-12-06T01:00:00+08:00', now)).toBe('12月5日 周六 23:00–12月6日 周日 01:00');
    expect(format.date('2021-07-01')).toBe('2021年7月1日');
    expect(format.when('not a time', now)).toBe('');
  });
  test('names sort as people count: 党员2 before 党员10', () => {
    const names = ['党员10', '党员2', '党员1', '党员11', '王建国', '党员'];
    expect(names.sort(format.naturalCompare)).toEqual(['党员', '党员1', '党员2', '党员10', '党员11', '王建国']);
  });
});

describe('长辈模式', () => {
  function phone(fontSizeSetting) {
    const storage = new Map();
    return {
      getAppBaseInfo: () => ({ fontSizeSetting }),
      getStorageSync: (k) => storage.get(k) || '',
      setStorageSync: (k, v) => storage.set(k, v),
      removeStorageSync: (k) => storage.delete(k),
    };
  }
  test("follows the phone's font size until chosen in 我的, and tells every open page", () => {
    const large = phone(22);
    const standard = phone(17);
    expect(elder.on(large)).toBe(true);
    expect(elder.on(standard)).toBe(false);
    const heard = [];
    const stop = elder.listen((on) => heard.push(on));
    elder.set(standard, 'on');
    expect(elder.on(standard)).toBe(true);
    elder.set(large, 'off');
    expect(elder.on(large)).toBe(false);
    elder.set(large, 'auto');
    expect(elder.on(large)).toBe(true);
    stop();
    elder.set(standard, 'off');
    expect(heard).toEqual([true, false, true]);
  });
});

describe('error messages', () => {
  test("the server's field messages are shown with its message, not 请检查标出的项目 alone", () => {
    const error = new ApiError(422, 'validation_failed', '请检查标出的项目', { reason: '请填写请假原因' });
    expect(describeError(error)).toBe('请检查标出的项目：请填写请假原因');
    expect(describeError(new ApiError(409, 'activity_over', '活动已经结束'))).toBe('活动已经结束');
  });
});

test('nonces fit the server rule: 8-64 of letters, digits, _ and -', () => {
  const values = new Set(Array.from({ length: 200 }, () => nonce()));
  expect(values.size).toBe(200);
  for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
});
