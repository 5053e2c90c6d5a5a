// Lays out the main pages for the layout test (tests/test_miniprogram_layout.py): each page is
// rendered by miniprogram-simulate with its real WXML, JS and data from a stand-in server, then
// written as one HTML file with WeChat's component styles (wechat-base.css), app.wxss and the
// page's WXSS, rpx turned into px for a 375 px wide phone. Chromium does the layout; the Python
// side measures it. Run only by that test (RENDER_DIR), not by plain `npx jest`.
const fs = require('fs');
const path = require('path');
const jComponent = require('j-component');
const simulate = require('miniprogram-simulate'); // registers the plain stand-ins first

// Built-in components that keep the attributes their size depends on (size, type, disabled…),
// which miniprogram-simulate's own stand-ins drop. Registered over them before any page is loaded.
const ATTRS = {
  button: ['size', 'type', 'disabled', 'loading'],
  input: ['value', 'placeholder', 'placeholder-class', 'type'],
  textarea: ['value', 'placeholder', 'placeholder-class'],
  checkbox: ['value', 'checked'],
  radio: ['value', 'checked'],
  image: ['src', 'mode'],
};
for (const [name, attrs] of Object.entries(ATTRS)) {
  const properties = {};
  const camel = (attr) => attr.replace(/-(\w)/g, (_, c) => c.toUpperCase());
  attrs.forEach((attr) => { properties[camel(attr)] = { type: null, value: null }; });
  const marks = attrs.map((attr) => `data-${attr}="{{${camel(attr)}}}"`).join(' ');
  jComponent.register({ id: name, tagName: `wx-${name}`, template: `<view class="wx-attrs" ${marks}></view><slot/>`, properties });
}

const client = require('../../src/services/client');
const elder = require('../../src/utils/elder');
const { installFakeWx } = require('../wx');
const { open, server, SRC } = require('../harness');
const { PAGES } = require('./fixtures');

const OUT = process.env.RENDER_DIR;
const PX_PER_RPX = 375 / 750;

function toPx(css) {
  return css
    .replace(/(-?\d*\.?\d+)rpx/g, (_, n) => `${+(Number(n) * PX_PER_RPX).toFixed(2)}px`)
    .replace(/(^|[\s,}])page(?=[\s,{.:[])/g, '$1body');
}

function read(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

// The DOM as WeChat would have it: the attributes back on their elements, inputs showing their
// text, class names without miniprogram-simulate's per-component prefixes.
function finish(root) {
  root.querySelectorAll('[class*="wx-attrs"]').forEach((mark) => {
    const host = mark.parentElement;
    for (const [key, value] of Object.entries(mark.dataset)) {
      if (value === '' || value === 'false' || value === 'null' || value === 'undefined') continue;
      host.setAttribute(key, value === 'true' ? '' : value);
    }
    if (host.tagName === 'WX-INPUT' || host.tagName === 'WX-TEXTAREA') {
      const value = ['null', 'undefined'].includes(mark.dataset.value) ? '' : mark.dataset.value;
      host.textContent = value || mark.dataset.placeholder || '';
      if (!value) {
        host.setAttribute('data-empty', ''); // WeChat's grey placeholder, or the page's placeholder-class
        if (mark.dataset.placeholderClass && mark.dataset.placeholderClass !== 'null') host.classList.add(...mark.dataset.placeholderClass.split(/\s+/));
      }
    } else {
      mark.remove();
    }
  });
  root.querySelectorAll('[class]').forEach((el) => {
    el.setAttribute('class', el.getAttribute('class').split(/\s+/).map((c) => c.replace(/^[\w-]+?--/, '')).join(' '));
  });
  return root.outerHTML;
}

function stylesheet(page) {
  // A component's styles reach only inside it (WeChat isolates them): scoped to its tag here.
  const scoped = (name, css) => css.replace(/([^{}]+)\{/g, (_, selectors) => `${selectors.split(',')
    .map((selector) => `${name} ${selector.trim()}`).join(', ')} {`);
  const components = ['privacy-sheet', 'star-rating', 'checkin-code']
    .map((name) => scoped(name, read(path.join(SRC, 'components', name, 'index.wxss'))));
  return [read(path.join(__dirname, 'wechat-base.css')), toPx(components.join('\n')), toPx(read(path.join(SRC, 'app.wxss'))),
    toPx(read(path.join(SRC, 'pages', page, 'index.wxss')))].join('\n');
}

let fake = null;
afterEach(() => {
  if (fake) fake.restore();
  fake = null;
  client.reset();
});

describe.each([['standard', false], ['elder', true]])('%s text', (mode, large) => {
  test.each(PAGES.map((p) => [p.name, p]))('%s', async (name, spec) => {
    fake = installFakeWx({ handler: server(spec.routes), envVersion: 'develop' });
    fake.setStorageSync('dj_token', 'token');
    if (large) fake.setStorageSync('dj_elder', 'on');
    const comp = open(spec.page, spec.options);
    if (comp.instance.onShow) comp.instance.onShow();
    await simulate.sleep(60);
    if (spec.then) await spec.then(comp);
    const html = finish(comp.dom);
    expect(html).not.toContain('正在读取'); // the page got its data
    expect(html).not.toContain('>重试<'); // and is not in its error state
    if (OUT) {
      fs.mkdirSync(OUT, { recursive: true });
      const doc = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">`
        + `<meta name="viewport" content="width=375"><style>${stylesheet(spec.page)}</style></head><body>${html}</body></html>`;
      fs.writeFileSync(path.join(OUT, `${name}.${mode}.html`), doc);
    }
    elder.set(fake, 'auto');
  });
});
