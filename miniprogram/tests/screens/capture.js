// 把 miniprogram-simulate 渲染出的页面写成一个 HTML 文件：页面 DOM + 页面与组件的 WXSS（simulate 已加好类名前缀、
// rpx 按 1:1 换成 px，所以按 750px 宽看就是 750rpx）+ app.wxss + 小程序基础标签的近似样式；
// 顶上画导航栏，tab 页底下画 tabBar。scripts/screenshot.js 再用 Chromium 截图。
const fs = require('fs');
const path = require('path');
const wxss = require('miniprogram-simulate/src/wxss');
const { ICONS } = require('./tdesign');

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'screens', 'html');
const APP = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));
const SCREENS_CSS = fs.readFileSync(path.join(__dirname, 'screens.css'), 'utf8');

function appCss() {
  const raw = fs.readFileSync(path.join(ROOT, 'app.wxss'), 'utf8');
  // app.wxss 对页面生效：按页面的类名前缀（helpers 里页面的标签名是 page）编译；`page` 选择器对应 body。
  return wxss.compile(raw, { prefix: 'page' }).replace(/(\d+)rpx/g, '$1px').replace(/(^|[},])\s*page\s*\{/g, '$1body{');
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}

function tabBar(route) {
  const list = (APP.tabBar && APP.tabBar.list) || [];
  if (!list.find((t) => t.pagePath === route)) return '';
  const items = list.map((t) => {
    const icon = t.iconPath ? `<img src="${path.join(ROOT, t.pagePath === route ? t.selectedIconPath : t.iconPath)}">` : '';
    return `<div class="tab-item${t.pagePath === route ? ' on' : ''}">${icon}<span>${escape(t.text)}</span></div>`;
  }).join('');
  return `<div class="tabbar">${items}</div>`;
}

// simulate 不画 <image>：按它的 src 换成 <img>；其它没有外观的表单控件在 screens.css 里给近似样式。
// simulate 的 <image> 不保留 src，由调用方按出现顺序给出（如签到码页的二维码 data URL）。
function html(page, images = []) {
  const dom = page.dom.cloneNode(true);
  dom.querySelectorAll('wx-image').forEach((node, i) => {
    const src = images[i] || '';
    const img = dom.ownerDocument.createElement('img');
    img.setAttribute('src', src);
    img.setAttribute('class', node.getAttribute('class') || '');
    node.replaceWith(img);
  });
  dom.querySelectorAll('wx-input, wx-textarea').forEach((node) => {
    const value = node.getAttribute('value');
    const placeholder = node.getAttribute('placeholder');
    node.setAttribute('data-shown', value || placeholder || '');
    node.setAttribute('data-empty', value ? 'false' : 'true');
  });
  return dom.outerHTML;
}

/** 写出 screens/html/<name>.html；route 如 'pages/home/home'。 */
function capture(name, page, route, { images } = {}) {
  fs.mkdirSync(OUT, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(ROOT, `${route}.json`), 'utf8'));
  const title = json.navigationBarTitleText || APP.window.navigationBarTitleText;
  const light = json.navigationBarTextStyle === 'black';
  // 只取本页面的样式（每个页面的样式在 simulate 里都带同样的前缀 page，混在一起会互相影响）。
  const own = document.getElementById(page.simulateId);
  const styles = own ? own.innerHTML : '';
  const doc = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(name)}</title>
<style>${SCREENS_CSS}</style><style>${appCss()}</style><style>${styles}</style></head>
<body class="${tabBar(route) ? 'has-tabbar' : ''}"><div class="navbar${light ? ' light' : ''}">${escape(title)}</div>${html(page, images)}${tabBar(route)}</body></html>`;
  fs.writeFileSync(path.join(OUT, `${name}.html`), doc);
}

module.exports = { capture, OUT, ICONS };
