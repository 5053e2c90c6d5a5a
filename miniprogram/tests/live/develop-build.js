// The develop build's services against a real server in fake WeChat mode (make run's), with a
// `wx` whose request is real HTTP: run by tests/test_miniprogram_live.py as
//   node develop-build.js <base url>
// and prints what happened as JSON. Nothing here is a stand-in but wx.login (which answers a
// real-looking code the fake gateway must never be sent) and the navigation it records.
const storage = new Map();
const navigated = [];
let wxLogins = 0;
global.wx = {
  getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
  getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
  setStorageSync: (key, value) => storage.set(key, value),
  removeStorageSync: (key) => storage.delete(key),
  login: ({ success }) => { wxLogins += 1; success({ code: '0a3Xk9000real' }); },
  navigateTo: ({ url }) => navigated.push(url),
  request: ({ url, method, data, header, success, fail }) => {
    fetch(url, { method, headers: { ...header, 'Content-Type': 'application/json' }, body: data === undefined ? undefined : JSON.stringify(data) })
      .then(async (res) => success({ statusCode: res.status, data: await res.json().catch(() => null) }))
      .catch(() => fail({ errMsg: 'request:fail' }));
  },
};

const config = require('../../src/utils/config');

config.BASE_URLS.develop = process.argv[2]; // DEVELOP_BASE_URL, pointed at the test's server

const client = require('../../src/services/client');
const account = require('../../src/services/account');
const activities = require('../../src/services/activities');
const location = require('../../src/utils/location');
const offline = require('../../src/services/offline');

// Beijing wall time `minutes` from now, as the server takes it
function beijingIn(minutes) {
  return `${new Date(Date.now() + 8 * 3600 * 1000 + minutes * 60 * 1000).toISOString().slice(0, 16)}:00+08:00`;
}

function as(name) {
  client.get().auth.useDevUser(name);
}

async function main() {
  const report = {};
  const first = await account.start().catch((error) => error);
  report.first = { code: first.code, navigated: [...navigated], wxLogins };
  report.users = (await client.devUsers()).map((u) => u.key);

  as('secretary1');
  const secretary = await account.start();
  report.secretary = { staff: secretary.staff, roles: secretary.roles.map((r) => r.org_name) };
  const orgs = (await client.request('orgs')).items;
  const market = orgs.find((o) => o.name === '河坊街市场党支部');
  const tomorrow = new Date(Date.now() + 8 * 3600 * 1000 + 86400 * 1000).toISOString().slice(0, 10);
  const meeting = await activities.create({ org_id: market.id, kind: 'party_congress', title: '十二月支部党员大会',
    place: '市场党员活动室', starts_at: `${tomorrow}T19:00:00+08:00`, duration_minutes: 120 });

  as('vendor1');
  const vendor = await account.start();
  report.vendor = { name: vendor.member && vendor.member.name, staff: vendor.staff };
  report.upcoming = (await activities.upcoming()).map((a) => a.title);
  report.before = await activities.myLeave(meeting.id);
  const refused = await activities.askLeave(meeting.id, '').catch((error) => error);
  report.emptyReason = { status: refused.status, fields: refused.fields };
  await activities.askLeave(meeting.id, '去义乌进货');
  report.pending = (await activities.myLeave(meeting.id)).status;

  as('secretary1');
  await account.start();
  const requests = (await activities.leaveRequests(meeting.id)).items;
  report.requests = requests.map((l) => ({ reason: l.reason, status: l.status }));
  await activities.decideLeave(meeting.id, requests[0].id, true);

  as('vendor1');
  await account.start();
  report.decided = (await activities.myLeave(meeting.id)).status;

  // Location check-in: a lecture in ten minutes with a 200 m geofence round the market.
  as('secretary1');
  await account.start();
  const fenced = await client.request('createActivity', { data: { org_id: market.id, kind: 'lecture', title: '党课：定位签到',
    place: '河坊街商品市场', starts_at: beijingIn(10), duration_minutes: 60, geofence: { lat: 30.2489, lng: 120.1711, radius_m: 200 } } });
  const { token } = await activities.code(fenced.id);
  as('vendor1');
  await account.start();
  const bare = await activities.checkIn(token).catch((error) => error);
  global.wx.getLocation = ({ success }) => success({ latitude: 30.2610, longitude: 120.1900, accuracy: 25 }); // 2 km away
  const far = await activities.checkIn(token, await location.get(global.wx)).catch((error) => error);
  global.wx.getLocation = ({ success }) => success({ latitude: 30.2491, longitude: 120.1713, accuracy: 30 });
  const here = await location.get(global.wx);
  const signed = await activities.checkIn(token, here);
  report.location = { bare: bare.code, far: far.code, sent: here, title: signed.activity_title };

  // No signal in the room: the vendor's 我的签到码 and a member card scanned by the secretary's
  // phone against the downloaded list, uploaded twice when the network is back.
  const vendorCode = await client.request('memberCode', { params: { member_id: vendor.member.id } });
  as('secretary1');
  await account.start();
  const lecture = await client.request('createActivity', { data: { org_id: market.id, kind: 'lecture', title: '党课：离线签到',
    place: '地下室会议室', starts_at: beijingIn(5), duration_minutes: 60 } });
  const pack = await offline.download(global.wx, lecture.id);
  const sheet = await activities.attendance(lecture.id);
  const other = sheet.entries.find((e) => e.member_id !== vendor.member.id);
  const otherCode = await client.request('memberCode', { params: { member_id: other.member_id } });
  const realRequest = global.wx.request;
  global.wx.request = ({ fail }) => fail({ errMsg: 'request:fail' }); // the basement
  const scanned = [offline.scan(global.wx, lecture.id, vendorCode.url), offline.scan(global.wx, lecture.id, otherCode.url),
    offline.scan(global.wx, lecture.id, vendorCode.url)];
  const whileOffline = await offline.upload(global.wx, lecture.id).catch((error) => error.code);
  global.wx.request = realRequest;
  const uploaded = await offline.upload(global.wx, lecture.id);
  // a second phone retrying the same stored batch (as after a lost answer): nothing changes
  const again = await client.request('offlineScans', { params: { activity_id: lecture.id }, data: {
    device_id: offline.deviceId(global.wx), pack: pack.pack, downloaded_at: pack.downloaded_at, sent_at: new Date().toISOString(),
    scans: offline.queue(global.wx, lecture.id).map((s) => ({ seq: s.seq, member_code: s.member_code, scanned_at: s.scanned_at })) } });
  const after = await activities.attendance(lecture.id);
  report.offline = {
    packMembers: pack.members.length, scanned: scanned.map((r) => [r.ok, r.name, r.already]), whileOffline,
    first: uploaded.counts, again: again.counts, present: after.present,
    methods: after.entries.filter((e) => e.status === 'present').map((e) => e.method),
  };
  report.wxLogins = wxLogins;
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error.message}\n`);
  process.exit(1);
});
