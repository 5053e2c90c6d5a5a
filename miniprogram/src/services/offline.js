// Attendance without a network, on the secretary's phone: the activity's pack downloaded while
// online, member cards (or 我的签到码 on a member's phone) scanned against it in a room with no
// signal, each scan kept in storage with the phone's time, a sequence number and this phone's
// id, and uploaded when the network is back. The server counts each (phone, sequence number)
// once, so an upload that is retried, or sent twice, changes nothing.
const { request } = require('./client');
const { parseUrl } = require('../utils/qr');
const { sha256 } = require('../utils/sha256');

const DEVICE_KEY = 'dj_device_id';
const SEQ_KEY = 'dj_scan_seq';
const PACK_KEY = (id) => `dj_pack_${id}`;
const QUEUE_KEY = (id) => `dj_scans_${id}`;
const LATE_MS = 5 * 60 * 1000; // the server's tolerance for the phone's clock
const CHUNK = 500; // scans per upload (the server takes up to 1,000)
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function deviceId(wxApi) {
  let id = wxApi.getStorageSync(DEVICE_KEY);
  if (!id) {
    id = `mp-${Array.from({ length: 16 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('')}`;
    wxApi.setStorageSync(DEVICE_KEY, id);
  }
  return id;
}

function nextSeq(wxApi) {
  const seq = (Number(wxApi.getStorageSync(SEQ_KEY)) || 0) + 1;
  wxApi.setStorageSync(SEQ_KEY, seq);
  return seq;
}

function queue(wxApi, activityId) {
  return wxApi.getStorageSync(QUEUE_KEY(activityId)) || [];
}

function saveQueue(wxApi, activityId, items) {
  wxApi.setStorageSync(QUEUE_KEY(activityId), items);
}

function storedPack(wxApi, activityId) {
  return wxApi.getStorageSync(PACK_KEY(activityId)) || null;
}

async function download(wxApi, activityId, now = () => new Date()) {
  const pack = await request('offlinePack', { params: { activity_id: activityId } });
  const stored = { ...pack, downloaded_at: now().toISOString() };
  wxApi.setStorageSync(PACK_KEY(activityId), stored);
  return stored;
}

// One scanned text: {ok, name, already} or {ok: false, reason}. Works with no network at all.
function scan(wxApi, activityId, text, now = () => new Date()) {
  const found = parseUrl(text);
  if (found.kind !== 'member') return { ok: false, reason: '这不是党员签到卡或“我的签到码”' };
  const pack = storedPack(wxApi, activityId);
  if (!pack) return { ok: false, reason: '还没有下载签到名单：请在有网络的地方先点“下载名单”' };
  const at = now();
  if (at.getTime() > Date.parse(pack.valid_until) + LATE_MS) return { ok: false, reason: '签到时段已经结束，不能再签到' };
  const digest = sha256(`${activityId}:${found.code}`).slice(0, 24);
  const member = pack.members.find((m) => m.digest === digest);
  if (!member) return { ok: false, reason: '不在本次活动的应到名单里，或这张卡已补办作废' };
  const items = queue(wxApi, activityId);
  if (items.some((s) => s.member_id === member.member_id)) return { ok: true, already: true, name: member.name };
  items.push({ seq: nextSeq(wxApi), member_code: found.code, scanned_at: at.toISOString(), member_id: member.member_id,
    name: member.name, outcome: null });
  saveQueue(wxApi, activityId, items);
  return { ok: true, already: false, name: member.name };
}

function waiting(wxApi, activityId) {
  return queue(wxApi, activityId).filter((s) => !s.outcome);
}

// Sends what waits, in chunks; each scan keeps the outcome the server gave it. Throws (the scans
// stay waiting) when the network or the server fails.
async function upload(wxApi, activityId, now = () => new Date()) {
  const pack = storedPack(wxApi, activityId);
  const pending = waiting(wxApi, activityId);
  if (!pack || !pending.length) return { sent: 0, counts: {} };
  const counts = {};
  for (let at = 0; at < pending.length; at += CHUNK) {
    const chunk = pending.slice(at, at + CHUNK);
    const answer = await request('offlineScans', {
      params: { activity_id: activityId },
      data: {
        device_id: deviceId(wxApi), pack: pack.pack, downloaded_at: pack.downloaded_at, sent_at: now().toISOString(),
        scans: chunk.map((s) => ({ seq: s.seq, member_code: s.member_code, scanned_at: s.scanned_at })),
      },
    });
    const outcomes = {};
    answer.results.forEach((r) => { outcomes[r.seq] = r.outcome; counts[r.outcome] = (counts[r.outcome] || 0) + 1; });
    saveQueue(wxApi, activityId, queue(wxApi, activityId).map((s) => (outcomes[s.seq] ? { ...s, outcome: outcomes[s.seq] } : s)));
  }
  return { sent: pending.length, counts };
}

module.exports = { download, storedPack, scan, waiting, queue, upload, deviceId };
