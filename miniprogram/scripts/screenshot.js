#!/usr/bin/env node
// npm run screens 的第二步：用 Debian 的无头 Chromium（/usr/bin/chromium，或 CHROMIUM_PATH）把 screens/html/*.html
// 截成 screens/*.png（宽 750px，整页），再写一个 screens/index.html 一览。
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..');
const HTML = path.join(ROOT, 'screens', 'html');
const OUT = path.join(ROOT, 'screens');
const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function main() {
  if (!fs.existsSync(EXECUTABLE)) {
    console.error(`没有找到 Chromium（${EXECUTABLE}）：apt-get install -y chromium fonts-noto-cjk，或设置 CHROMIUM_PATH`);
    process.exit(1);
  }
  const files = fs.readdirSync(HTML).filter((f) => f.endsWith('.html')).sort();
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: FLAGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 750, height: 1334 }, deviceScaleFactor: 1 });
    // 离线：不让页面去网上取任何东西（图标字体等）。
    await page.route(/^https?:/, (route) => route.abort());
    for (const file of files) {
      await page.goto(`file://${path.join(HTML, file)}`);
      await page.screenshot({ path: path.join(OUT, file.replace(/\.html$/, '.png')), fullPage: true });
    }
  } finally {
    await browser.close();
  }
  const list = files.map((f) => f.replace(/\.html$/, '.png'));
  fs.writeFileSync(path.join(OUT, 'index.html'), `<!doctype html><meta charset="utf-8"><title>页面截图</title><style>body{font-family:sans-serif}figure{display:inline-block;margin:12px;vertical-align:top}img{width:375px;border:1px solid #ccc}</style>${list.map((p) => `<figure><img src="${p}"><figcaption>${p}</figcaption></figure>`).join('')}`);
  console.log(`${list.length} 张截图：${OUT}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
