// Signing in: arrived from WeChat's camera through the /c/<token> link (options.q), or from
// the in-app scanner (options.token). Shows 签到成功 (or 已经签到过了, a success too) or the
// refusal's own message. When the meeting asks for the phone's position, the privacy sheet and
// the location permission come first; the code turns every 20 seconds, so when it has expired
// by the time the position is known, the member scans once more and the position goes with it.
const activities = require('../../services/activities');
const location = require('../../utils/location');
const format = require('../../utils/format');
const { fromOptions } = require('../../utils/qr');
const { scan } = require('../../utils/scan');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { state: 'working', title: '', time: '', message: '', already: false },
  methods: {
    onLoad(options) {
      const found = fromOptions(options);
      if (found.kind !== 'checkin') {
        this.setData({ state: 'refused', message: '这不是有效的签到码，请对准书记手机上的签到码重新扫描' });
        return;
      }
      this.start(found.token);
    },
    async start(token) {
      this.setData({ state: 'working' });
      let where = null;
      if (location.wantedBefore()) {
        try {
          where = await location.get(wx);
        } catch (denied) {
          where = null; // the server says whether this meeting needs it
        }
      }
      this.checkIn(token, where);
    },
    async checkIn(token, where) {
      try {
        const answer = await activities.checkIn(token, where);
        this.setData({ state: 'done', already: false, title: answer.activity_title, time: format.clock(answer.checked_in_at) });
      } catch (error) {
        if (error.code === 'already_checked_in') {
          // Not a failure: the member is signed in, from an earlier scan (the server says when).
          this.setData({ state: 'done', already: true, title: error.message, time: '' });
          return;
        }
        if (error.code === 'location_required' && !where) {
          this.setData({ state: 'locating' });
          let position;
          try {
            position = await location.get(wx);
          } catch (denied) {
            this.setData({ state: 'refused', message: denied.message });
            return;
          }
          this.checkIn(token, position);
          return;
        }
        if (error.code === 'token_expired' && where) {
          this.setData({ state: 'refused', message: '位置已确认，但签到码已经更新了。请再扫一次书记手机上的签到码' });
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
      wx.switchTab({ url: '/pages/index/index' });
    },
  },
});
