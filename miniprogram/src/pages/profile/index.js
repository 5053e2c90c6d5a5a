// The stall profile a customer opens from a plate (options.q) or a shared link (options.code),
// and the rating form. No registration: wx.login is silent, and with it the server knows the
// customer by openid (one rating a day, WeChat's content check on the comment).
const plates = require('../../services/plates');
const { get } = require('../../services/client');
const { fromOptions } = require('../../utils/qr');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { code: '', retry: false, profile: null, error: '', score: 0, comment: '', complaint: false, sent: '', sending: false },
  methods: {
    onLoad(options) {
      const found = fromOptions(options);
      if (found.kind !== 'plate') {
        this.setData({ error: '找不到这块三亮牌，请核对二维码' });
        return;
      }
      this.code = found.code;
      this.setData({ code: found.code });
      this.load();
    },
    async load() {
      try {
        const profile = await plates.publicProfile(this.code);
        // The photo's address is relative to the server (the same path the web page uses).
        if (profile.photo_url) profile.photo_url = get().client.base + profile.photo_url;
        profile.ratings = profile.ratings.map((r, i) => ({ ...r, key: `${r.created_on}-${i}` }));
        if (wx.showShareMenu) wx.showShareMenu({ menus: ['shareAppMessage', 'shareTimeline'] });
        this.setData({ profile, error: '', retry: false });
      } catch (error) {
        // replaced, not public, unknown: the server says which, and trying again will not change it;
        // a network or server failure may pass
        this.setData({ error: error.message, retry: !error.status || error.status >= 500 });
      }
    },
    score(event) {
      this.setData({ score: event.detail.value });
    },
    inputComment(event) {
      this.setData({ comment: event.detail.value });
    },
    toggleComplaint(event) {
      this.setData({ complaint: event.detail.value.length > 0 });
    },
    async submit() {
      if (this.data.sending) return;
      this.setData({ sending: true });
      try {
        const { auth } = get();
        if (!auth.token()) await auth.login();
        const answer = await plates.rate(this.code, { score: this.data.score, comment: this.data.comment, complaint: this.data.complaint });
        this.setData({ sent: answer.message });
        this.load();
      } catch (error) {
        wx.showModal({ title: '提示', content: error.message, showCancel: false });
      } finally {
        this.setData({ sending: false });
      }
    },
    // 朋友圈 (Moments) opens the page with the query only.
    onShareTimeline() {
      return { title: this.data.profile ? `${this.data.profile.name} · 党员经营户` : '党员经营户', query: `code=${this.code}` };
    },
    onShareAppMessage() {
      return { title: this.data.profile ? `${this.data.profile.name} · 党员经营户` : '党员经营户', path: `/pages/profile/index?code=${this.code}` };
    },
  },
});
