const { renderPage, textOf, tap } = require('../helpers');

const COMMUNITIES = [{ id: 1, name: '幸福里社区' }, { id: 2, name: '光明社区' }];
const BUILDINGS = [{ id: 11, name: '1号楼', community_id: 2 }, { id: 12, name: '2号楼', community_id: 2 }];
const UNITS = [{ id: 21, name: '市财政局' }, { id: 22, name: '区教育局' }];

function serve(registrations) {
  fakeWx.route('GET', '/api/v1/registrations/mine', { status: 200, data: registrations });
  fakeWx.route('GET', '/api/v1/communities', { status: 200, data: COMMUNITIES });
  fakeWx.route('GET', '/api/v1/communities/2/buildings', { status: 200, data: BUILDINGS });
  fakeWx.route('GET', '/api/v1/units', { status: 200, data: UNITS });
}

async function open() {
  const page = renderPage('pages/report/report');
  page.instance.onLoad({});
  await fakeWx.settle();
  return page;
}

async function fire(page, selector, eventName, detail, dataset) {
  const node = page.querySelector(selector);
  if (dataset) Object.assign(node.dom.dataset, dataset);
  node.dispatchEvent(eventName, { detail });
  await fakeWx.settle();
}

async function fillForm(page) {
  await fire(page, '#community', 'change', { value: 1 });
  await fire(page, '#building', 'change', { value: 0 });
  page.instance.onInput({ currentTarget: { dataset: { field: 'room' } }, detail: { value: '2单元301' } });
  await fire(page, '#member-type', 'change', { value: 'in_service' });
  await fire(page, '#unit', 'change', { value: 0 });
  page.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '张三' } });
  page.instance.onInput({ currentTarget: { dataset: { field: 'phone' } }, detail: { value: '13800138000' } });
  await fire(page, '#privacy', 'change', { value: ['agree'] });
}

beforeEach(() => {
  fakeWx.storage.token = 'tok';
});

test('a member who has not reported sees the form with the four member types', async () => {
  serve([]);
  const page = await open();
  expect(page.querySelector('#status')).toBeUndefined();
  const form = textOf(page.querySelector('#form'));
  ['所在社区', '楼栋', '房号', '工作单位', '姓名', '手机号', '在职党员', '直管党员', '离退休党员', '流动党员', '版本 2026-11', '提交报到']
    .forEach((word) => expect(form).toContain(word));
});

test('picking a community loads its buildings', async () => {
  serve([]);
  const page = await open();
  await fire(page, '#community', 'change', { value: 1 });
  expect(fakeWx.requests.map((r) => r.path)).toContain('/api/v1/communities/2/buildings');
  expect(textOf(page.querySelector('#form'))).toContain('光明社区');
  expect(page.instance.data.buildings).toEqual(BUILDINGS);
});

test('submitting with a missing field says what is missing and sends nothing', async () => {
  serve([]);
  const page = await open();
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toEqual(['请选择所在社区']);
  expect(fakeWx.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

test('a complete form posts the registration with the privacy version and then shows 待审核', async () => {
  serve([]);
  const page = await open();
  await fillForm(page);
  fakeWx.route('POST', '/api/v1/registrations', (req) => {
    fakeWx.route('GET', '/api/v1/registrations/mine', {
      status: 200,
      data: [{ id: 7, status: 'submitted', community: COMMUNITIES[1], building: BUILDINGS[0], room: '2单元301', submitted_at: '2026-11-23T09:05:00+08:00' }],
    });
    return { status: 201, data: { id: 7, status: 'submitted', req } };
  });
  tap(page, '#submit');
  await fakeWx.settle();
  const post = fakeWx.requests.find((r) => r.method === 'POST');
  expect(post.data).toEqual({
    name: '张三',
    phone: '13800138000',
    member_type: 'in_service',
    employer_unit_id: 21,
    community_id: 2,
    building_id: 11,
    room: '2单元301',
    privacy_version: '2026-11',
    privacy_agreed: true,
  });
  expect(post.header['Idempotency-Key']).toBeTruthy();
  const status = textOf(page.querySelector('#status'));
  expect(status).toContain('待审核');
  expect(status).toContain('2026-11-23 09:05');
  expect(page.querySelector('#form')).toBeUndefined();
});

test('an approved member sees 已报到 and no form', async () => {
  serve([{ id: 7, status: 'approved', community: COMMUNITIES[0], building: { id: 1, name: '5号楼' }, room: '101', submitted_at: '2026-11-20T10:00:00+08:00' }]);
  const page = await open();
  expect(textOf(page.querySelector('#status'))).toContain('已报到');
  expect(page.querySelector('#form')).toBeUndefined();
});

test('a rejected member sees 未通过 with the reason and can submit again', async () => {
  serve([{ id: 7, status: 'rejected', reject_reason: '不在本社区居住', community: COMMUNITIES[0], building: { id: 1, name: '5号楼' }, room: '101', submitted_at: '2026-11-20T10:00:00+08:00' }]);
  const page = await open();
  expect(textOf(page.querySelector('#status'))).toContain('未通过');
  expect(textOf(page.querySelector('#reject-reason'))).toContain('不在本社区居住');
  expect(page.querySelector('#form')).toBeDefined();
});

test("the server's refusal is shown to the member", async () => {
  serve([]);
  const page = await open();
  await fillForm(page);
  fakeWx.route('POST', '/api/v1/registrations', { status: 422, data: { code: 'privacy_version_outdated', message: '隐私保护指引已更新，请重新阅读并同意', details: { current_version: '2027-01' } } });
  tap(page, '#submit');
  await fakeWx.settle();
  expect(fakeWx.toasts()).toContain('隐私保护指引已更新，请重新阅读并同意');
  expect(page.instance.data.submitting).toBe(false);
});

test('while pending the page says how long approval takes and whom to ask, and the report can be withdrawn', async () => {
  fakeWx.storage.token = 'tok';
  serve([{ id: 5, status: 'submitted', community: { id: 1, name: '幸福里社区', address: '幸福路1号' }, building: { name: '3号楼' }, room: '301', submitted_at: '2026-11-23T09:00:00+08:00' }]);
  const page = await open();
  expect(textOf(page.querySelector('#pending-hint'))).toContain('3 个工作日');
  expect(textOf(page.querySelector('#pending-contact'))).toContain('幸福里社区党群服务中心（幸福路1号）');
  fakeWx.route('POST', '/api/v1/registrations/5/withdraw', () => {
    serve([{ id: 5, status: 'withdrawn', community: { id: 1, name: '幸福里社区' } }]);
    return { status: 200, data: { id: 5, status: 'withdrawn' } };
  });
  tap(page, '#withdraw');
  await fakeWx.settle();
  expect(fakeWx.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/registrations/5/withdraw');
  expect(page.querySelector('#form')).toBeDefined();
});

test('an approved member who moves house reports to the new community from the same page', async () => {
  fakeWx.storage.token = 'tok';
  serve([{ id: 5, status: 'approved', community: { id: 1, name: '幸福里社区' }, building: { name: '3号楼' }, room: '301', submitted_at: '2026-11-23T09:00:00+08:00' }]);
  const page = await open();
  expect(page.querySelector('#form')).toBeUndefined();
  tap(page, '#move');
  await fakeWx.settle();
  expect(textOf(page.querySelector('#form'))).toContain('到新社区报到');
  expect(textOf(page.querySelector('#moving-hint'))).toContain('原社区的报到即结束');
});

test('the report tab reloads when shown again, so an approval appears without a restart', async () => {
  fakeWx.storage.token = 'tok';
  serve([{ id: 5, status: 'submitted', community: { id: 1, name: '幸福里社区' }, submitted_at: '2026-11-23T09:00:00+08:00' }]);
  const page = await open();
  expect(textOf(page.querySelector('#status'))).toContain('待审核');
  serve([{ id: 5, status: 'approved', community: { id: 1, name: '幸福里社区' }, submitted_at: '2026-11-23T09:00:00+08:00' }]);
  const { showAgain } = require('../helpers');
  await showAgain(page);
  expect(textOf(page.querySelector('#status'))).toContain('已报到');
});
