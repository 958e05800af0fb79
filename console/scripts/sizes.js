// Prints the JavaScript a browser loads before each first screen shows (gzip), from the build's
// manifest: the entry and what it imports statically, plus the route's own chunks.
// Run after `npm run build`: `npm run sizes`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8'));

function closure(keys, seen = new Set()) {
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    closure(manifest[key].imports || [], seen);
  }
  return seen;
}

function size(keys) {
  let raw = 0;
  let gzip = 0;
  for (const key of closure(keys)) {
    const bytes = readFileSync(path.join(dist, manifest[key].file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return `${(gzip / 1024).toFixed(1)} KiB gzip (${(raw / 1024).toFixed(1)} KiB raw)`;
}

const screens = {
  '登录页 /console/login': ['index.html', 'src/pages/login/LoginPage.vue'],
  '登录后首页 /console/org': ['index.html', 'src/layouts/ConsoleLayout.vue', 'src/pages/org/OrgPage.vue'],
};
for (const [name, keys] of Object.entries(screens)) {
  console.log(`${name}: ${size(keys)}`);
}
