// Signing in: arrived from WeChat's camera through the /c/<token> link (options.q), or from
// the in-app scanner (options.token). Shows 签到成功 or the refusal's own message. When the
// activity asks for the phone's location, the privacy sheet and location come first.
const activities = require('../../services/activities');
const { fromOptions } = require('../../utils/qr');
const { scan } = require('../../utils/scan');

function location() {
  return new Promise((resolve, reject) => {
    wx.getLocation({
      type: 'gcj02',
      success: (res) => resolve({ lat: res.latitude, lng: res.longitude }),
      fail: () => reject(new Error('这次签到需要你的位置，请在设置中允许使用位置后再扫一次')),
    });
  });
}

Component({
  data: { state: 'working', title: '', time: '', message: '', already: false },
  methods: {
    onLoad(options) {
      const found = fromOptions(options);
      if (found.kind !== 'checkin') {
        this.setData({ state: 'refused', message: '这不是有效的签到码，请对准书记手机上的签到码重新扫描' });
        return;
      }
      this.checkIn(found.token);
    },
    async checkIn(token, where) {
      this.setData({ state: 'working' });
      try {
        const answer = await activities.checkIn(token, where);
        this.setData({ state: 'done', already: false, title: answer.activity_title, time: answer.checked_in_at.slice(11, 16) });
      } catch (error) {
        if (error.code === 'already_checked_in') {
          // Not a failure: the member is signed in, from an earlier scan (the server says when).
          this.setData({ state: 'done', already: true, title: error.message, time: '' });
          return;
        }
        if (error.code === 'location_required' && !where) {
          try {
            this.checkIn(token, await location());
          } catch (denied) {
            this.setData({ state: 'refused', message: denied.message });
          }
          return;
        }
        this.setData({ state: 'refused', message: error.message });
      }
    },
    async again() {
      try {
        const url = await scan(wx);
        if (url) wx.redirectTo({ url });
      } catch (error) {
        this.setData({ state: 'refused', message: error.message });
      }
    },
    home() {
      wx.reLaunch({ url: '/pages/index/index' });
    },
  },
});
