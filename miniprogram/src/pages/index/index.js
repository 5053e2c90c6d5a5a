// Home (首页 tab): what this person can do, by who they are (member, applicant, secretary).
const account = require('../../services/account');
const markets = require('../../services/markets');
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const nav = require('../../utils/nav');
const { scan } = require('../../utils/scan');
const { showError } = require('../../utils/request');
const { request } = require('../../services/client');
const { reachable } = require('../../utils/orgs');

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, me: null, staff: false, status: '', reason: '', error: '', due: [], dueOrg: null, next: [], figures: [], figuresOrg: '', figuresAsOf: '' },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const me = await account.start();
        const registration = me.registration;
        this.setData({
          loading: false, me, staff: me.staff, error: '',
          status: registration ? labels.registration[registration.status] : '',
          reason: registration && registration.status === 'rejected' ? registration.reject_reason : '',
        });
        await Promise.all([me.staff ? this.loadDue(me) : null, me.staff ? this.loadFigures(me) : null, me.member || me.staff ? this.loadNext() : null]);
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    // The next meetings, soonest first (a member: those they are expected at; a secretary: those they run).
    async loadNext() {
      try {
        const list = await activities.upcoming();
        this.setData({
          next: list.slice(0, 3).map((a) => ({ id: a.id, title: a.title, when: format.span(a.starts_at, a.ends_at), place: a.place })),
        });
      } catch (error) {
        this.setData({ next: [] }); // the home works without it; 我的活动 says what went wrong
      }
    },
    // A secretary's 三会一课 due this period or missed, for the first org that holds meetings.
    async loadDue(me) {
      try {
        const [org] = reachable(me.roles, (await request('orgs')).items);
        if (!org) return;
        const plan = await activities.plan(org.id);
        const due = plan.attention.slice(0, 4).map((p) => ({
          key: `${p.kind}-${p.period}`, text: `${p.label}${p.kind_label}`, status: p.status, label: labels.planStatus[p.status],
        }));
        this.setData({ due, dueOrg: org });
      } catch (error) {
        this.setData({ due: [] }); // the plan page says what went wrong
      }
    },
    // A secretary's few figures of their org, each beside the last half-year snapshot's.
    async loadFigures(me) {
      try {
        const [org] = reachable(me.roles, (await request('orgs')).items);
        if (!org) return;
        const view = await markets.overview(org.id);
        this.setData({ figures: markets.homeFigures(view), figuresOrg: view.org_name,
          figuresAsOf: view.last_snapshot ? format.date(view.last_snapshot.as_of) : '' });
      } catch (error) {
        this.setData({ figures: [] }); // the desk's 半年统计 says what went wrong
      }
    },
    async bindPhone(event) {
      try {
        await account.bindPhone(event);
        wx.showToast({ title: '手机号已验证' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    async scan() {
      try {
        const url = await scan(wx);
        if (url) wx.navigateTo({ url });
      } catch (error) {
        showError(wx, error);
      }
    },
    go(event) {
      nav.go(wx, event.currentTarget.dataset.url);
    },
  },
});
