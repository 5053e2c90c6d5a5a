// Logging in: wx.login's code goes to the server, which answers with a bearer token kept in
// storage. When many requests meet a 401 at once, they share one re-login.
//
// The develop build against a server in fake WeChat mode: the fake gateway takes `dev:<name>`
// codes only, never wx.login's, so the developer picks a demo user (pages/dev-login) and that
// name logs in. Trial and release builds never ask (isDevelop is false there) and the real path
// is the only one.
const TOKEN_KEY = 'dj_token';
const DEV_USER_KEY = 'dj_dev_user';

class DevUserNeeded extends Error {
  constructor() {
    super('开发版连接的是模拟微信的服务器：请先选择一个演示用户');
    this.code = 'dev_user_needed';
  }
}

// devUsers(): the server's demo users, or null when it talks to the real WeChat.
function createAuth({ wxApi, post, develop = false, devUsers = async () => null, onDevUserNeeded = () => {} }) {
  let pending = null;

  function token() {
    return wxApi.getStorageSync(TOKEN_KEY) || '';
  }

  function wxLogin() {
    return new Promise((resolve, reject) => {
      wxApi.login({
        success: (res) => (res.code ? resolve(res.code) : reject(new Error('微信登录失败，请重试'))),
        fail: () => reject(new Error('微信登录失败，请检查网络后重试')),
      });
    });
  }

  async function code() {
    if (develop) {
      const chosen = wxApi.getStorageSync(DEV_USER_KEY);
      if (chosen) return `dev:${chosen}`;
      if (await devUsers()) {
        onDevUserNeeded();
        throw new DevUserNeeded();
      }
    }
    return wxLogin();
  }

  async function login() {
    const answer = await post('login', { code: await code() });
    wxApi.setStorageSync(TOKEN_KEY, answer.token);
    return answer;
  }

  // One re-login for everyone waiting: the second caller gets the first caller's promise.
  function relogin() {
    if (!pending) {
      pending = login().finally(() => { pending = null; });
    }
    return pending;
  }

  function logout() {
    wxApi.removeStorageSync(TOKEN_KEY);
  }

  // The develop build's demo user: chosen on pages/dev-login, the old token dropped.
  function useDevUser(name) {
    wxApi.setStorageSync(DEV_USER_KEY, name);
    logout();
  }

  return { token, login, relogin, logout, useDevUser };
}

module.exports = { createAuth, TOKEN_KEY, DEV_USER_KEY, DevUserNeeded };
