const { request } = require('./client');

// 先锋指数: the member's own tasks, self-evaluation and peer grades; the announcement and an
// objection to it; the secretary's review and follow-ups.
const mine = async () => (await request('myEvaluation')).items;

// Points as numbers, every item of the scheme; a blank item is refused here, in words.
function points(schemeItems, typed) {
  const out = {};
  for (const item of schemeItems) {
    const text = String(typed[item.key] === undefined ? '' : typed[item.key]).trim();
    const value = Number(text);
    if (text === '' || Number.isNaN(value)) throw new Error(`请给“${item.label}”打分`);
    if (value < 0 || value > item.max) throw new Error(`“${item.label}”的分数应在0到${item.max}之间`);
    out[item.key] = value;
  }
  return out;
}

const saveSelf = (id, items, summary) => request('saveSelfEvaluation', { params: { evaluation_id: id }, data: { items, summary } });
const gradePeer = (id, peerId, grade) => request('gradePeer', { params: { evaluation_id: id, peer_evaluation_id: peerId }, data: { grade } });
const announcement = (code) => request('announcement', { params: { code } });

function object(cycleId, evaluationId, reason) {
  const text = (reason || '').trim();
  if (!text) return Promise.reject(new Error('请写明异议的理由'));
  const data = { reason: text };
  if (evaluationId) data.evaluation_id = evaluationId;
  return request('objectTo', { params: { cycle_id: cycleId }, data });
}

const cycles = async () => (await request('evaluationCycles')).items;
const table = (cycleId, status, offset = 0) => request('reviewTable', { params: { cycle_id: cycleId }, query: { status, limit: 50, offset } });
const detail = (id) => request('evaluationDetail', { params: { evaluation_id: id } });
const saveReview = (id, items, adjustments) => request('saveReview', { params: { evaluation_id: id }, data: { items, adjustments } });
const followUps = async (cycleId) => (await request('followUps', { params: { cycle_id: cycleId }, query: { open: true } })).items;

function saveFollowUp(id, form) {
  const data = {};
  ['talk_on', 'talk_by', 'talk_notes', 'due_on'].forEach((key) => { if (form[key]) data[key] = form[key].trim(); });
  if (form.mentor_evaluation_id) data.mentor_evaluation_id = Number(form.mentor_evaluation_id);
  return request('saveFollowUp', { params: { evaluation_id: id }, data });
}

module.exports = { mine, points, saveSelf, gradePeer, announcement, object, cycles, table, detail, saveReview, followUps, saveFollowUp };
