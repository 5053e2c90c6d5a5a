// The app: installs WeChat's privacy prompt handler and the network listener once; pages do the
// rest through services/ (server addresses and subscribe templates: utils/config.js).
const privacy = require('./utils/privacy');
const network = require('./utils/network');

App({
  onLaunch() {
    privacy.install(wx);
    network.install(wx);
  },
});
