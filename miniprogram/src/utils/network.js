// Whether the phone is online, from the app's one onNetworkStatusChange listener (app.js);
// pages listen to show or hide their offline hint.
let online = true;
const listeners = new Set();

function install(wxApi) {
  if (wxApi.getNetworkType) {
    wxApi.getNetworkType({ success: (res) => update(res.networkType !== 'none') });
  }
  if (wxApi.onNetworkStatusChange) wxApi.onNetworkStatusChange((res) => update(res.isConnected));
}

function update(connected) {
  if (connected === online) return;
  online = connected;
  listeners.forEach((listener) => listener(online));
}

function isOnline() {
  return online;
}

function listen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function reset() {
  online = true;
  listeners.clear();
}

module.exports = { install, update, isOnline, listen, reset };
