// What the browser test files share: running commands, starting
// `netcensus serve` on a random loopback port, launching Debian's
// Chromium with no network of its own. Each file stops what it started
// (servers lists every server started here).
import { spawn, execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export const NETCENSUS = process.env.NETCENSUS;
// The ceiling of every wait for the page (Playwright's default is 30 s):
// what is awaited normally shows in well under a second, but the machine
// running the tests may be busy (docs/testing.md).
export const WAIT_MS = 60000;
export const servers = [];

export function sh(cmd, args, input) {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

// SQL on a database that a running server may be writing (its lease
// renewals, sweeps, sessions): wait up to 30 s for the server's write
// lock instead of failing at once with "database is locked".
export function sqlite(db, sql) {
  return sh('sqlite3', ['-cmd', '.timeout 30000', db], sql);
}

function freePort() {
  return 30000 + Math.floor(Math.random() * 20000);
}

// Starts `netcensus serve` on db; resolves with its URL and the first
// user's password (printed once on stderr at the first start). It waits
// for "listening on" or the process's exit, never for a clock: a busy
// machine only makes it slower (the test runner's own timeout is the
// ceiling). Only an exit (a port taken) is retried, on another port, and
// the password is looked for in everything every attempt printed, since
// only the first start of a database prints it.
export async function startServer(db) {
  let all = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const proc = spawn(NETCENSUS, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const ready = await new Promise((resolve) => {
      proc.stderr.on('data', (d) => {
        err += d;
        if (/listening on/.test(err)) resolve(true);
      });
      proc.on('exit', () => resolve(false));
    });
    all += err;
    if (!ready) continue;
    servers.push(proc);
    const m = /first user: admin \/ (\S+)/.exec(all);
    return { url: `http://127.0.0.1:${port}`, db, password: m ? m[1] : null, proc };
  }
  throw new Error('netcensus serve did not start: ' + all.slice(-500));
}

// Chromium talks only to our server: no background networking, updates,
// sync or QUIC. Playwright's launch() gives it a new empty
// --user-data-dir of its own each time (and removes it at close).
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--no-sandbox', '--disable-gpu', '--disable-quic'],
    headless: true,
  });
}
