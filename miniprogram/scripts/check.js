#!/usr/bin/env node
// 结构与编译检查：app.json 里每个页面都有 .js/.wxml/.wxss/.json；usingComponents 指向的组件存在
// （本地组件看文件，TDesign 组件看 node_modules/tdesign-miniprogram/miniprogram_dist）；
// 所有 WXML 用微信官方编译器 wcc、所有 WXSS 用 wcsc 编译（来自 npm 包 miniprogram-compiler，带 Linux/macOS/Windows 可执行文件）。
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const SKIP_DIRS = new Set(['node_modules', 'miniprogram_npm', 'tests', 'scripts', 'coverage', '.git']);
const NPM_PACKAGES = { 'tdesign-miniprogram': 'miniprogram_dist' };
const problems = [];

const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');
const exists = (file) => fs.existsSync(file);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${rel(file)}: 不是合法的 JSON（${e.message}）`);
    return null;
  }
}

function walk(dir, ext, out = []) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), ext, out);
    } else if (entry.name.endsWith(ext)) {
      out.push(path.join(dir, entry.name));
    }
  });
  return out;
}

// usingComponents 的值 → 组件文件的路径（不含扩展名），npm 组件指向已安装的包。
function resolveComponent(ownerFile, value) {
  if (value.startsWith('/')) return { kind: 'local', base: path.join(ROOT, value) };
  if (value.startsWith('.')) return { kind: 'local', base: path.join(path.dirname(ownerFile), value) };
  const [pkg, ...restParts] = value.split('/');
  if (NPM_PACKAGES[pkg]) {
    return { kind: 'npm', base: path.join(ROOT, 'node_modules', pkg, NPM_PACKAGES[pkg], ...restParts) };
  }
  // 微信也把「相对于本文件」的写法当本地组件。
  return { kind: 'local', base: path.join(path.dirname(ownerFile), value) };
}

function checkUnit(base, what, seen) {
  if (seen.has(base)) return;
  seen.add(base);
  ['.js', '.wxml', '.wxss', '.json'].forEach((ext) => {
    if (!exists(base + ext)) problems.push(`${what} ${rel(base)} 缺少 ${ext} 文件`);
  });
  if (!exists(`${base}.json`)) return;
  const json = readJson(`${base}.json`);
  if (!json) return;
  Object.entries(json.usingComponents || {}).forEach(([tag, value]) => {
    const target = resolveComponent(`${base}.json`, value);
    if (target.kind === 'npm') {
      if (!exists(`${target.base}.json`)) problems.push(`${rel(base)}.json: <${tag}> 指向的 ${value} 在已安装的包里不存在（先 npm ci）`);
    } else {
      checkUnit(target.base, '组件', seen);
    }
  });
}

function checkStructure() {
  const app = readJson(path.join(ROOT, 'app.json'));
  if (!app) return { pages: [], globalComponents: {} };
  ['app.js', 'app.wxss', 'sitemap.json'].forEach((f) => {
    if (!exists(path.join(ROOT, f))) problems.push(`缺少 ${f}`);
  });
  const pages = [...(app.pages || [])];
  (app.subpackages || app.subPackages || []).forEach((sub) => (sub.pages || []).forEach((p) => pages.push(`${sub.root.replace(/\/$/, '')}/${p}`)));
  const seen = new Set();
  pages.forEach((page) => checkUnit(path.join(ROOT, page), '页面', seen));
  ((app.tabBar && app.tabBar.list) || []).forEach((item) => {
    if (pages.indexOf(item.pagePath) < 0) problems.push(`tabBar 里的 ${item.pagePath} 不在 pages 里`);
    [item.iconPath, item.selectedIconPath].forEach((icon) => {
      if (!icon) problems.push(`tabBar「${item.text}」没有图标（iconPath / selectedIconPath）`);
      else if (!exists(path.join(ROOT, icon))) problems.push(`tabBar 图标 ${icon} 不存在`);
      else if (fs.statSync(path.join(ROOT, icon)).size > 40 * 1024) problems.push(`tabBar 图标 ${icon} 超过 40 KB`);
    });
  });
  Object.entries(app.usingComponents || {}).forEach(([, value]) => {
    const target = resolveComponent(path.join(ROOT, 'app.json'), value);
    if (target.kind === 'local') checkUnit(target.base, '全局组件', seen);
  });
  return { pages, globalComponents: app.usingComponents || {} };
}

function compilerBinary(name) {
  const dir = path.dirname(require.resolve('miniprogram-compiler/package.json'));
  const platform = { darwin: 'mac', linux: 'linux', win32: 'windows' }[process.platform];
  if (!platform) return null;
  const file = path.join(dir, 'bin', platform, process.platform === 'win32' ? `${name}.exe` : name);
  try {
    fs.chmodSync(file, 0o755); // npm 解包后不一定带可执行位
  } catch (e) {
    // 只读的 node_modules：照样试着运行。
  }
  return file;
}

function runCompiler(name, args) {
  const binary = compilerBinary(name);
  if (!binary) return { error: `${process.platform} 上没有 ${name}` };
  const result = spawnSync(binary, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return { error: `${name} 无法运行：${result.error.message}` };
  if (result.status !== 0) return { failed: (result.stderr.toString() || result.stdout.toString()).trim() };
  return { ok: true };
}

// wcc 需要知道每个文件用到哪些自定义组件标签（"数量 文件 标签数 标签…"），否则把它们当未知标签。
function compileWxml(globalComponents) {
  const files = walk(ROOT, '.wxml').map(rel).sort();
  const componentArgs = [];
  let count = 0;
  files.forEach((file) => {
    const jsonFile = path.join(ROOT, file.replace(/\.wxml$/, '.json'));
    const json = exists(jsonFile) ? readJson(jsonFile) || {} : {};
    const tags = Object.keys({ ...globalComponents, ...(json.usingComponents || {}) });
    if (tags.length) {
      componentArgs.push(file, tags.length, ...tags);
      count += 1;
    }
  });
  const result = runCompiler('wcc', ['-d', '-cc', [count, ...componentArgs].join(' '), ...files, '-gn', '$gwx']);
  return { files, result };
}

function compileWxss() {
  const files = walk(ROOT, '.wxss').map(rel).sort();
  // 与开发者工具一致：组件/页面的样式（同名 .json 存在）排在前面，数量作为 -pc 参数。
  const components = files.filter((f) => exists(path.join(ROOT, f.replace(/\.wxss$/, '.json'))));
  const others = files.filter((f) => components.indexOf(f) < 0);
  const result = runCompiler('wcsc', ['-db', '-pc', String(components.length), ...components, ...others]);
  return { files, result };
}

// 适老化：字号不小于 32rpx（或 1rem/1em，随微信字号）；角标（badge）可以小一些。每个页面以 page-meta 开头，跟随微信字号。
function checkReadability(pages) {
  walk(ROOT, '.wxss').forEach((file) => {
    const text = fs.readFileSync(file, 'utf8');
    [...text.matchAll(/([^{}]+)\{([^}]*)\}/g)].forEach(([, selector, body]) => {
      // 小程序里页面样式不能用标签名选中自定义组件（如 t-button），要给组件加 class。
      if (/(^|[\s,>+~])t-[a-z-]+\s*($|[\s,>+~:.{])/.test(selector.trim())) problems.push(`${rel(file)}: ${selector.trim()} 用标签名选中了自定义组件，请改用 class`);
      if (/badge/.test(selector)) return;
      const m = /font-size:\s*([\d.]+)(rpx|px|rem|em)/.exec(body);
      if (!m) return;
      const value = Number(m[1]);
      const small = { rpx: value < 32, px: value < 16, rem: value < 1, em: value < 1 }[m[2]];
      if (small) problems.push(`${rel(file)}: ${selector.trim()} 的字号 ${m[1]}${m[2]} 小于 32rpx（适老化：正文至少 32rpx，用 rem 跟随微信字号）`);
    });
  });
  // 读屏：可点的 view / text / image / label 要有 aria-role 或 aria-label（按钮组件自带角色）。
  walk(ROOT, '.wxml').forEach((file) => {
    const text = fs.readFileSync(file, 'utf8');
    [...text.matchAll(/<(view|text|image|label)\b[^>]*\b(?:bindtap|catchtap)=[^>]*>/g)].forEach(([tag]) => {
      if (!/aria-(role|label)=/.test(tag)) problems.push(`${rel(file)}: 可点的 <${tag.slice(1, 40)}…> 没有 aria-role / aria-label`);
    });
  });
  pages.forEach((page) => {
    const file = path.join(ROOT, `${page}.wxml`);
    if (exists(file) && !/^\s*<page-meta[^>]*page-font-size="system"/.test(fs.readFileSync(file, 'utf8'))) {
      problems.push(`${page}.wxml 没有以 <page-meta page-font-size="system" root-font-size="system" /> 开头（字号跟随微信设置）`);
    }
  });
}

function checkPackageSize() {
  const sizes = require('./package-size');
  const result = sizes.measure(ROOT);
  sizes.problemsOf(result).forEach((p) => problems.push(p));
  const project = readJson(path.join(ROOT, 'project.config.json')) || {};
  if (!(project.setting && project.setting.ignoreUploadUnusedFiles)) problems.push('project.config.json 的 setting.ignoreUploadUnusedFiles 应为 true（不上传没用到的文件）');
  return result;
}

function main() {
  const { pages, globalComponents } = checkStructure();
  checkReadability(pages);
  const size = checkPackageSize();
  const wxml = compileWxml(globalComponents);
  const wxss = compileWxss();
  [['WXML', wxml], ['WXSS', wxss]].forEach(([what, { result }]) => {
    if (result.error) problems.push(`${what} 编译器不可用：${result.error}`);
    if (result.failed) problems.push(`${what} 编译失败：\n${result.failed}`);
  });
  if (problems.length) {
    console.error(`检查未通过（${problems.length} 项）：`);
    problems.forEach((p) => console.error(`  - ${p}`));
    process.exit(1);
  }
  console.log(`检查通过：${pages.length} 个页面结构完整，${wxml.files.length} 个 WXML（wcc）和 ${wxss.files.length} 个 WXSS（wcsc）编译成功。`);
  const kb = (n) => `${Math.round(n / 1024)} KB`;
  console.log(`代码包（估算，源文件字节）：主包 ${kb(size.main)}（其中 npm ${kb(size.npm)}）/ 2 MB；${Object.entries(size.subs).map(([n, b]) => `分包 ${n} ${kb(b)}`).join('，')} / 各 2 MB；合计 ${kb(size.total)} / 20 MB。`);
}

main();
