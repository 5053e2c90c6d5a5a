// What every page has: 长辈模式 (the root view's `elder` class scales every font), the
// offline hint, both kept current while the page is open, and pull-to-refresh reloading the
// page's load() where its JSON enables it (a paged list's behavior replaces it with its own).
const elder = require('../utils/elder');
const network = require('../utils/network');

module.exports = Behavior({
  data: { elder: false, offline: false },
  lifetimes: {
    attached() {
      this.setData({ elder: elder.on(wx), offline: !network.isOnline() });
      this.stopListening = [
        elder.listen((on) => this.setData({ elder: on })),
        network.listen((online) => this.setData({ offline: !online })),
      ];
    },
    detached() {
      (this.stopListening || []).forEach((stop) => stop());
    },
  },
  methods: {
    async onPullDownRefresh() {
      if (this.load) await this.load();
      wx.stopPullDownRefresh();
    },
  },
});
