// Dashboard: devices by type, OS family and manufacturer, new devices and
// changes per day, and the latest discovery runs — charts drawn by Chart.js
// from GET /api/v1/stats and /api/v1/discovery-runs.
import { h, api, fmtNum, go, buildQuery, notice, loadScript } from './core.js';
import { runsTable } from './discoveries.js';

const palette = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626',
  '#ca8a04', '#4f46e5', '#059669', '#db2777', '#64748b'];

// Devices-page filter for one bar of a breakdown.
function filterFor(field, value) {
  if (value === 'unknown') return { [field + '__empty']: 'true' };
  return { [field]: value };
}

function breakdownChart(canvas, stats, field, kind) {
  const rows = stats['by_' + field] || [];
  const labels = rows.map((r) => r.value);
  const data = rows.map((r) => r.count);
  const other = (stats.other || {})[field] || 0;
  if (other > 0) { labels.push('other'); data.push(other); }
  const chart = new window.Chart(canvas, {
    type: kind,
    data: { labels, datasets: [{ label: 'devices', data, backgroundColor: labels.map((_, i) => palette[i % palette.length]) }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: kind === 'bar' ? 'y' : undefined,
      plugins: { legend: { display: kind !== 'bar', position: 'right' } },
      onClick: (_e, els) => {
        if (!els.length) return;
        const label = labels[els[0].index];
        if (label === 'other') return;
        go('#/devices' + buildQuery(filterFor(field, label)));
      },
    },
  });
  canvas.setAttribute('aria-label', `Devices by ${field.replace('_', ' ')}: ` +
    labels.map((l, i) => `${l} ${data[i]}`).join(', '));
  return chart;
}

function card(title, id, extra) {
  const canvas = h('canvas', { id, role: 'img' });
  return [h('section', { class: 'card chart' }, h('h2', {}, title), extra || null, h('div', { class: 'chart-box' }, canvas)), canvas];
}

export async function dashboardPage(el) {
  document.title = 'Dashboard — netcensus';
  const [stats, runs] = await Promise.all([
    api('GET', '/stats?days=30'),
    api('GET', '/discovery-runs?limit=5'),
    loadScript('/ui/vendor/chart.umd.min.js'),
  ]);
  const newTotal = stats.new_devices.reduce((a, r) => a + r.count, 0);
  const changeTotal = stats.changes.reduce((a, r) => a + r.add + r.remove + r.change, 0);
  const running = runs.results.filter((r) => r.state === 'running' || r.state === 'queued').length;

  el.appendChild(h('h1', {}, 'Dashboard'));
  el.appendChild(h('div', { class: 'kpis' },
    h('a', { class: 'kpi', href: '#/devices', id: 'kpi-devices' }, h('strong', {}, fmtNum(stats.devices)), h('span', {}, 'devices')),
    h('div', { class: 'kpi', id: 'kpi-new' }, h('strong', {}, fmtNum(newTotal)), h('span', {}, `new in ${stats.days} days`)),
    h('a', { class: 'kpi', id: 'kpi-changes', href: '#/changes' + buildQuery({ from: (stats.changes[0] || {}).day }) },
      h('strong', {}, fmtNum(changeTotal)), h('span', {}, `changes in ${stats.days} days`)),
    h('a', { class: 'kpi', href: '#/discoveries', id: 'kpi-runs' }, h('strong', {}, fmtNum(running)), h('span', {}, 'discoveries running'))));

  const charts = [];
  const grid = h('div', { class: 'charts' });
  el.appendChild(grid);
  const [typeCard, typeCanvas] = card('Devices by type', 'chart-type');
  const [osCard, osCanvas] = card('Devices by OS family', 'chart-os_family');
  const [manCard, manCanvas] = card('Devices by manufacturer', 'chart-manufacturer');
  const [newCard, newCanvas] = card('New devices per day', 'chart-new');
  const [chCard, chCanvas] = card('Changes per day', 'chart-changes',
    h('p', { class: 'muted' }, h('a', { href: '#/changes', id: 'changes-link' }, 'All changes'), ' · click a bar for that day'));
  grid.append(typeCard, osCard, manCard, newCard, chCard);

  if (!stats.devices) {
    el.insertBefore(notice('info', 'No devices yet. Import audits (netcensus import), point Open-AudIT audit scripts at this server, or run a discovery.'), grid);
  }
  charts.push(breakdownChart(typeCanvas, stats, 'type', 'doughnut'));
  charts.push(breakdownChart(osCanvas, stats, 'os_family', 'bar'));
  charts.push(breakdownChart(manCanvas, stats, 'manufacturer', 'bar'));

  const days = stats.new_devices.map((r) => r.day.slice(5));
  charts.push(new window.Chart(newCanvas, {
    type: 'line',
    data: { labels: days, datasets: [{ label: 'new devices', data: stats.new_devices.map((r) => r.count), borderColor: palette[0], backgroundColor: palette[0] + '33', fill: true, tension: 0.2 }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }));
  newCanvas.setAttribute('aria-label', `New devices per day, ${newTotal} in ${stats.days} days`);
  const series = [['add', 'added', palette[1]], ['change', 'changed', palette[2]], ['remove', 'removed', palette[5]]];
  charts.push(new window.Chart(chCanvas, {
    type: 'bar',
    data: { labels: stats.changes.map((r) => r.day.slice(5)), datasets: series.map(([k, label, color]) => ({ label, data: stats.changes.map((r) => r[k]), backgroundColor: color })) },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      // a bar opens the Changes page for that day and kind
      onClick: (_e, els) => {
        if (!els.length) return;
        const day = stats.changes[els[0].index].day;
        go('#/changes' + buildQuery({ from: day, to: day, kind: series[els[0].datasetIndex][0] }));
      },
    },
  }));
  chCanvas.setAttribute('aria-label', `Changes per day, ${changeTotal} in ${stats.days} days`);

  el.appendChild(h('section', { class: 'card' }, h('h2', {}, 'Recent discovery runs'),
    runsTable(runs.results),
    h('p', {}, h('a', { href: '#/discoveries' }, 'All discovery runs'))));
  return () => charts.forEach((c) => c.destroy());
}
