// 流动党员 for the secretary: the proofs waiting to be confirmed (open the file, confirm, or send
// back with a reason), the comments still to write this year, and the letters whose receipt is
// more than 30 days late.
const floating = require('../../services/floating');
const account = require('../../services/account');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { get, request } = require('../../services/client');
const { showError } = require('../../utils/request');
const { reachable } = require('../../utils/orgs');
const subscribe = require('../../utils/subscribe');

const GRADES = Object.keys(labels.commentGrade).map((key) => ({ key, label: labels.commentGrade[key] }));

function openFile(memberId) {
  const { auth } = get();
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: floating.proofUrl(memberId), header: { Authorization: `Bearer ${auth.token()}` },
      success: (res) => {
        if (res.statusCode !== 200) return reject(new Error('证明文件打不开，请稍后再试'));
        const type = (res.header && (res.header['Content-Type'] || res.header['content-type'])) || '';
        if (type.includes('pdf')) wx.openDocument({ filePath: res.tempFilePath, fileType: 'pdf', fail: () => reject(new Error('打不开 PDF')) });
        else wx.previewImage({ urls: [res.tempFilePath] });
        return resolve();
      },
      fail: () => reject(new Error('网络不给力，请稍后再试')),
    });
  });
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', orgs: [], orgNames: [], orgIndex: 0, year: new Date().getFullYear(), report: null,
    proofs: [], comments: [], overdue: [], grades: GRADES, writing: null, busy: false, canRemind: false, reminded: false,
  },
  methods: {
    async onLoad(options) {
      try {
        const [me, orgs] = await Promise.all([account.start(), request('orgs')]);
        const list = reachable(me.roles, orgs.items);
        if (!list.length) {
          this.setData({ loading: false, error: '只有书记和管理员可以处理流动党员' });
          return;
        }
        const wanted = list.findIndex((o) => o.id === Number((options || {}).org_id)); // opened from the reminder
        this.setData({ orgs: list, orgNames: list.map((o) => o.name), orgIndex: wanted < 0 ? 0 : wanted, year: Number(format.today().slice(0, 4)) });
        await this.load();
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async load() {
      this.setData({ loading: true, error: '', writing: null, canRemind: subscribe.enabled('receipt') });
      try {
        const report = await floating.report(this.data.orgs[this.data.orgIndex].id, this.data.year);
        const members = report.members;
        this.setData({
          loading: false, report,
          proofs: members.filter((m) => m.proof_state === 'pending'),
          comments: members.filter((m) => m.proof_state === 'confirmed' && !m.commented),
          overdue: members.filter((m) => m.overdue).map((m) => ({ ...m, sentText: format.date(m.sent_on) })),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pickOrg(event) {
      this.setData({ orgIndex: Number(event.detail.value) });
      this.load();
    },
    async view(event) {
      try {
        await openFile(event.currentTarget.dataset.id);
      } catch (error) {
        showError(wx, error);
      }
    },
    async confirm(event) {
      try {
        await floating.confirmProof(event.currentTarget.dataset.id);
        wx.showToast({ title: '已确认' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    reject(event) {
      const id = event.currentTarget.dataset.id;
      wx.showModal({
        title: '退回身份证明', editable: true, placeholderText: '写明原因，如：没有盖章',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await floating.rejectProof(id, res.content);
            await this.load();
          } catch (error) {
            showError(wx, error);
          }
        },
      });
    },
    write(event) {
      const member = this.data.comments.find((m) => m.id === event.currentTarget.dataset.id);
      this.setData({ writing: { id: member.id, name: member.name, grade: '', text: '' } });
    },
    pickGrade(event) {
      this.setData({ 'writing.grade': event.currentTarget.dataset.grade });
    },
    typeComment(event) {
      this.setData({ 'writing.text': event.detail.value });
    },
    async remindMe() {
      const { accepted } = await subscribe.ask(wx, 'receipt'); // first, inside the tap
      if (!accepted) {
        wx.showModal({ title: '提示', content: '没有开启提醒。需要时可以再点“提醒我”。', showCancel: false });
        return;
      }
      try {
        await floating.remindMe(this.data.orgs[this.data.orgIndex].id);
        this.setData({ reminded: true });
        wx.showToast({ title: '回执逾期时会提醒你' });
      } catch (error) {
        showError(wx, error);
      }
    },
    cancel() {
      this.setData({ writing: null });
    },
    async saveComment() {
      const { writing, year } = this.data;
      this.setData({ busy: true });
      try {
        await floating.comment(writing.id, year, writing.grade, writing.text);
        wx.showToast({ title: '评语已保存' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ busy: false });
    },
  },
});
