// 先锋指数 for the secretary: the members still to review, each with their self-evaluation, peer
// grades (counts only), customers' ratings and year's record beside the review form; then the
// follow-ups of 1–2★ members (a talk and a 4–5★ mentor of the same org).
const evaluation = require('../../services/evaluation');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

const TABS = [{ key: 'to_review', label: '待审定' }, { key: 'eligible', label: '全部参评' }, { key: 'follow', label: '帮扶' }];

function summary(row) {
  const peers = Object.keys(labels.grade).map((g) => `${labels.grade[g]}${row.peer_counts[g] || 0}`).join(' ');
  const customer = row.customer.count ? `群众 ${row.customer.average} 分（${row.customer.count} 条）` : '群众 无评价';
  const self = row.self_total === null ? '未自评' : `自评 ${row.self_total} 分`;
  const result = row.score === null ? '' : ` → ${row.score} 分 ${'★'.repeat(row.stars || 0)}`;
  return `${self} · 互评 ${peers} · ${customer}${result}`;
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', cycles: [], cycleNames: [], cycleIndex: 0, tabs: TABS, tab: 'to_review',
    rows: [], follow: [], current: null, typed: {}, adjustPoints: '', adjustReason: '', saving: false,
    followForm: null, mentors: [], mentorNames: [],
  },
  methods: {
    async onLoad() {
      try {
        const cycles = await evaluation.cycles();
        if (!cycles.length) {
          this.setData({ loading: false, error: '没有你可以审定的先锋指数考评' });
          return;
        }
        const open = cycles.findIndex((c) => c.stage !== 'finalized');
        this.setData({
          cycles, cycleIndex: open < 0 ? 0 : open,
          cycleNames: cycles.map((c) => `${c.org_name} ${c.year}年 · ${labels.evaluationStage[c.stage]}`),
        });
        await this.load();
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    cycle() {
      return this.data.cycles[this.data.cycleIndex];
    },
    async load() {
      this.setData({ loading: true, error: '', current: null, followForm: null });
      try {
        if (this.data.tab === 'follow') {
          this.setData({ loading: false, follow: await evaluation.followUps(this.cycle().id) });
          return;
        }
        const page = await evaluation.table(this.cycle().id, this.data.tab);
        this.setData({ loading: false, rows: page.items.map((r) => ({ ...r, summary: summary(r) })) });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pickCycle(event) {
      this.setData({ cycleIndex: Number(event.detail.value) });
      this.load();
    },
    pickTab(event) {
      this.setData({ tab: event.currentTarget.dataset.tab });
      this.load();
    },
    async open(event) {
      try {
        const detail = await evaluation.detail(event.currentTarget.dataset.id);
        const typed = {};
        detail.scheme.items.forEach((item) => { typed[item.key] = detail.review_items ? String(detail.review_items[item.key]) : ''; });
        const adjustment = detail.adjustments[0];
        this.setData({
          current: {
            ...detail, summary: summary(detail),
            selfLines: detail.scheme.items.map((i) => `${i.label} ${detail.self_items ? detail.self_items[i.key] : '—'}/${i.max}`),
          },
          typed, adjustPoints: adjustment ? String(adjustment.points) : '', adjustReason: adjustment ? adjustment.reason : '',
        });
      } catch (error) {
        showError(wx, error);
      }
    },
    back() {
      this.setData({ current: null, followForm: null });
    },
    typePoints(event) {
      this.setData({ [`typed.${event.currentTarget.dataset.key}`]: event.detail.value });
    },
    typeField(event) {
      this.setData({ [event.currentTarget.dataset.field]: event.detail.value });
    },
    async saveReview() {
      const { current, typed, adjustPoints, adjustReason } = this.data;
      this.setData({ saving: true });
      try {
        const items = evaluation.points(current.scheme.items, typed);
        const adjustments = [];
        if (String(adjustPoints).trim()) {
          const points = Number(adjustPoints);
          if (Number.isNaN(points) || !points) throw new Error('加减分应为不等于0的数字，减分写负数');
          if (!adjustReason.trim()) throw new Error('请写明加分或减分的理由');
          adjustments.push({ points, reason: adjustReason.trim() });
        }
        const saved = await evaluation.saveReview(current.id, items, adjustments);
        wx.showToast({ title: `${saved.score} 分 ${saved.stars} 星` });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ saving: false });
    },
    async openFollow(event) {
      const item = this.data.follow[Number(event.currentTarget.dataset.index)];
      try {
        const all = (await evaluation.table(this.cycle().id, 'eligible')).items;
        const mentors = all.filter((r) => r.org_id === item.org_id && r.stars >= 4 && r.id !== item.evaluation_id);
        this.setData({
          followForm: { ...item, talk_on: item.talk_on || '', due_on: item.due_on || '', mentorIndex: -1 },
          mentors, mentorNames: mentors.map((m) => `${m.name}（${m.stars}星）`),
        });
      } catch (error) {
        showError(wx, error);
      }
    },
    pickMentor(event) {
      this.setData({ 'followForm.mentorIndex': Number(event.detail.value) });
    },
    pickDate(event) {
      this.setData({ [`followForm.${event.currentTarget.dataset.field}`]: event.detail.value });
    },
    async saveFollow() {
      const form = this.data.followForm;
      const mentor = this.data.mentors[form.mentorIndex];
      this.setData({ saving: true });
      try {
        await evaluation.saveFollowUp(form.evaluation_id, {
          talk_on: form.talk_on, talk_by: form.talk_by, talk_notes: form.talk_notes, due_on: form.due_on,
          mentor_evaluation_id: mentor ? mentor.id : form.mentor_evaluation_id,
        });
        wx.showToast({ title: '已保存' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ saving: false });
    },
  },
});
