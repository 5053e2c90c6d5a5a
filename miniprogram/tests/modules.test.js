const { baseUrl, envVersion, BASE_URLS } = require('../src/utils/config');
const { parseUrl, fromOptions } = require('../src/utils/qr');
const { checkRegistration } = require('../src/utils/rules');
const privacy = require('../src/utils/privacy');
const subscribe = require('../src/utils/subscribe');
const { nonce } = require('../src/utils/nonce');
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
  test('the page shows its sheet when WeChat asks, and agreeing resolves WeChat with the button id', () => {
    let ask;
    const wxApi = { onNeedPrivacyAuthorization: (callback) => { ask = callback; } };
    const shown = [];
    privacy.install(wxApi);
    privacy.onChange((visible) => shown.push(visible));
    const resolve = jest.fn();
    ask(resolve);
    expect(shown).toEqual([true]);
    privacy.agree();
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-privacy', event: 'agree' });
    expect(shown).toEqual([true, false]);
  });
  test('disagreeing tells WeChat so and hides the sheet', () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    const resolve = jest.fn();
    ask(resolve);
    privacy.disagree();
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' });
  });
});

describe('subscribe messages', () => {
  test('asks only for configured templates and reads acceptance', async () => {
    const wxApi = { requestSubscribeMessage: jest.fn(({ success }) => success({ T1: 'accept', T2: 'reject' })) };
    const result = await subscribe.ask(wxApi, ['T1', '', 'T2']);
    expect(wxApi.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['T1', 'T2']);
    expect(subscribe.accepted(result, 'T1')).toBe(true);
    expect(subscribe.accepted(result, 'T2')).toBe(false);
    expect(await subscribe.ask(wxApi, [])).toEqual({});
  });
  test('a refused prompt does not stop the flow', async () => {
    const wxApi = { requestSubscribeMessage: ({ fail }) => fail({ errMsg: 'requestSubscribeMessage:fail cancel' }) };
    expect(await subscribe.ask(wxApi, ['T1'])).toEqual({});
  });
});

test('nonces fit the server rule: 8-64 of letters, digits, _ and -', () => {
  const values = new Set(Array.from({ length: 200 }, () => nonce()));
  expect(values.size).toBe(200);
  for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
});
