// The rotating check-in code, full screen, bright and kept on while the room scans. Leaving the
// page or the app gives the phone its own brightness back; coming back fetches a fresh code
// at once (timers do not run while WeChat is in the background).
Component({
  behaviors: [require('../../behaviors/page')],
  data: { id: 0, title: '' },
  methods: {
    onLoad(options) {
      this.setData({ id: Number(options.id), title: decodeURIComponent(options.title || '') });
    },
    onShow() {
      wx.setKeepScreenOn({ keepScreenOn: true });
      if (typeof this.brightness === 'number') {
        wx.setScreenBrightness({ value: 1 });
        return;
      }
      // the phone's own brightness first, then full: read after, it would be ours
      wx.getScreenBrightness({
        success: (res) => { this.brightness = res.value; },
        complete: () => wx.setScreenBrightness({ value: 1 }),
      });
    },
    onHide() {
      this.restore();
    },
    onUnload() {
      this.restore();
    },
    restore() {
      wx.setKeepScreenOn({ keepScreenOn: false });
      // -1: follow the system again (Android); iOS takes the value read when the page opened
      wx.setScreenBrightness({ value: typeof this.brightness === 'number' ? this.brightness : -1 });
    },
  },
});
