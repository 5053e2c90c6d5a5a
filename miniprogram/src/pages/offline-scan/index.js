// 离线签到 (the secretary): download the meeting's list while online; in the room, scan member
// cards (or members' 我的签到码) with no network; the scans wait on this phone and go up with one
// tap, or by themselves as soon as the network is back.
const offline = require('../../services/offline');
const network = require('../../utils/network');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const NEXT_SCAN_MS = 800; // long enough to read the name, short enough for a queue

const OUTCOME = {
  recorded: '已记为出席', already_checked_in: '已签到过', not_in_audience: '不在应到名单',
  outside_window: '不在签到时段', unknown_code: '卡已作废', seq_conflict: '序号冲突',
};

Component({
  behaviors: [require('../../behaviors/page')],
  data: { title: '', pack: null, validUntil: '', result: null, scans: [], waiting: 0, uploading: false, message: '', continuous: true },
  lifetimes: {
    attached() {
      // the network is back: send what waits, without anyone having to remember
      this.stopOnline = network.listen((online) => { if (online) this.upload(true); });
    },
    detached() {
      if (this.stopOnline) this.stopOnline();
      clearTimeout(this.nextTimer);
    },
  },
  methods: {
    onLoad(options) {
      this.id = Number(options.id);
      this.setData({ title: decodeURIComponent(options.title || '') });
      this.refresh();
      if (!this.data.pack && network.isOnline()) this.download();
    },
    onShow() {
      if (network.isOnline()) this.upload(true);
    },
    refresh() {
      const pack = offline.storedPack(wx, this.id);
      const scans = offline.queue(wx, this.id).slice().reverse().map((s) => ({
        seq: s.seq, name: s.name, when: format.clock(s.scanned_at), state: s.outcome ? OUTCOME[s.outcome] || s.outcome : '待上传',
        ok: !s.outcome || s.outcome === 'recorded' || s.outcome === 'already_checked_in',
      }));
      this.setData({
        pack: pack && { count: pack.members.length, title: pack.title }, validUntil: pack ? format.when(pack.valid_until) : '',
        title: this.data.title || (pack && pack.title) || '', scans, waiting: offline.waiting(wx, this.id).length,
      });
    },
    async download() {
      try {
        await offline.download(wx, this.id);
        this.setData({ message: '名单已下载，没有网络也能扫码签到' });
        this.refresh();
      } catch (error) {
        showError(wx, error);
      }
    },
    scan() {
      clearTimeout(this.nextTimer); // a tap while the next scan is pending: one camera, not two
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['qrCode'],
        success: (res) => {
          const result = offline.scan(wx, this.id, res.result);
          this.setData({ result });
          this.refresh();
          if (result.ok && !result.already) wx.vibrateShort({ type: 'medium' });
          if (result.ok && network.isOnline()) this.upload(true);
          // 连续扫: a queue of members with cards, one after another, the camera opening by itself
          // (closing it stops); a refused card stops too, so its reason is read.
          if (result.ok && this.data.continuous) this.nextTimer = setTimeout(() => this.scan(), NEXT_SCAN_MS);
        },
        fail: () => {}, // the camera closed: nothing scanned, the 连续扫 queue ends
      });
    },
    toggleContinuous(event) {
      this.setData({ continuous: event.detail.value });
    },
    onUnload() {
      clearTimeout(this.nextTimer);
    },
    async upload(quiet) {
      if (this.data.uploading || !offline.waiting(wx, this.id).length) return;
      this.setData({ uploading: true });
      try {
        const { sent } = await offline.upload(wx, this.id);
        if (!quiet) wx.showToast({ title: `已上传 ${sent} 条` });
      } catch (error) {
        if (!quiet) showError(wx, error); // the scans stay on the phone
      } finally {
        this.setData({ uploading: false });
        this.refresh();
      }
    },
  },
});
