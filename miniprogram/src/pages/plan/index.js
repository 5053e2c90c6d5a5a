// The year's plan of 三会一课 for one org: what is due this period and what was missed first,
// then every kind with its periods. 提醒我 asks WeChat for one reminder, a week before a period
// ends with a required meeting not held; the prompt must come straight from the tap.
const activities = require('../../services/activities');
const account = require('../../services/account');
const { request } = require('../../services/client');
const labels = require('../../utils/labels');
const subscribe = require('../../utils/subscribe');
const { showError } = require('../../utils/request');
const { reachable } = require('../../utils/orgs');


Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', orgs: [], orgNames: [], orgIndex: 0, plan: null, attention: [], missed: [], kinds: [], reminded: false, canRemind: false },
  methods: {
    async onLoad(options) {
      try {
        const [me, orgs] = await Promise.all([account.start(), request('orgs')]);
        const list = reachable(me.roles, orgs.items);
        const wanted = list.findIndex((o) => o.id === Number(options.org_id));
        this.setData({ orgs: list, orgNames: list.map((o) => o.name), orgIndex: wanted < 0 ? 0 : wanted });
        if (!list.length) {
          this.setData({ loading: false, error: '只有书记和管理员可以查看会议计划' });
          return;
        }
        await this.load();
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async load() {
      this.setData({ loading: true, error: '', canRemind: subscribe.enabled('plan') });
      try {
        const plan = await activities.plan(this.data.orgs[this.data.orgIndex].id);
        const status = labels.planStatus;
        // This period's first, then what was missed: one line per kind, however many periods.
        const missed = {};
        plan.attention.filter((p) => p.status === 'overdue').sort((a, b) => (a.first_day < b.first_day ? -1 : 1))
          .forEach((p) => { (missed[p.kind] = missed[p.kind] || { kind_label: p.kind_label, periods: [] }).periods.push(p.label); });
        this.setData({
          loading: false, plan,
          attention: plan.attention.filter((p) => p.status === 'due')
            .map((p) => ({ ...p, key: `${p.kind}-${p.period}`, status_label: status[p.status] })),
          missed: Object.keys(missed).map((kind) => ({ kind, ...missed[kind], text: missed[kind].periods.join('、') })),
          kinds: plan.kinds.filter((k) => k.periods.length).map((k) => ({
            ...k, periods: k.periods.map((p) => ({ ...p, status_label: status[p.status] })),
          })),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pickOrg(event) {
      this.setData({ orgIndex: Number(event.detail.value) });
      this.load();
    },
    async remindMe() {
      const { accepted } = await subscribe.ask(wx, 'plan'); // first, inside the tap
      if (!accepted) {
        wx.showModal({ title: '提示', content: '没有开启提醒。需要时可以再点“提醒我”。', showCancel: false });
        return;
      }
      try {
        await activities.remindPlan(this.data.orgs[this.data.orgIndex].id);
        this.setData({ reminded: true });
        wx.showToast({ title: '期末前一周会提醒你' });
      } catch (error) {
        showError(wx, error);
      }
    },
    newMeeting() {
      wx.navigateTo({ url: '/pages/activity-new/index' });
    },
  },
});
