// 我的 tab: my record, meetings, plate and ratings; 长辈模式; the computers logged in to the
// desk; in the develop build, the demo user.
const account = require('../../services/account');
const elder = require('../../utils/elder');
const nav = require('../../utils/nav');
const { isDevelop } = require('../../utils/config');

const ELDER_CHOICES = [
  { value: 'auto', label: '跟随手机字体大小' },
  { value: 'on', label: '开启（大字）' },
  { value: 'off', label: '关闭' },
];

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', me: null, staff: false, elderChoices: ELDER_CHOICES, elderIndex: 0, develop: false, devUser: '' },
  methods: {
    onShow() {
      const chosen = elder.setting(wx);
      this.setData({
        elderIndex: Math.max(0, ELDER_CHOICES.findIndex((c) => c.value === chosen)),
        develop: isDevelop(wx), devUser: wx.getStorageSync('dj_dev_user') || '',
      });
      this.load();
    },
    async load() {
      try {
        const me = await account.start();
        this.setData({ loading: false, error: '', me, staff: me.staff });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pickElder(event) {
      const index = Number(event.detail.value);
      this.setData({ elderIndex: index });
      elder.set(wx, ELDER_CHOICES[index].value);
    },
    go(event) {
      nav.go(wx, event.currentTarget.dataset.url);
    },
  },
});
