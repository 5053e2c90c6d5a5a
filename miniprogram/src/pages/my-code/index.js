// 我的签到码: the member's personal code as a QR, for the secretary's phone to scan when the
// meeting room has no signal (the same code as on the printed card). Kept on the phone once shown,
// so it opens without a network; 补办 replaces it when a card is lost.
const { request } = require('../../services/client');

const CACHE_KEY = 'dj_my_code';

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', code: null },
  methods: {
    onLoad(options) {
      this.memberId = Number(options.member_id);
      const cached = wx.getStorageSync(CACHE_KEY);
      if (cached && cached.member_id === this.memberId) this.setData({ loading: false, code: cached });
      this.load();
      wx.setKeepScreenOn({ keepScreenOn: true });
    },
    onUnload() {
      wx.setKeepScreenOn({ keepScreenOn: false });
    },
    async load() {
      try {
        this.keep(await request('memberCode', { params: { member_id: this.memberId } }));
      } catch (error) {
        if (!this.data.code) this.setData({ loading: false, error: error.message }); // no network: the kept one stays
      }
    },
    keep(code) {
      const kept = { ...code, member_id: this.memberId };
      wx.setStorageSync(CACHE_KEY, kept);
      this.setData({ loading: false, error: '', code: kept });
    },
    reissue() {
      wx.showModal({
        title: '补办签到码', content: '补办后，旧卡和旧码立即作废，需要请书记重新打印签到卡。',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            this.keep(await request('reissueMemberCode', { params: { member_id: this.memberId } }));
            wx.showToast({ title: '已补办' });
          } catch (error) {
            wx.showModal({ title: '提示', content: error.message, showCancel: false });
          }
        },
      });
    },
  },
});
