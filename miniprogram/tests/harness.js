// Pages are written with Component(), so miniprogram-simulate can load them like components.
const path = require('path');
const simulate = require('miniprogram-simulate');

const SRC = path.join(__dirname, '../src');
// The shared components are loaded once and handed to every page by id: miniprogram-simulate
// registers a path only the first time, so a second page naming the same path would miss it.
const shared = {};
for (const name of ['star-rating', 'privacy-sheet', 'checkin-code']) {
  shared[name] = simulate.load(path.join(SRC, 'components', name, 'index'), name, { compiler: 'simulate' });
}
const loaded = {};
function page(name) {
  loaded[name] = loaded[name] || simulate.load(path.join(SRC, 'pages', name, 'index'), undefined,
    { compiler: 'simulate', rootPath: SRC, usingComponents: shared });
  return loaded[name];
}

function open(name, options) {
  const comp = simulate.render(page(name));
  comp.attach(document.createElement('parent-wrapper'));
  if (comp.instance.onLoad) comp.instance.onLoad(options || {}); // pages that load on every show have only onShow
  return comp;
}

// A stand-in server from a list of [method, path pattern, answer]: the answer is a body (200) or
// {status, data}, or a function of the request. Anything else is a 404 the test will notice.
function server(routes) {
  return (req) => {
    const pathOnly = req.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
    for (const [method, pattern, answer] of routes) {
      if (method === req.method && (pattern instanceof RegExp ? pattern.test(pathOnly) : pathOnly === pattern)) {
        const value = typeof answer === 'function' ? answer(req) : answer;
        if (value && typeof value.status === 'number') return { statusCode: value.status, data: value.data };
        return { statusCode: req.method === 'POST' ? 201 : 200, data: value };
      }
    }
    return { statusCode: 404, data: { error: { code: 'not_found', message: `no route ${req.method} ${pathOnly}` } } };
  };
}

module.exports = { SRC, shared, page, open, server };
