// Subscribe messages. WeChat only shows its prompt when asked straight from a tap, so a page
// calls ask() first in its tap handler, before any network call. Template ids live in
// utils/config.js; without one nothing is asked and the page promises no notice (enabled()).
const { TEMPLATES } = require('./config');

function enabled(kind) {
  return Boolean(TEMPLATES[kind]);
}

// Resolves {accepted: bool}: refused, unsupported or not configured all mean no message.
function ask(wxApi, kind) {
  const id = TEMPLATES[kind];
  if (!id) return Promise.resolve({ accepted: false });
  return new Promise((resolve) => {
    wxApi.requestSubscribeMessage({
      tmplIds: [id],
      success: (res) => resolve({ accepted: res[id] === 'accept' }),
      fail: () => resolve({ accepted: false }),
    });
  });
}

module.exports = { ask, enabled };
