// 测试工具：用 miniprogram-simulate 渲染页面，TDesign 组件换成替身，取页面文字。
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const STUB = '/tests/stubs/t-generic/index';
const APP_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));

// 页面 json 里指向 tdesign-miniprogram 的组件都换成替身；app.json 的全局组件照常加载。
function usingComponentsFor(route) {
  const json = JSON.parse(fs.readFileSync(path.join(ROOT, `${route}.json`), 'utf8'));
  const using = { ...(APP_JSON.usingComponents || {}) };
  Object.keys(json.usingComponents || {}).forEach((tag) => {
    if (json.usingComponents[tag].startsWith('tdesign-miniprogram/')) using[tag] = STUB;
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
  return page;
}

/** 页面上用户能看到的文字（去掉多余空白）。 */
function textOf(node) {
  const dom = node.dom || node;
  return dom.textContent.replace(/\s+/g, ' ').trim();
}

/** 点击页面上 id 为 selector 的节点。 */
function tap(page, selector) {
  const node = page.querySelector(selector);
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

module.exports = { ROOT, renderPage, openPage, showAgain, textOf, tap };
