// WeChat's privacy guideline sheet: shown when WeChat asks (utils/privacy.js), with the
// agreePrivacyAuthorization button WeChat requires. Put one on every page that asks for the
// phone number, location, camera or album.
const privacy = require('../../utils/privacy');

Component({
  data: { visible: false },
  lifetimes: {
    attached() {
      privacy.onChange((visible) => this.setData({ visible }));
    },
  },
  methods: {
    agree() {
      privacy.agree();
    },
    disagree() {
      privacy.disagree();
    },
    openContract() {
      if (typeof wx !== 'undefined' && wx.openPrivacyContract) wx.openPrivacyContract({});
    },
  },
});
