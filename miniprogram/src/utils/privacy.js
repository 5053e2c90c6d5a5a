// WeChat's user privacy guideline: before the phone number, location, camera or album, WeChat
// asks the page to show its privacy notice. wx.onNeedPrivacyAuthorization hands us `resolve`;
// the page shows its sheet and calls agree() (from the agreePrivacyAuthorization button's
// tap) or disagree(). One pending request at a time.
let pendingResolve = null;
let listener = null;

function install(wxApi) {
  if (!wxApi.onNeedPrivacyAuthorization) return; // an old base library: nothing to ask
  wxApi.onNeedPrivacyAuthorization((resolve) => {
    pendingResolve = resolve;
    if (listener) listener(true);
  });
}

// The page currently on screen registers to show or hide its privacy sheet.
function onChange(callback) {
  listener = callback;
}

function agree() {
  if (pendingResolve) pendingResolve({ buttonId: 'agree-privacy', event: 'agree' });
  pendingResolve = null;
  if (listener) listener(false);
}

function disagree() {
  if (pendingResolve) pendingResolve({ event: 'disagree' });
  pendingResolve = null;
  if (listener) listener(false);
}

function reset() {
  pendingResolve = null;
  listener = null;
}

module.exports = { install, onChange, agree, disagree, reset };
