// 流动党员登记: the floating member fills in their 身份证号 (shown masked once saved), their home
// branch's contact and the day they came, and uploads the home branch's stamped proof (a photo, or
// a PDF sent to them in a chat); then sees the secretary's decision, comments and letters.
const floating = require('../../services/floating');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const EMPTY = { id_number: '', home_org_contact: '', home_org_phone: '', home_org_address: '', inflow_on: '', activity_card_no: '' };

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', info: null, editing: false, form: EMPTY, saving: false, today: format.today() },
  methods: {
    onLoad(options) {
      this.memberId = Number(options.member_id);
      this.load();
    },
    async load() {
      try {
        const info = await floating.view(this.memberId);
        this.setData({
          loading: false, error: '', editing: !info.registered,
          info: {
            ...info, proofLabel: labels.proofState[info.proof_state], inflowText: format.date(info.inflow_on),
            recheckText: format.date(info.recheck_due),
            comments: info.comments.map((c) => ({ ...c, gradeLabel: labels.commentGrade[c.grade] })),
            letters: info.letters.map((l) => ({ ...l, sentText: format.date(l.sent_on) })),
          },
          form: info.registered ? {
            ...EMPTY, home_org_contact: info.home_org_contact, home_org_phone: info.home_org_phone,
            home_org_address: info.home_org_address, inflow_on: info.inflow_on, activity_card_no: info.activity_card_no,
          } : EMPTY,
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    edit() {
      this.setData({ editing: true });
    },
    type(event) {
      this.setData({ [`form.${event.currentTarget.dataset.field}`]: event.detail.value });
    },
    pickDay(event) {
      this.setData({ 'form.inflow_on': event.detail.value });
    },
    async save() {
      this.setData({ saving: true });
      try {
        await floating.register(this.memberId, this.data.form);
        wx.showToast({ title: '已保存' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
      this.setData({ saving: false });
    },
    async send(path) {
      try {
        await floating.uploadProof(wx, this.memberId, path);
        wx.showToast({ title: '已上传，等书记确认' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    photo() {
      wx.chooseMedia({ count: 1, mediaType: ['image'], sizeType: ['compressed'], success: (res) => this.send(res.tempFiles[0].tempFilePath) });
    },
    pdf() {
      wx.chooseMessageFile({ count: 1, type: 'file', extension: ['pdf'], success: (res) => this.send(res.tempFiles[0].path) });
    },
  },
});
