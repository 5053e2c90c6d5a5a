const { request } = require('./client');
const { checkRegistration } = require('../utils/rules');

// Checks the form with the server's rules first; returns {fields} to show, or the registration.
async function submit(form) {
  const checked = checkRegistration(form);
  if (!checked.valid) return { fields: checked.fields };
  try {
    return { registration: await request('submitRegistration', { data: checked.data }) };
  } catch (error) {
    if (error.fields && Object.keys(error.fields).length) return { fields: error.fields, message: error.message };
    throw error;
  }
}

async function choices() {
  const [orgs, markets] = await Promise.all([request('orgs'), request('markets')]);
  // Org life happens at a branch, a party branch or a market's party org, never an association.
  const branches = orgs.items.filter((org) => org.kind !== 'association');
  return { branches, markets: markets.items };
}

function queue(offset = 0, limit = 20) {
  return request('registrations', { query: { status: 'pending', limit, offset } });
}

function approve(id, category) {
  return request('approveRegistration', { params: { registration_id: id }, data: { category } });
}

function reject(id, reason) {
  if (!reason || !reason.trim()) return Promise.reject(new Error('请写明退回原因，方便党员修改'));
  return request('rejectRegistration', { params: { registration_id: id }, data: { reason: reason.trim() } });
}

module.exports = { submit, choices, queue, approve, reject };
