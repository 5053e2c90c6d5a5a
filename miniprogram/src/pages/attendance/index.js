// The sheet: expected, present, on leave, absent; the secretary marks the rest by hand.
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

Component({
  data: { sheet: null, labels: labels.attendance },
  methods: {
    open(event) {
      wx.navigateTo({ url: `/pages/member/index?id=${event.currentTarget.dataset.member}` });
    },
    onLoad(options) {
      this.id = Number(options.id);
      this.load();
    },
    async load() {
      try {
        this.setData({ sheet: await activities.attendance(this.id) });
      } catch (error) {
        showError(wx, error);
      }
    },
    async mark(event) {
      const { member, status } = event.currentTarget.dataset;
      try {
        this.setData({ sheet: await activities.mark(this.id, member, status) });
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
