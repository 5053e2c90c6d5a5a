// Going somewhere: a tab page (首页, 签到, 我的) is switched to, any other page is opened.
const TABS = ['/pages/index/index', '/pages/scan/index', '/pages/me/index'];

function go(wxApi, url) {
  const path = url.split('?')[0];
  if (TABS.includes(path)) wxApi.switchTab({ url: path });
  else wxApi.navigateTo({ url });
}

module.exports = { go, TABS };
