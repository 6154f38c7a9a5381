// The web UI in a real browser: Playwright (playwright-core) drives
// Debian's Chromium against `netcensus serve` on 127.0.0.1 with a seeded
// temporary store. Run by tests/e2e/run.sh (node --test, TAP output).
//
// Environment: NETCENSUS (the binary), NETCENSUS_SAMPLES (Open-AudIT sample
// audits), CHROMIUM (default /usr/bin/chromium), SHOTS (screenshot folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const NETCENSUS = process.env.NETCENSUS;
const SAMPLES = process.env.NETCENSUS_SAMPLES || '';
const SHOTS = process.env.SHOTS || path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');
const HOSTILE = '<img src=x onerror=alert(1)>';
const SECRET = 'e2e-community-' + Math.random().toString(36).slice(2, 12);
const PERF_DEVICES = 100000;
// The ceiling of every wait for the page (Playwright's default is 30 s):
// what is awaited normally shows in well under a second, but the machine
// running the tests may be busy (docs/testing.md).
const WAIT_MS = 60000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-e2e-'));
const servers = [];
let browser;
let ctx;
let page;
let main; // {url, db, password}
const dialogs = [];
const cspErrors = [];
const apiBodies = []; // every API response body the pages received
const offsite = []; // requests to anything but loopback: all refused

function sh(cmd, args, input) {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function freePort() {
  return 30000 + Math.floor(Math.random() * 20000);
}

// Starts `netcensus serve` on db; resolves with its URL and the first
// user's password (printed once on stderr at the first start).
async function startServer(db) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const proc = spawn(NETCENSUS, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const ready = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), WAIT_MS);
      proc.stderr.on('data', (d) => {
        err += d;
        if (/listening on/.test(err)) { clearTimeout(t); resolve(true); }
      });
      proc.on('exit', () => { clearTimeout(t); resolve(false); });
    });
    if (!ready) { proc.kill('SIGTERM'); continue; }
    servers.push(proc);
    const m = /first user: admin \/ (\S+)/.exec(err);
    return { url: `http://127.0.0.1:${port}`, db, password: m ? m[1] : null, proc };
  }
  throw new Error('netcensus serve did not start');
}

// Device reports of our own: the hostile host name, devices that see each
// other over ARP and LLDP, and a second audit of one of them so the change
// log has adds, removes and changes.
function writeReports() {
  const files = [];
  const rep = (name, sys, sections) => {
    const f = path.join(tmp, name + '.json');
    fs.writeFileSync(f, JSON.stringify({ report_version: 1, source: { name: 'e2e' }, sys, ...sections }));
    files.push(f);
    return f;
  };
  rep('hostile', { hostname: HOSTILE, ip: '198.18.9.66', type: 'computer', uuid: 'E2E-HOSTILE', os_family: HOSTILE, manufacturer: '"><script>alert(2)</script>' },
    { software: [{ name: '<b>bold</b>', version: '1' }] });
  rep('core-sw', { hostname: 'core-sw', ip: '198.18.9.1', mac: 'aa:bb:cc:00:00:01', type: 'switch', serial: 'E2E-SW1', sysName: 'core-sw' },
    { arp: [{ ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10' }, { ip: '198.18.9.11', mac: 'aa:bb:cc:00:00:11' }],
      lldp: [{ local_port: 'Gi0/1', remote_mac: 'aa:bb:cc:00:00:02', remote_port: 'Gi0/24', remote_name: 'edge-sw' }] });
  rep('edge-sw', { hostname: 'edge-sw', ip: '198.18.10.1', mac: 'aa:bb:cc:00:00:02', type: 'switch', serial: 'E2E-SW2', sysName: 'edge-sw' }, {});
  for (const i of [10, 11]) {
    rep('web' + i, { hostname: 'web' + i, ip: '198.18.9.' + i, mac: 'aa:bb:cc:00:00:' + i, type: 'computer', uuid: 'E2E-WEB' + i, os_family: 'Debian' },
      { ip: [{ ip: '198.18.9.' + i, mac: 'aa:bb:cc:00:00:' + i, netmask: '255.255.255.0', version: '4' }],
        software: [{ name: 'nginx', version: '1.22' }, { name: 'openssh-server', version: '9.2' }] });
  }
  // a second NIC, a serial and a software name only it has: the header
  // search finds it by each
  rep('twonic', { hostname: 'e2e-twonic', ip: '198.18.11.5', mac: 'aa:bb:cc:00:01:01', type: 'computer', serial: 'E2E-TWONIC-SN' },
    { network: [{ mac: 'aa:bb:cc:00:01:01', net_index: '1' }, { mac: 'aa:bb:cc:00:01:02', net_index: '2' }],
      software: [{ name: 'e2e-only-tool', version: '3.1' }] });
  // 150 software rows: a report longer than one page
  rep('many-sw', { hostname: 'e2e-many-sw', ip: '198.18.11.6', type: 'computer', uuid: 'E2E-MANY-SW' },
    { software: Array.from({ length: 150 }, (_, i) => ({ name: `e2e-pkg-${String(i).padStart(3, '0')}`, version: '1' })) });
  const again = path.join(tmp, 'web10-again.json');
  fs.writeFileSync(again, JSON.stringify({ report_version: 1, source: { name: 'e2e' },
    sys: { hostname: 'web10', ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10', type: 'computer', uuid: 'E2E-WEB10', os_family: 'Debian' },
    ip: [{ ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10', netmask: '255.255.255.0', version: '4' }],
    software: [{ name: 'nginx', version: '1.24' }, { name: 'postgresql', version: '15' }] }));
  return { files, again };
}

async function shot(name, p = page) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

function watch(p) {
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  p.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) cspErrors.push(m.text()); });
  p.on('pageerror', (e) => cspErrors.push('page error: ' + e.message));
  p.on('response', async (r) => {
    if (!r.url().includes('/api/')) return;
    try { apiBodies.push(await r.text()); } catch (e) { /* redirected or gone */ }
  });
}

async function apiGet(p) {
  const r = await page.request.get(main.url + '/api/v1' + p);
  assert.equal(r.status(), 200, `GET ${p}: ${r.status()}`);
  return r.json();
}

// A write as the page's session does it (cookie + CSRF token).
async function apiSend(method, p, data, pg = page) {
  const me = await (await pg.request.get(main.url + '/api/v1/auth/me')).json();
  const r = await pg.request.fetch(main.url + '/api/v1' + p, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), body: await r.json().catch(() => null) };
}

async function login(p, pass) {
  await p.fill('#login-user', 'admin');
  await p.fill('#login-pass', pass);
  await p.click('form.login button[type=submit]');
}

before(async () => {
  main = { db: path.join(tmp, 'ui.db') };
  const { files, again } = writeReports();
  const samples = SAMPLES && fs.existsSync(SAMPLES) ? fs.readdirSync(SAMPLES).map((f) => path.join(SAMPLES, f)) : [];
  sh(NETCENSUS, ['import', '--db', main.db, ...samples, ...files]);
  sh(NETCENSUS, ['import', '--db', main.db, again]);
  Object.assign(main, await startServer(main.db));
  // Chromium talks only to our server: no background networking, updates,
  // sync or QUIC. Playwright's launch() gives it a new empty
  // --user-data-dir of its own each time (and removes it at close).
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--no-sandbox', '--disable-gpu', '--disable-quic'],
    headless: true,
  });
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  ctx.setDefaultTimeout(WAIT_MS);
  // The browser reaches only loopback: anything else (the map's tile
  // server) is refused as if offline, and noted.
  await ctx.route(/.*/, (route) => {
    const u = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return route.continue();
    offsite.push(u.href);
    return route.abort('internetdisconnected');
  });
  page = await ctx.newPage();
  watch(page);
});

after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('login: a wrong password is refused, the right one opens the dashboard', async () => {
  assert.ok(main.password, 'the first start printed the admin password');
  await page.goto(main.url + '/');
  await page.waitForSelector('#login-user');
  await shot('login');
  await login(page, 'not the password');
  await page.waitForSelector('#login-msg .notice.error');
  assert.match(await page.textContent('#login-msg'), /Wrong user name or password/);
  await login(page, main.password);
  await page.waitForSelector('#chart-type');
  assert.match(await page.textContent('#user'), /admin/);
});

test('UI replies carry a strict Content-Security-Policy', async () => {
  const r = await page.request.get(main.url + '/');
  const csp = r.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
});

test('dashboard charts show the numbers the API gives', async () => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#chart-changes');
  await page.waitForFunction(() => window.Chart && ['chart-type', 'chart-os_family', 'chart-manufacturer', 'chart-new', 'chart-changes']
    .every((id) => window.Chart.getChart(document.getElementById(id))));
  const charts = await page.evaluate(() => {
    const out = {};
    for (const c of document.querySelectorAll('canvas')) {
      const ch = window.Chart.getChart(c);
      out[c.id] = { labels: ch.data.labels, data: ch.data.datasets.map((d) => d.data) };
    }
    return out;
  });
  const stats = await apiGet('/stats?days=30');
  // 5 synthetic reports, plus 11 devices when the Open-AudIT samples are here
  assert.ok(stats.devices >= (SAMPLES && fs.existsSync(SAMPLES) ? 15 : 5), `seeded devices: ${stats.devices}`);
  assert.equal(stats.devices, (await apiGet('/devices?limit=1')).count, 'stats and the device list agree');
  for (const f of ['type', 'os_family', 'manufacturer']) {
    const labels = stats['by_' + f].map((r) => r.value);
    const data = stats['by_' + f].map((r) => r.count);
    if (stats.other[f] > 0) { labels.push('other'); data.push(stats.other[f]); }
    assert.deepEqual(charts['chart-' + f].labels, labels, f);
    assert.deepEqual(charts['chart-' + f].data[0], data, f);
    assert.equal(data.reduce((a, b) => a + b, 0), stats.devices, `${f} adds up to every device`);
  }
  assert.deepEqual(charts['chart-new'].data[0], stats.new_devices.map((r) => r.count));
  assert.deepEqual(charts['chart-changes'].data, ['add', 'change', 'remove'].map((k) => stats.changes.map((r) => r[k])));
  const today = stats.changes[stats.changes.length - 1];
  assert.ok(today.add + today.change + today.remove > 0, 'the second audit of web10 made changes today');
  assert.equal(await page.textContent('#kpi-devices strong'), stats.devices.toLocaleString('en-US'));
  await shot('dashboard');
});

test('devices: column filter, search and sorting match the API', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  // column filter
  await page.fill('input[name="type__ic"]', 'switch');
  await page.waitForSelector('#devices-status[data-query*="type__ic=switch"]');
  const api = await apiGet('/devices?type__ic=switch&limit=50');
  const types = await page.$$eval('table.devices tbody td[data-col="type"]', (tds) => tds.map((t) => t.textContent));
  assert.ok(types.length >= 2 && types.length === api.results.length, `rows ${types.length} vs API ${api.results.length}`);
  assert.ok(types.every((t) => /switch/i.test(t)));
  assert.equal(Number(await page.getAttribute('#devices-status', 'data-count')), api.count);
  await page.fill('input[name="type__ic"]', '');
  // search box: an address prefix
  await page.fill('#device-search', '198.18.9.');
  await page.waitForSelector('#devices-status[data-query*="ip__isw=198.18.9."]');
  const ips = await page.$$eval('table.devices tbody td[data-col="ip"]', (tds) => tds.map((t) => t.textContent));
  assert.ok(ips.length >= 3 && ips.every((ip) => ip.startsWith('198.18.9.')), ips.join(' '));
  await page.fill('#device-search', '');
  await page.waitForFunction(() => !(document.querySelector('#devices-status').dataset.query || '').includes('ip__isw'));
  // sorting, both ways
  for (const ordering of ['hostname', '-hostname']) {
    await page.click('th button.sort[data-field="hostname"]');
    await page.waitForSelector(`#devices-status[data-query*="ordering=${encodeURIComponent(ordering)}"]`);
    const shown = await page.$$eval('table.devices tbody td[data-col="hostname"]', (tds) => tds.map((t) => t.textContent));
    const want = (await apiGet(`/devices?ordering=${ordering}&limit=50`)).results.map((d) => d.hostname || d.ip || `device ${d.id}`);
    assert.deepEqual(shown, want, ordering);
    const sort = await page.getAttribute('th:has(button[data-field="hostname"])', 'aria-sort');
    assert.equal(sort, ordering.startsWith('-') ? 'descending' : 'ascending');
  }
  await shot('devices');
});

test('devices: CSV export holds every device of the filter', async () => {
  await page.goto(main.url + '/#/devices?type__ic=computer');
  await page.waitForSelector('#devices-status[data-query*="type__ic=computer"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
  const api = await apiGet('/devices?type__ic=computer&limit=1');
  assert.equal(csv.length, api.count + 1, 'a header and one line per device');
  assert.match(csv[0], /"hostname"/);
});

test('a hostile host name is shown as text and runs nothing', async () => {
  await page.goto(main.url + '/#/devices?q=img');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  const link = page.locator('table.devices tbody td[data-col="hostname"] a').first();
  assert.equal(await link.textContent(), HOSTILE);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.locator('main script').count(), 0);
  await link.click();
  await page.waitForSelector('#device-name');
  assert.equal(await page.textContent('#device-name'), HOSTILE);
  await page.click('[role=tab][data-tab="software"]');
  await page.waitForSelector('table.section[data-section="software"]');
  assert.equal(await page.textContent('table.section tbody td'), '<b>bold</b>');
  assert.equal(await page.locator('main b, main img, main script').count(), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog opened');
  await shot('device-hostile');
});

test('device page: fields, the software tab, history and editing', async () => {
  const list = await apiGet('/devices?hostname=web10');
  const id = list.results[0].id;
  await page.goto(main.url + `/#/device/${id}`);
  await page.waitForSelector('#device-name');
  const tabs = await page.$$eval('[role=tab]', (b) => b.map((x) => x.dataset.tab));
  for (const s of ['summary', 'software', 'network', 'history']) assert.ok(tabs.includes(s), `tab ${s} in ${tabs}`);
  assert.ok(tabs.length <= 7, `sections are grouped into a few tabs: ${tabs}`);
  // keyboard: arrows move between tabs
  await page.focus('[role=tab][data-tab="summary"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-selected')), 'true');
  assert.notEqual(await page.evaluate(() => document.activeElement.dataset.tab), 'summary');
  await page.click('[role=tab][data-tab="software"]');
  await page.waitForSelector('table.section[data-section="software"]');
  const names = await page.$$eval('table.section tbody tr', (trs) => trs.map((t) => t.children[0].textContent).sort());
  const sw = await apiGet(`/devices/${id}/software`);
  assert.deepEqual(names, sw.results.map((r) => r.data.name).sort());
  await shot('device-software');
  await page.click('[role=tab][data-tab="history"]');
  await page.waitForSelector('#timeline li.change');
  const changes = await apiGet(`/changes?device_id=${id}&limit=100`);
  assert.equal(await page.locator('#timeline li.change').count(), changes.results.length);
  await shot('device-history');
  // edit the user fields
  // status and location come from lists (the location from the
  // Locations page's list of the device's org)
  assert.equal((await apiSend('POST', '/locations', { name: 'rack 4', org_id: 1 })).status, 201);
  await page.reload();
  await page.waitForSelector('#device-name');
  await page.click('[role=tab][data-tab="summary"]');
  await page.fill('#edit-owner', 'network team');
  assert.equal(await page.evaluate(() => document.getElementById('edit-location').tagName), 'SELECT');
  assert.equal(await page.evaluate(() => document.getElementById('edit-status').tagName), 'SELECT');
  await page.selectOption('#edit-location', 'rack 4');
  await page.click('#device-edit button[type=submit]');
  await page.waitForSelector('#device-edit .notice.ok');
  const dev = await apiGet(`/devices/${id}`);
  assert.equal(dev.owner, 'network team');
  assert.equal(dev.location, 'rack 4');
});

test('a credential secret appears in no page and no API response', async () => {
  await page.goto(main.url + '/#/admin/credentials');
  await page.waitForSelector('#cred-form');
  await page.fill('#cred-form input[name="name"]', 'e2e snmp');
  await page.selectOption('#cred-form select[name="type"]', 'snmp');
  await page.fill('#cred-form input[name="community"]', SECRET);
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok');
  await page.waitForSelector('#cred-list td:text("e2e snmp")');
  const visible = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText +
    [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n'));
  assert.ok(!visible.includes(SECRET), 'the secret is not in the page');
  const creds = await apiGet('/credentials');
  const c = (creds.results || creds).find((x) => x.name === 'e2e snmp');
  assert.ok(c && (c.secrets_set || []).includes('community'), 'the list says the secret is set');
  const one = await page.request.get(main.url + `/api/v1/credentials/${c.id}`);
  assert.ok(!(await one.text()).includes(SECRET));
  assert.ok(!JSON.stringify(creds).includes(SECRET));
  await page.reload();
  await page.waitForSelector('#cred-list td:text("e2e snmp")');
  assert.ok(apiBodies.length > 10, `API responses seen: ${apiBodies.length}`);
  assert.ok(apiBodies.every((b) => !b.includes(SECRET)), 'no API response the browser got holds the secret');
  await shot('admin-credentials');
});

test('admin: users, orgs and a token shown once', async () => {
  await page.goto(main.url + '/#/admin/tokens');
  await page.waitForSelector('#token-form');
  await page.fill('#token-form input[name="label"]', 'e2e token');
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('.token-value');
  const token = await page.inputValue('.token-value');
  assert.match(token, /^nc_/);
  const r = await page.request.get(main.url + '/api/v1/health', { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(r.status(), 200);
  await shot('admin-tokens');
  await page.goto(main.url + '/#/admin/users');
  await page.waitForSelector('#user-list table');
  await page.goto(main.url + '/#/admin/orgs');
  await page.waitForSelector('#org-list td:has-text("Default")');
  await shot('admin-orgs');
});

test('discoveries: a run\'s progress and log, refreshed until done', async () => {
  const sql = (q) => sh('sqlite3', [main.db], q);
  sql(`INSERT INTO discovery (id, org_id, name, targets, created, updated) VALUES (900, 1, 'e2e lab', '198.18.0.0/24', datetime('now'), datetime('now'));
       INSERT INTO discovery_run (id, discovery_id, state, started, addresses_total, addresses_done, alive, devices_stored)
       VALUES (900, 900, 'running', datetime('now', '-20 seconds'), 256, 64, 3, 1);
       INSERT INTO discovery_log (run_id, time, ip, stage, outcome, duration_ms) VALUES
       (900, datetime('now'), '198.18.0.1', 'discovery', 'alive', 2), (900, datetime('now'), '198.18.0.1', 'snmp', 'ok', 40),
       (900, datetime('now'), '198.18.0.2', 'discovery', 'dead', 1000);`);
  await page.goto(main.url + '/#/discoveries/900');
  await page.waitForSelector('.progress progress');
  assert.equal(await page.getAttribute('.progress progress', 'value'), '25');
  assert.match(await page.textContent('main'), /198\.18\.0\.2/);
  await shot('discovery-run');
  sql(`UPDATE discovery_run SET state = 'done', addresses_done = 256, finished = datetime('now') WHERE id = 900;`);
  await page.waitForSelector('.badge.done');
  assert.equal(await page.getAttribute('.progress progress', 'value'), '100');
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('table.runs tr[data-run="900"]');
  await shot('discoveries');
});

// A listener on 127.0.0.1 for the discovery to find (loopback only), and
// a minimal SMTP server that answers like a real one.
function listen(onConn) {
  return new Promise((resolve) => {
    const srv = net.createServer(onConn || ((c) => c.destroy()));
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

function smtpSink(got) {
  return listen((c) => {
    let data = false;
    let buf = '';
    c.write('220 e2e ESMTP\r\n');
    c.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') { data = false; got.push('message'); c.write('250 2.0.0 Ok: queued as E2E42\r\n'); }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') c.write('250-e2e\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') { data = true; c.write('354 go on\r\n'); }
        else if (verb === 'QUIT') { c.end('221 bye\r\n'); }
        else c.write('250 ok\r\n');
      }
    });
    c.on('error', () => {});
  });
}

test('discoveries: create one on 127.0.0.1 from the page, run it and watch it reach done', async () => {
  const lsn = await listen();
  const port = lsn.address().port;
  try {
    await page.goto(main.url + '/#/discoveries');
    await page.waitForSelector('#discovery-form');
    assert.ok(await page.$('#discovery-form input[name="credential"]'), 'stored credentials are offered');
    await page.fill('#discovery-form input[name="name"]', 'e2e loopback');
    await page.fill('#discovery-form input[name="targets"]', '127.0.0.1');
    await page.selectOption('#discovery-form select[name="how"]', 'ports');
    await page.fill('#discovery-form input[name="ports"]', String(port));
    await page.uncheck('#discovery-form input[name="dns"]');
    await shot('discovery-form');
    await page.click('#discovery-form button[type=submit]');
    await page.waitForSelector('#discovery-form .notice.ok');
    const defs = await apiGet('/discoveries');
    const d = (defs.results || defs).find((x) => x.name === 'e2e loopback');
    assert.ok(d, 'stored');
    assert.equal(d.targets, '127.0.0.1');
    assert.equal(String(d.options.ports), String(port));
    await page.click('button[aria-label="Run e2e loopback"]');
    await page.waitForSelector('#discovery-msg .notice.ok');
    const id = /Run (\d+) /.exec(await page.textContent('#discovery-msg'))[1];
    await page.waitForSelector(`table.runs tr[data-run="${id}"]`);
    await page.click(`table.runs tr[data-run="${id}"] a`);
    await page.waitForSelector('#run-state .badge.done');
    assert.equal(await page.getAttribute('.progress progress', 'value'), '100');
    const run = await apiGet(`/discovery-runs/${id}`);
    assert.equal(run.state, 'done');
    assert.equal(run.alive, 1);
    const log = await page.textContent('table.runlog');
    assert.match(log, /127\.0\.0\.1/);
    assert.match(log, /ports: open/);
    await shot('discovery-loopback-run');
  } finally { lsn.close(); }
});

test('discoveries: a stored one is edited from the page; a bad change is refused and changes nothing', async () => {
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('button[aria-label="Edit e2e loopback"]');
  const before = (await apiGet('/discoveries')).results.find((x) => x.name === 'e2e loopback');
  await page.click('button[aria-label="Edit e2e loopback"]');
  assert.match(await page.textContent('#discovery-form h2'), /Edit discovery e2e loopback/);
  assert.equal(await page.inputValue('#discovery-form input[name="targets"]'), '127.0.0.1');
  assert.equal(await page.inputValue('#discovery-form input[name="ports"]'), String(before.options.ports));
  assert.equal(await page.isChecked('#discovery-form input[name="dns"]'), false, 'the stored options fill the form');
  await page.fill('#discovery-form input[name="targets"]', '127.0.0.1/33');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.error');
  assert.match(await page.textContent('#discovery-form .notice.error'), /targets/);
  assert.equal((await apiGet(`/discoveries/${before.id}`)).targets, '127.0.0.1', 'a refused change stores nothing');
  await page.fill('#discovery-form input[name="targets"]', '127.0.0.1, 127.0.0.2');
  await page.fill('#discovery-form input[name="exclude"]', '127.0.0.2');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  const after = await apiGet(`/discoveries/${before.id}`);
  assert.equal(after.name, 'e2e loopback');
  assert.equal(after.targets, '127.0.0.1, 127.0.0.2');
  assert.equal(after.exclude, '127.0.0.2');
  assert.equal(String(after.options.ports), String(before.options.ports), 'untouched fields stay');
  assert.match(await page.textContent('#discovery-form h2'), /New discovery/, 'the form is back to creating');
  await page.waitForSelector('table.discoveries td:text("127.0.0.1, 127.0.0.2")');
});

test('admin: a task listed with its next run; reports, mail and directory pages', async () => {
  await page.goto(main.url + '/#/admin/tasks');
  await page.waitForSelector('#task-form');
  await page.fill('#task-form input[name="name"]', 'e2e nightly scan');
  await page.selectOption('#task-form select[name="type"]', 'discovery');
  await page.fill('#task-form input[name="schedule"]', '30 2 * * *');
  await page.selectOption('#task-form select[name="discovery"]', { label: 'e2e loopback' });
  await page.click('#task-form button[type=submit]');
  await page.waitForSelector('#task-list td:text("e2e nightly scan")');
  const tasks = await apiGet('/tasks');
  const t = (tasks.results || tasks).find((x) => x.name === 'e2e nightly scan');
  assert.ok(t && / 02:30:00$/.test(t.next_run), `next_run ${t && t.next_run}`);
  const row = page.locator('#task-list tr', { hasText: 'e2e nightly scan' });
  assert.equal((await row.locator('td[data-col="next_run"]').textContent()).trim(), t.next_run);
  await shot('admin-tasks');

  await page.goto(main.url + '/#/admin/reports');
  await page.waitForSelector('#report-list td:text("Software by name")');
  await page.click('button[aria-label="Run Software by name"]');
  await page.waitForSelector('#report-out table');
  const rep = await apiGet('/reports');
  const sw = (rep.results || rep).find((x) => x.name === 'Software by name');
  const res = await apiGet(`/reports/${sw.id}/run?limit=500`);
  assert.match(await page.textContent('#report-out h3'), new RegExp(`: ${res.count.toLocaleString('en-US')} rows`));
  await shot('admin-reports');

  const got = [];
  const sink = await smtpSink(got);
  const pw = 'e2e-smtp-' + Math.random().toString(36).slice(2, 10);
  try {
    await page.goto(main.url + '/#/admin/smtp');
    await page.waitForSelector('#smtp-form');
    await page.fill('#smtp-form input[name="host"]', '127.0.0.1');
    await page.fill('#smtp-form input[name="port"]', String(sink.address().port));
    await page.selectOption('#smtp-form select[name="security"]', 'none');
    await page.fill('#smtp-form input[name="from"]', 'netcensus@example.org');
    await page.fill('#smtp-form input[name="password"]', pw);
    await page.click('#smtp-form button[type=submit]');
    await page.waitForSelector('#smtp-msg .notice');
    assert.match(await page.textContent('#smtp-msg'), /saved/, await page.textContent('#smtp-msg'));
    assert.match(await page.textContent('#smtp-password-state'), /password is set/);
    await page.fill('#smtp-test input[name="to"]', 'me@example.org');
    await page.click('#smtp-test button[type=submit]');
    await page.waitForSelector('#smtp-test-msg .notice', { timeout: 35000 });
    assert.match(await page.textContent('#smtp-test-msg'), /queued as E2E42/);
    assert.equal(got.length, 1, 'the sink got one message');
    assert.ok(apiBodies.every((b) => !b.includes(pw)), 'no API response holds the SMTP password');
    await shot('admin-smtp');
  } finally { sink.close(); }

  await page.goto(main.url + '/#/admin/ldap');
  await page.waitForSelector('#ldap-form');
  await page.fill('#ldap-form input[name="name"]', 'e2e-dir');
  await page.fill('#ldap-form input[name="url"]', 'ldap://127.0.0.1:389');
  await page.fill('#ldap-form input[name="base_dn"]', 'dc=example,dc=org');
  await page.fill('#ldap-form input[name="user_dn_template"]', 'uid=%s,ou=People,dc=example,dc=org');
  await page.fill('#ldap-form input[name="map_group"]', 'cn=netadmins,ou=Groups,dc=example,dc=org');
  await page.selectOption('#ldap-form select[name="map_role"]', 'admin');
  await page.click('#ldap-form button[type=submit]');
  await page.waitForSelector('#ldap-msg .notice');
  assert.match(await page.textContent('#ldap-msg'), /saved/, await page.textContent('#ldap-msg'));
  await page.waitForSelector('#ldap-list td:text("e2e-dir")');
  assert.match(await page.textContent('#ldap-list'), /netadmins.*→ admin/);
  await page.click('button[aria-label="Edit e2e-dir"]');
  assert.equal(await page.inputValue('#ldap-form input[name="url"]'), 'ldap://127.0.0.1:389');
  await shot('admin-ldap');
});

test('admin: the Open-AudIT intake allow-list is edited from the page', async () => {
  await page.goto(main.url + '/#/admin/intake');
  await page.waitForSelector('#intake-form');
  await page.fill('#intake-form textarea[name="allow"]', '198.18.0.0/15\n10.0.0.0/33');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice');
  assert.match(await page.textContent('#intake-msg'), /entry 2/, 'a bad network is named');
  assert.equal(await page.getAttribute('#intake-form textarea[name="allow"]', 'aria-invalid'), 'true');
  assert.deepEqual((await apiGet('/settings/intake')).allow, [], 'nothing stored from a refused save');
  await page.fill('#intake-form textarea[name="allow"]', '198.18.0.0/15, 198.19.7.0/24');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice.ok');
  assert.match(await page.textContent('#intake-msg'), /2 network/);
  assert.deepEqual((await apiGet('/settings/intake')).allow, ['198.18.0.0/15', '198.19.7.0/24']);
  await page.reload();
  await page.waitForSelector('#intake-form');
  assert.equal(await page.inputValue('#intake-form textarea[name="allow"]'), '198.18.0.0/15\n198.19.7.0/24');
  await shot('admin-intake');
  await page.fill('#intake-form textarea[name="allow"]', '');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice.ok');
  assert.deepEqual((await apiGet('/settings/intake')).allow, []);
});

test('admin: the admin of a sub-org gets no global settings pages', async () => {
  sh(NETCENSUS, ['admin', '--db', main.db, 'org', 'add', 'e2e-east']);
  sh(NETCENSUS, ['admin', '--db', main.db, 'user', 'add', 'eastboss', '--role', 'admin', '--org', 'e2e-east'], 'east-boss-password\n');
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await c.newPage();
  watch(p);
  await p.goto(main.url + '/');
  await p.fill('#login-user', 'eastboss');
  await p.fill('#login-pass', 'east-boss-password');
  await p.click('form.login button[type=submit]');
  await p.waitForSelector('#chart-type');
  await p.goto(main.url + '/#/admin/intake');
  await p.waitForSelector('#tab-intake[aria-selected="true"]');
  await p.waitForSelector('text=Open-AudIT audit scripts');
  assert.equal(await p.locator('#intake-form').count(), 0, 'no allow-list form');
  assert.equal(await p.locator('#tab-smtp').count(), 0, 'no Mail tab');
  assert.equal(await p.locator('#tab-ldap').count(), 0, 'no Directory sign-in tab');
  const r = await p.request.get(main.url + '/api/v1/settings/smtp');
  assert.equal(r.status(), 403);
  assert.match((await r.json()).error, /admin of the root org/);
  await c.close();
});

test('network picture: subnets and ARP/LLDP links are drawn', async () => {
  await page.goto(main.url + '/#/network?ip__isw=198.18.');
  await page.waitForSelector('#net-graph canvas');
  const net = await apiGet('/network?ip__isw=198.18.&limit=250');
  assert.ok(net.links.some((l) => l.kind === 'lldp') && net.links.some((l) => l.kind === 'arp'), JSON.stringify(net.links));
  assert.equal(Number(await page.getAttribute('#net-status', 'data-links')), net.links.length);
  const subnets = await page.$$eval('.subnet-card', (s) => s.map((x) => x.dataset.subnet));
  assert.ok(subnets.includes('198.18.9.0/24'), subnets.join(' '));
  await page.waitForTimeout(300);
  await shot('network');
});

test('keyboard: "/" focuses the search box', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  await page.locator('main h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'device-search');
});

test('phone width: pages fit without sideways scrolling', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await ctx.storageState(), isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(WAIT_MS);
  const p = await phone.newPage();
  watch(p);
  for (const [hash, sel, name] of [['#/dashboard', '#chart-type', 'phone-dashboard'], ['#/devices', 'table.devices tbody tr[data-id]', 'phone-devices']]) {
    await p.goto(main.url + '/' + hash);
    await p.waitForSelector(sel);
    const [sw, w] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= w + 1, `${hash}: page is ${sw}px wide in a ${w}px window`);
    await shot(name, p);
  }
  await p.click('#menu');
  assert.ok(await p.isVisible('#nav a[href="#/devices"]'), 'the menu opens');
  await phone.close();
});

test('an expired session goes back to the login page with a notice', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  await ctx.clearCookies();
  await page.click('#nav a[href="#/dashboard"]');
  await page.waitForSelector('#login-msg .notice');
  assert.match(await page.textContent('#login-msg'), /session has expired/i);
  await shot('session-expired');
  await login(page, main.password);
  await page.waitForSelector('#chart-type');
});

// ---- the header search (docs/ui.md, "Search") ----
async function headerSearch(q) {
  await page.fill('#global-search', q);
  await page.press('#global-search', 'Enter');
  await page.waitForSelector('#search-status');
  return page.textContent('#search-status');
}

test('search: a device by its second NIC\'s MAC typed without separators, by serial, by a software name', async (t) => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#global-search');
  const t0 = Date.now();
  const status = await headerSearch('aabbcc000102');
  t.diagnostic(`header search answered in ${Date.now() - t0} ms as Playwright saw it (${status})`);
  const row = page.locator('#search-devices tbody tr').first();
  assert.equal(await row.locator('td[data-col="hostname"]').textContent(), 'e2e-twonic');
  assert.match(await row.locator('td[data-col="match"]').textContent(), /MAC address: aa:bb:cc:00:01:02/);
  await shot('search-mac');
  await headerSearch('e2e-twonic-sn');
  assert.equal(await page.textContent('#search-devices tbody tr td[data-col="hostname"]'), 'e2e-twonic');
  assert.match(await page.textContent('#search-devices tbody tr td[data-col="match"]'), /serial: E2E-TWONIC-SN/);
  await headerSearch('e2e-only');
  assert.match(await page.textContent('#search-software .software-hit'), /e2e-only-tool\s+installed on 1 device/);
  await page.click('#search-software a:text("e2e-twonic")');
  await page.waitForSelector('#device-name:text("e2e-twonic")');
  // a software name several devices have lists them all
  await headerSearch('nginx');
  const names = await page.$$eval('#search-software .software-hit li a', (as) => as.map((a) => a.textContent).sort());
  assert.deepEqual(names, ['web10', 'web11']);
  const none = await headerSearch('no-such-thing-anywhere');
  assert.match(none, /Nothing found/);
});

test('changes: the page filtered to one device and one week; readable rows; CSV', async (t) => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#kpi-changes');
  assert.match(await page.getAttribute('#kpi-changes', 'href'), /^#\/changes/);
  await page.click('#kpi-changes');
  await page.waitForSelector('#changes-status');
  await page.waitForSelector('#timeline li.change');
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  const day = (d) => d.toISOString().slice(0, 10);
  await page.fill('#changes-filters input[name="device"]', 'web10');
  await page.fill('#changes-filters input[name="from"]', day(weekAgo));
  await page.fill('#changes-filters input[name="to"]', day(today));
  const t0 = Date.now();
  await page.click('#changes-filters button[type=submit]');
  await page.waitForFunction(() => /device=web10/.test(location.hash));
  await page.waitForFunction(() => [...document.querySelectorAll('#timeline li.change a.dev')].every((a) => a.textContent === 'web10'));
  t.diagnostic(`changes page filtered to one device and one week in ${Date.now() - t0} ms`);
  const api = await apiGet(`/changes?hostname__ic=web10&time__gte=${day(weekAgo)}%2000:00:00&limit=1000`);
  assert.ok(api.count > 0, 'web10 has changes this week');
  assert.match(await page.textContent('#changes-status'), new RegExp(`^${api.count} change`));
  assert.equal(await page.locator('#timeline li.change').count(), Math.min(api.count, 100));
  const textAll = await page.textContent('#timeline');
  assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(textAll), 'no control character is shown');
  assert.ok(!textAll.includes('{"'), 'no raw JSON is shown');
  assert.match(textAll, /nginx · 1\.24/, 'a key reads as its fields');
  assert.match(textAll, /changed/);
  // one colour per kind: the dots of an added and a removed row differ
  const dot = (kind) => page.$eval(`#timeline li.kind-${kind}`, (li) => getComputedStyle(li, '::before').backgroundColor);
  const [add, remove] = [await dot('add'), await dot('remove')];
  assert.notEqual(add, remove);
  await shot('changes-week');
  // another device's changes are not in the filtered view
  assert.ok(!(await page.locator('#timeline a.dev:text("web11")').count()));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#changes-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'time,device_id,hostname,section,kind,item,details');
  assert.equal(lines.length - 1, api.count, 'the CSV has every change of the view');
  assert.ok(!/[\u001f]/.test(csv) && lines.slice(1).every((l) => l.includes(',web10,')));
  // the device page's History draws the same rows with the same filters
  const id = api.results[0].device_id;
  await page.goto(main.url + `/#/device/${id}/history`);
  await page.waitForSelector('#timeline li.change');
  await page.selectOption('#changes-filters select[name="kind"]', 'add');
  await page.click('#changes-filters button[type=submit]');
  const adds = (await apiGet(`/changes?device_id=${id}&action=add`)).count;
  await page.waitForFunction((n) => document.querySelectorAll('#timeline li.change').length === Math.min(n, 100) &&
    [...document.querySelectorAll('#timeline li.change')].every((li) => li.classList.contains('kind-add')), adds);
});

test('errors: the credential form shows the server\'s reason next to the field, cleared by a later save', async () => {
  await page.goto(main.url + '/#/admin/credentials');
  await page.waitForSelector('#cred-form');
  await page.fill('#cred-form input[name="name"]', 'e2e no community');
  await page.selectOption('#cred-form select[name="type"]', 'snmp');
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .field-error');
  const note = await page.textContent('#cred-form .field-error');
  assert.match(note, /missing community: required for snmp/);
  assert.equal(await page.getAttribute('#cred-form [name="community"]', 'aria-invalid'), 'true');
  assert.ok(!/server log/i.test(await page.textContent('#cred-form')), 'no "see the server log"');
  await shot('credential-error');
  // the same name as a stored one: the reason names it
  await page.fill('#cred-form input[name="name"]', 'e2e snmp');
  await page.fill('#cred-form input[name="community"]', 'e2e-other-' + Date.now());
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form [name="name"][aria-invalid="true"]');
  assert.match(await page.textContent('#cred-form .field-error'), /already exists/);
  // fixed: saved, and no red outline or message stays
  await page.fill('#cred-form input[name="name"]', 'e2e fixed ' + Date.now());
  await page.fill('#cred-form input[name="community"]', 'e2e-other-' + Date.now());
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok');
  assert.equal(await page.locator('#cred-form [aria-invalid]').count(), 0);
  assert.equal(await page.locator('#cred-form .field-error').count(), 0);
});

test('reports: the true total, pages from the server, linked host names, CSV of every row', async () => {
  const rep = await apiGet('/reports');
  const sw = (rep.results || rep).find((x) => x.name === 'Software by name');
  const one = await apiGet(`/reports/${sw.id}/run?limit=1`);
  assert.ok(one.count > 150, `the report has ${one.count} rows`);
  assert.equal(one.results.length, 1, 'limit pages the rows; count stays the total');
  await page.goto(main.url + '/#/admin/reports');
  await page.click('button[aria-label="Run Software by name"]');
  await page.waitForSelector('#report-total');
  assert.equal(await page.textContent('#report-total'), `Software by name: ${one.count.toLocaleString('en-US')} rows`);
  assert.equal(await page.locator('#report-out table tbody tr').count(), 100);
  await page.click('#report-next');
  await page.waitForSelector('#report-rows:text("rows 101")');
  assert.match(await page.textContent('#report-rows'), new RegExp(`^rows 101–${Math.min(200, one.count)} of ${one.count.toLocaleString('en-US')}$`));
  const href = await page.getAttribute('#report-out td[data-col="hostname"] a', 'href');
  assert.match(href, /^#\/device\/\d+$/, 'host names link to their device');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
  const lines = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
  assert.equal(lines.length - 1, one.count, 'the CSV holds every row');
  await page.waitForSelector('#report-out [role=status]:text("rows saved")');
  await shot('report-paged');
});

// ---- issue #18 items 4-5 (branch uidev) ----

test('devices: the column chooser is remembered for the user across a reload and a new login', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  assert.match(await page.textContent('#devices-count'), /^\(\d+\)$/, 'the count at the top');
  assert.equal(await page.locator('table.devices th[data-col="serial"]').count(), 0);
  await page.click('#columns-toggle');
  await page.check('#col-serial');
  await page.check('#col-org_id');
  await page.uncheck('#col-model');
  await page.waitForFunction(() => /saved/.test(document.getElementById('columns-msg').textContent));
  const heads = async () => page.$$eval('table.devices thead tr:first-child th', (t) => t.map((x) => x.textContent.replace(/[▲▼]/g, '').trim()));
  let h1 = await heads();
  assert.ok(h1.includes('Serial') && h1.includes('Org') && !h1.includes('Model'), `columns ${h1}`);
  assert.ok(h1.every((x) => !x.includes('_')), `readable labels: ${h1}`);
  // the org shows by name
  const orgCells = await page.$$eval('table.devices tbody td[data-col="org_id"]', (t) => t.map((x) => x.textContent));
  assert.ok(orgCells.length && orgCells.every((x) => x === 'Default'), `org names: ${orgCells.slice(0, 3)}`);
  await page.reload();
  await page.waitForSelector('table.devices th[data-col="serial"]');
  assert.deepEqual(await heads(), h1, 'the same columns after a reload');
  // a new login (a fresh session, as from another browser)
  await ctx.clearCookies();
  await page.reload();
  await page.waitForSelector('#login-user');
  await login(page, main.password);
  await page.waitForSelector('table.devices th[data-col="serial"]');
  assert.deepEqual(await heads(), h1, 'the same columns after logging in again');
  assert.deepEqual((await apiGet('/preferences'))['devices.columns'].includes('serial'), true);
  await shot('devices-columns');
  await page.click('#columns-toggle');
  await page.click('#columns-default');
  await page.waitForFunction(() => !document.querySelector('table.devices th[data-col="serial"]'));
});

test('device page: a summary at the top; the software section sorted and paged by the server', async () => {
  const id = (await apiGet('/devices?hostname=e2e-many-sw')).results[0].id;
  await page.goto(main.url + `/#/device/${id}/software`);
  await page.waitForSelector('#device-summary');
  await page.waitForSelector('.section-block[data-section="software"] .section-status[data-count="150"]');
  const status = '.section-block[data-section="software"] .section-status';
  assert.match(await page.textContent(status), /^1–25 of 150 rows$/);
  assert.equal(await page.locator('table.section[data-section="software"] tbody tr').count(), 25, 'one page of 25, not 150');
  const first = () => page.textContent('table.section[data-section="software"] tbody tr td');
  assert.equal(await first(), 'e2e-pkg-000');
  const sortBtn = 'table.section[data-section="software"] th button[data-field="name"]';
  await page.click(sortBtn);
  await page.click(sortBtn);
  await page.waitForFunction(() => document.querySelector('table.section[data-section="software"] tbody tr td').textContent === 'e2e-pkg-149');
  assert.equal(await page.getAttribute('table.section[data-section="software"] th:has(button[data-field="name"])', 'aria-sort'), 'descending');
  await page.click('.section-block[data-section="software"] .section-next');
  await page.waitForFunction(() => document.querySelector('table.section[data-section="software"] tbody tr td').textContent === 'e2e-pkg-124');
  assert.match(await page.textContent(status), /^26–50 of 150 rows$/);
  const api = await apiGet(`/devices/${id}/software?ordering=-name&limit=25&offset=25`);
  assert.deepEqual(await page.$$eval('table.section[data-section="software"] tbody tr', (t) => t.map((r) => r.children[0].textContent)),
    api.results.map((r) => r.data.name), 'the page shows the rows the server sorted');
  await shot('device-software-paged');
});

test('admin: a user edited (role, org, name) and signed out everywhere; roles explained', async () => {
  assert.equal((await apiSend('POST', '/users', { username: 'e2e-edit', password: 'pw-e2e-edit-long', role: 'user', org_id: 1 })).status, 201);
  // the user signs in from another browser
  const other = await browser.newContext();
  const r = await other.request.post(main.url + '/api/v1/auth/login', { data: { username: 'e2e-edit', password: 'pw-e2e-edit-long' } });
  assert.equal(r.status(), 200);
  assert.equal((await other.request.get(main.url + '/api/v1/auth/me')).status(), 200);
  await page.goto(main.url + '/#/admin/users');
  await page.waitForSelector('#role-help dt:text("org_admin")');
  await page.click('#user-list button.edit[data-user="e2e-edit"]');
  await page.selectOption('#user-edit select[name="role"]', 'org_admin');
  await page.fill('#user-edit input[name="full_name"]', 'Edited Person');
  await page.click('#user-edit button[type=submit]');
  await page.waitForSelector('#user-edit .notice.ok');
  const u = (await apiGet('/users')).results.find((x) => x.username === 'e2e-edit');
  assert.equal(u.role, 'org_admin');
  assert.equal(u.full_name, 'Edited Person');
  await page.waitForSelector('#user-list td:text("Edited Person")');
  await page.click('#user-revoke');
  await page.waitForSelector('#user-edit .notice.ok:has-text("signed out everywhere")');
  assert.match(await page.textContent('#user-edit .notice.ok'), /1 session ended/);
  assert.equal((await other.request.get(main.url + '/api/v1/auth/me')).status(), 401, 'the other browser is signed out');
  await other.close();
  await shot('admin-user-edit');
});

test('admin: a credential rotated, then tested on loopback with the server\'s reason shown', async () => {
  const NEW = 'e2e-rotated-' + Math.random().toString(36).slice(2, 10);
  assert.equal((await apiSend('POST', '/credentials', { name: 'e2e rotate', type: 'snmp', community: SECRET + '-old', org_id: 1 })).status, 201);
  await page.goto(main.url + '/#/admin/credentials');
  await page.click('#cred-list button.edit[data-cred="e2e rotate"]');
  await page.waitForSelector('#cred-form small:has-text("leave empty to keep it")');
  await page.fill('#cred-form input[name="community"]', NEW);
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok:has-text("new secret replaces")');
  assert.equal(await page.inputValue('#cred-form input[name="community"]'), '', 'the secret leaves the page');
  // a UDP socket on loopback that takes requests and never answers: the
  // server's own reason
  const mute = dgram.createSocket('udp4');
  await new Promise((resolve) => mute.bind(0, '127.0.0.1', resolve));
  const port = mute.address().port;
  await page.click('#cred-list button.test[data-cred="e2e rotate"]');
  await page.fill('#cred-test input[name="address"]', '127.0.0.1');
  await page.fill('#cred-test input[name="port"]', String(port));
  await page.click('#cred-test button[type=submit]');
  await page.waitForSelector('#cred-test-result .notice.error');
  assert.match(await page.textContent('#cred-test-result'), /did not work: snmp 127\.0\.0\.1: no credential worked: .*no answer/);
  mute.close();
  // an address that is not one: the reason next to the field
  await page.fill('#cred-test input[name="address"]', 'not-an-address');
  await page.click('#cred-test button[type=submit]');
  await page.waitForSelector('#cred-test .field-error');
  assert.match(await page.textContent('#cred-test .field-error'), /address must be one IPv4 or IPv6 address/);
  const all = await page.evaluate(() => document.documentElement.outerHTML);
  assert.ok(!all.includes(NEW) && !apiBodies.some((b) => b.includes(NEW)), 'the new secret is in no page and no reply');
  await shot('admin-credential-test');
});

test('locations: a marker and the list with no tile server reachable', async () => {
  assert.equal((await apiSend('POST', '/locations', { name: 'e2e Brisbane DC', city: 'Brisbane', country: 'AU', latitude: -27.4698, longitude: 153.0251, type: 'site', org_id: 1 })).status, 201);
  await page.goto(main.url + '/#/locations');
  await page.waitForSelector('#location-map[data-markers="1"]');
  assert.equal(await page.locator('#location-map path.location-marker').count(), 1, 'one marker drawn');
  assert.equal(await page.locator('#location-list td:text("e2e Brisbane DC")').count(), 1);
  // the tiles were asked for, refused (offline), and the page says so
  await page.waitForFunction(() => /cannot be loaded/.test(document.getElementById('map-note').textContent));
  assert.ok(offsite.length > 0 && offsite.every((u) => u.startsWith('https://tile.openstreetmap.org/')), `only tiles went offsite: ${offsite.slice(0, 3)}`);
  // editing still works: a click on the marker opens it in the form
  await page.click('#location-list tr:has-text("e2e Brisbane DC") button.edit');
  await page.selectOption('#location-form select[name="type"]', 'building');
  await page.click('#location-form button[type=submit]');
  await page.waitForSelector('#location-form .notice.ok');
  const loc = (await apiGet('/locations')).results.find((l) => l.name === 'e2e Brisbane DC');
  assert.equal(loc.type, 'building');
  await shot('locations-offline');
});

test('no dialog opened and no Content-Security-Policy violation', () => {
  assert.deepEqual(dialogs, []);
  assert.deepEqual(cspErrors, []);
});

test(`with ${PERF_DEVICES.toLocaleString('en-US')} devices the devices page shows rows (time printed; under a second on a quiet machine)`, async (t) => {
  const db = path.join(tmp, 'perf.db');
  sh(NETCENSUS, ['status', '--db', db]);
  const t0 = Date.now();
  sh('sqlite3', [db], `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PERF_DEVICES})
    INSERT INTO device (org_id, hostname, ip, mac, type, os_family, manufacturer, first_seen, last_seen)
    SELECT 1, printf('host-%06d', i), printf('10.%d.%d.%d', i / 65536, (i / 256) % 256, i % 256),
      printf('02:00:00:%02x:%02x:%02x', i / 65536, (i / 256) % 256, i % 256),
      CASE i % 5 WHEN 0 THEN 'computer' WHEN 1 THEN 'switch' WHEN 2 THEN 'router' WHEN 3 THEN 'printer' ELSE 'wap' END,
      CASE i % 4 WHEN 0 THEN 'Debian' WHEN 1 THEN 'Windows' WHEN 2 THEN 'Cisco IOS' ELSE NULL END,
      CASE i % 3 WHEN 0 THEN 'Dell' WHEN 1 THEN 'Cisco Systems' ELSE 'HP' END,
      datetime('now', printf('-%d minutes', i % 40000)), datetime('now', printf('-%d seconds', i % 86400))
    FROM n;`);
  t.diagnostic(`seeded ${PERF_DEVICES} devices with sqlite3 in ${Date.now() - t0} ms`);
  const perf = await startServer(db);
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  c.setDefaultTimeout(WAIT_MS);
  const p = await c.newPage();
  watch(p);
  const r = await p.request.post(perf.url + '/api/v1/auth/login', { data: { username: 'admin', password: perf.password } });
  assert.equal(r.status(), 200);
  // Full page loads (HTML, scripts, /auth/me, the first page of devices):
  // three in id order, three newest first. The browser's own clock: from
  // the start of the navigation to the first rows in the table
  // (performance.mark in devices.js). The median of each three must be
  // under a second, so that one load slowed by a busy machine does not
  // decide; every figure is printed.
  const medians = [];
  for (const hash of ['#/devices', '#/devices?ordering=-last_seen']) {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      await p.goto(`${perf.url}/?load=${medians.length}${i}${hash}`);
      await p.waitForSelector('table.devices tbody tr[data-id]');
      const wall = Date.now() - start;
      runs.push([Math.round(await p.evaluate(() => performance.getEntriesByName('devices-first-rows')[0].startTime)), wall]);
    }
    const median = runs.map((r) => r[0]).sort((a, b) => a - b)[1];
    medians.push([hash, median]);
    t.diagnostic(`devices page ${hash.slice(1)} with ${PERF_DEVICES} devices: first rows after ${runs.map((r) => r[0]).join(', ')} ms from the start of navigation (median ${median} ms; ${runs.map((r) => r[1]).join(', ')} ms as Playwright saw it)`);
  }
  const status = await p.textContent('#devices-status');
  assert.match(status, /of 100,000 devices/);
  await shot('devices-100k', p);
  await c.close();
  // The figure is a benchmark, printed above (bench/RESULTS.md records it on
  // a quiet machine: under a second). As a pass/fail check it only catches a
  // page that degrades by an order of magnitude (a scan of every row, say):
  // a busy CI machine must not decide it.
  for (const [hash, ms] of medians) assert.ok(ms < 10000, `${hash}: first rows after ${ms} ms (median)`);
});
