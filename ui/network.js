// Network picture: devices grouped by subnet (compound nodes), with the
// links learned from ARP tables and LLDP neighbours, drawn by Cytoscape.js
// from GET /api/v1/network. Below the picture the same groups are listed
// as text, for keyboard and screen-reader users.
import { h, clear, api, fmtNum, text, buildQuery, notice, errorBox, loadScript } from './core.js';

function ipv4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s || '');
  if (!m) return null;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return null;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

function prefixLen(mask) {
  const m = ipv4(mask);
  if (m === null) return null;
  let n = 0;
  for (let b = 31; b >= 0 && (m >>> b) & 1; b--) n++;
  return n >= 8 ? n : null;
}

// "192.168.1.0/24" for a device: its own netmask, else a /24; IPv6 /64.
export function subnetOf(node) {
  const a = ipv4(node.ip);
  if (a !== null) {
    const len = prefixLen(node.netmask) || 24;
    const net = len === 32 ? a : (a & (~0 << (32 - len))) >>> 0;
    return [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.') + '/' + len;
  }
  if ((node.ip || '').includes(':')) return node.ip.split(':').slice(0, 4).join(':') + '::/64';
  return 'no address';
}

const typeColor = { router: '#dc2626', switch: '#2563eb', wap: '#0891b2', computer: '#16a34a',
  'network printer': '#9333ea', printer: '#9333ea', pdu: '#ca8a04' };

export async function networkPage(el, r) {
  document.title = 'Network — netcensus';
  const prefix = h('input', { type: 'search', id: 'net-prefix', 'data-search': '', value: r.query.ip__isw || '', placeholder: 'address prefix, e.g. 10.1.', 'aria-label': 'Show addresses starting with' });
  const limit = h('select', { id: 'net-limit', 'aria-label': 'Most devices drawn' },
    [100, 250, 500, 1000].map((n) => h('option', { value: n, selected: String(n) === (r.query.limit || '250') }, `${n} devices`)));
  const form = h('form', { class: 'toolbar', onsubmit: (e) => {
    e.preventDefault();
    history.replaceState(null, '', '#/network' + buildQuery({ ip__isw: prefix.value.trim(), limit: limit.value }));
    load();
  } }, prefix, limit, h('button', { type: 'submit' }, 'Show'));
  const status = h('p', { class: 'muted', role: 'status', id: 'net-status' });
  const graph = h('div', { id: 'net-graph', class: 'graph', role: 'img', 'aria-label': 'Network picture' });
  const legend = h('p', { class: 'legend' }, h('span', { class: 'l-arp' }, 'ARP'), ' ', h('span', { class: 'l-lldp' }, 'LLDP/CDP'), ' ', h('span', { class: 'l-attach' }, 'plugged in (switch port)'), ' · click a device to open it');
  const groups = h('div', { id: 'net-groups' });
  el.append(h('h1', {}, 'Network'), form, status, graph, legend, groups);
  let cy = null;
  await loadScript('/ui/vendor/cytoscape.min.js');

  async function load() {
    clear(groups);
    status.textContent = 'Loading…';
    let net;
    try {
      net = await api('GET', '/network' + buildQuery({ ip__isw: prefix.value.trim(), limit: limit.value }));
    } catch (err) { status.textContent = ''; groups.appendChild(errorBox(err)); return; }
    const bySubnet = new Map();
    for (const n of net.nodes) {
      const s = subnetOf(n);
      if (!bySubnet.has(s)) bySubnet.set(s, []);
      bySubnet.get(s).push(n);
    }
    status.textContent = `${fmtNum(net.nodes.length)} of ${fmtNum(net.count)} devices with an address, ${fmtNum(bySubnet.size)} subnets, ${fmtNum(net.links.length)} links`;
    status.dataset.links = net.links.length;
    const elements = [];
    for (const [s, nodes] of bySubnet) {
      elements.push({ data: { id: 'net:' + s, label: s }, classes: 'subnet' });
      for (const n of nodes) {
        elements.push({ data: { id: 'd' + n.id, device: n.id, parent: 'net:' + s, label: text(n.hostname) || text(n.ip), color: typeColor[n.type] || '#64748b' } });
      }
    }
    net.links.forEach((l, i) => elements.push({ data: { id: 'e' + i, source: 'd' + l.source, target: 'd' + l.target, label: l.label || '' }, classes: l.kind }));
    if (cy) cy.destroy();
    cy = window.cytoscape({
      container: graph,
      elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: 'node', style: { 'background-color': 'data(color)', label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, width: 16, height: 16 } },
        { selector: '.subnet', style: { 'background-color': '#f1f5f9', 'background-opacity': 0.6, 'border-color': '#94a3b8', 'border-width': 1, label: 'data(label)', 'text-valign': 'top', 'font-size': 12, 'font-weight': 'bold', shape: 'round-rectangle', padding: 12 } },
        { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'line-color': '#94a3b8' } },
        { selector: 'edge.arp', style: { 'line-style': 'dashed' } },
        { selector: 'edge.lldp, edge.cdp', style: { 'line-color': '#2563eb', width: 2.5, label: 'data(label)', 'font-size': 8, 'text-rotation': 'autorotate' } },
        { selector: 'edge.attach', style: { 'line-color': '#16a34a', width: 2, label: 'data(label)', 'font-size': 8, 'text-rotation': 'autorotate' } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#f59e0b' } },
      ],
      layout: net.nodes.length <= 300
        ? { name: 'cose', animate: false, nodeDimensionsIncludeLabels: true, randomize: false, numIter: 600 }
        : { name: 'grid', avoidOverlap: true },
    });
    cy.on('tap', 'node[device]', (e) => { location.hash = '#/device/' + e.target.data('device'); });

    for (const [s, nodes] of bySubnet) {
      groups.appendChild(h('section', { class: 'card subnet-card', dataset: { subnet: s } },
        h('h2', {}, s, ` (${nodes.length})`),
        h('ul', { class: 'inline' }, nodes.map((n) => h('li', {}, h('a', { href: `#/device/${n.id}` }, text(n.hostname) || text(n.ip)), ' ', h('small', {}, text(n.ip), n.type ? ` · ${text(n.type)}` : ''))))));
    }
    if (!net.nodes.length) groups.appendChild(notice('info', 'No device with an address matches.'));
  }
  await load();
  return () => { if (cy) cy.destroy(); };
}
