// WeChat's privacy guideline sheet: shown when WeChat asks (utils/privacy.js), with the
// agreePrivacyAuthorization button WeChat requires. Put one on every page that asks for the
// phone number, location, camera or album; the one on the page showing answers.
const privacy = require('../../utils/privacy');

Component({
  data: { visible: false },
  lifetimes: {
    attached() {
      this.setVisible = (visible) => this.setData({ visible });
      privacy.register(this);
    },
    detached() {
      privacy.unregister(this);
    },
  },
  pageLifetimes: {
    show() {
      privacy.register(this);
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
