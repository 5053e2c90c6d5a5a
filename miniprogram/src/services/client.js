// The app's one client: the request wrapper bound to wx, this build's server and the auth module.
const { baseUrl } = require('../utils/config');
const { createAuth } = require('../utils/auth');
const { createClient } = require('../utils/request');

let client = null;
let auth = null;

function get(wxApi = wx) {
  if (!client) {
    client = createClient({ wxApi, baseUrl: baseUrl(wxApi), getAuth: () => auth });
    auth = createAuth({ wxApi, post: (name, data) => client.request(name, { data }) });
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

module.exports = { get, request, reset };
