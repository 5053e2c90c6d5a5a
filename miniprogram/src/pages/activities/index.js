// My activities (a member: those I am expected at; a secretary: those I run), or with
// ?attended=<member id> the meetings a member has a record at (出席、请假、缺席), newest first.
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

function when(iso) {
  return iso.slice(0, 16).replace('T', ' ');
}

Component({
  data: { items: [], loaded: false, attended: false },
  methods: {
    onLoad(options) {
      this.memberId = Number(options && options.attended) || 0;
      if (this.memberId) {
        this.setData({ attended: true });
        wx.setNavigationBarTitle({ title: '我参加过的会议' });
      }
    },
    async onShow() {
      try {
        let items;
        if (this.memberId) {
          const list = await activities.attended(this.memberId);
          items = list.items.map((a) => ({
            id: a.activity_id, title: a.title, kind_label: labels.activityKind[a.kind], when: when(a.starts_at), place: '',
            status: a.activity_status, mine: labels.attendance[a.status],
          }));
        } else {
          const list = await activities.mine();
          items = list.items.map((a) => ({ ...a, kind_label: labels.activityKind[a.kind], when: when(a.starts_at) }));
        }
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
