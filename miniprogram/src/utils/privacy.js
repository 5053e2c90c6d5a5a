// WeChat's user privacy guideline: before the phone number, location, camera or album, WeChat
// asks the app to show its privacy notice. The app listens once (install, from app.js);
// wx.onNeedPrivacyAuthorization hands over `resolve`, and the sheet of whichever page is on
// screen shows it. Each page's privacy-sheet registers when its page shows and leaves when the
// page goes away, so going home → 我的三亮牌 → back still finds the home page's sheet.
let pendingResolve = null;
const sheets = []; // the sheets of pages in the stack, the one on screen last

function top() {
  return sheets[sheets.length - 1] || null;
}

function showPending() {
  sheets.forEach((sheet) => sheet.setVisible(false));
  if (pendingResolve && top()) top().setVisible(true);
}

function install(wxApi) {
  if (!wxApi.onNeedPrivacyAuthorization) return; // an old base library: nothing to ask
  wxApi.onNeedPrivacyAuthorization((resolve) => {
    pendingResolve = resolve;
    showPending();
  });
}

// A sheet whose page is showing goes on top (attached, or its page shown again).
function register(sheet) {
  unregister(sheet);
  sheets.push(sheet);
  showPending();
}

function unregister(sheet) {
  const at = sheets.indexOf(sheet);
  if (at >= 0) sheets.splice(at, 1);
}

function settle(answer) {
  if (pendingResolve) pendingResolve(answer);
  pendingResolve = null;
  sheets.forEach((sheet) => sheet.setVisible(false));
}

function agree() {
  settle({ buttonId: 'agree-privacy', event: 'agree' });
}

function disagree() {
  settle({ event: 'disagree' });
}

function reset() {
  pendingResolve = null;
  sheets.length = 0;
}

module.exports = { install, register, unregister, agree, disagree, reset };
