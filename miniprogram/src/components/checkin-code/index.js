// The rotating check-in code, full screen on the secretary's phone: fetched again a few
// seconds before it expires (so a scan never meets a dead code), with the live count of who
// has signed in, refreshed every few seconds. Timers stop when the page is hidden or goes away
// and start again, with a new code, when it shows.
const activities = require('../../services/activities');

const REFRESH_MARGIN_S = 3;
const COUNT_EVERY_MS = 5000;

Component({
  properties: {
    activityId: { type: Number, value: 0 },
    title: { type: String, value: '' },
  },
  data: { qr: '', present: 0, expected: 0, error: '', countStale: false },
  lifetimes: {
    attached() {
      this.start();
    },
    detached() {
      this.stop();
    },
  },
  // WeChat in the background pauses timers: back on screen, a fresh code at once, never a stale one.
  pageLifetimes: {
    show() {
      if (this.stopped) this.start();
    },
    hide() {
      this.stop();
    },
  },
  methods: {
    start() {
      this.stopped = false;
      this.refreshCode();
      this.refreshCount();
      this.countTimer = setInterval(() => this.refreshCount(), COUNT_EVERY_MS);
    },
    stop() {
      clearTimeout(this.codeTimer);
      clearInterval(this.countTimer);
      this.stopped = true;
    },
    async refreshCode() {
      try {
        const code = await activities.code(this.data.activityId);
        if (this.stopped) return;
        this.setData({ qr: code.qr, error: '' });
        const wait = Math.max(1, code.expires_in - REFRESH_MARGIN_S) * 1000;
        this.codeTimer = setTimeout(() => this.refreshCode(), wait);
      } catch (error) {
        if (this.stopped) return;
        this.setData({ qr: '', error: error.message });
        this.codeTimer = setTimeout(() => this.refreshCode(), 5000); // try again: the room is waiting
      }
    },
    async refreshCount() {
      try {
        const sheet = await activities.attendance(this.data.activityId);
        if (!this.stopped) this.setData({ present: sheet.present, expected: sheet.expected, countStale: false });
      } catch (error) {
        if (!this.stopped) this.setData({ countStale: true }); // shown as such; the code keeps turning
      }
    },
  },
});
