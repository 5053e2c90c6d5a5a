// The rotating check-in code, full screen, the screen kept on while the room scans.
Component({
  data: { id: 0, title: '' },
  methods: {
    onLoad(options) {
      this.setData({ id: Number(options.id), title: decodeURIComponent(options.title || '') });
      wx.setKeepScreenOn({ keepScreenOn: true });
      wx.setScreenBrightness({ value: 1 });
    },
    onUnload() {
      wx.setKeepScreenOn({ keepScreenOn: false });
    },
  },
});
