// The announcement (公示) of a cycle's stars: names, units, stalls and stars, never scores. While
// it runs, anyone logged in may object, about one member or the whole list, with a reason.
const evaluation = require('../../services/evaluation');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const WHOLE = '对整个名单';

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', a: null, choices: [WHOLE], choice: 0, reason: '', sent: false, sending: false },
  methods: {
    onLoad(options) {
      this.code = options.code;
      this.load();
    },
    async load() {
      try {
        const a = await evaluation.announcement(this.code);
        const items = a.items.map((m) => ({ ...m, starsText: '★'.repeat(m.stars) }));
        this.setData({
          loading: false, error: '', a: { ...a, items, from: format.date(a.announced_on), until: format.date(a.announce_until) },
          choices: [WHOLE, ...items.map((m) => `${m.name}（${m.unit_name}）`)],
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pick(event) {
      this.setData({ choice: Number(event.detail.value) });
    },
    typeReason(event) {
      this.setData({ reason: event.detail.value });
    },
    async send() {
      const { a, choice, reason } = this.data;
      this.setData({ sending: true });
      try {
        await evaluation.object(a.cycle_id, choice ? a.items[choice - 1].evaluation_id : null, reason);
        this.setData({ sent: true, reason: '' });
        wx.showToast({ title: '异议已提交' });
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ sending: false });
    },
  },
});
