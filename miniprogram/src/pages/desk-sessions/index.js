// The computers logged in to the desk as this person: when, which browser, and 退出 for each.
const account = require('../../services/account');
const { showError } = require('../../utils/request');
const { when } = require('../../utils/format');


Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, items: [], error: '' },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const { items } = await account.deskSessions();
        this.setData({
          loading: false, error: '',
          items: items.map((s) => ({ id: s.id, agent: s.agent, since: when(s.created_at), used: when(s.last_used_at) })),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async end(event) {
      try {
        await account.endDeskSession(event.currentTarget.dataset.id);
        wx.showToast({ title: '已退出' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
