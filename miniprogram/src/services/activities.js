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

function record(id) {
  return request('record', { params: { activity_id: id } });
}

function saveRecord(id, data) {
  return request('saveRecord', { params: { activity_id: id }, data });
}

function attended(memberId, offset = 0) {
  return request('myAttendance', { params: { member_id: memberId }, query: { limit: 50, offset } });
}

function plan(orgId, year) {
  return request('meetingPlan', { query: year ? { org_id: orgId, year } : { org_id: orgId } });
}

function remindPlan(orgId) {
  return request('subscribePlanReminder', { params: { org_id: orgId } });
}

module.exports = {
  mine, detail, checkIn, askLeave, create, code, attendance, mark, remindMe, record, saveRecord, attended, plan, remindPlan,
};
