// Scanning inside the mini-program (wx.scanCode): a check-in code opens the check-in page, a
// plate opens the stall's profile, the desk's login QR its confirm page, anything else is named for what it is not.
const { parseUrl } = require('./qr');

function route(text) {
  const found = parseUrl(text);
  if (found.kind === 'checkin') return `/pages/checkin/index?token=${encodeURIComponent(found.token)}`;
  if (found.kind === 'plate') return `/pages/profile/index?code=${found.code}`;
  if (found.kind === 'desk') return `/pages/desk-login/index?code=${found.code}`;
  return null;
}

function scan(wxApi) {
  return new Promise((resolve, reject) => {
    wxApi.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => {
        const url = route(res.result);
        if (url) resolve(url);
        else if (parseUrl(res.result).kind === 'member') reject(new Error('这是党员签到卡：请书记在活动的“离线签到”里扫'));
        else reject(new Error('这不是签到码或三亮牌，请对准书记手机上的签到码'));
      },
      fail: () => resolve(null), // the user closed the camera
    });
  });
}

module.exports = { route, scan };
