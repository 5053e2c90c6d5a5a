// Logging in: wx.login's code goes to the server, which answers with a bearer token kept in
// storage. When many requests meet a 401 at once, they share one re-login.
const TOKEN_KEY = 'dj_token';

function createAuth({ wxApi, post }) {
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

  async function login() {
    const code = await wxLogin();
    const answer = await post('login', { code });
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

  return { token, login, relogin, logout };
}

module.exports = { createAuth, TOKEN_KEY };
