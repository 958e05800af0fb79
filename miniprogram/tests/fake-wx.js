// 测试里的假 wx：只在 wx 这一层替身，业务代码照常运行。
// 网络：fake.route(method, path, handler) 注册服务端应答，handler(req) 返回
//   { status, data, header } 或 { fail: 'request:fail ...' }；未注册的路径返回 404。
// 所有请求记在 fake.requests 里；应答在下一个宏任务里异步回调，用 await fake.settle() 等全部完成。
function createFakeWx({ loginCode = 'wx-code-1' } = {}) {
  const storage = {};
  const routes = [];
  const requests = [];
  const fileSizes = {};
  const networkListeners = [];
  let pending = 0;
  let loginCount = 0;

  const later = (fn) => {
    pending += 1;
    setTimeout(() => {
      pending -= 1;
      fn();
    }, 0);
  };

  const callback = (options, result, ok = true) => {
    later(() => {
      if (ok && options.success) options.success(result);
      if (!ok && options.fail) options.fail(result);
      if (options.complete) options.complete(result);
    });
  };

  function parse(url) {
    const match = /^https?:\/\/[^/]+(\/[^?]*)(\?.*)?$/.exec(url);
    const path = match ? match[1] : url;
    const query = {};
    if (match && match[2]) {
      match[2].slice(1).split('&').forEach((pair) => {
        const [k, v] = pair.split('=');
        query[decodeURIComponent(k)] = decodeURIComponent(v || '');
      });
    }
    return { path, query };
  }

  // 画布：只有页面上真的渲染出来的 <canvas> 才能被 createSelectorQuery 取到节点（与真机一致：
  // wx:if 为假时节点不存在）。取到的节点记录画了什么；canvasToTempFilePath 只认这样取到的节点。
  const canvases = new Map();
  function canvasNode(id) {
    if (!canvases.has(id)) {
      const ops = [];
      const ctx = {};
      ['scale', 'beginPath', 'moveTo', 'lineTo', 'stroke', 'clearRect'].forEach((name) => {
        ctx[name] = (...args) => ops.push([name, ...args]);
      });
      canvases.set(id, { id, width: 0, height: 0, ops, getContext: jest.fn(() => ctx), isFakeCanvas: true });
    }
    return canvases.get(id);
  }

  function selectorQuery() {
    const wanted = [];
    const query = {
      select(selector) {
        const item = { selector, fields: {} };
        wanted.push(item);
        const node = {
          fields(fields) {
            item.fields = fields || {};
            return query;
          },
          boundingClientRect() {
            item.fields = { size: true, rect: true };
            return query;
          },
        };
        return node;
      },
      exec(cb) {
        // 与真机一样异步返回，查的是回调时页面上已渲染的节点。
        later(() => {
          const results = wanted.map(({ selector, fields }) => {
            const page = fake.page;
            const found = page && page.querySelector(selector);
            if (!found) return null;
            const info = { id: selector.replace(/^#/, ''), width: 300, height: 160 };
            if (fields.node && found.dom && found.dom.tagName.toLowerCase().endsWith('canvas')) info.node = canvasNode(info.id);
            return info;
          });
          if (cb) cb(results);
        });
        return query;
      },
    };
    return query;
  }

  function findRoute(method, path) {
    return routes.find((r) => r.method === method && (r.path instanceof RegExp ? r.path.test(path) : r.path === path));
  }

  const wx = {
    request: jest.fn((options) => {
      const method = (options.method || 'GET').toUpperCase();
      const { path, query } = parse(options.url);
      const req = { method, url: options.url, path, query, header: { ...(options.header || {}) }, data: options.data };
      requests.push(req);
      const route = findRoute(method, path);
      const answer = route
        ? route.handler(req)
        : { status: 404, data: { code: 'not_found', message: '接口不存在', details: {} } };
      if (answer.fail) {
        callback(options, { errMsg: answer.fail === true ? 'request:fail' : answer.fail }, false);
      } else {
        callback(options, { statusCode: answer.status || 200, data: answer.data === undefined ? '' : answer.data, header: answer.header || {} });
      }
      return { abort: jest.fn() };
    }),
    login: jest.fn((options) => {
      loginCount += 1;
      callback(options, { code: `${loginCode}-${loginCount}`, errMsg: 'login:ok' });
    }),
    showToast: jest.fn(),
    showLoading: jest.fn(),
    hideLoading: jest.fn(),
    showModal: jest.fn((options) => callback(options, { confirm: true, cancel: false })),
    getStorageSync: jest.fn((key) => (key in storage ? storage[key] : '')),
    setStorageSync: jest.fn((key, value) => {
      storage[key] = value;
    }),
    removeStorageSync: jest.fn((key) => {
      delete storage[key];
    }),
    clearStorageSync: jest.fn(() => Object.keys(storage).forEach((k) => delete storage[k])),
    scanCode: jest.fn((options) => callback(options, { result: 'scan-result', scanType: 'QR_CODE' })),
    getLocation: jest.fn((options) => callback(options, { latitude: 39.9, longitude: 116.4, accuracy: 30 })),
    getPrivacySetting: jest.fn((options) => callback(options, { needAuthorization: false, privacyContractName: '《党员报到小程序隐私保护指引》' })),
    onNeedPrivacyAuthorization: jest.fn(),
    openPrivacyContract: jest.fn(),
    requestSubscribeMessage: jest.fn((options) => callback(options, { errMsg: 'requestSubscribeMessage:ok' })),
    navigateTo: jest.fn((options) => callback(options || {}, { errMsg: 'navigateTo:ok' })),
    redirectTo: jest.fn((options) => callback(options || {}, { errMsg: 'redirectTo:ok' })),
    switchTab: jest.fn((options) => callback(options || {}, { errMsg: 'switchTab:ok' })),
    reLaunch: jest.fn((options) => callback(options || {}, { errMsg: 'reLaunch:ok' })),
    navigateBack: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    setNavigationBarTitle: jest.fn(),
    setKeepScreenOn: jest.fn(),
    setScreenBrightness: jest.fn(),
    getScreenBrightness: jest.fn((options) => callback(options, { value: 0.5 })),
    onNetworkStatusChange: jest.fn((fn) => networkListeners.push(fn)),
    offNetworkStatusChange: jest.fn((fn) => {
      const i = networkListeners.indexOf(fn);
      if (i >= 0) networkListeners.splice(i, 1);
    }),
    chooseMedia: jest.fn((options) => callback(options, { tempFiles: [{ tempFilePath: 'wxfile://photo-1.jpg' }] })),
    createSelectorQuery: jest.fn(() => selectorQuery()),
    downloadFile: jest.fn((options) => callback(options, { statusCode: 200, tempFilePath: 'wxfile://download.xlsx' })),
    openDocument: jest.fn((options) => callback(options, { errMsg: 'openDocument:ok' })),
    getWindowInfo: jest.fn(() => ({ pixelRatio: 2, windowWidth: 375, windowHeight: 667 })),
    canvasToTempFilePath: jest.fn((options) => {
      const ok = options.canvas && options.canvas.isFakeCanvas;
      if (ok) callback(options, { tempFilePath: `wxfile://${options.canvas.id}.png` });
      else callback(options, { errMsg: 'canvasToTempFilePath:fail canvas is empty' }, false);
    }),
    // 文件内容：读成 base64 时返回 "b64:<路径>"，便于断言。
    // 文件大小：fake.fileSizes[路径]，默认 200 KB。
    getFileSystemManager: jest.fn(() => ({
      readFile: jest.fn((options) => callback(options, { data: `b64:${options.filePath}` })),
      getFileInfo: jest.fn((options) => callback(options, { size: fileSizes[options.filePath] || 200 * 1024 })),
    })),
    // 压缩：wxfile://x.jpg → wxfile://x-compressed.jpg
    compressImage: jest.fn((options) => callback(options, { tempFilePath: options.src.replace(/(\.\w+)$/, '-compressed$1') })),
  };

  const fake = {
    wx,
    storage,
    requests,
    canvases,
    fileSizes,
    // tests/helpers.js 渲染页面时设置：选择器查询在这个页面里找节点。
    page: null,
    route(method, path, handler) {
      const fn = typeof handler === 'function' ? handler : () => handler;
      routes.unshift({ method: method.toUpperCase(), path, handler: fn });
      return this;
    },
    // 等到所有假回调（以及它们引出的后续请求）都执行完。
    async settle() {
      for (let i = 0; i < 50; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (pending === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (pending === 0) return;
        }
      }
      throw new Error('fake wx: callbacks still pending after 50 ticks');
    },
    // 模拟网络恢复/断开：通知 wx.onNetworkStatusChange 的监听者。
    network(isConnected) {
      networkListeners.slice().forEach((fn) => fn({ isConnected, networkType: isConnected ? 'wifi' : 'none' }));
    },
    toasts() {
      return wx.showToast.mock.calls.map((c) => c[0].title);
    },
  };
  return fake;
}

module.exports = { createFakeWx };
