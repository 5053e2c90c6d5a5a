// The endpoint map against the server's own OpenAPI document: every route, method, body field,
// query parameter and response field the mini-program names must exist on the server.
// `make test` hands the document over in OPENAPI_FILE (tests/test_miniprogram.py); plain
// `npx jest` writes it with the repository's scripts/openapi-document (the project's .venv, or
// python3 with the server's packages).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { ENDPOINTS } = require('../src/utils/api');

function openapiFile() {
  if (process.env.OPENAPI_FILE) return process.env.OPENAPI_FILE;
  const root = path.join(__dirname, '..', '..');
  const venv = path.join(root, '.venv', 'bin', 'python');
  const python = fs.existsSync(venv) ? venv : 'python3';
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
  execFileSync(python, [path.join(root, 'scripts', 'openapi-document'), out], { cwd: root, stdio: 'pipe', timeout: 120000 });
  return out;
}

const doc = JSON.parse(fs.readFileSync(openapiFile(), 'utf8'));

function resolve(schema) {
  let current = schema || {};
  while (current.$ref) current = doc.components.schemas[current.$ref.split('/').pop()];
  return current;
}

function properties(schema) {
  const resolved = resolve(schema);
  const own = Object.keys(resolved.properties || {});
  const merged = (resolved.allOf || resolved.anyOf || []).flatMap((part) => properties(part));
  return new Set([...own, ...merged]);
}

function operation(endpoint) {
  const path = doc.paths[endpoint.path];
  return path && path[endpoint.method.toLowerCase()];
}

describe.each(Object.entries(ENDPOINTS))('%s', (name, endpoint) => {
  test('the server has this route and method', () => {
    expect(doc.paths[endpoint.path]).toBeDefined();
    expect(operation(endpoint)).toBeDefined();
  });

  test('every field sent is a field the server takes', () => {
    const op = operation(endpoint);
    if (!op) return;
    const content = (op.requestBody && op.requestBody.content) || {};
    if (endpoint.upload) {
      expect(properties(content['multipart/form-data'].schema).has(endpoint.upload)).toBe(true);
    }
    const accepted = content['application/json'] ? properties(content['application/json'].schema) : new Set();
    for (const field of endpoint.body || []) expect({ field, accepted: accepted.has(field) }).toEqual({ field, accepted: true });
    const query = new Set((op.parameters || []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const param of endpoint.query || []) expect({ param, known: query.has(param) }).toEqual({ param, known: true });
  });

  test('every response field a page reads is in the success response', () => {
    const op = operation(endpoint);
    if (!op || !endpoint.reads) return;
    const success = Object.keys(op.responses).find((status) => status.startsWith('2'));
    const schema = op.responses[success].content['application/json'].schema;
    const fields = properties(schema);
    for (const field of endpoint.reads) expect({ field, present: fields.has(field) }).toEqual({ field, present: true });
  });

  test('the map says whether the route needs a login as the server documents it', () => {
    const op = operation(endpoint);
    if (!op) return;
    const secured = Boolean(op.security && op.security.length);
    expect({ name, secured }).toEqual({ name, secured: endpoint.auth === undefined });
  });
});
