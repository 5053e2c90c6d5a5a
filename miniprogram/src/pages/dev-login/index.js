// The develop build only: the server runs the fake WeChat gateway, which takes `dev:<name>`
// codes and never wx.login's, so the developer picks one of its demo users. A trial or release
// build never comes here, and a server talking to the real WeChat answers 404 to the list.
const { get, devUsers } = require('../../services/client');
const { isDevelop } = require('../../utils/config');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', users: [], current: '' },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      if (!isDevelop(wx)) {
        this.setData({ loading: false, error: '只有开发版可以选择演示用户' });
        return;
      }
      try {
        const users = await devUsers();
        if (!users) {
          this.setData({ loading: false, error: '服务器连接的是真实微信，请用微信登录' });
          return;
        }
        this.setData({ loading: false, error: '', users, current: wx.getStorageSync('dj_dev_user') || '' });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pick(event) {
      get().auth.useDevUser(event.currentTarget.dataset.key);
      wx.reLaunch({ url: '/pages/index/index' });
    },
  },
});
