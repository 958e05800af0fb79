// 承诺书（画布签名）、楼栋公示栏、履诺记录、党员活动日
const { openPage: open, textOf, tap } = require('../../helpers');

const ME = { status: 200, data: { user: { id: 3, roles: [] }, member: { id: 5, name: '张三', community: { id: 2, name: '光明社区' } }, registration: null } };

beforeEach(() => {
  fakeWx.storage.token = 'tok';
  fakeWx.route('GET', '/api/v1/me', ME);
});

function servePledge(mine = []) {
  fakeWx.route('GET', '/api/v1/pledges/mine', { status: 200, data: mine });
  fakeWx.route('GET', '/api/v1/communities/2/pledge-templates', { status: 200, data: [{ id: 4, year: 2026, title: '在职党员包楼栋承诺书', items: ['环境卫生', '安全隐患排查', '邻里帮扶'] }] });
  fakeWx.route('GET', '/api/v1/pledges/buildings', { status: 200, data: [{ id: 38, name: '18号楼' }, { id: 39, name: '19号楼' }] });
}

test('signing a pledge: choose items, sign on the canvas, the PNG is exported and sent as base64', async () => {
  servePledge();
  const page = await open('packages/member/pledge/pledge');
  const form = textOf(page.querySelector('#form'));
  ['在职党员包楼栋承诺书', '18号楼', '环境卫生', '安全隐患排查', '邻里帮扶', '手写签名'].forEach((w) => expect(form).toContain(w));
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toEqual(['请至少选择一项承诺事项']);
  page.querySelector('#items').dispatchEvent('change', { detail: { value: ['环境卫生', '邻里帮扶'] } });
  page.querySelector('#building').dispatchEvent('change', { detail: { value: 1 } });
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('请在签名区手写签名');
  // 手写：在页面上渲染出来的画布上触摸开始、移动（画布节点由页面自己从渲染结果里取，测试不塞）
  expect(page.querySelector('#signature')).toBeDefined();
  page.instance.onSignStart({ touches: [{ x: 10, y: 10 }] });
  page.instance.onSignMove({ touches: [{ x: 40, y: 30 }] });
  expect(page.instance.data.hasSignature).toBe(true);
  const node = fakeWx.canvases.get('signature');
  expect(node).toBeDefined();
  expect(node.ops).toEqual(expect.arrayContaining([['moveTo', 10, 10], ['lineTo', 40, 30], ['stroke']]));
  fakeWx.route('POST', '/api/v1/pledges', { status: 201, data: { id: 16, status: 'active' } });
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).not.toContain('签名保存失败，请重新签名');
  expect(fakeWx.wx.canvasToTempFilePath.mock.calls[0][0]).toMatchObject({ canvas: node, fileType: 'png' });
  const post = fakeWx.requests.find((r) => r.method === 'POST');
  expect(post.data).toEqual({ template_id: 4, building_id: 39, items: ['环境卫生', '邻里帮扶'], own_words: '', signature_png_base64: 'b64:wxfile://signature.png' });
  expect(fakeWx.toasts()).toContain('承诺书已签署');
});

test('a signed pledge is shown with links to the note form and the public board', async () => {
  servePledge([{ id: 16, year: 2026, status: 'active', building: { id: 38, name: '18号楼' }, items: ['环境卫生'], own_words: '守护楼栋整洁', signed_at: '2026-11-23T17:34:53+08:00' }]);
  const page = await open('packages/member/pledge/pledge');
  const card = textOf(page.querySelector('#pledge-16'));
  expect(card).toContain('2026 年承诺 · 18号楼');
  expect(card).toContain('守护楼栋整洁');
  expect(page.instance.data.buildings.map((b) => b.id)).toEqual([39]);
  tap(page, '#note-16');
  tap(page, '#board-16');
  await fakeWx.settle();
  expect(fakeWx.wx.navigateTo.mock.calls.map((c) => c[0].url)).toEqual(['/packages/member/pledge-note/pledge-note?pledgeId=16', '/packages/member/pledge-board/pledge-board?buildingId=38']);
});

test('the building board shows pledged members with masked names and the building head', async () => {
  fakeWx.route('GET', '/api/v1/buildings/38/pledge-board', { status: 200, data: { building: { id: 38, name: '18号楼' }, year: 2026, head: { name: '唐*洋' }, members: [{ name: '唐*洋', is_head: true, items: ['环境卫生', '安全隐患排查'], own_words: '守护楼栋', signed_at: '2026-11-23T17:34:53+08:00' }] } });
  const page = await open('packages/member/pledge-board/pledge-board', { buildingId: '38' });
  const text = textOf(page);
  ['18号楼 · 2026 年党员承诺公示', '楼栋长：唐*洋', '环境卫生、安全隐患排查', '守护楼栋', '2026-11-23 签署'].forEach((w) => expect(text).toContain(w));
});

test('a fulfilment note with a photo is sent as base64', async () => {
  fakeWx.route('GET', '/api/v1/pledge-notes/mine', { status: 200, data: [{ id: 3, pledge_id: 16, content: '清理楼道', status: 'returned', return_reason: '照片不清楚', created_at: '2026-11-20T10:00:00+08:00' }] });
  const page = await open('packages/member/pledge-note/pledge-note', { pledgeId: '16' });
  expect(textOf(page.querySelector('#history'))).toContain('退回原因：照片不清楚');
  tap(page, '#add-photo');
  await fakeWx.settle();
  expect(page.instance.data.photos).toEqual(['wxfile://photo-1-compressed.jpg']);
  expect(fakeWx.wx.compressImage.mock.calls[0][0]).toMatchObject({ src: 'wxfile://photo-1.jpg', quality: 70 });
  page.querySelector('#content').dispatchEvent('input', { detail: { value: '清理了3单元楼道堆物' } });
  fakeWx.route('POST', '/api/v1/pledges/16/notes', { status: 201, data: { id: 4 } });
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.requests.find((r) => r.method === 'POST').data).toEqual({ content: '清理了3单元楼道堆物', photos: ['b64:wxfile://photo-1-compressed.jpg'] });
  expect(fakeWx.toasts()).toContain('已提交，等待社区核实');
});

test('party day: a member who missed it books a make-up session', async () => {
  fakeWx.route('GET', '/api/v1/party-day/mine', { status: 200, data: { month: '2026-11', status: 'missing', party_day: '2026-11-15', makeup_session_id: null } });
  fakeWx.route('GET', '/api/v1/communities/2/makeup-sessions', { status: 200, data: [{ id: 5, title: '11月补课', address: '社区党群服务中心', starts_at: '2026-11-28T14:00:00+08:00', ends_at: '2026-11-28T16:00:00+08:00', capacity: 20, booked_count: 3, places_left: 17 }] });
  const page = await open('packages/member/party-day/party-day');
  expect(textOf(page.querySelector('#status'))).toContain('本月尚未参加');
  expect(textOf(page.querySelector('#status'))).toContain('2026年11月15日');
  expect(textOf(page.querySelector('#session-5'))).toContain('剩余名额 17');
  fakeWx.route('POST', '/api/v1/makeup-sessions/5/booking', () => {
    fakeWx.route('GET', '/api/v1/party-day/mine', { status: 200, data: { month: '2026-11', status: 'booked', makeup_session_id: 5 } });
    return { status: 201, data: { id: 1, status: 'booked' } };
  });
  tap(page, '#book-5');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('预约成功');
  expect(textOf(page.querySelector('#status'))).toContain('已预约补课');
  expect(page.querySelector('#cancel-5')).toBeDefined();
  fakeWx.route('DELETE', '/api/v1/makeup-sessions/5/booking', { status: 200, data: { id: 1, status: 'cancelled' } });
  tap(page, '#cancel-5');
  await fakeWx.settle();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('DELETE /api/v1/makeup-sessions/5/booking');
});

test('a photo still too big after compression is refused with its size, before any upload', async () => {
  fakeWx.route('GET', '/api/v1/pledge-notes/mine', { status: 200, data: [] });
  const page = await open('packages/member/pledge-note/pledge-note', { pledgeId: '16' });
  fakeWx.fileSizes['wxfile://photo-1-compressed.jpg'] = 5 * 1024 * 1024;
  tap(page, '#add-photo');
  await fakeWx.settle();
  expect(page.instance.data.photos).toEqual([]);
  expect(fakeWx.toasts()).toContain('有一张照片太大（约 5.0 MB），请换一张');
});

test('a signed pledge can be withdrawn after a confirmation', async () => {
  servePledge([{ id: 16, year: 2026, status: 'active', building: { id: 38, name: '18号楼' }, items: ['环境卫生'], own_words: '', signed_at: '2026-11-23T17:34:53+08:00' }]);
  const page = await open('packages/member/pledge/pledge');
  fakeWx.route('POST', '/api/v1/pledges/16/withdraw', { status: 200, data: { id: 16, status: 'withdrawn' } });
  tap(page, '#withdraw-16');
  await fakeWx.settle();
  expect(fakeWx.wx.showModal.mock.calls[0][0].title).toBe('撤回承诺');
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/pledges/16/withdraw');
});
