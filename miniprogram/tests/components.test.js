const path = require('path');
const simulate = require('miniprogram-simulate');
const client = require('../src/services/client');
const privacy = require('../src/utils/privacy');
const { installFakeWx } = require('./wx');

// Each component is loaded once: miniprogram-simulate registers a path only the first time.
const loaded = {};
const component = (name) => {
  // The pure-JS template compiler: the official one (a bundled binary) mixes up several
  // components compiled in one test file.
  loaded[name] = loaded[name] || simulate.load(path.join(__dirname, '../src/components', name, 'index'), undefined,
    { compiler: 'simulate' });
  return loaded[name];
};
let fake = null;

beforeEach(() => {
  client.reset();
  privacy.reset();
});

afterEach(() => {
  if (fake) fake.restore();
  fake = null;
});

describe('star-rating', () => {
  test('tapping a star sets the score, lights the stars up to it and tells the page', async () => {
    const id = component('star-rating');
    const comp = simulate.render(id);
    comp.attach(document.createElement('parent-wrapper'));
    const changes = [];
    comp.addEventListener('change', (event) => changes.push(event.detail.value));
    const stars = comp.querySelectorAll('.star');
    expect(stars).toHaveLength(5);
    stars[3].dispatchEvent('tap');
    await simulate.sleep(10);
    expect(changes).toEqual([4]);
    expect(comp.data.value).toBe(4);
    expect(comp.querySelectorAll('.star').filter((s) => s.dom.className.includes('on'))).toHaveLength(4);
    expect(comp.querySelector('.label').dom.textContent).toBe('满意');
  });

  test('a read-only rating does not change', async () => {
    const id = component('star-rating');
    const comp = simulate.render(id, { value: 2, readonly: true });
    comp.attach(document.createElement('parent-wrapper'));
    comp.querySelectorAll('.star')[4].dispatchEvent('tap');
    await simulate.sleep(10);
    expect(comp.data.value).toBe(2);
  });
});

describe('checkin-code', () => {
  afterEach(() => jest.useRealTimers());

  test('fetches a new code before the old one expires, shows the live count, and stops when gone', async () => {
    jest.useFakeTimers();
    let codes = 0;
    let present = 3;
    fake = installFakeWx({
      handler: ({ url }) => {
        if (url.endsWith('/checkin-code')) {
          codes += 1;
          return { statusCode: 200, data: { token: `t${codes}`, url: `https://x/c/t${codes}`, expires_in: 10, qr: `data:image/png;base64,QR${codes}` } };
        }
        return { statusCode: 200, data: { present, expected: 40, leave: 0, absent: 0, entries: [] } };
      },
    });
    fake.setStorageSync('dj_token', 'secretary-token');
    const id = component('checkin-code');
    const comp = simulate.render(id, { activityId: 12, title: '十二月支部党员大会' });
    comp.attach(document.createElement('parent-wrapper'));
    await jest.advanceTimersByTimeAsync(10);
    expect(comp.data.qr).toBe('data:image/png;base64,QR1');
    expect(comp.querySelector('.count').dom.textContent).toMatch(/3\s*\/\s*40 人已签到/);
    await jest.advanceTimersByTimeAsync(6900); // 7 s after the first: 3 s before it would expire
    expect(comp.data.qr).toBe('data:image/png;base64,QR1');
    await jest.advanceTimersByTimeAsync(200);
    expect(comp.data.qr).toBe('data:image/png;base64,QR2');
    present = 17;
    await jest.advanceTimersByTimeAsync(5000);
    expect(comp.data.present).toBe(17);
    expect(fake.calls[0].url).toBe('http://127.0.0.1:8000/api/v1/activities/12/checkin-code');
    expect(fake.calls[0].header.Authorization).toBe('Bearer secretary-token');
    comp.detach();
    const calls = fake.calls.length;
    await jest.advanceTimersByTimeAsync(60000);
    expect(fake.calls.length).toBe(calls);
  });

  test("a refusal shows the server's message in place of the code", async () => {
    jest.useFakeTimers();
    fake = installFakeWx({
      handler: ({ url }) => (url.endsWith('/checkin-code')
        ? { statusCode: 409, data: { error: { code: 'activity_cancelled', message: '该活动已取消', fields: {} } } }
        : { statusCode: 200, data: { present: 0, expected: 5 } }),
    });
    fake.setStorageSync('dj_token', 't');
    const id = component('checkin-code');
    const comp = simulate.render(id, { activityId: 1 });
    comp.attach(document.createElement('parent-wrapper'));
    await jest.advanceTimersByTimeAsync(10);
    expect(comp.data.qr).toBe('');
    expect(comp.querySelector('.placeholder').dom.textContent).toBe('该活动已取消');
    comp.detach();
  });
});

describe('privacy-sheet', () => {
  test('appears when WeChat asks and agreeing answers WeChat', async () => {
    let ask;
    privacy.install({ onNeedPrivacyAuthorization: (callback) => { ask = callback; } });
    const id = component('privacy-sheet');
    const comp = simulate.render(id);
    comp.attach(document.createElement('parent-wrapper'));
    expect(comp.querySelector('.sheet')).toBeUndefined();
    const resolve = jest.fn();
    ask(resolve);
    expect(comp.querySelector('.sheet')).toBeDefined();
    comp.querySelector('.agree').dispatchEvent('agreeprivacyauthorization');
    await simulate.sleep(10);
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-privacy', event: 'agree' });
    expect(comp.data.visible).toBe(false);
  });
});
