const { request, upload } = require('./client');

// 市场与六化 on the phone, for market-line staff: the stalls of a market with their plates and
// the year's spot checks (a check is a photo with what was found), the 六化 items that staff
// attest and their evidence (photos taken on the spot); and the figures of the secretary's home.

const under = (orgId) => request('markets', { query: { under: orgId } }).then((r) => r.items);
const stalls = (marketId, year) => request('marketStalls', { params: { market_id: marketId }, query: { year } });
const checklist = (marketId, year) => request('standardisation', { params: { market_id: marketId }, query: { year } });
const overview = (orgId) => request('statisticsOverview', { query: { org_id: orgId } });

function spotCheck(wxApi, marketId, stallNo, hung, readable, photoPath, note) {
  if (!photoPath) return Promise.reject(new Error('请先拍一张摊位三亮牌的照片'));
  const query = { stall_no: stallNo, hung: String(!!hung), readable: String(!!readable), note: (note || '').trim() };
  return upload(wxApi, 'addSpotCheck', { market_id: marketId }, photoPath, 'photo', query);
}

function evidence(wxApi, marketId, year, itemKey, filePath) {
  return upload(wxApi, 'uploadEvidence', { market_id: marketId, year, item_key: itemKey }, filePath, 'file');
}

// The attested items of a checklist, flat, with what each still needs.
function attested(list) {
  return list.areas.reduce((all, area) => all.concat(area.items.filter((i) => i.how === 'attested').map((i) => ({
    key: i.key, area: area.label, label: i.label, met: i.met, figure: i.figure, count: i.evidence.length,
  }))), []);
}

// The home's few figures: today's and, beside each, the last snapshot's.
const HOME_KEYS = ['members', 'in_market', 'markets_met', 'plates_hung'];
function homeFigures(view) {
  return HOME_KEYS.map((key) => view.figures.find((f) => f.key === key)).filter(Boolean)
    .map((f) => ({ key: f.key, label: f.label, value: f.value, last: f.last === null || f.last === undefined ? '' : String(f.last) }));
}

module.exports = { under, stalls, checklist, overview, spotCheck, evidence, attested, homeFigures };
