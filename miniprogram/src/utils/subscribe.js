// Subscribe messages: asked for right where a message will follow (before a meeting, after a
// registration is sent). Template ids come from the WeChat console, set in app.js.
function ask(wxApi, templateIds) {
  const ids = (templateIds || []).filter(Boolean);
  if (!ids.length) return Promise.resolve({});
  return new Promise((resolve) => {
    wxApi.requestSubscribeMessage({
      tmplIds: ids,
      success: (res) => resolve(res),
      fail: () => resolve({}), // refused or unsupported: the flow goes on without reminders
    });
  });
}

function accepted(result, templateId) {
  return Boolean(result && result[templateId] === 'accept');
}

module.exports = { ask, accepted };
