// Offline check-in on the secretary's phone, with the network switched off: the list downloaded
// while online, cards scanned against it with no network, the scans kept with their sequence
// numbers, and sent when the network comes back (and sent again unchanged after a failed try).
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const network = require('../src/utils/network');
const { sha256 } = require('../src/utils/sha256');
const { installFakeWx } = require('./wx');
const harness = require('./harness');

const opened = [];
function open(name, options) {
  const comp = harness.open(name, options);
  opened.push(comp);
  return comp;
}
const { server } = harness;

const ACTIVITY = 12;
const digest = (code) => sha256(`${ACTIVITY}:${code}`).slice(0, 24);
const card = (code) => `https://dj.example.cn/m/${code}`;
const soon = new Date(Date.now() + 3 * 3600 * 1000).toISOString();
const pack = {
  activity_id: ACTIVITY, title: '十二月支部党员大会', pack: '12.1764300000.1764310000.0123456789abcdef0123456789abcdef',
  issued_at: new Date().toISOString(), opens_at: new Date().toISOString(), valid_until: soon,
  members: [{ member_id: 1, name: '王建国', digest: digest('k7m2x9qr4tzw') }, { member_id: 2, name: '欧阳建华', digest: digest('hfjwjgdemxz8') }],
};

let fake = null;
let up = true;
const uploads = [];
let failNext = false;

beforeEach(() => {
  client.reset();
  network.reset();
  up = true;
  uploads.length = 0;
  failNext = false;
  const routes = server([
    ['GET', `/api/v1/activities/${ACTIVITY}/offline-pack`, pack],
    ['POST', `/api/v1/activities/${ACTIVITY}/offline-scans`, (req) => {
      uploads.push(req.data);
      if (failNext) {
        failNext = false;
        return { status: 503, data: { error: { code: 'backend_unavailable', message: '服务暂时不可用，请稍后再试' } } };
      }
      return { status: 200, data: { results: req.data.scans.map((s) => ({ seq: s.seq, outcome: 'recorded' })), counts: { recorded: req.data.scans.length } } };
    }],
  ]);
  fake = installFakeWx({ handler: (req) => (up ? routes(req) : null) }); // null: no answer at all, as with no signal
  fake.setStorageSync('dj_token', 'secretary');
});
afterEach(() => {
  opened.splice(0).forEach((comp) => comp.detach()); // their timers stop with them
  fake.restore();
  network.reset();
});

function offlineNow() {
  up = false;
  network.update(false);
}

function scanning(comp, text) {
  fake.scanCode.mockImplementationOnce(({ success }) => success({ result: text }));
  comp.instance.scan();
}

test('the digest is the server\'s: sha256("<activity>:<code>"), first 24 hex digits', () => {
  expect(sha256('12:k7m2x9qr4tzw').slice(0, 24)).toBe('c46497527765a6b63a11222b'); // Python's hashlib
});

test('no signal in the room: cards are checked against the list and kept; the network comes back and they go up', async () => {
  const comp = open('offline-scan', { id: String(ACTIVITY), title: encodeURIComponent('十二月支部党员大会') });
  await simulate.sleep(30);
  expect(comp.querySelector('.muted').dom.textContent).toContain('应到 2 人');
  offlineNow();
  expect(comp.data.offline).toBe(true);
  scanning(comp, card('k7m2x9qr4tzw'));
  expect(comp.querySelector('.result .name').dom.textContent).toBe('王建国');
  expect(comp.querySelector('.result .what').dom.textContent).toBe('签到成功');
  scanning(comp, card('k7m2x9qr4tzw'));
  expect(comp.querySelector('.result .what').dom.textContent).toBe('刚才已经扫过了');
  scanning(comp, card('zzzzzzzzzzzz'));
  expect(comp.querySelector('.result .what').dom.textContent).toContain('不在本次活动的应到名单');
  scanning(comp, 'https://dj.example.cn/p/hfjwjgdemxz8'); // a stall's plate, not a card
  expect(comp.querySelector('.result .what').dom.textContent).toContain('不是党员签到卡');
  scanning(comp, card('hfjwjgdemxz8'));
  expect(comp.data.waiting).toBe(2);
  const kept = fake.getStorageSync(`dj_scans_${ACTIVITY}`);
  expect(kept.map((s) => [s.seq, s.member_code])).toEqual([[1, 'k7m2x9qr4tzw'], [2, 'hfjwjgdemxz8']]);
  await comp.instance.upload(); // still no network: nothing is lost
  expect(uploads).toHaveLength(0);
  expect(comp.data.waiting).toBe(2);

  up = true;
  network.update(true); // back in the corridor
  await simulate.sleep(30);
  expect(uploads).toHaveLength(1);
  const sent = uploads[0];
  expect(sent.device_id).toMatch(/^mp-[a-z2-9]{16}$/);
  expect(sent.pack).toBe(pack.pack);
  expect(sent.scans.map((s) => [s.seq, s.member_code])).toEqual([[1, 'k7m2x9qr4tzw'], [2, 'hfjwjgdemxz8']]);
  expect(sent.scans[0].scanned_at <= sent.scans[1].scanned_at).toBe(true);
  expect(Date.parse(sent.downloaded_at)).toBeLessThanOrEqual(Date.parse(sent.sent_at));
  expect(comp.data.waiting).toBe(0);
  expect(comp.querySelectorAll('.scan-row')[0].dom.textContent).toContain('已记为出席');
});

test('a failed upload keeps the scans, and the retry sends the same sequence numbers', async () => {
  const comp = open('offline-scan', { id: String(ACTIVITY) });
  await simulate.sleep(30);
  offlineNow();
  scanning(comp, card('k7m2x9qr4tzw'));
  up = true;
  failNext = true;
  network.update(true); // the network is back, but the server fails this once
  await simulate.sleep(30);
  expect(comp.data.waiting).toBe(1); // kept for the next try
  await comp.instance.upload();
  expect(uploads.map((u) => u.scans.map((s) => s.seq))).toEqual([[1], [1]]);
  expect(uploads[0].device_id).toBe(uploads[1].device_id);
  expect(comp.data.waiting).toBe(0);
  scanning(comp, card('hfjwjgdemxz8'));
  await simulate.sleep(30); // online now: the scan goes up at once
  expect(uploads[2].scans.map((s) => s.seq)).toEqual([2]); // sequence numbers only go up
});

test('连续扫: the camera opens again after each good card, until it is closed or a card is refused', async () => {
  const comp = open('offline-scan', { id: String(ACTIVITY) });
  await simulate.sleep(30);
  offlineNow();
  fake.scanCode
    .mockImplementationOnce(({ success }) => success({ result: card('k7m2x9qr4tzw') }))
    .mockImplementationOnce(({ success }) => success({ result: card('hfjwjgdemxz8') }))
    .mockImplementationOnce(({ success }) => success({ result: card('zzzzzzzzzzzz') }));
  comp.instance.scan();
  await simulate.sleep(2000);
  expect(fake.scanCode).toHaveBeenCalledTimes(3); // two good cards, then the refused one stops it
  expect(comp.data.waiting).toBe(2);
  expect(comp.querySelector('.result .what').dom.textContent).toContain('不在本次活动的应到名单');
  comp.instance.toggleContinuous({ detail: { value: false } });
  fake.scanCode.mockImplementationOnce(({ success }) => success({ result: card('k7m2x9qr4tzw') }));
  comp.instance.scan();
  await simulate.sleep(1000);
  expect(fake.scanCode).toHaveBeenCalledTimes(4); // one at a time when switched off
  comp.instance.onUnload();
});

test('without the list nothing is counted, and a list past its window refuses', async () => {
  up = false;
  network.update(false);
  const comp = open('offline-scan', { id: String(ACTIVITY) });
  scanning(comp, card('k7m2x9qr4tzw'));
  expect(comp.querySelector('.result .what').dom.textContent).toContain('还没有下载签到名单');
  fake.setStorageSync(`dj_pack_${ACTIVITY}`, { ...pack, valid_until: new Date(Date.now() - 3600 * 1000).toISOString(), downloaded_at: new Date().toISOString() });
  scanning(comp, card('k7m2x9qr4tzw'));
  expect(comp.querySelector('.result .what').dom.textContent).toContain('签到时段已经结束');
  expect(fake.getStorageSync(`dj_scans_${ACTIVITY}`)).toBe('');
});

test('我的签到码 opens without a network once it has been shown', async () => {
  const code = { code: 'k7m2x9qr4tzw', url: card('k7m2x9qr4tzw'), qr: 'data:image/png;base64,AAAA', issued_at: new Date().toISOString() };
  const routes = server([['GET', '/api/v1/members/1/member-code', code]]);
  let signal = true;
  fake.restore();
  fake = installFakeWx({ handler: (req) => (signal ? routes(req) : null) });
  fake.setStorageSync('dj_token', 'member');
  let comp = open('my-code', { member_id: '1' });
  await simulate.sleep(30);
  expect(comp.querySelector('.code').dom.textContent).toBe('k7m2x9qr4tzw');
  signal = false; // the basement
  comp = open('my-code', { member_id: '1' });
  await simulate.sleep(30);
  expect(fake.calls.length).toBe(2); // it tried, and failed
  expect(comp.querySelector('.code').dom.textContent).toBe('k7m2x9qr4tzw');
  expect(comp.querySelector('.error')).toBeUndefined();
});
