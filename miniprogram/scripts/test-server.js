#!/usr/bin/env node
// npm run test:server：在空闲端口上用一次性的 SQLite 文件启动演示服务端（flask --app server demo，
// 含模拟微信接口），等 GET /healthz 通过后，以 PARTY_SERVER_URL 运行 tests/request.real-server.test.js，最后关掉服务端。
// 用法：node scripts/test-server.js [--serve]   （--serve 只启动服务端并打印地址，Ctrl-C 结束，便于手工调试）
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const SERVER_ROOT = path.resolve(ROOT, '..');
const FLASK = process.env.PARTY_FLASK || path.join(SERVER_ROOT, '.venv', 'bin', 'flask');
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = Number(process.env.PARTY_SERVER_START_TIMEOUT_MS || 120000);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(url) {
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// resolve {child, url, output()}，子进程提前退出时 reject（带输出）。
async function start() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'party-mp-'));
  const port = await freePort();
  const standinPort = await freePort();
  const env = {
    ...process.env,
    PARTY_DATABASE_URL: `sqlite:///${path.join(dir, 'demo.db')}`,
    PARTY_DEMO_PORT: String(port),
    PARTY_WECHAT_STANDIN_PORT: String(standinPort),
    PYTHONUNBUFFERED: '1',
  };
  const child = spawn(FLASK, ['--app', 'server', 'demo'], { cwd: SERVER_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.on('error', (err) => {
    exited = { error: err.message };
  });
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      const err = new Error(`演示服务端提前退出（${JSON.stringify(exited)}）`);
      err.output = output;
      throw err;
    }
    if (await healthy(url)) return { child, url, dir, output: () => output };
    await sleep(300);
  }
  stop({ child, dir });
  const err = new Error(`演示服务端 ${START_TIMEOUT_MS / 1000} 秒内没有通过 /healthz`);
  err.output = output;
  throw err;
}

function stop(server) {
  if (!server || !server.child) return;
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    try {
      // 只结束我们自己启动的进程组（flask 及其模拟微信接口线程）。
      if (process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch (e) {
      child.kill('SIGTERM');
    }
  }
  if (server.dir) fs.rmSync(server.dir, { recursive: true, force: true });
}

async function main() {
  const serveOnly = process.argv.includes('--serve');
  let server;
  try {
    server = await start();
  } catch (err) {
    console.error(err.message);
    if (err.output) console.error(err.output.split('\n').slice(-30).join('\n'));
    process.exit(1);
  }
  console.log(`演示服务端已启动：${server.url}`);
  const cleanup = () => stop(server);
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  process.on('SIGTERM', () => {
    cleanup();
    process.exit(143);
  });
  if (serveOnly) return;
  const jestBin = require.resolve('jest/bin/jest');
  const jest = spawn(process.execPath, [jestBin, '--runTestsByPath', 'tests/request.real-server.test.js', ...process.argv.slice(2)], {
    cwd: ROOT,
    env: { ...process.env, PARTY_SERVER_URL: server.url },
    stdio: 'inherit',
  });
  jest.on('exit', (code) => {
    cleanup();
    process.exit(code === null ? 1 : code);
  });
}

main();
