// The separate consent to make a profile public (PIPL art. 25): its own screen, the server's
// own text, and the version of that text sent back with the agreement.
const plates = require('../../services/plates');
const { showError } = require('../../utils/request');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', text: '', version: '', isPublic: false, read: false },
  methods: {
    onLoad(options) {
      this.memberId = Number(options.member_id);
      this.load();
    },
    async load() {
      try {
        const [consent, profile] = await Promise.all([plates.consentText(), plates.profile(this.memberId)]);
        this.setData({ loading: false, error: '', text: consent.text, version: consent.version, isPublic: profile.public });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    toggleRead(event) {
      this.setData({ read: event.detail.value.length > 0 });
    },
    async agree() {
      try {
        await plates.giveConsent(this.memberId, this.data.version);
        wx.showToast({ title: '已同意公开' });
        wx.navigateBack();
      } catch (error) {
        showError(wx, error);
      }
    },
    withdraw() {
      wx.showModal({
        title: '撤回同意', content: '撤回后，顾客扫码将立即看不到你的信息。',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await plates.withdrawConsent(this.memberId);
            this.setData({ isPublic: false });
            wx.showToast({ title: '已撤回' });
          } catch (error) {
            showError(wx, error);
          }
        },
      });
    },
  },
});
