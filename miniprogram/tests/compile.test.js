// Every page and component through WeChat's own compilers (wcc for WXML, wcsc for WXSS, the
// binaries miniprogram-compiler ships and DevTools uses): what they refuse, DevTools refuses.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SRC = path.join(__dirname, '..', 'src');
const BIN = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux');
const app = JSON.parse(fs.readFileSync(path.join(SRC, 'app.json'), 'utf8'));
const components = fs.readdirSync(path.join(SRC, 'components')).map((name) => `components/${name}/index`);
const units = [...app.pages, ...components];

function run(binary, args) {
  fs.chmodSync(path.join(BIN, binary), 0o755);
  return spawnSync(path.join(BIN, binary), args, { cwd: SRC, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

test('app.json names every page that exists, and every page has its four files', () => {
  const onDisk = fs.readdirSync(path.join(SRC, 'pages')).map((name) => `pages/${name}/index`).sort();
  expect([...app.pages].sort()).toEqual(onDisk);
  for (const unit of units) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(fs.existsSync(path.join(SRC, `${unit}.${ext}`))).toBe(true);
  }
  for (const tab of app.tabBar.list) {
    expect(app.pages).toContain(tab.pagePath);
    expect(fs.existsSync(path.join(SRC, tab.iconPath))).toBe(true);
    expect(fs.existsSync(path.join(SRC, tab.selectedIconPath))).toBe(true);
  }
});

test.each(units)('wcc compiles %s.wxml', (unit) => {
  const result = run('wcc', ['-d', '-cc', '0', `${unit}.wxml`, '-gn', '$gwx']);
  expect(result.stderr.trim()).toBe('');
  expect(result.status).toBe(0);
});

test.each(['app', ...units])('wcsc compiles %s.wxss', (unit) => {
  const result = run('wcsc', ['-db', '-pc', '0', `${unit}.wxss`]);
  expect(result.status).toBe(0);
  expect(result.stderr).not.toMatch(/ERR/);
});

test('the whole project compiles in one wcc run, custom components included', () => {
  const args = [];
  const withComponents = units.filter((unit) => {
    const json = JSON.parse(fs.readFileSync(path.join(SRC, `${unit}.json`), 'utf8'));
    return json.usingComponents && Object.keys(json.usingComponents).length;
  });
  args.push(String(withComponents.length));
  for (const unit of withComponents) {
    const used = Object.keys(JSON.parse(fs.readFileSync(path.join(SRC, `${unit}.json`), 'utf8')).usingComponents);
    args.push(`${unit}.wxml`, String(used.length), ...used);
  }
  const result = run('wcc', ['-d', '-cc', args.join(' '), ...units.map((unit) => `${unit}.wxml`), '-gn', '$gwx']);
  expect(result.stderr.trim()).toBe('');
  expect(result.status).toBe(0);
});

test('the compilers do refuse broken files (this check can fail)', () => {
  const dir = fs.mkdtempSync(path.join(SRC, '..', '.compile-'));
  try {
    fs.writeFileSync(path.join(dir, 'bad.wxml'), '<view>{{a</view>');
    fs.writeFileSync(path.join(dir, 'bad.wxss'), '.a { color: red');
    const wcc = spawnSync(path.join(BIN, 'wcc'), ['-d', '-cc', '0', 'bad.wxml', '-gn', '$gwx'], { cwd: dir, encoding: 'utf8' });
    const wcsc = spawnSync(path.join(BIN, 'wcsc'), ['-db', '-pc', '0', 'bad.wxss'], { cwd: dir, encoding: 'utf8' });
    expect(wcc.status).not.toBe(0);
    expect(wcsc.status).not.toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
