// My activities (a member: those I am expected at; a secretary: those I run).
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

Component({
  data: { items: [], loaded: false },
  methods: {
    async onShow() {
      try {
        const list = await activities.mine();
        const items = list.items.map((a) => ({ ...a, kind_label: labels.activityKind[a.kind], when: a.starts_at.slice(0, 16).replace('T', ' ') }));
        this.setData({ items, loaded: true });
      } catch (error) {
        showError(wx, error);
      }
    },
    open(event) {
      wx.navigateTo({ url: `/pages/activity/index?id=${event.currentTarget.dataset.id}` });
    },
  },
});
