// The app: installs WeChat's privacy prompt handler once; pages do the rest through services/.
const privacy = require('./utils/privacy');

App({
  // Subscribe-message templates chosen in the WeChat console (empty: no prompt is shown).
  // activity: the server's DANGJIAN_REMINDER_TEMPLATE_ID (keys thing1/time2/thing3).
  templates: { activity: '', registration: '' },

  onLaunch() {
    privacy.install(wx);
  },
});
