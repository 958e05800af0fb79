// 用 Node 的 http 模块实现 wx.request，让 services/request.js 直接和真实服务端说话。
// 其余 wx.*（toast、存储、登录码…）沿用假 wx。dropResponse(pred) 可模拟「请求已到服务端、应答在弱网中丢失」。
const http = require('http');
const https = require('https');

function createHttpWx(base) {
  const exchanges = [];
  let dropPredicate = null;

  function request(options) {
    const method = (options.method || 'GET').toUpperCase();
    let url = options.url;
    let body;
    if (options.data !== undefined && options.data !== null) {
      if (method === 'GET') {
        const qs = Object.keys(options.data).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(options.data[k])}`).join('&');
        if (qs) url += (url.includes('?') ? '&' : '?') + qs;
      } else {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
      }
    }
    const target = new URL(url);
    const headers = { ...(options.header || {}) };
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const record = { method, path: target.pathname, header: headers, data: options.data };
    exchanges.push(record);
    const drop = dropPredicate && dropPredicate(record);
    if (drop) dropPredicate = null;
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, { method, headers, timeout: options.timeout || 15000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data = text;
        if (/json/.test(res.headers['content-type'] || '') && text) {
          try {
            data = JSON.parse(text);
          } catch (e) {
            data = text;
          }
        }
        record.status = res.statusCode;
        record.response = data;
        record.responseHeader = res.headers;
        if (drop) {
          if (options.fail) options.fail({ errMsg: 'request:fail (dropped by test)' });
          return;
        }
        if (options.success) options.success({ statusCode: res.statusCode, data, header: res.headers });
      });
    });
    req.on('error', (err) => options.fail && options.fail({ errMsg: `request:fail ${err.message}` }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
    return { abort: () => req.destroy() };
  }

  return {
    request,
    exchanges,
    base,
    dropNextResponse(predicate) {
      dropPredicate = predicate;
    },
  };
}

module.exports = { createHttpWx };
