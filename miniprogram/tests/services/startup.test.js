// 启动时接好的服务：网络恢复时重新加载停在出错状态的页面。
const { openPage, textOf } = require('../helpers');

test('when the network returns, the page left on an error reloads by itself', async () => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/activities', { fail: 'request:fail timeout' });
  const page = await openPage('pages/activities/list');
  expect(textOf(page)).toContain('网络不可用');
  global.getCurrentPages = () => [page.instance];
  require('../../services/startup').reloadOnReconnect();
  fakeWx.route('GET', '/api/v1/activities', { status: 200, data: [{ id: 7, title: '楼道环境清理', starts_at: '2026-11-25T09:00:00+08:00', ends_at: '2026-11-25T11:00:00+08:00' }] });
  fakeWx.network(true);
  await fakeWx.settle();
  expect(textOf(page)).toContain('楼道环境清理');
  global.getCurrentPages = () => [];
});
