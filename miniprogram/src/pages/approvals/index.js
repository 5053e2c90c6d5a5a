// The secretary's queue: approve with the member's category, or send back with a reason.
const registration = require('../../services/registration');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

const CATEGORIES = ['affiliated', 'local', 'floating'].map((value) => ({ value, label: labels.category[value] }));

Component({
  data: { items: [], loaded: false, categories: CATEGORIES, reasons: {}, picked: {} },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const list = await registration.queue();
        const picked = {};
        list.items.forEach((r) => { picked[r.id] = Math.max(0, CATEGORIES.findIndex((c) => c.value === r.category)); });
        this.setData({ items: list.items, picked, loaded: true });
      } catch (error) {
        showError(wx, error);
      }
    },
    pick(event) {
      this.setData({ [`picked.${event.currentTarget.dataset.id}`]: Number(event.detail.value) });
    },
    inputReason(event) {
      this.setData({ [`reasons.${event.currentTarget.dataset.id}`]: event.detail.value });
    },
    async approve(event) {
      const id = event.currentTarget.dataset.id;
      try {
        await registration.approve(id, CATEGORIES[this.data.picked[id]].value);
        wx.showToast({ title: '已通过' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    async reject(event) {
      const id = event.currentTarget.dataset.id;
      try {
        await registration.reject(id, this.data.reasons[id] || '');
        wx.showToast({ title: '已退回' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
