// 代码包大小检查：主包、分包超过 2 MB 时报出来。
const fs = require('fs');
const os = require('os');
const path = require('path');
const sizes = require('../../scripts/package-size');

function project(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-size-'));
  Object.entries(files).forEach(([name, content]) => {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  });
  return root;
}

test('a main package or a sub-package over 2 MB is reported; tests and README are not counted', () => {
  const big = 'x'.repeat(2 * 1024 * 1024 + 1);
  const app = JSON.stringify({ pages: ['pages/a/a'], subpackages: [{ root: 'packages/s', name: 's', pages: ['p/p'] }] });
  const ok = sizes.measure(project({ 'app.json': app, 'pages/a/a.js': 'x', 'tests/huge.js': big, 'README.md': big }));
  expect(sizes.problemsOf(ok)).toEqual([]);
  const tooBig = sizes.measure(project({ 'app.json': app, 'pages/a/a.js': big, 'packages/s/p/p.js': big }));
  const problems = sizes.problemsOf(tooBig);
  expect(problems.join('\n')).toContain('主包');
  expect(problems.join('\n')).toContain('分包 s');
});

test('this project fits, counting the TDesign files it uses', () => {
  const result = sizes.measure(path.resolve(__dirname, '../..'));
  expect(sizes.problemsOf(result)).toEqual([]);
  expect(result.npm).toBeGreaterThan(50 * 1024);
});
