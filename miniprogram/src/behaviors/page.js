// What every page has: 长辈模式 (the root view's `elder` class scales every font) and the
// offline hint, both kept current while the page is open.
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
});
