const { request } = require('./client');
const { nonce } = require('../utils/nonce');
const { today } = require('../utils/format');

// A page of activities, newest first (a member: those expected at; a secretary: those run).
function list(offset = 0, limit = 20) {
  return request('activities', { query: { limit, offset } });
}

// What is on from today (Beijing) on, soonest first, finished ones left out.
async function upcoming(now = Date.now()) {
  const page = await request('activities', { query: { from: `${today(now)}T00:00:00+08:00`, limit: 50 } });
  return page.items
    .filter((a) => a.status !== 'cancelled' && Date.parse(a.ends_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
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

async function myLeave(id) {
  return (await request('myLeave', { params: { activity_id: id } })).leave;
}

function leaveRequests(id) {
  return request('leaveRequests', { params: { activity_id: id } });
}

function decideLeave(activityId, leaveId, approve) {
  return request(approve ? 'approveLeave' : 'rejectLeave', { params: { activity_id: activityId, leave_id: leaveId } });
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

function attended(memberId, offset = 0, limit = 20) {
  return request('myAttendance', { params: { member_id: memberId }, query: { limit, offset } });
}

function plan(orgId, year) {
  return request('meetingPlan', { query: year ? { org_id: orgId, year } : { org_id: orgId } });
}

function remindPlan(orgId) {
  return request('subscribePlanReminder', { params: { org_id: orgId } });
}

module.exports = {
  list, upcoming, detail, checkIn, askLeave, myLeave, leaveRequests, decideLeave, create, code, attendance, mark, remindMe,
  record, saveRecord, attended, plan, remindPlan,
};
