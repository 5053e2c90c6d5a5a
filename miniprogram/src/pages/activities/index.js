// My activities (a member: those I am expected at; a secretary: those I run), or with
// ?attended=<member id> the meetings a member has a record at (出席、请假、缺席), newest first.
// Twenty at a time: pull down to refresh, scroll to the bottom for more.
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const format = require('../../utils/format');

Component({
  behaviors: [require('../../behaviors/page'), require('../../behaviors/list')],
  data: { attended: false },
  methods: {
    onLoad(options) {
      this.memberId = Number(options && options.attended) || 0;
      if (this.memberId) {
        this.setData({ attended: true });
        wx.setNavigationBarTitle({ title: '我参加过的会议' });
      }
    },
    onShow() {
      this.reload();
    },
    fetch(offset, limit) {
      return this.memberId ? activities.attended(this.memberId, offset, limit) : activities.list(offset, limit);
    },
    shape(a) {
      if (this.memberId) {
        return {
          id: a.activity_id, title: a.title, kind_label: labels.activityKind[a.kind], when: format.when(a.starts_at), place: '',
          status: a.activity_status, mine: labels.attendance[a.status],
        };
      }
      return { id: a.id, title: a.title, kind_label: labels.activityKind[a.kind], when: format.span(a.starts_at, a.ends_at),
        place: a.place, status: a.status };
    },
    open(event) {
      wx.navigateTo({ url: `/pages/activity/index?id=${event.currentTarget.dataset.id}` });
    },
  },
});
