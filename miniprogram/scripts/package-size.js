// 代码包大小：估算上传时主包、每个分包和总大小，超过微信的限制就不通过（npm run check 调用）。
// 限制（微信开放文档「使用分包」）：主包、每个分包各不超过 2 MB，所有包合计不超过 20 MB。
// 计算方法：主包 = 分包目录以外的源码（packOptions.ignore 与测试/脚本除外）+ miniprogram_npm 里实际用到的部分
// （「构建 npm」把 miniprogram_npm 放在根目录，属于主包；project.config.json 开了 ignoreUploadUnusedFiles，
// 只上传被引用到的文件）：从每个页面和组件的 usingComponents 出发，沿 json 的 usingComponents、js 的 import/require、
// wxss 的 @import、wxml 的 src 收集文件。按源文件字节数算，微信上传前会压缩，所以这是偏大的估计。
const fs = require('fs');
const path = require('path');

const MB = 1024 * 1024;
const LIMITS = { main: 2 * MB, sub: 2 * MB, total: 20 * MB };
const SKIP = new Set(['node_modules', 'miniprogram_npm', 'tests', 'scripts', 'coverage', '.git', 'screens']);
const NOT_UPLOADED = /(^|\/)(README\.md|package(-lock)?\.json|jest\.config\.js|eslint\.config\.js|project(\.private)?\.config\.json)$/;
const NPM_DIST = { 'tdesign-miniprogram': 'miniprogram_dist' };

function size(file) {
  try {
    return fs.statSync(file).size;
  } catch (e) {
    return 0;
  }
}

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name) && !entry.name.startsWith('.')) walk(full, out);
    } else {
      out.push(full);
    }
  });
  return out;
}

function usingOf(jsonText) {
  try {
    return JSON.parse(jsonText).usingComponents || {};
  } catch (e) {
    return {};
  }
}

// npm 包里的模块路径 → 文件（不含扩展名时补 .js / index.js）。
function resolveModule(root, fromFile, spec) {
  let base;
  if (spec.startsWith('.')) base = path.resolve(path.dirname(fromFile), spec);
  else {
    const [pkg, ...rest] = spec.split('/');
    const pkgDir = path.join(root, 'node_modules', pkg);
    if (!fs.existsSync(pkgDir)) return null;
    const sub = NPM_DIST[pkg] ? path.join(pkgDir, NPM_DIST[pkg]) : pkgDir;
    if (rest.length) base = path.join(sub, ...rest);
    else {
      const json = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      base = path.join(pkgDir, json.miniprogram || json.main || 'index.js');
    }
  }
  const candidates = [base, `${base}.js`, path.join(base, 'index.js')];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) || null;
}

/** 从一组 npm 组件（不含扩展名的路径）和 npm 模块出发，收集会被上传的 npm 文件。 */
function npmClosure(root, componentBases, moduleFiles) {
  const files = new Set();
  const queue = [];
  const addFile = (file) => {
    if (file && !files.has(file) && fs.existsSync(file)) {
      files.add(file);
      queue.push(file);
    }
  };
  componentBases.forEach((base) => ['.js', '.json', '.wxml', '.wxss'].forEach((ext) => addFile(base + ext)));
  moduleFiles.forEach(addFile);
  while (queue.length) {
    const file = queue.shift();
    const text = fs.readFileSync(file, 'utf8');
    const dir = path.dirname(file);
    if (file.endsWith('.json')) {
      Object.values(usingOf(text)).forEach((v) => {
        const base = v.startsWith('.') ? path.resolve(dir, v) : (resolveModule(root, file, v) || '').replace(/\.js$/, '');
        if (base) ['.js', '.json', '.wxml', '.wxss'].forEach((ext) => addFile(base + ext));
      });
    } else if (file.endsWith('.js')) {
      const specs = [...text.matchAll(/(?:from\s*|require\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
      specs.forEach((spec) => addFile(resolveModule(root, file, spec)));
    } else if (file.endsWith('.wxss')) {
      [...text.matchAll(/@import\s*["']([^"']+)["']/g)].forEach((m) => addFile(path.resolve(dir, m[1])));
    } else if (file.endsWith('.wxml')) {
      [...text.matchAll(/src="([^"{}]+)"/g)].forEach((m) => addFile(path.resolve(dir, m[1])));
    }
  }
  return files;
}

function measure(root) {
  const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
  const subs = (app.subpackages || app.subPackages || []).map((s) => ({ name: s.name || s.root, root: s.root.replace(/\/$/, '') }));
  const rel = (f) => path.relative(root, f).split(path.sep).join('/');
  const all = walk(root).filter((f) => !NOT_UPLOADED.test(rel(f)));
  const inSub = (f) => subs.find((s) => rel(f).startsWith(`${s.root}/`));

  // 源码里用到的 npm 组件和模块。
  const components = new Set();
  const modules = new Set();
  all.forEach((f) => {
    if (f.endsWith('.json')) {
      Object.values(usingOf(fs.readFileSync(f, 'utf8'))).forEach((v) => {
        const pkg = v.split('/')[0];
        if (NPM_DIST[pkg]) components.add(path.join(root, 'node_modules', pkg, NPM_DIST[pkg], ...v.split('/').slice(1)));
      });
    } else if (f.endsWith('.js')) {
      const text = fs.readFileSync(f, 'utf8');
      [...text.matchAll(/require\(\s*["']([^"'./][^"']*)["']\s*\)/g)].forEach((m) => {
        const file = resolveModule(root, f, m[1]);
        if (file) modules.add(file);
      });
    }
  });
  const npmFiles = npmClosure(root, [...components], [...modules]);
  const npmBytes = [...npmFiles].reduce((n, f) => n + size(f), 0);

  const result = { main: npmBytes, npm: npmBytes, subs: {} };
  subs.forEach((s) => {
    result.subs[s.name] = 0;
  });
  all.forEach((f) => {
    const sub = inSub(f);
    if (sub) result.subs[sub.name] += size(f);
    else result.main += size(f);
  });
  result.total = result.main + Object.values(result.subs).reduce((a, b) => a + b, 0);
  return result;
}

function problemsOf(result) {
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const out = [];
  if (result.main > LIMITS.main) out.push(`主包约 ${kb(result.main)}，超过微信的 2 MB 限制`);
  Object.entries(result.subs).forEach(([name, bytes]) => {
    if (bytes > LIMITS.sub) out.push(`分包 ${name} 约 ${kb(bytes)}，超过 2 MB 限制`);
  });
  if (result.total > LIMITS.total) out.push(`全部代码包约 ${kb(result.total)}，超过 20 MB 限制`);
  return out;
}

module.exports = { measure, problemsOf, LIMITS };
