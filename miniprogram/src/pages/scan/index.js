// 签到 tab: one big button that opens the camera; a check-in code signs in, a plate opens its
// stall, the desk's QR its confirm page. WeChat's own 扫一扫 works as well (the /c/ link).
const { scan } = require('../../utils/scan');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { message: '' },
  methods: {
    async scan() {
      this.setData({ message: '' });
      try {
        const url = await scan(wx);
        if (url) wx.navigateTo({ url });
      } catch (error) {
        this.setData({ message: error.message });
      }
    },
  },
});
