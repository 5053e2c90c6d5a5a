// Which server the mini-program talks to, chosen by the build WeChat runs:
// develop (DevTools / a developer's phone), trial (体验版), release (正式版).
const BASE_URLS = {
  develop: 'http://127.0.0.1:8000',
  trial: 'https://dj-trial.example.cn',
  release: 'https://dj.example.cn',
};

function envVersion(wxApi) {
  try {
    return wxApi.getAccountInfoSync().miniProgram.envVersion || 'release';
  } catch (e) {
    return 'release'; // an unknown build talks to production, never to a developer's laptop
  }
}

function baseUrl(wxApi) {
  return BASE_URLS[envVersion(wxApi)] || BASE_URLS.release;
}

module.exports = { BASE_URLS, envVersion, baseUrl };
