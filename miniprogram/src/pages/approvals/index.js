// The secretary's queue: approve with a category the secretary chose, or send back with a reason.
// Nothing is preset: the server's suggestion (from the three places) is shown with its reason
// and adopted with one tap; the vendor's own guess is shown beside it.
const registration = require('../../services/registration');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

const CATEGORIES = ['affiliated', 'local', 'floating'].map((value) => ({ value, label: labels.category[value] }));

function describe(r, names) {
  return {
    ...r,
    standingLabel: labels.standing[r.standing],
    ownerLabel: r.is_owner ? '业主' : '从业人员',
    placementLabel: labels.placement[r.placement],
    branch: names.orgs[r.life_org_id] || `组织 ${r.life_org_id}`,
    market: r.market_id ? (names.markets[r.market_id] || `市场 ${r.market_id}`) : '',
    ownGuess: r.category ? labels.category[r.category] : '',
    suggestion: r.suggested_category ? labels.category[r.suggested_category] : '',
  };
}

Component({
  data: { items: [], loaded: false, categories: CATEGORIES, reasons: {}, picked: {} },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const [list, choices] = await Promise.all([registration.queue(), registration.choices()]);
        const names = { orgs: {}, markets: {} };
        choices.branches.forEach((org) => { names.orgs[org.id] = org.name; });
        choices.markets.forEach((market) => { names.markets[market.id] = market.name; });
        const picked = {};
        list.items.forEach((r) => { picked[r.id] = -1; }); // nothing chosen until the secretary chooses
        this.setData({ items: list.items.map((r) => describe(r, names)), picked, loaded: true });
      } catch (error) {
        showError(wx, error);
      }
    },
    pick(event) {
      this.setData({ [`picked.${event.currentTarget.dataset.id}`]: Number(event.detail.value) });
    },
    adopt(event) {
      const { id, category } = event.currentTarget.dataset;
      this.setData({ [`picked.${id}`]: CATEGORIES.findIndex((c) => c.value === category) });
    },
    inputReason(event) {
      this.setData({ [`reasons.${event.currentTarget.dataset.id}`]: event.detail.value });
    },
    async approve(event) {
      const id = event.currentTarget.dataset.id;
      const chosen = CATEGORIES[this.data.picked[id]];
      if (!chosen) {
        wx.showModal({ title: '请选择党员类别', content: '隶属、属地还是流动党员，请确认后再通过', showCancel: false });
        return;
      }
      try {
        await registration.approve(id, chosen.value);
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
