// The one request wrapper: the only code that knows the API's address, the CSRF header and the
// error shape. Every module in src/api/ goes through it; pages never call fetch themselves.

const API_BASE = '/api/v1';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An error answered by the API ({code, message, details}) or met on the way to it. */
export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

let csrfToken = null;
let unauthorizedHandler = null;

/** The CSRF token of the console session, sent with every write (from GET /console/session). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Called once with the ApiError whenever the session has ended (any 401 outside login). */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export function apiUrl(path, query) {
  const url = new URL(API_BASE + path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  return url.pathname + url.search;
}

function headersFor(method, extra) {
  const headers = { Accept: 'application/json', ...extra };
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  return headers;
}

async function errorFrom(response) {
  const body = await response.json().catch(() => null);
  if (body && body.code && body.message) {
    return new ApiError(response.status, body.code, body.message, body.details);
  }
  if (response.status === 413) {
    return new ApiError(413, 'file_too_large', '文件太大，请拆分后再上传');
  }
  return new ApiError(
    response.status,
    'http_error',
    `服务器暂时无法处理（HTTP ${response.status}），请稍后再试`,
  );
}

function networkError() {
  return new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试');
}

function handleUnauthorized(error, options) {
  if (error.status === 401 && !options.allowUnauthorized && unauthorizedHandler) {
    unauthorizedHandler(error);
  }
  return error;
}

// GET answers asked for ahead of the page that needs them (router/firstLists.js): the page's
// own call takes the answer instead of asking again. Each is used once, within a few seconds,
// and any write forgets them all.
const ahead = new Map();
const AHEAD_MS = 10_000;

/** Asks for a GET now; the next identical call (same path and query) takes its answer. */
export function askAhead(path, query) {
  const url = apiUrl(path, query);
  if (ahead.has(url)) return;
  const answer = send('GET', path, { query });
  answer.catch(() => {}); // the page that takes it meets the error
  ahead.set(url, { answer, at: Date.now() });
}

function takeAhead(url) {
  const found = ahead.get(url);
  if (!found) return null;
  ahead.delete(url);
  return Date.now() - found.at < AHEAD_MS ? found.answer : null;
}

/**
 * One call to the API. Answers {data, headers}; throws ApiError.
 * options: query, body (JSON), allowUnauthorized (the caller handles 401 itself), blob.
 */
export async function send(method, path, options = {}) {
  if (WRITE_METHODS.has(method)) ahead.clear();
  else if (!options.blob && !options.allowUnauthorized) {
    const early = takeAhead(apiUrl(path, options.query));
    if (early) return early;
  }
  const init = { method, credentials: 'same-origin', headers: headersFor(method, {}) };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers['Content-Type'] = 'application/json';
  } else if (WRITE_METHODS.has(method)) {
    init.body = '{}';
    init.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch {
    throw networkError();
  }
  if (!response.ok) throw handleUnauthorized(await errorFrom(response), options);
  if (options.blob) return { data: await response.blob(), headers: response.headers };
  if (response.status === 204) return { data: null, headers: response.headers };
  return { data: await response.json(), headers: response.headers };
}

export async function get(path, query, options = {}) {
  return (await send('GET', path, { ...options, query })).data;
}

export async function post(path, body, options = {}) {
  return (await send('POST', path, { ...options, body })).data;
}

export async function put(path, body, options = {}) {
  return (await send('PUT', path, { ...options, body })).data;
}

export async function patch(path, body, options = {}) {
  return (await send('PATCH', path, { ...options, body })).data;
}

export async function del(path, options = {}) {
  return (await send('DELETE', path, options)).data;
}

/** A paginated list: {items, total} (the total comes in the X-Pagination header). */
export async function getPage(path, query) {
  const { data, headers } = await send('GET', path, { query });
  let total = Array.isArray(data) ? data.length : 0;
  try {
    const pagination = JSON.parse(headers.get('X-Pagination') || 'null');
    if (pagination && typeof pagination.total === 'number') total = pagination.total;
  } catch {
    // no header: the list is whole
  }
  return { items: data || [], total };
}

/** Every item of a paginated list, for pickers (at most `limit`, in pages of 100). */
export async function getAll(path, query, limit = 500) {
  const items = [];
  for (let page = 1; items.length < limit; page += 1) {
    const result = await getPage(path, { ...query, page, page_size: 100 });
    items.push(...result.items);
    if (result.items.length < 100 || items.length >= result.total) break;
  }
  return items;
}

/** Downloads a file from the API and hands it to the browser as `filename`. */
export async function download(path, query, filename) {
  const { data, headers } = await send('GET', path, { query, blob: true });
  const disposition = headers.get('Content-Disposition') || '';
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : filename;
  const href = URL.createObjectURL(data);
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
  return name;
}

/**
 * Uploads a multipart form, reporting progress (0–100) as the bytes go; answers the JSON body.
 * XMLHttpRequest, because fetch cannot report upload progress.
 */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) {
        onProgress(Math.round((event.loaded / event.total) * 100));
      }
    };
    xhr.onerror = () => reject(networkError());
    xhr.onload = async () => {
      const response = new Response(xhr.responseText || null, {
        status: xhr.status,
        headers: { 'Content-Type': xhr.getResponseHeader('Content-Type') || '' },
      });
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(await response.json());
      } else {
        reject(handleUnauthorized(await errorFrom(response), {}));
      }
    };
    xhr.send(form);
  });
}
