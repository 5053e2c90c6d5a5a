// The sheet: expected, present, on leave, absent, names in the order people count (党员2 before
// 党员10); leave requests waiting for the secretary first, approved or not with a tap; the rest
// marked by hand.
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

function shapeSheet(sheet) {
  const entries = sheet.entries.slice().sort((a, b) => format.naturalCompare(a.name, b.name) || a.member_id - b.member_id)
    .map((e) => ({ ...e, statusLabel: e.status ? labels.attendance[e.status] : '未签到', scanned: e.method === 'scan' }));
  return { ...sheet, entries };
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', sheet: null, requests: [] },
  methods: {
    onLoad(options) {
      this.id = Number(options.id);
      this.load();
    },
    async load() {
      try {
        const [sheet, leave] = await Promise.all([activities.attendance(this.id), activities.leaveRequests(this.id)]);
        this.show(sheet, leave.items);
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    show(sheet, leaveItems) {
      const names = {};
      sheet.entries.forEach((e) => { names[e.member_id] = e.name; });
      const requests = leaveItems.filter((l) => l.status === 'pending')
        .map((l) => ({ id: l.id, name: names[l.member_id] || `党员 ${l.member_id}`, reason: l.reason, asked: format.when(l.created_at) }));
      this.setData({ loading: false, error: '', sheet: shapeSheet(sheet), requests });
    },
    open(event) {
      wx.navigateTo({ url: `/pages/member/index?id=${event.currentTarget.dataset.member}` });
    },
    async mark(event) {
      const { member, status } = event.currentTarget.dataset;
      try {
        this.setData({ sheet: shapeSheet(await activities.mark(this.id, member, status)) });
      } catch (error) {
        showError(wx, error);
      }
    },
    async decide(event) {
      const { id, approve } = event.currentTarget.dataset;
      try {
        await activities.decideLeave(this.id, id, approve === 'yes');
        wx.showToast({ title: approve === 'yes' ? '已批准请假' : '已不批准' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
