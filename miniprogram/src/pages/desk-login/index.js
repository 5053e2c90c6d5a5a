// Logging in at the desk: WeChat's camera opened this page from the QR on a computer screen
// (/l/<code>, options.q) or the in-app scanner did (options.code). Nothing happens until the
// person taps 确认登录: whoever confirms logs that computer in as themself.
const account = require('../../services/account');
const { fromOptions } = require('../../utils/qr');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { state: 'ask', code: '', agent: '', message: '' },
  methods: {
    onLoad(options) {
      const found = fromOptions(options);
      if (found.kind !== 'desk') {
        this.setData({ state: 'refused', message: '这不是工作台的登录二维码，请对准电脑屏幕上的二维码重新扫描' });
        return;
      }
      this.setData({ code: found.code });
    },
    async confirm() {
      this.setData({ state: 'working' });
      try {
        const answer = await account.confirmDesk(this.data.code);
        this.setData({ state: 'done', agent: answer.agent });
      } catch (error) {
        this.setData({ state: 'refused', message: error.message });
      }
    },
    cancel() {
      wx.switchTab({ url: '/pages/index/index' });
    },
  },
});
