// A stand-in for the `wx` object, replaced per test: storage in a Map, wx.login answering a
// code, wx.request answered by the test's own handler (method, url, data, header) -> {statusCode, data}.
function fakeWx({ handler, envVersion = 'develop', loginCodes, fontSizeSetting = 17 } = {}) {
  const storage = new Map();
  const codes = loginCodes || ['dev:vendor1'];
  let logins = 0;
  const calls = [];
  const wx = {
    calls,
    storage,
    get logins() { return logins; },
    getAccountInfoSync: () => ({ miniProgram: { envVersion } }),
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key, value) => storage.set(key, value),
    removeStorageSync: (key) => storage.delete(key),
    login: ({ success }) => {
      const code = codes[Math.min(logins, codes.length - 1)];
      logins += 1;
      setTimeout(() => success({ code }), 0);
    },
    request: (options) => {
      calls.push(options);
      Promise.resolve(handler(options)).then((res) => {
        if (res === null) options.fail({ errMsg: 'request:fail' });
        else options.success(res);
      });
    },
    showModal: jest.fn(),
    showToast: jest.fn(),
    requestSubscribeMessage: jest.fn(),
    navigateTo: jest.fn(),
    redirectTo: jest.fn(),
    switchTab: jest.fn(),
    reLaunch: jest.fn(),
    navigateBack: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    showShareMenu: jest.fn(),
    setKeepScreenOn: jest.fn(),
    setScreenBrightness: jest.fn(),
    getScreenBrightness: jest.fn(({ success, complete }) => {
      if (success) success({ value: 0.4 });
      if (complete) complete();
    }),
    // A phone that knows where it is, unless a test says otherwise.
    getLocation: jest.fn(({ success }) => success({ latitude: 30.2489, longitude: 120.1711, accuracy: 35 })),
    scanCode: jest.fn(({ fail }) => fail({ errMsg: 'scanCode:fail cancel' })),
    getAppBaseInfo: () => ({ fontSizeSetting }),
    vibrateShort: jest.fn(),
    uploadFile: jest.fn(({ fail }) => fail({ errMsg: 'uploadFile:fail' })),
  };
  return wx;
}

module.exports = { fakeWx };

// For component tests: miniprogram-simulate keeps its own global `wx`; lay the fake's
// functions over it (and take them off again) instead of replacing it.
function installFakeWx(options) {
  const fake = fakeWx(options);
  const saved = {};
  const names = ['getAccountInfoSync', 'getStorageSync', 'setStorageSync', 'removeStorageSync', 'login', 'request',
    'showModal', 'showToast', 'requestSubscribeMessage', 'navigateTo', 'redirectTo', 'switchTab', 'reLaunch', 'navigateBack',
    'stopPullDownRefresh', 'setNavigationBarTitle', 'showShareMenu', 'setKeepScreenOn', 'setScreenBrightness',
    'getScreenBrightness', 'getLocation', 'scanCode', 'getAppBaseInfo', 'vibrateShort', 'uploadFile'];
  for (const name of names) {
    saved[name] = global.wx[name];
    global.wx[name] = fake[name];
  }
  fake.restore = () => names.forEach((name) => { global.wx[name] = saved[name]; });
  return fake;
}

module.exports.installFakeWx = installFakeWx;
