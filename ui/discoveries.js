// Discoveries: the runs the server knows (GET /api/v1/discovery-runs) with
// a progress bar, counts and ETA, refreshed while one is running, and a
// run's log with one line per address (GET /api/v1/discovery-runs/ID/log).
// Creating and starting discoveries from the browser waits for the
// server's discovery endpoints (docs/ui.md, "Pending").
import { h, clear, api, fmtNum, text, notice, badge } from './core.js';

function eta(run) {
  if (run.state !== 'running' || !run.started || !run.addresses_done || !run.addresses_total) return '';
  const started = Date.parse(run.started.replace(' ', 'T') + 'Z');
  const elapsed = (Date.now() - started) / 1000;
  if (!(elapsed > 0)) return '';
  const left = (elapsed / run.addresses_done) * (run.addresses_total - run.addresses_done);
  if (left < 60) return `about ${Math.ceil(left)} s left`;
  return `about ${Math.ceil(left / 60)} min left`;
}

export function progress(run) {
  const total = run.addresses_total || 0;
  const done = Math.min(run.addresses_done || 0, total);
  const pct = total ? Math.round((done * 100) / total) : (run.state === 'done' ? 100 : 0);
  return h('div', { class: 'progress' },
    h('progress', { max: 100, value: pct, 'aria-label': `run ${run.id}: ${pct}% of addresses done` }),
    h('span', {}, `${fmtNum(done)} / ${fmtNum(total)}`, run.state === 'running' ? ` · ${eta(run)}` : ''));
}

export function runsTable(runs) {
  if (!runs.length) {
    return h('p', { class: 'empty', id: 'runs-empty' }, 'No discovery runs yet. Runs started with netcensus discover show here with their progress.');
  }
  const rows = runs.map((r) => h('tr', { dataset: { run: r.id } },
    h('td', {}, h('a', { href: `#/discoveries/${r.id}` }, `#${r.id}`)),
    h('td', {}, text(r.discovery) || 'one-shot'),
    h('td', {}, badge(r.state)),
    h('td', {}, progress(r)),
    h('td', { class: 'num' }, fmtNum(r.alive)),
    h('td', { class: 'num' }, fmtNum(r.devices_stored)),
    h('td', {}, text(r.started)),
    h('td', {}, text(r.finished))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid runs' },
    h('thead', {}, h('tr', {}, ['Run', 'Discovery', 'State', 'Progress', 'Alive', 'Stored', 'Started', 'Finished'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

async function runPage(el, id) {
  const run = await api('GET', `/discovery-runs/${id}`);
  document.title = `Discovery run ${run.id} — netcensus`;
  const head = h('div', {});
  const body = h('div', {});
  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/discoveries' }, 'Discoveries'), ` / run ${run.id}`), head, body);
  async function draw() {
    const r = await api('GET', `/discovery-runs/${id}`);
    const log = await api('GET', `/discovery-runs/${id}/log?limit=1000`);
    clear(head);
    head.append(h('h1', {}, `Run ${r.id}: `, text(r.discovery) || 'one-shot'), progress(r),
      h('p', {}, badge(r.state), ' ', text(r.message)));
    // One line per address: its stages in order and the last outcome.
    const byIp = new Map();
    for (const l of log.results) {
      const k = l.ip || '(run)';
      if (!byIp.has(k)) byIp.set(k, []);
      byIp.get(k).push(l);
    }
    clear(body);
    body.appendChild(h('h2', {}, `Addresses (${fmtNum(byIp.size)})`));
    const rows = [...byIp.entries()].map(([ip, ls]) => h('tr', {},
      h('td', {}, ip), h('td', {}, badge(ls[ls.length - 1].outcome)),
      h('td', {}, ls.map((l) => h('span', { class: 'stage' }, `${l.stage}: ${l.outcome}` + (l.duration_ms !== null ? ` (${l.duration_ms} ms)` : '')))),
      h('td', {}, ls.map((l) => text(l.message)).filter(Boolean).join('; '))));
    body.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'grid runlog' },
      h('thead', {}, h('tr', {}, ['Address', 'Last outcome', 'Stages', 'Messages'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No log lines yet.'))))));
    if (log.count > log.results.length) body.appendChild(h('p', { class: 'muted' }, `The first ${fmtNum(log.results.length)} of ${fmtNum(log.count)} log lines.`));
    return r.state === 'running' || r.state === 'queued';
  }
  let timer = null;
  const tick = async () => { if (await draw()) timer = setTimeout(tick, 2000); };
  await tick();
  return () => clearTimeout(timer);
}

export async function discoveriesPage(el, r) {
  if (r.parts[1]) return runPage(el, r.parts[1]);
  document.title = 'Discoveries — netcensus';
  el.append(h('h1', {}, 'Discoveries'),
    notice('info', 'Creating and starting discoveries from this page is not available yet: the server has no discovery endpoints so far. Runs made with netcensus discover on the server appear here, with their progress and log.'));
  const box = h('section', { class: 'card', id: 'runs' });
  el.appendChild(box);
  let timer = null;
  async function draw() {
    const runs = await api('GET', '/discovery-runs?limit=50');
    clear(box);
    box.append(h('h2', {}, `Runs (${fmtNum(runs.count)})`), runsTable(runs.results));
    if (runs.results.some((x) => x.state === 'running' || x.state === 'queued')) timer = setTimeout(draw, 2000);
  }
  await draw();
  return () => clearTimeout(timer);
}
