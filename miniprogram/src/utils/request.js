// The one request wrapper. It fills the endpoint's path, adds the bearer token, and on a 401
// logs in again once (shared by every request waiting) and repeats the request. Every error
// carries the server's Chinese message as is, for the page to show.
const { ENDPOINTS, fillPath } = require('./api');

const NETWORK_MESSAGE = '网络不给力，请稍后再试';

class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields || {};
  }
}

function toError(res) {
  const error = res && res.data && res.data.error;
  if (error && error.message) {
    return new ApiError(res.statusCode, error.code, error.message, error.fields);
  }
  return new ApiError(res ? res.statusCode : 0, 'network', NETWORK_MESSAGE);
}

function queryString(query) {
  const parts = Object.keys(query || {})
    .filter((key) => query[key] !== undefined && query[key] !== null && query[key] !== '')
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key])}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function createClient({ wxApi, baseUrl, getAuth }) {
  function send(endpoint, url, data, token) {
    return new Promise((resolve) => {
      wxApi.request({
        url,
        method: endpoint.method,
        data: endpoint.method === 'GET' || endpoint.method === 'DELETE' ? undefined : data,
        header: token ? { Authorization: `Bearer ${token}` } : {},
        success: resolve,
        fail: () => resolve(null), // no answer at all: a network error
      });
    });
  }

  async function request(name, { params, data, query } = {}) {
    const endpoint = ENDPOINTS[name];
    if (!endpoint) throw new Error(`unknown endpoint ${name}`);
    const url = baseUrl + fillPath(endpoint.path, params) + queryString(query);
    const auth = endpoint.auth === false ? null : getAuth();
    let res = await send(endpoint, url, data, auth && auth.token());
    if (res && res.statusCode === 401 && auth) {
      await auth.relogin();
      res = await send(endpoint, url, data, auth.token());
    }
    if (res && res.statusCode >= 200 && res.statusCode < 300) return res.data;
    throw toError(res);
  }

  return { request, base: baseUrl, url: (name, params, query) => baseUrl + fillPath(ENDPOINTS[name].path, params) + queryString(query) };
}

// The server's own message, as is (it is written for the person holding the phone), followed by
// what it says of each field: "请检查标出的项目" alone would point at nothing on a phone.
function describe(error) {
  const message = (error && error.message) || NETWORK_MESSAGE;
  const fields = error && error.fields ? Object.values(error.fields).filter(Boolean) : [];
  return fields.length ? `${message}：${fields.join('；')}` : message;
}

function showError(wxApi, error) {
  wxApi.showModal({ title: '提示', content: describe(error), showCancel: false });
}

module.exports = { createClient, ApiError, showError, describe, NETWORK_MESSAGE };
