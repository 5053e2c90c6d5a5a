// One activity: a member asks for leave (and sees the request and its answer) or a reminder, and
// reads the meeting's record; the secretary shows the code and the sheet, and fills in the record.
const activities = require('../../services/activities');
const account = require('../../services/account');
const subscribe = require('../../utils/subscribe');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const LEAVE = { pending: '请假已提交，等待书记批准', approved: '书记已批准请假', rejected: '书记没有批准请假，请按时参加' };

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', activity: null, when: '', staff: false, reason: '', kindLabel: '', record: null, topics: [],
    leave: null, leaveText: '', canRemind: false, sending: false,
  },
  methods: {
    onLoad(options) {
      this.id = Number(options.id);
    },
    onShow() {
      this.load();
    },
    async load() {
      try {
        const [activity, me, record] = await Promise.all([
          activities.detail(this.id), account.start(), activities.record(this.id)]);
        const filled = record.host || record.recorder || record.speaker || record.topics.length || record.minutes;
        const leave = !me.staff && activity.status !== 'cancelled' ? await activities.myLeave(this.id).catch(() => null) : null;
        this.setData({
          loading: false, error: '', activity, staff: me.staff, kindLabel: labels.activityKind[activity.kind],
          when: format.span(activity.starts_at, activity.ends_at), over: Date.parse(activity.ends_at) < Date.now(),
          record: filled || record.quorum ? record : null,
          topics: record.topics.map((text, i) => ({ key: `t${i}`, no: i + 1, text })),
          leave, leaveText: leave ? LEAVE[leave.status] : '', canRemind: subscribe.enabled('activity'),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    inputReason(event) {
      this.setData({ reason: event.detail.value });
    },
    async askLeave() {
      if (this.data.sending) return;
      this.setData({ sending: true });
      try {
        await activities.askLeave(this.id, this.data.reason.trim());
        wx.showToast({ title: '已提交请假' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      } finally {
        this.setData({ sending: false });
      }
    },
    // The reminder is a subscribe message: WeChat asks the member first, straight from the tap.
    async remindMe() {
      const { accepted } = await subscribe.ask(wx, 'activity');
      if (!accepted) {
        wx.showModal({ title: '提示', content: '没有开启提醒。需要时可以再点“开始前提醒我”。', showCancel: false });
        return;
      }
      try {
        await activities.remindMe(this.id);
        wx.showToast({ title: '开始前会提醒你' });
      } catch (error) {
        showError(wx, error);
      }
    },
    showCode() {
      wx.navigateTo({ url: `/pages/checkin-code/index?id=${this.id}&title=${encodeURIComponent(this.data.activity.title)}` });
    },
    offlineScan() {
      wx.navigateTo({ url: `/pages/offline-scan/index?id=${this.id}&title=${encodeURIComponent(this.data.activity.title)}` });
    },
    showSheet() {
      wx.navigateTo({ url: `/pages/attendance/index?id=${this.id}` });
    },
    writeRecord() {
      wx.navigateTo({ url: `/pages/record/index?id=${this.id}` });
    },
  },
});
