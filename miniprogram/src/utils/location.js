// The phone's position for a check-in that asks for it. WeChat shows the privacy sheet and the
// location permission first (app.json: requiredPrivateInfos getLocation, scope.userLocation);
// once a meeting has asked, the next scan fetches it before sending, so a rotating code does not
// expire while the dialogs are open.
let wanted = false;

function get(wxApi) {
  return new Promise((resolve, reject) => {
    wxApi.getLocation({
      type: 'gcj02',
      isHighAccuracy: true,
      highAccuracyExpireTime: 4000,
      success: (res) => {
        wanted = true;
        const where = { lat: res.latitude, lng: res.longitude };
        if (Number.isFinite(res.accuracy) && res.accuracy >= 0) where.accuracy_m = Math.min(res.accuracy, 10000);
        resolve(where);
      },
      fail: (res) => {
        const denied = /auth|deny|denied/i.test((res && res.errMsg) || '');
        reject(new Error(denied
          ? '这次签到需要你的位置。请点右上角“…”→“设置”，允许使用位置信息，再扫一次签到码'
          : '没有拿到位置，请打开手机的定位（GPS）后再扫一次签到码'));
      },
    });
  });
}

function wantedBefore() {
  return wanted;
}

function reset() {
  wanted = false;
}

module.exports = { get, wantedBefore, reset };
