// 市场抽查 for market-line staff: pick a market, walk the stalls that have a party member, and at
// each one say whether the plate is hung and can be read, with a photo (the camera opens; nothing
// is sent without one). Below, the 六化 items that staff attest, each with 拍照上传 for evidence;
// the attestation itself (inspector, day) is made at the desk.
const markets = require('../../services/markets');
const account = require('../../services/account');
const format = require('../../utils/format');
const { request } = require('../../services/client');
const { showError } = require('../../utils/request');
const { reachable } = require('../../utils/orgs');

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', list: [], names: [], index: 0, year: new Date().getFullYear(), stalls: null, items: [],
    checking: null, busy: false,
  },
  methods: {
    async onLoad() {
      try {
        const [me, orgs] = await Promise.all([account.start(), request('orgs')]);
        const [org] = reachable(me.roles, orgs.items);
        if (!org) {
          this.setData({ loading: false, error: '只有书记和管理员可以做市场抽查' });
          return;
        }
        const list = await markets.under(org.id);
        if (!list.length) {
          this.setData({ loading: false, error: `${org.name}还没有登记市场` });
          return;
        }
        this.setData({ list, names: list.map((m) => m.name), year: Number(format.today().slice(0, 4)) });
        await this.load();
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async load() {
      this.setData({ loading: true, error: '', checking: null });
      const market = this.data.list[this.data.index];
      try {
        const [stalls, checklist] = await Promise.all([markets.stalls(market.id, this.data.year), markets.checklist(market.id, this.data.year)]);
        this.setData({
          loading: false,
          stalls: { ...stalls, toFix: stalls.items.filter((s) => s.to_fix).length },
          items: markets.attested(checklist),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pick(event) {
      this.setData({ index: Number(event.detail.value) });
      this.load();
    },
    start(event) {
      const stall = this.data.stalls.items.find((s) => s.stall_no === event.currentTarget.dataset.stall);
      this.setData({ checking: { stall_no: stall.stall_no, name: stall.name, hung: true, readable: true, photo: '' } });
    },
    setHung(event) {
      const hung = event.currentTarget.dataset.value === 'yes';
      this.setData({ 'checking.hung': hung, 'checking.readable': hung && this.data.checking.readable });
    },
    setReadable(event) {
      this.setData({ 'checking.readable': event.currentTarget.dataset.value === 'yes' });
    },
    photo() {
      wx.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['camera'], sizeType: ['compressed'],
        success: (res) => this.setData({ 'checking.photo': res.tempFiles[0].tempFilePath }) });
    },
    cancel() {
      this.setData({ checking: null });
    },
    async save() {
      const c = this.data.checking;
      this.setData({ busy: true });
      try {
        await markets.spotCheck(wx, this.data.list[this.data.index].id, c.stall_no, c.hung, c.readable, c.photo);
        wx.showToast({ title: '抽查已记录' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      } finally {
        this.setData({ busy: false });
      }
    },
    evidence(event) {
      const key = event.currentTarget.dataset.key;
      wx.chooseMedia({ count: 1, mediaType: ['image'], sizeType: ['compressed'], success: async (res) => {
        try {
          await markets.evidence(wx, this.data.list[this.data.index].id, this.data.year, key, res.tempFiles[0].tempFilePath);
          wx.showToast({ title: '材料已上传' });
          await this.load();
        } catch (error) {
          showError(wx, error);
        }
      } });
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh());
    },
  },
});
