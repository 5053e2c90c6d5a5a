// A new activity: which org, what kind, when and where. Times are sent with +08:00.
const activities = require('../../services/activities');
const account = require('../../services/account');
const labels = require('../../utils/labels');
const { today } = require('../../utils/format');
const { showError } = require('../../utils/request');

const KINDS = Object.keys(labels.activityKind).map((value) => ({ value, label: labels.activityKind[value] }));

// "19:00" → minutes since midnight.
function minutesOf(hhmm) {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', orgs: [], orgIndex: 0, kinds: KINDS, kindIndex: 0, title: '', place: '', date: today(), start: '19:00', end: '21:00' },
  methods: {
    onLoad() {
      this.load();
    },
    async load() {
      try {
        const me = await account.start();
        this.setData({ loading: false, error: '', orgs: me.roles.map((role) => ({ id: role.org_id, name: role.org_name })) });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    set(event) {
      const field = event.currentTarget.dataset.field;
      const value = event.detail.value;
      this.setData({ [field]: field.endsWith('Index') ? Number(value) : value });
    },
    async create() {
      const { orgs, orgIndex, kinds, kindIndex, title, place, date, start, end } = this.data;
      if (!title.trim()) {
        wx.showToast({ title: '请填写活动名称', icon: 'none' });
        return;
      }
      // The server takes a start and a length, so an end before the start cannot be sent.
      const duration = minutesOf(end) - minutesOf(start);
      if (duration <= 0) {
        wx.showToast({ title: '结束时间应晚于开始时间', icon: 'none' });
        return;
      }
      try {
        const activity = await activities.create({
          org_id: orgs[orgIndex].id, kind: kinds[kindIndex].value, title: title.trim(), place: place.trim(),
          starts_at: `${date}T${start}:00+08:00`, duration_minutes: duration,
        });
        wx.redirectTo({ url: `/pages/activity/index?id=${activity.id}` });
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
