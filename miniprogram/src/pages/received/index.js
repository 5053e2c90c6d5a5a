// The ratings a member has received, as the public sees them, with the secretary's replies.
const plates = require('../../services/plates');
const { showError } = require('../../utils/request');

Component({
  data: { items: [], total: 0, loaded: false },
  methods: {
    async onLoad(options) {
      try {
        const list = await plates.received(Number(options.member_id));
        const items = list.items.map((r) => ({ ...r, day: r.created_at.slice(0, 10) }));
        this.setData({ items, total: list.total, loaded: true });
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
