const { request } = require('./client');
const { nonce } = require('../utils/nonce');

function mine() {
  return request('activities');
}

function detail(id) {
  return request('activity', { params: { activity_id: id } });
}

// One nonce per scan: if the phone retries (a weak signal), the server answers the same.
function checkIn(token, location) {
  const data = { token, nonce: nonce() };
  if (location) data.location = location;
  return request('checkin', { data });
}

function askLeave(id, reason) {
  return request('requestLeave', { params: { activity_id: id }, data: { reason } });
}

function create(data) {
  return request('createActivity', { data });
}

function code(id) {
  return request('checkinCode', { params: { activity_id: id } });
}

function attendance(id) {
  return request('attendance', { params: { activity_id: id } });
}

function mark(activityId, memberId, status, note = '') {
  return request('markAttendance', { params: { activity_id: activityId, member_id: memberId }, data: { status, note } });
}

function remindMe(id) {
  return request('subscribeReminder', { params: { activity_id: id } });
}

module.exports = { mine, detail, checkIn, askLeave, create, code, attendance, mark, remindMe };
