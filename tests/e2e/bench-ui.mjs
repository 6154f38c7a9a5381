// The web UI with N devices (default 10,000): stores them through
// `netcensus import` (gen-network.mjs: subnets of 100 with a switch each,
// forwarding tables, LLDP, ARP), starts `netcensus serve` on 127.0.0.1 and
// prints, measured by Chromium and over loopback:
//   - GET /api/v1/search: p50/p99/max of each kind of query, the HTTP
//     round trip on loopback and the server's own time for the reply
//     (its Server-Timing header: app = wall, cpu = the thread's CPU);
//   - the devices page: navigation start to the first rows (median of 3);
//   - the network picture: navigation start to the first picture drawn
//     (all subnets closed), and the time to draw it with every subnet
//     of the 1,000 devices it shows opened (median of 3);
//   - beside each, the CPU time Chromium (all its processes) and the
//     server used for it, which a busy machine changes far less.
// Run by bench/ui.sh; nothing is sent anywhere but 127.0.0.1.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { writeNetwork, subnetCount } from './gen-network.mjs';

const NETCENSUS = process.env.NETCENSUS;
const N = Number(process.env.BENCH_DEVICES || 10000);
const ROUNDS = 3;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-bench-ui-'));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const ms = (x) => x.toFixed(1);

// CPU seconds (user + system) used so far by the processes below pid
// (not pid itself, nor those below skip): what a measurement cost,
// whatever else the machine was doing (the wall times depend on that).
function cpuBelow(pid, skip) {
  const stat = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const a = f.slice(f.lastIndexOf(')') + 2).split(' ');
      stat.set(Number(d), { ppid: Number(a[1]), cpu: Number(a[11]) + Number(a[12]) });
    } catch (e) { /* gone */ }
  }
  let ticks = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    if (p !== pid) ticks += stat.get(p).cpu;
    for (const [c, v] of stat) if (v.ppid === p && c !== skip) todo.push(c);
  }
  return ticks / 100; // USER_HZ
}

async function serve(db) {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const proc = spawn(NETCENSUS, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) resolve(); });
    proc.on('exit', () => reject(new Error('netcensus serve stopped: ' + err)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, password: /first user: admin \/ (\S+)/.exec(err)[1] };
}

let srv;
let browser;
try {
  const db = path.join(tmp, 'bench.db');
  let t0 = Date.now();
  const files = writeNetwork(path.join(tmp, 'reports'), N);
  execFileSync(NETCENSUS, ['-q', 'import', '--db', db, ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`stored ${N} devices (${subnetCount(N)} subnets) through netcensus import in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  fs.rmSync(path.join(tmp, 'reports'), { recursive: true });
  srv = await serve(db);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-sandbox', '--disable-gpu', '--disable-quic'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  ctx.setDefaultTimeout(120000);
  const p = await ctx.newPage();
  const r = await p.request.post(srv.url + '/api/v1/auth/login', { data: { username: 'admin', password: srv.password } });
  if (r.status() !== 200) throw new Error('login: ' + r.status());

  // Chromium's processes are ours, beside the server's
  const chromiumCpu = () => cpuBelow(process.pid, srv.proc.pid);
  const serverCpu = () => cpuBelow(process.pid) - chromiumCpu();

  // search: 100 queries of each kind, over one kept-alive connection
  const kinds = {
    'host name': (i) => `net-${String(i % subnetCount(N)).padStart(3, '0')}-0${String(10 + (i % 90)).padStart(2, '0')}`,
    'address': (i) => `198.19.${i % subnetCount(N)}.${2 + (i % 98)}`,
    'MAC, no separators': (i) => `0219${(i % subnetCount(N)).toString(16).padStart(4, '0')}00${(2 + (i % 98)).toString(16).padStart(2, '0')}`,
    'serial': (i) => `NET-${i % subnetCount(N)}-${2 + (i % 98)}`,
    'nothing found': (i) => `no-such-${i}`,
  };
  // the server's own figures for one reply (Server-Timing, docs/api.md):
  // app = wall time from the complete request to the reply, cpu = the
  // CPU time of the thread that answered
  const timing = (res) => {
    const h = res.headers()['server-timing'] || '';
    const get = (name) => Number((new RegExp(`(?:^|,)\\s*${name};dur=([0-9.]+)`).exec(h) || [])[1]);
    return { app: get('app'), cpu: get('cpu') };
  };
  const all = [];
  const allApp = [];
  const allCpu = [];
  const srvCpu0 = serverCpu();
  for (const [kind, q] of Object.entries(kinds)) {
    const times = [];
    const app = [];
    for (let i = 0; i < 100; i++) {
      const s = performance.now();
      const res = await p.request.get(`${srv.url}/api/v1/search?q=${encodeURIComponent(q(i * 7))}`);
      await res.body();
      times.push(performance.now() - s);
      if (res.status() !== 200) throw new Error(`search ${q(i)}: ${res.status()}`);
      const t = timing(res);
      if (!(t.app >= 0 && t.cpu >= 0)) throw new Error('no Server-Timing app/cpu in the reply');
      app.push(t.app);
      allCpu.push(t.cpu);
    }
    all.push(...times);
    allApp.push(...app);
    console.log(`search, ${kind}: round trip p50 ${ms(pct(times, 50))} ms, p99 ${ms(pct(times, 99))} ms, max ${ms(Math.max(...times))} ms; server-side (Server-Timing app) p50 ${ms(pct(app, 50))} ms, p99 ${ms(pct(app, 99))} ms`);
  }
  console.log(`search, all ${all.length}: round trip p50 ${ms(pct(all, 50))} ms, p99 ${ms(pct(all, 99))} ms (HTTP on loopback); server-side (Server-Timing app) p50 ${ms(pct(allApp, 50))} ms, p99 ${ms(pct(allApp, 99))} ms; the answering thread's CPU (Server-Timing cpu) p50 ${ms(pct(allCpu, 50))} ms, p99 ${ms(pct(allCpu, 99))} ms; the server's CPU from /proc: ${ms(((serverCpu() - srvCpu0) * 1000) / all.length)} ms per search on average`);

  // the devices page, cold loads
  const dev = [];
  const devCpu = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = cpuBelow(process.pid);
    await p.goto(`${srv.url}/?d=${i}#/devices`);
    await p.waitForSelector('table.devices tbody tr[data-id]');
    devCpu.push(Math.round((cpuBelow(process.pid) - c0) * 1000));
    dev.push(Math.round(await p.evaluate(() => performance.getEntriesByName('devices-first-rows')[0].startTime)));
  }
  console.log(`devices page, ${N} devices: first rows ${dev.join(', ')} ms after the start of navigation (median ${median(dev)} ms); CPU of Chromium and the server for the load: ${devCpu.join(', ')} ms`);

  // the network picture: first picture (closed subnets), then all open
  const first = [];
  const fetches = [];
  const netServer = [];
  const opened = [];
  const firstCpu = [];
  const openedCpu = [];
  for (let i = 0; i < ROUNDS; i++) {
    let c0 = cpuBelow(process.pid);
    await p.goto(`${srv.url}/?n=${i}#/network`);
    await p.waitForSelector('#net-graph[data-draw-ms]');
    firstCpu.push(Math.round((cpuBelow(process.pid) - c0) * 1000));
    first.push(Math.round(await p.evaluate(() => performance.getEntriesByName('network-drawn')[0].startTime)));
    fetches.push(Number(await p.getAttribute('#net-graph', 'data-fetch-ms')));
    netServer.push(`${await p.getAttribute('#net-graph', 'data-server-ms')} / ${await p.getAttribute('#net-graph', 'data-server-cpu-ms')}`);
    c0 = chromiumCpu();
    await p.click('#net-open-all');
    await p.waitForSelector('#net-graph[data-open]:not([data-open="0"])');
    openedCpu.push(Math.round((chromiumCpu() - c0) * 1000));
    opened.push(Number(await p.getAttribute('#net-graph', 'data-draw-ms')));
  }
  const status = await p.textContent('#net-status');
  console.log(`network picture (${status}): drawn ${first.join(', ')} ms after the start of navigation (median ${median(first)} ms; the API's answer took ${fetches.join(', ')} ms of it, of which the server, wall / CPU: ${netServer.join(', ')} ms); CPU of Chromium and the server: ${firstCpu.join(', ')} ms`);
  console.log(`network picture, every subnet opened (${await p.getAttribute('#net-graph', 'data-nodes')} nodes, ${await p.getAttribute('#net-graph', 'data-edges')} edges): drawn in ${opened.join(', ')} ms (median ${median(opened)} ms); CPU of Chromium: ${openedCpu.join(', ')} ms`);
  console.log(`load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  if (browser) await browser.close();
  if (srv) srv.proc.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
