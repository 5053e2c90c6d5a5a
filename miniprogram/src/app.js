// The app: installs WeChat's privacy prompt handler once; pages do the rest through services/.
const privacy = require('./utils/privacy');

App({
  // Subscribe-message templates chosen in the WeChat console (empty: no prompt is shown).
  // activity: the server's DANGJIAN_REMINDER_TEMPLATE_ID (keys thing1/time2/thing3).
  // plan: DANGJIAN_PLAN_REMINDER_TEMPLATE_ID (keys thing1/thing2/date3).
  templates: { activity: '', registration: '', plan: '' },

  onLaunch() {
    privacy.install(wx);
  },
});
