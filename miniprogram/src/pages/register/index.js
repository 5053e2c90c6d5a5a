// The 个体工商户党建信息登记表: the server's rules checked on the phone first
// (utils/rules.js), each field's message under the field, the server's answer shown as is.
const registration = require('../../services/registration');
const account = require('../../services/account');
const { showError } = require('../../utils/request');

const STANDINGS = [{ value: 'full', label: '正式党员' }, { value: 'probationary', label: '预备党员' }];
const PLACEMENTS = [{ value: 'in_market', label: '在商品交易市场内经营' }, { value: 'standalone', label: '不在市场内（个体工商户）' }];
const FIELDS = ['unit_name', 'name', 'mobile', 'household_district', 'home_org', 'stall_no', 'filled_by_name', 'filled_by_phone'];

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', form: { is_owner: true, standing: 'full', placement: 'in_market' },
    fields: {}, branches: [], markets: [], standings: STANDINGS, placements: PLACEMENTS,
    branchIndex: -1, marketIndex: -1, standingIndex: 0, placementIndex: 0, sending: false,
  },
  methods: {
    onLoad(options) {
      this.resubmit = Boolean(options && options.resubmit);
      this.load();
    },
    // The branches and markets to choose from (and, when sent back, the form as it was).
    async load() {
      try {
        const { branches, markets } = await registration.choices();
        this.setData({ loading: false, error: '', branches, markets });
        if (this.resubmit) this.prefill((await account.start()).registration);
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    // A rejected form comes back filled in, so the vendor corrects only what was wrong.
    prefill(previous) {
      if (!previous) return;
      const form = { is_owner: previous.is_owner, standing: previous.standing, placement: previous.placement,
        life_org_id: previous.life_org_id, market_id: previous.market_id, category: previous.category };
      FIELDS.forEach((key) => { if (previous[key]) form[key] = previous[key]; });
      this.setData({
        form,
        branchIndex: this.data.branches.findIndex((b) => b.id === previous.life_org_id),
        marketIndex: this.data.markets.findIndex((m) => m.id === previous.market_id),
        standingIndex: STANDINGS.findIndex((s) => s.value === previous.standing),
        placementIndex: PLACEMENTS.findIndex((p) => p.value === previous.placement),
      });
    },
    input(event) {
      this.setData({ [`form.${event.currentTarget.dataset.field}`]: event.detail.value, [`fields.${event.currentTarget.dataset.field}`]: '' });
    },
    pickBranch(event) {
      const index = Number(event.detail.value);
      this.setData({ branchIndex: index, 'form.life_org_id': this.data.branches[index].id, 'fields.life_org_id': '' });
    },
    pickMarket(event) {
      const index = Number(event.detail.value);
      this.setData({ marketIndex: index, 'form.market_id': this.data.markets[index].id, 'fields.market_id': '' });
    },
    pickStanding(event) {
      const index = Number(event.detail.value);
      this.setData({ standingIndex: index, 'form.standing': STANDINGS[index].value });
    },
    pickPlacement(event) {
      const index = Number(event.detail.value);
      this.setData({ placementIndex: index, 'form.placement': PLACEMENTS[index].value });
    },
    pickOwner(event) {
      this.setData({ 'form.is_owner': event.detail.value === 'yes' });
    },
    async submit() {
      if (this.data.sending) return;
      this.setData({ sending: true });
      try {
        const answer = await registration.submit(this.data.form);
        if (answer.fields) {
          this.setData({ fields: answer.fields });
          wx.showToast({ title: answer.message || '请检查标红的项目', icon: 'none' });
          return;
        }
        wx.showToast({ title: '已提交，等待书记审核' });
        wx.reLaunch({ url: '/pages/index/index' }); // the home shows the answer when it comes
      } catch (error) {
        showError(wx, error);
      } finally {
        this.setData({ sending: false });
      }
    },
  },
});
