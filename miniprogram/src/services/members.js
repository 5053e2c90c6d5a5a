const { request } = require('./client');

// A member's record (their own, or one a secretary looks after) and its history.
function get(id) {
  return request('member', { params: { member_id: id } });
}

function history(id) {
  return request('memberHistory', { params: { member_id: id } });
}

// What a secretary records from the phone. `day`: when it happened (YYYY-MM-DD), today by default
// on the server; a past day records it late. `reason` goes into the history.
function change(id, data) {
  const clean = {};
  Object.keys(data).forEach((key) => {
    const value = typeof data[key] === 'string' ? data[key].trim() : data[key];
    if (value !== undefined && value !== '') clean[key] = value;
  });
  if (data.away_since === null) clean.away_since = null;
  return request('updateMember', { params: { member_id: id }, data: clean });
}

const markAway = (id, day, reason) => change(id, { away_since: day, reason });
const markBack = (id, reason) => change(id, { away_since: null, reason });
const setBusiness = (id, status, day, reason) => change(id, { business_status: status, effective_on: day, reason });

function markLeft(id, leftReason, day, reason) {
  if (!leftReason) return Promise.reject(new Error('请选择离开的原因'));
  return change(id, { membership: 'left', left_reason: leftReason, effective_on: day, reason });
}

module.exports = { get, history, markAway, markBack, setBusiness, markLeft };
