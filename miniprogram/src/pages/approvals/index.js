// The secretary's queue: approve with a category the secretary chose, or send back with a reason.
// Nothing is preset: the server's suggestion (from the three places) is shown with its reason
// and adopted with one tap; the vendor's own guess is shown beside it, with the facts the
// decision rests on (正式/预备, owner, branch, market and stall, who filled in the form).
const registration = require('../../services/registration');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const CATEGORIES = ['affiliated', 'local', 'floating'].map((value) => ({ value, label: labels.category[value] }));

Component({
  behaviors: [require('../../behaviors/page'), require('../../behaviors/list')],
  data: { categories: CATEGORIES, reasons: {}, picked: {} }, // picked: nothing until the secretary chooses
  methods: {
    onShow() {
      this.reload();
    },
    async fetch(offset, limit) {
      if (!this.names) {
        const choices = await registration.choices();
        this.names = { orgs: {}, markets: {} };
        choices.branches.forEach((org) => { this.names.orgs[org.id] = org.name; });
        choices.markets.forEach((market) => { this.names.markets[market.id] = market.name; });
      }
      return registration.queue(offset, limit);
    },
    shape(r) {
      const { names } = this;
      return {
        ...r,
        standingLabel: labels.standing[r.standing],
        ownerLabel: r.is_owner ? '业主' : '从业人员',
        placementLabel: labels.placement[r.placement],
        branch: names.orgs[r.life_org_id] || `组织 ${r.life_org_id}`,
        market: r.market_id ? (names.markets[r.market_id] || `市场 ${r.market_id}`) : '',
        ownGuess: r.category ? labels.category[r.category] : '',
        suggestion: r.suggested_category ? labels.category[r.suggested_category] : '',
        sent: r.created_at ? format.when(r.created_at) : '',
      };
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
        this.reload();
      } catch (error) {
        showError(wx, error);
      }
    },
    async reject(event) {
      const id = event.currentTarget.dataset.id;
      try {
        await registration.reject(id, this.data.reasons[id] || '');
        wx.showToast({ title: '已退回' });
        this.reload();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
