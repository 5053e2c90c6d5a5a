// Low scores, complaints and comments WeChat wants a person to see: publish, hide with a
// reason (kept), or reply (shown under the comment on the public page).
const plates = require('../../services/plates');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

Component({
  data: { items: [], loaded: false, texts: {} },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const list = await plates.flagged();
        const items = list.items.map((r) => ({ ...r, why: labels.flag[r.flag_reason] || '', day: r.created_at.slice(0, 10) }));
        this.setData({ items, loaded: true });
      } catch (error) {
        showError(wx, error);
      }
    },
    input(event) {
      this.setData({ [`texts.${event.currentTarget.dataset.id}`]: event.detail.value });
    },
    async act(event) {
      const { id, action } = event.currentTarget.dataset;
      const text = (this.data.texts[id] || '').trim();
      try {
        if (action === 'publish') await plates.publish(id);
        else if (action === 'hide') await plates.hide(id, text);
        else await plates.reply(id, text);
        wx.showToast({ title: '已处理' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
