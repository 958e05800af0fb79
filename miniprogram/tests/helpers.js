// 测试工具：用 miniprogram-simulate 渲染页面，TDesign 组件换成替身，取页面文字。
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const STUB = '/tests/stubs/t-generic/index';
const APP_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));

// 页面 json 和它用到的本地组件（含 app.json 的全局组件）里指向 tdesign-miniprogram 的组件都换成替身。
// simulate 把这里的覆盖用于整棵组件树，所以本地组件里的 TDesign 标签也一并换掉。
function tdesignTags(jsonFile, seen = new Set()) {
  if (seen.has(jsonFile) || !fs.existsSync(jsonFile)) return [];
  seen.add(jsonFile);
  const using = JSON.parse(fs.readFileSync(jsonFile, 'utf8')).usingComponents || {};
  return Object.keys(using).flatMap((tag) => {
    const value = using[tag];
    if (value.startsWith('tdesign-miniprogram/')) return [tag];
    const base = value.startsWith('/') ? path.join(ROOT, value) : path.join(path.dirname(jsonFile), value);
    return tdesignTags(`${base}.json`, seen);
  });
}

function usingComponentsFor(route) {
  const using = { ...(APP_JSON.usingComponents || {}) };
  const tags = [...tdesignTags(path.join(ROOT, 'app.json')), ...tdesignTags(path.join(ROOT, `${route}.json`))];
  // npm run screens 时换成近似 TDesign 外观的替身（tests/screens/tdesign.js），测试时用只显示文字的替身。
  const screens = process.env.SCREENS ? require('./screens/tdesign') : null;
  tags.forEach((tag) => {
    using[tag] = screens ? screens.stubFor(tag) : STUB;
  });
  return using;
}

/** 渲染页面并挂到文档上；返回 simulate 的组件包装，page.instance 是页面实例。 */
function renderPage(route) {
  const simulate = require('miniprogram-simulate');
  const id = simulate.load(path.join(ROOT, route), 'page', {
    rootPath: ROOT,
    compiler: process.env.WXML_COMPILER || 'official',
    usingComponents: usingComponentsFor(route),
  });
  const page = simulate.render(id);
  const parent = document.createElement('parent-wrapper');
  page.attach(parent);
  global.fakeWx.page = page;
  // npm run screens 只取这个页面（及其组件）的样式：simulate 把每次 load 的样式放在 <style id=...> 里。
  page.simulateId = id;
  return page;
}

/** 页面上用户能看到的文字（去掉多余空白）。 */
function textOf(node) {
  const dom = node.dom || node;
  return dom.textContent.replace(/\s+/g, ' ').trim();
}

/** 找节点；「组件 >>> 选择器」进到自定义组件（如 load-state）里面找。 */
function find(page, selector) {
  return selector.split('>>>').map((s) => s.trim()).reduce((node, part) => (node ? node.querySelector(part) : undefined), page);
}

/** 点击页面上 id 为 selector 的节点。 */
function tap(page, selector) {
  const node = find(page, selector);
  if (!node) throw new Error(`没有找到 ${selector}`);
  node.dispatchEvent('tap');
}

/**
 * 像真机一样打开页面：渲染后依次 onLoad(query)、onShow()、onReady()（不等网络，真机上首次渲染完就 onReady），
 * 再等所有请求和它们引出的 setData 回调、选择器查询都完成。依赖「数据到了才渲染的节点」的页面，
 * 必须在数据到达后自己再取节点，否则在这里就会暴露出来。
 */
async function openPage(route, query = {}) {
  const page = renderPage(route);
  page.instance.onLoad(query);
  page.instance.onShow();
  page.instance.onReady();
  await global.fakeWx.settle();
  return page;
}

/** 页面回到前台（从别的页面返回、切回 tab）：onShow，再等请求完成。 */
async function showAgain(page) {
  page.instance.onHide();
  page.instance.onShow();
  await global.fakeWx.settle();
  return page;
}

module.exports = { ROOT, renderPage, openPage, showAgain, textOf, tap, find };
