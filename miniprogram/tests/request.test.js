const { createAuth } = require('../src/utils/auth');
const { createClient, ApiError, NETWORK_MESSAGE } = require('../src/utils/request');
const { fakeWx } = require('./wx');

function setup(handler) {
  const wxApi = fakeWx({ handler });
  let auth;
  const client = createClient({ wxApi, baseUrl: 'https://dj.test', getAuth: () => auth });
  auth = createAuth({ wxApi, post: (name, data) => client.request(name, { data }) });
  return { wxApi, client, auth };
}

test('fills the path, adds the token and returns the body', async () => {
  const { wxApi, client } = setup(() => ({ statusCode: 200, data: { pledge: '诚信' } }));
  wxApi.setStorageSync('dj_token', 'tok-1');
  const body = await client.request('profile', { params: { member_id: 7 } });
  expect(body).toEqual({ pledge: '诚信' });
  const call = wxApi.calls[0];
  expect(call.url).toBe('https://dj.test/api/v1/members/7/profile');
  expect(call.method).toBe('GET');
  expect(call.header.Authorization).toBe('Bearer tok-1');
});

test('a missing path parameter is a programming error, not a request', async () => {
  const { wxApi, client } = setup(() => ({ statusCode: 200, data: {} }));
  await expect(client.request('profile', { params: {} })).rejects.toThrow('missing path parameter member_id');
  expect(wxApi.calls).toHaveLength(0);
});

test('query values are encoded and empty ones left out', async () => {
  const { wxApi, client } = setup(() => ({ statusCode: 200, data: { items: [] } }));
  await client.request('ratings', { query: { status: 'flagged', member_id: '', limit: 20 } });
  expect(wxApi.calls[0].url).toBe('https://dj.test/api/v1/ratings?status=flagged&limit=20');
});

test('on 401 one re-login serves every waiting request, each then repeated once', async () => {
  let valid = 'fresh';
  const handler = ({ url, header, data }) => {
    if (url.endsWith('/auth/wechat')) return { statusCode: 200, data: { token: valid, user: {}, member: null, code: data.code } };
    return header.Authorization === `Bearer ${valid}` ? { statusCode: 200, data: { ok: url } } : { statusCode: 401, data: { error: { code: 'unauthorized', message: '登录已失效，请重新登录' } } };
  };
  const { wxApi, client } = setup(handler);
  wxApi.setStorageSync('dj_token', 'expired');
  const answers = await Promise.all([client.request('me'), client.request('activities'), client.request('orgs')]);
  expect(answers.map((a) => a.ok)).toEqual([
    'https://dj.test/api/v1/me', 'https://dj.test/api/v1/activities', 'https://dj.test/api/v1/orgs']);
  expect(wxApi.logins).toBe(1);
  expect(wxApi.calls.filter((c) => c.url.endsWith('/auth/wechat'))).toHaveLength(1);
  expect(wxApi.getStorageSync('dj_token')).toBe('fresh');
});

test('a 401 after re-login is not retried forever: the error reaches the page', async () => {
  const handler = ({ url }) => (url.endsWith('/auth/wechat')
    ? { statusCode: 200, data: { token: 'still-bad' } }
    : { statusCode: 401, data: { error: { code: 'unauthorized', message: '登录已失效，请重新登录' } } });
  const { wxApi, client } = setup(handler);
  await expect(client.request('me')).rejects.toMatchObject({ status: 401, message: '登录已失效，请重新登录' });
  expect(wxApi.calls.filter((c) => c.url.endsWith('/me'))).toHaveLength(2);
});

test("the server's Chinese message and fields are kept as they are", async () => {
  const error = { code: 'validation_failed', message: '填写的内容有误，请检查标出的项目', fields: { mobile: '应为 11 位中国大陆手机号' } };
  const { client } = setup(() => ({ statusCode: 422, data: { error } }));
  const refused = await client.request('submitRegistration', { data: {} }).catch((e) => e);
  expect(refused).toBeInstanceOf(ApiError);
  expect(refused.message).toBe(error.message);
  expect(refused.code).toBe('validation_failed');
  expect(refused.fields).toEqual(error.fields);
});

test('no answer at all, or one without our error body, says the network is weak', async () => {
  const { client } = setup(() => null);
  await expect(client.request('orgs')).rejects.toMatchObject({ code: 'network', message: NETWORK_MESSAGE });
  const { client: other } = setup(() => ({ statusCode: 502, data: '<html>Bad Gateway</html>' }));
  await expect(other.request('orgs')).rejects.toMatchObject({ status: 502, message: NETWORK_MESSAGE });
});

test('public routes send no token; GET sends no body', async () => {
  const { wxApi, client } = setup(() => ({ statusCode: 200, data: {} }));
  wxApi.setStorageSync('dj_token', 'tok');
  await client.request('publicProfile', { params: { code: 'hfjwjgdemxz8' }, data: { ignored: true } });
  expect(wxApi.calls[0].header).toEqual({});
  expect(wxApi.calls[0].data).toBeUndefined();
});

describe('the develop build against a server in fake WeChat mode', () => {
  const clientModule = require('../src/services/client');
  const users = { items: [{ key: 'vendor1', label: '普通用户（无工作台权限）' }, { key: 'secretary1', label: '河坊街市场党支部书记' }] };
  function server(log) {
    return ({ url, data }) => {
      log.push(url.replace(/^https?:\/\/[^/]+/, ''));
      if (url.endsWith('/console/dev-users')) return { statusCode: 200, data: users };
      if (url.endsWith('/auth/wechat')) {
        return /^dev:[a-z0-9]+$/.test(data.code)
          ? { statusCode: 200, data: { token: `t-${data.code}`, user: {}, member: null } }
          : { statusCode: 401, data: { error: { code: 'wechat_code_invalid', message: '微信登录凭证无效' } } };
      }
      return { statusCode: 200, data: {} };
    };
  }
  afterEach(() => clientModule.reset());

  test('asks for a demo user first, never sends wx.login\'s code, then logs in as the one picked', async () => {
    const log = [];
    const wxApi = fakeWx({ handler: server(log), envVersion: 'develop', loginCodes: ['0a3Xk9000real'] });
    wxApi.navigateTo = jest.fn();
    const { auth } = clientModule.get(wxApi);
    await expect(auth.login()).rejects.toMatchObject({ code: 'dev_user_needed' });
    expect(wxApi.navigateTo).toHaveBeenCalledWith({ url: '/pages/dev-login/index' });
    expect(log).toEqual(['/api/v1/console/dev-users']); // no login with a code the fake gateway refuses
    expect(wxApi.logins).toBe(0);
    auth.useDevUser('secretary1');
    await auth.login();
    expect(wxApi.getStorageSync('dj_token')).toBe('t-dev:secretary1');
    expect(log.slice(-1)).toEqual(['/api/v1/auth/wechat']);
  });

  test('a develop build against a server with the real WeChat uses wx.login as always', async () => {
    const log = [];
    const handler = ({ url, data }) => {
      log.push(url);
      if (url.endsWith('/console/dev-users')) return { statusCode: 404, data: { error: { code: 'not_found', message: '未开放' } } };
      return { statusCode: 200, data: { token: `t-${data.code}`, user: {}, member: null } };
    };
    const wxApi = fakeWx({ handler, envVersion: 'develop', loginCodes: ['0a3Xk9000real'] });
    await clientModule.get(wxApi).auth.login();
    expect(wxApi.getStorageSync('dj_token')).toBe('t-0a3Xk9000real');
  });

  test.each(['trial', 'release'])('a %s build never asks for demo users, even from a fake server', async (envVersion) => {
    const log = [];
    const wxApi = fakeWx({ handler: server(log), envVersion, loginCodes: ['0a3Xk9000real'] });
    wxApi.setStorageSync('dj_dev_user', 'vendor1'); // left over from a developer's phone
    await expect(clientModule.get(wxApi).auth.login()).rejects.toThrow('微信登录凭证无效');
    expect(log.some((url) => url.includes('dev-users'))).toBe(false);
    expect(wxApi.logins).toBe(1);
  });
});
