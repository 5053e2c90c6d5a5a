const { get, request } = require('./client');

// Who is using the phone: roles decide which home the app shows.
async function start() {
  const { auth } = get();
  if (!auth.token()) await auth.login();
  const me = await request('me');
  const staff = me.roles.some((role) => role.role === 'secretary' || role.role === 'admin');
  return { ...me, staff };
}

// The getPhoneNumber button's event carries a one-time code (never the number itself).
function bindPhone(event) {
  const code = event && event.detail && event.detail.code;
  if (!code) return Promise.reject(new Error('需要授权手机号才能继续，请再点一次'));
  return request('bindPhone', { data: { code } });
}

// The desk (工作台 on a computer): confirm its login QR, list the computers logged in, end one.
async function confirmDesk(code) {
  const { auth } = get();
  if (!auth.token()) await auth.login();
  return request('confirmDeskLogin', { params: { code } });
}

function deskSessions() {
  return request('deskSessions');
}

function endDeskSession(id) {
  return request('endDeskSession', { params: { session_id: id } });
}

module.exports = { start, bindPhone, confirmDesk, deskSessions, endDeskSession };
