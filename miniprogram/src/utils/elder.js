// 长辈模式 (large text): on, off, or following the phone (WeChat's 字体大小 setting, in px;
// the standard size is 17 or less). Pages listen so a change in 我的 reaches every open page.
const KEY = 'dj_elder';
const STANDARD_FONT_PX = 17;
const listeners = new Set();

function setting(wxApi) {
  return wxApi.getStorageSync(KEY) || 'auto';
}

function phoneUsesLargeText(wxApi) {
  try {
    const info = wxApi.getAppBaseInfo ? wxApi.getAppBaseInfo() : wxApi.getSystemInfoSync();
    return Number(info.fontSizeSetting) > STANDARD_FONT_PX;
  } catch (e) {
    return false;
  }
}

function on(wxApi) {
  const chosen = setting(wxApi);
  return chosen === 'on' || (chosen === 'auto' && phoneUsesLargeText(wxApi));
}

// value: 'on' | 'off' | 'auto'
function set(wxApi, value) {
  if (value === 'auto') wxApi.removeStorageSync(KEY);
  else wxApi.setStorageSync(KEY, value);
  const now = on(wxApi);
  listeners.forEach((listener) => listener(now));
}

function listen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

module.exports = { on, set, setting, listen, phoneUsesLargeText };
