// The secretary's sheet and check-in code, through their main actions.
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const { installFakeWx } = require('./wx');
const { open, server } = require('./harness');

let fake = null;
beforeEach(() => client.reset());
afterEach(() => {
  if (fake) fake.restore();
  fake = null;
});

describe('attendance sheet', () => {
  const entry = (id, name, status = null) => ({ member_id: id, name, category: 'local', status, method: status ? 'scan' : null, note: '' });
  const sheet = {
    activity_id: 3, expected: 4, present: 1, leave: 0, absent: 0, unrecorded: 3,
    entries: [entry(10, '党员10'), entry(2, '党员2', 'present'), entry(11, '党员11'), entry(1, '党员1')],
  };

  test('names in the order people count; a leave request is approved with a tap and the sheet reloads', async () => {
    const leave = { items: [{ id: 9, activity_id: 3, member_id: 11, reason: '进货', status: 'pending', created_at: '2026-12-09T10:00:00+08:00' },
      { id: 8, activity_id: 3, member_id: 1, reason: '生病', status: 'approved', created_at: '2026-12-08T10:00:00+08:00' }] };
    const decided = [];
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/activities/3/attendance', sheet],
        ['GET', '/api/v1/activities/3/leave', () => leave],
        ['POST', /\/leave\/\d+\/(approve|reject)$/, (req) => {
          decided.push(req.url.replace(/^.*\/leave\//, ''));
          leave.items[0].status = 'approved';
          return { status: 200, data: { ...leave.items[0] } };
        }],
        ['PUT', '/api/v1/activities/3/attendance/10', { ...sheet, present: 2, entries: [entry(10, '党员10', 'present'), ...sheet.entries.slice(1)] }],
      ]),
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('attendance', { id: '3' });
    await simulate.sleep(30);
    expect(comp.querySelectorAll('.entry .name').map((n) => n.dom.textContent.replace(' ›', ''))).toEqual(['党员1', '党员2', '党员10', '党员11']);
    const requests = comp.querySelectorAll('.request');
    expect(requests).toHaveLength(1); // the decided one is not asked again
    expect(requests[0].dom.textContent).toContain('党员11');
    expect(requests[0].dom.textContent).toContain('原因：进货');
    await comp.instance.decide({ currentTarget: { dataset: { id: 9, approve: 'yes' } } });
    await simulate.sleep(20);
    expect(decided).toEqual(['9/approve']);
    expect(comp.querySelectorAll('.request')).toHaveLength(0);
    await comp.instance.mark({ currentTarget: { dataset: { member: 10, status: 'present' } } });
    const marked = fake.calls.find((c) => c.method === 'PUT');
    expect(marked.data).toEqual({ status: 'present', note: '' });
    expect(comp.querySelectorAll('.entry .status')[2].dom.textContent).toBe('出席（扫码）');
  });

  test('a sheet that cannot be read says why and offers 重试', async () => {
    fake = installFakeWx({ handler: server([]) });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('attendance', { id: '3' });
    await simulate.sleep(30);
    expect(comp.querySelector('.error').dom.textContent).toContain('no route');
    expect(comp.querySelector('.btn').dom.textContent).toBe('重试');
  });
});

describe('check-in code page', () => {
  test('bright while shown, the phone\'s own brightness back when hidden; a fresh code at once on coming back', async () => {
    let codes = 0;
    fake = installFakeWx({
      handler: server([
        ['GET', '/api/v1/activities/3/checkin-code', () => { codes += 1; return { token: `t${codes}`, url: 'u', expires_in: 20, qr: `data:image/png;base64,${codes}` }; }],
        ['GET', '/api/v1/activities/3/attendance', { expected: 30, present: 12, entries: [] }],
      ]),
    });
    fake.setStorageSync('dj_token', 'secretary');
    const comp = open('checkin-code', { id: '3', title: encodeURIComponent('十二月支部党员大会') });
    comp.instance.onShow();
    await simulate.sleep(30);
    expect(fake.setScreenBrightness).toHaveBeenLastCalledWith({ value: 1 });
    // the phone's own brightness is read before the page turns it up, or 1 would be restored
    expect(fake.getScreenBrightness.mock.invocationCallOrder[0]).toBeLessThan(fake.setScreenBrightness.mock.invocationCallOrder[0]);
    expect(fake.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: true });
    expect(codes).toBe(1);
    const code = comp.querySelector('#code');
    expect(code.data.present).toBe(12);
    // WeChat goes to the background: the page and its component are hidden
    comp.instance.onHide();
    comp.triggerPageLifeTime('hide');
    expect(fake.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.4 }); // what it was before
    expect(fake.setKeepScreenOn).toHaveBeenLastCalledWith({ keepScreenOn: false });
    comp.instance.onShow();
    comp.triggerPageLifeTime('show');
    await simulate.sleep(20);
    expect(codes).toBe(2); // not waiting for a timer that did not run in the background
    expect(code.data.qr).toBe('data:image/png;base64,2');
    comp.instance.onUnload();
    expect(fake.setScreenBrightness).toHaveBeenLastCalledWith({ value: 0.4 });
    comp.detach();
  });
});
