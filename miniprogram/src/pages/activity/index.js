// One activity: a member asks for leave or a reminder, and reads the meeting's record; the
// secretary shows the code and the sheet, and fills in the record.
const activities = require('../../services/activities');
const account = require('../../services/account');
const subscribe = require('../../utils/subscribe');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

Component({
  data: { activity: null, staff: false, reason: '', kindLabel: '', record: null },
  methods: {
    async onLoad(options) {
      this.id = Number(options.id);
    },
    async onShow() {
      try {
        const [activity, me, record] = await Promise.all([
          activities.detail(this.id), account.start(), activities.record(this.id)]);
        const filled = record.host || record.recorder || record.speaker || record.topics.length || record.minutes;
        this.setData({
          activity, staff: me.staff, kindLabel: labels.activityKind[activity.kind],
          record: filled || record.quorum ? record : null,
        });
      } catch (error) {
        showError(wx, error);
      }
    },
    inputReason(event) {
      this.setData({ reason: event.detail.value });
    },
    async askLeave() {
      try {
        await activities.askLeave(this.id, this.data.reason.trim());
        wx.showToast({ title: '已提交请假' });
      } catch (error) {
        showError(wx, error);
      }
    },
    // The reminder is a subscribe message: WeChat asks the member first.
    async remindMe() {
      const template = getApp().templates.activity;
      const result = await subscribe.ask(wx, [template]);
      if (template && !subscribe.accepted(result, template)) return;
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
    showSheet() {
      wx.navigateTo({ url: `/pages/attendance/index?id=${this.id}` });
    },
    writeRecord() {
      wx.navigateTo({ url: `/pages/record/index?id=${this.id}` });
    },
  },
});
