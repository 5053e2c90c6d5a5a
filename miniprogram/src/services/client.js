// The app's one client: the request wrapper bound to wx, this build's server and the auth module.
const { baseUrl, isDevelop } = require('../utils/config');
const { createAuth } = require('../utils/auth');
const { createClient } = require('../utils/request');

let client = null;
let auth = null;

// The demo users a server in fake WeChat mode offers (null from a real one: it answers 404).
async function devUsers() {
  try {
    return (await get().client.request('devUsers')).items;
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

function get(given) {
  if (!client) {
    const wxApi = given || wx;
    client = createClient({ wxApi, baseUrl: baseUrl(wxApi), getAuth: () => auth });
    auth = createAuth({
      wxApi,
      post: (name, data) => client.request(name, { data }),
      develop: isDevelop(wxApi),
      devUsers,
      onDevUserNeeded: () => wxApi.navigateTo({ url: '/pages/dev-login/index' }),
    });
  }
  return { client, auth };
}

function request(name, options) {
  return get().client.request(name, options);
}

// wx.uploadFile: a multipart POST of one file in `field` to the endpoint (with `query` in the
// address, for what goes with the file), with the login; the server's error message when it refuses.
function upload(wxApi, name, params, filePath, field, query) {
  const { client: c, auth: a } = get(wxApi);
  return new Promise((resolve, reject) => {
    wxApi.uploadFile({
      url: c.url(name, params, query),
      filePath,
      name: field,
      header: { Authorization: `Bearer ${a.token()}` },
      success: (res) => {
        let body = {};
        try {
          body = typeof res.data === 'string' ? JSON.parse(res.data || '{}') : res.data || {};
        } catch (e) {
          body = {};
        }
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(body);
        else reject(new Error((body.error && body.error.message) || '上传失败，请重试'));
      },
      fail: () => reject(new Error('网络不给力，请稍后再试')),
    });
  });
}

// Tests start every case from a fresh client.
function reset() {
  client = null;
  auth = null;
}

module.exports = { get, request, reset, devUsers, upload };
