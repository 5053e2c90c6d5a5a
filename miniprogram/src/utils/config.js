// Everything about where this build runs, in one place.
//
// The server, chosen by the build WeChat runs: develop (DevTools / 真机预览 from DevTools), trial
// (体验版), release (正式版). DEVELOP_BASE_URL is the developer's computer running `make run`: the
// simulator reaches 127.0.0.1; a phone in 真机预览 needs the computer's address on the same Wi-Fi
// (e.g. http://192.168.1.20:8000, and the server started with DANGJIAN_HOST=0.0.0.0).
const DEVELOP_BASE_URL = 'http://127.0.0.1:8000';

const BASE_URLS = {
  develop: DEVELOP_BASE_URL,
  trial: 'https://dj-trial.example.cn',
  release: 'https://dj.example.cn',
};

// Subscribe-message templates chosen in the WeChat console. Empty: WeChat is not asked and no
// page promises a notice. activity = the server's DANGJIAN_REMINDER_TEMPLATE_ID (keys
// thing1/time2/thing3); plan = DANGJIAN_PLAN_REMINDER_TEMPLATE_ID (thing1/thing2/date3);
// receipt = DANGJIAN_RECEIPT_REMINDER_TEMPLATE_ID (thing1/thing2/date3).
const TEMPLATES = { activity: '', plan: '', receipt: '' };

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

// Only the develop build may offer demo users (and only when the server says it is in fake mode).
function isDevelop(wxApi) {
  return envVersion(wxApi) === 'develop';
}

module.exports = { DEVELOP_BASE_URL, BASE_URLS, TEMPLATES, envVersion, baseUrl, isDevelop };
