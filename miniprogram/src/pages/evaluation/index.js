// 先锋指数 for the member: self-evaluation item by item, the peers to grade (anonymous: only they
// see what they gave), the announcement while it runs, and their stars once final.
const evaluation = require('../../services/evaluation');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const GRADES = Object.keys(labels.grade).map((key) => ({ key, label: labels.grade[key] }));
const starText = (n) => (n ? '★'.repeat(n) + '☆'.repeat(5 - n) : '');

function shape(task) {
  const cycle = task.cycle;
  const typed = {};
  (task.items || []).forEach((item) => { typed[item.key] = task.self.items ? String(task.self.items[item.key]) : ''; });
  return {
    ...task,
    title: `${cycle.org_name} ${cycle.year} 年党员先锋指数考评`,
    stage: labels.evaluationStage[cycle.stage],
    exclusionText: task.exclusion ? labels.exclusion[task.exclusion] : '',
    selfUntil: format.date(cycle.deadlines.self_until),
    peerUntil: format.date(cycle.deadlines.peer_until),
    submitted: task.self.submitted_at ? format.when(task.self.submitted_at) : '',
    typed, summary: task.self.summary,
    starsText: starText(task.stars),
    peers: task.peers.map((p) => ({ ...p, gradeLabel: p.grade ? labels.grade[p.grade] : '' })),
    graded: task.peers.filter((p) => p.grade).length,
    announcing: cycle.stage === 'announced' && cycle.public_code,
  };
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', tasks: [], grades: GRADES, saving: false },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const tasks = (await evaluation.mine()).map(shape);
        this.setData({ loading: false, error: '', tasks });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    typePoints(event) {
      const { index, key } = event.currentTarget.dataset;
      this.setData({ [`tasks[${index}].typed.${key}`]: event.detail.value });
    },
    typeSummary(event) {
      this.setData({ [`tasks[${event.currentTarget.dataset.index}].summary`]: event.detail.value });
    },
    async saveSelf(event) {
      const index = Number(event.currentTarget.dataset.index);
      const task = this.data.tasks[index];
      this.setData({ saving: true });
      try {
        const items = evaluation.points(task.items, task.typed);
        await evaluation.saveSelf(task.evaluation_id, items, (task.summary || '').trim());
        wx.showToast({ title: '自评已提交' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ saving: false });
    },
    async grade(event) {
      const { index, peer, grade } = event.currentTarget.dataset;
      const task = this.data.tasks[index];
      try {
        await evaluation.gradePeer(task.evaluation_id, peer, grade);
        const at = task.peers.findIndex((p) => p.peer_evaluation_id === peer);
        const wasGraded = Boolean(task.peers[at].grade);
        this.setData({
          [`tasks[${index}].peers[${at}].grade`]: grade,
          [`tasks[${index}].peers[${at}].gradeLabel`]: labels.grade[grade],
          [`tasks[${index}].graded`]: task.graded + (wasGraded ? 0 : 1),
        });
      } catch (error) {
        showError(wx, error);
      }
    },
    openAnnouncement(event) {
      wx.navigateTo({ url: `/pages/announcement/index?code=${event.currentTarget.dataset.code}` });
    },
  },
});
