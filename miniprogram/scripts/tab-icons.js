#!/usr/bin/env node
// 生成 tabBar 图标（images/tab/*.png，81×81，灰色与选中的党建红两套）：原生 tabBar 只认本地图片。
// 图形是下面的 SVG（线条图标），用无头 Chromium 画成 PNG。改图标时改这里再运行 node scripts/tab-icons.js。
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const OUT = path.resolve(__dirname, '..', 'images', 'tab');
const COLORS = { normal: '#7f7f7f', active: '#c7000b' };
const ICONS = {
  home: '<path d="M12 38 L40 14 L68 38"/><path d="M20 32 V66 H60 V32"/><path d="M34 66 V48 H46 V66"/>',
  activities: '<rect x="14" y="18" width="52" height="48" rx="6"/><path d="M14 32 H66"/><path d="M28 12 V24"/><path d="M52 12 V24"/><path d="M26 44 H34 M38 44 H46 M50 44 H56 M26 54 H34 M38 54 H46"/>',
  report: '<path d="M22 70 V12"/><path d="M22 14 H60 L52 26 L60 38 H22"/>',
  profile: '<circle cx="40" cy="28" r="13"/><path d="M14 68 C16 52 28 46 40 46 C52 46 64 52 66 68"/>',
};

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 81, height: 81 } });
  for (const [name, shape] of Object.entries(ICONS)) {
    for (const [state, color] of Object.entries(COLORS)) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="81" height="81" viewBox="0 0 80 80" fill="none" stroke="${color}" stroke-width="5" stroke-linecap="round" stroke-linejoin="round">${shape}</svg>`;
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
      await page.screenshot({ path: path.join(OUT, `${name}${state === 'active' ? '-active' : ''}.png`), omitBackground: true, clip: { x: 0, y: 0, width: 81, height: 81 } });
    }
  }
  await browser.close();
  console.log(`tabBar 图标已写入 ${OUT}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
