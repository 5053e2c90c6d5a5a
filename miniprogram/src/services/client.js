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

// Tests start every case from a fresh client.
function reset() {
  client = null;
  auth = null;
}

module.exports = { get, request, reset, devUsers };
