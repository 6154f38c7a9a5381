// Network picture: devices grouped by subnet, drawn by Cytoscape.js from
// GET /api/v1/network, with the links learned from ARP tables, LLDP/CDP
// neighbours and where each device is plugged in (switch port).
//
// At scale a subnet is one node ("198.18.9.0/24 · 100 devices") until it
// is opened, and links between closed subnets are merged into one edge per
// pair and kind. Every position is computed here (a shelf of cells, each
// open subnet a grid wider than its longest label), so drawing is one pass
// with no force layout to wait for, and no two labels overlap: device
// labels are cut to the grid's column width (cutLabel). The open subnets are kept in
// the address (open=...). Below the picture the same groups are listed as
// text, with a button to open each, for keyboard and screen-reader users.
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

// Device types with a colour of their own; the colours are the CSS
// custom properties --t-NAME of app.css, so the legend and the picture
// cannot disagree.
const TYPES = [['router', 'router'], ['switch', 'switch'], ['wap', 'access point'], ['computer', 'computer'],
  ['printer', 'printer'], ['pdu', 'PDU'], ['other', 'other']];
const typeKey = (t) => (t === 'network printer' ? 'printer' : TYPES.some(([k]) => k === t) ? t : 'other');
const LINKS = [['arp', 'ARP (dashed)'], ['lldp', 'LLDP / CDP neighbours'], ['attach', 'plugged in (switch port)']];

// Sizes of the drawing, in Cytoscape's model units (pixels at zoom 1).
const COL = 130; // a device's cell: its label is cut to COL - 14
const ROW = 64;
const GAP = 56; // between cells of the shelf (room for a subnet's title)
const CLOSED_W = 170;
const CLOSED_H = 56;
const SHELF = 1400; // shelf width before the next row starts

// Device labels: drawn in FONT, cut here (once, with one canvas) to the
// width of a grid column, so Cytoscape needs no ellipsis of its own (its
// "text-wrap: ellipsis" measures every label again, and made opening
// 1,000 devices a quarter slower).
const FONT_PX = 11;
const FONT_FAMILY = 'Helvetica, Arial, sans-serif';
const LABEL_MAX = COL - 14;
let measure = null;
export function cutLabel(label) {
  if (!measure) {
    measure = document.createElement('canvas').getContext('2d');
    measure.font = `${FONT_PX}px ${FONT_FAMILY}`;
  }
  if (measure.measureText(label).width <= LABEL_MAX) return label;
  let lo = 0, hi = label.length; // the longest prefix that fits with '…'
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure.measureText(label.slice(0, mid) + '…').width <= LABEL_MAX) lo = mid; else hi = mid - 1;
  }
  return label.slice(0, lo) + '…';
}

// Switches and routers first, then by address: the grid reads like a rack.
const rank = { router: 0, switch: 1 };
function byRole(a, b) {
  return (rank[a.type] ?? 2) - (rank[b.type] ?? 2) || (ipv4(a.ip) ?? 0) - (ipv4(b.ip) ?? 0);
}

// Elements and positions for the groups, with the subnets in open drawn as
// grids of devices and the others as one node each.
export function buildPicture(groups, links, open, colors) {
  const elements = [];
  const shownAs = new Map(); // device id -> the element that draws it
  let x = 0, y = 0, rowH = 0;
  for (const [s, nodes] of groups) {
    const isOpen = open.has(s);
    // switches and routers on a row of their own above the others, so
    // the links to what is plugged into them fan out downwards
    const infra = nodes.filter((n) => n.type in rank);
    const rest = nodes.filter((n) => !(n.type in rank));
    const cols = isOpen ? Math.max(1, Math.ceil(Math.sqrt(rest.length * 2)), Math.min(infra.length, 8)) : 1;
    const infraRows = Math.ceil(infra.length / cols);
    const rows = infraRows + Math.ceil(rest.length / cols);
    const w = isOpen ? cols * COL : CLOSED_W;
    const hgt = isOpen ? rows * ROW : CLOSED_H;
    if (x > 0 && x + w > SHELF) { x = 0; y += rowH + GAP; rowH = 0; }
    const id = 'net:' + s;
    const label = `${s} · ${nodes.length} device${nodes.length === 1 ? '' : 's'}`;
    if (isOpen) {
      // a frame behind its devices, not a compound parent: Cytoscape
      // builds 1,000 plain nodes two to three times faster
      elements.push({ group: 'nodes', data: { id, subnet: s, label, w: w + 20, h: hgt + 12 }, classes: 'subnet open',
        position: { x: x + w / 2, y: y + hgt / 2 - 6 } });
      const place = (list, row0) => list.forEach((n, i) => {
        const row = Math.floor(i / cols);
        // a row that is not full is centred
        const inRow = Math.min(cols, list.length - row * cols);
        const x0 = x + ((cols - inRow) * COL) / 2;
        elements.push({ group: 'nodes', data: { id: 'd' + n.id, device: n.id, subnet: s, label: cutLabel(text(n.hostname) || text(n.ip)), color: colors[typeKey(n.type)] },
          position: { x: x0 + (i % cols) * COL + COL / 2, y: y + (row0 + row) * ROW + 16 } });
        shownAs.set(n.id, 'd' + n.id);
      });
      place(infra, 0);
      place(rest, infraRows);
    } else {
      elements.push({ group: 'nodes', data: { id, subnet: s, label, count: nodes.length }, classes: 'subnet closed',
        position: { x: x + CLOSED_W / 2, y: y + CLOSED_H / 2 } });
      for (const n of nodes) shownAs.set(n.id, id);
    }
    x += w + GAP;
    rowH = Math.max(rowH, hgt);
  }
  // one edge per pair of drawn elements and kind; links inside a closed
  // subnet are not drawn
  const edges = new Map();
  for (const l of links) {
    const a = shownAs.get(l.source);
    const b = shownAs.get(l.target);
    const kind = l.kind === 'cdp' ? 'lldp' : l.kind;
    if (!a || !b || a === b) continue;
    const key = (a < b ? a + '|' + b : b + '|' + a) + '|' + kind;
    const e = edges.get(key);
    if (e) { e.data.count++; e.data.label = `${e.data.count} links`; continue; }
    edges.set(key, { group: 'edges', data: { id: 'e' + edges.size, source: a, target: b, count: 1, label: l.label || '' }, classes: kind });
  }
  elements.push(...edges.values());
  return elements;
}

function legend() {
  return h('div', { class: 'legend', id: 'net-legend' },
    h('h2', { class: 'sr-only' }, 'Legend'),
    h('ul', { class: 'inline' },
      TYPES.map(([k, label]) => h('li', { dataset: { type: k } }, h('span', { class: 'swatch t-' + k, 'aria-hidden': 'true' }), label)),
      h('li', {}, h('span', { class: 'swatch subnet-box', 'aria-hidden': 'true' }), 'subnet, closed (click to open)'),
      LINKS.map(([k, label]) => h('li', {}, h('span', { class: 'line l-' + k, 'aria-hidden': 'true' }), label))),
    h('p', { class: 'muted' }, 'Click a closed subnet to open it, an open subnet\'s frame to close it, a device to see it; pointing at a device shows the ports of its links. Links between closed subnets are merged ("3 links"). Labels show once zoomed in far enough to read them.'));
}

export async function networkPage(el, r) {
  document.title = 'Network — netcensus';
  const open = new Set((r.query.open || '').split(',').filter(Boolean));
  const prefix = h('input', { type: 'search', id: 'net-prefix', 'data-search': '', value: r.query.ip__isw || '', placeholder: 'address prefix, e.g. 10.1.', 'aria-label': 'Show addresses starting with' });
  const limit = h('select', { id: 'net-limit', 'aria-label': 'Most devices drawn' },
    [100, 250, 500, 1000, 2000].map((n) => h('option', { value: n, selected: String(n) === (r.query.limit || '1000') }, `${fmtNum(n)} devices`)));
  const keepAddress = () => history.replaceState(null, '', '#/network' + buildQuery({ ip__isw: prefix.value.trim(), limit: limit.value, open: [...open].join(',') }));
  const form = h('form', { class: 'toolbar', onsubmit: (e) => {
    e.preventDefault();
    keepAddress();
    load();
  } }, prefix, limit, h('button', { type: 'submit' }, 'Show'),
  h('button', { type: 'button', id: 'net-open-all', onclick: () => { for (const s of groups.keys()) open.add(s); redraw(); } }, 'Open all subnets'),
  h('button', { type: 'button', id: 'net-close-all', onclick: () => { open.clear(); redraw(); } }, 'Close all'),
  h('button', { type: 'button', id: 'net-fit', onclick: () => cy && cy.fit(undefined, 20) }, 'Whole picture'));
  const status = h('p', { class: 'muted', role: 'status', id: 'net-status' });
  const graph = h('div', { id: 'net-graph', class: 'graph', role: 'img', 'aria-label': 'Network picture; the same subnets and devices are listed below it' });
  const cards = h('div', { id: 'net-groups' });
  const css = getComputedStyle(document.documentElement);
  const colors = Object.fromEntries(TYPES.map(([k]) => [k, css.getPropertyValue('--t-' + k).trim() || '#64748b']));
  el.append(h('h1', {}, 'Network'), form, status, graph, legend(), cards);
  let cy = null;
  let groups = new Map();
  let links = [];
  // Cytoscape (about 400 kB) loads while the API computes the answer,
  // not before the request starts
  const library = loadScript('/ui/vendor/cytoscape.min.js');
  library.catch(() => {}); // a failure shows where redraw() awaits it

  // Draws the picture for the current groups and open subnets, and says
  // how long that took (data-draw-ms: from the start of drawing to the
  // first frame painted).
  async function redraw(focus) {
    keepAddress();
    await library;
    const t0 = performance.now();
    const elements = buildPicture(groups, links, open, colors);
    if (cy) cy.destroy();
    cy = window.cytoscape({
      container: graph,
      elements,
      layout: { name: 'preset', fit: true, padding: 20 },
      autoungrabify: true, // a frame would move without its devices
      boxSelectionEnabled: false,
      minZoom: 0.05,
      maxZoom: 3,
      textureOnViewport: true,
      style: [
        // frames under links under devices
        { selector: 'node, edge', style: { 'z-index-compare': 'manual', 'z-index': 1 } },
        { selector: 'node', style: { 'background-color': 'data(color)', label: 'data(label)', 'font-size': FONT_PX, 'font-family': FONT_FAMILY,
          'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'none', width: 16, height: 16, 'min-zoomed-font-size': 7, 'z-index': 2 } },
        { selector: 'node.subnet', style: { 'background-color': '#f1f5f9', 'border-color': '#64748b', 'border-width': 1, shape: 'round-rectangle',
          'font-weight': 'bold', 'font-size': 12, 'text-max-width': `${CLOSED_W - 10}px`, 'text-wrap': 'wrap' } },
        { selector: 'node.closed', style: { width: CLOSED_W, height: CLOSED_H, 'text-valign': 'center', 'text-margin-y': 0, 'border-width': 2 } },
        { selector: 'node.open', style: { width: 'data(w)', height: 'data(h)', 'background-opacity': 0.6, 'text-valign': 'top', 'text-margin-y': -4, 'text-wrap': 'none', 'z-index': 0 } },
        // haystack: the cheapest straight line Cytoscape draws (no arrows,
        // which the picture has none of). A link takes no clicks: they go
        // to the device or subnet under it. A link ends at its devices'
        // centres and, while shown, lies above them (z-index 10), so it
        // would otherwise take the click on the middle of a subnet.
        { selector: 'edge', style: { width: 'mapData(count, 1, 20, 1.5, 8)', 'curve-style': 'haystack', 'haystack-radius': 0, 'line-color': '#64748b', events: 'no' } },
        { selector: 'edge.arp', style: { 'line-style': 'dashed' } },
        { selector: 'edge.lldp', style: { 'line-color': '#2563eb' } },
        { selector: 'edge.attach', style: { 'line-color': '#16a34a' } },
        // an edge's label (its ports, or "3 links") shows while the pointer
        // is on one of its ends, so labels never pile up on a busy switch
        { selector: 'edge.show', style: { label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 1, 'z-index': 10 } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#b45309' } },
      ],
    });
    // one handler on the whole picture: a tap on a device is not also a
    // tap on its subnet
    cy.on('tap', (e) => {
      const t = e.target;
      if (t === cy || !t.isNode()) return;
      if (t.data('device')) location.hash = '#/device/' + t.data('device');
      else if (t.hasClass('closed')) { open.add(t.data('subnet')); redraw(t.data('subnet')); }
      else { open.delete(t.data('subnet')); redraw(); }
    });
    cy.on('mouseover', 'node', (e) => e.target.connectedEdges().addClass('show'));
    cy.on('mouseout', 'node', (e) => e.target.connectedEdges().removeClass('show'));
    if (focus && cy.$id('net:' + focus).nonempty()) cy.fit(cy.$id('net:' + focus), 40);
    await new Promise((res) => cy.one('render', res));
    const ms = Math.round(performance.now() - t0);
    graph.dataset.drawMs = ms;
    graph.dataset.nodes = cy.nodes().length;
    graph.dataset.edges = cy.edges().length;
    graph.dataset.open = open.size;
    // the first picture of a page load, for bench/ui.sh
    if (!performance.getEntriesByName('network-drawn').length) performance.mark('network-drawn');
    drawCards();
  }

  function drawCards() {
    clear(cards);
    const plugged = new Map(links.filter((l) => l.kind === 'attach').map((l) => [l.target, l]));
    const names = new Map();
    for (const nodes of groups.values()) for (const n of nodes) names.set(n.id, text(n.hostname) || text(n.ip));
    for (const [s, nodes] of groups) {
      const isOpen = open.has(s);
      cards.appendChild(h('section', { class: 'card subnet-card', dataset: { subnet: s } },
        h('h2', {}, s, ` (${nodes.length})`),
        h('button', { type: 'button', class: 'net-toggle', 'aria-pressed': isOpen ? 'true' : 'false', onclick: () => {
          if (isOpen) open.delete(s); else open.add(s);
          redraw(isOpen ? null : s);
        } }, isOpen ? 'Close in the picture' : 'Open in the picture'),
        h('ul', { class: 'inline' }, nodes.map((n) => {
          const at = plugged.get(n.id);
          return h('li', {}, h('a', { href: `#/device/${n.id}` }, text(n.hostname) || text(n.ip)), ' ',
            h('small', {}, text(n.ip), n.type ? ` · ${text(n.type)}` : '', at ? ` · on ${names.get(at.source) || 'switch'} ${text(at.label)}` : ''));
        }))));
    }
    if (!groups.size) cards.appendChild(notice('info', 'No device with an address matches.'));
  }

  async function load() {
    clear(cards);
    status.textContent = 'Loading…';
    const t0 = performance.now();
    let net;
    const timing = {};
    try {
      net = await api('GET', '/network' + buildQuery({ ip__isw: prefix.value.trim(), limit: limit.value }), undefined, { timing });
    } catch (err) { status.textContent = ''; cards.appendChild(errorBox(err)); return; }
    graph.dataset.fetchMs = Math.round(performance.now() - t0);
    // the server's own time for the answer, for bench/ui.sh
    graph.dataset.serverMs = timing.app ?? '';
    graph.dataset.serverCpuMs = timing.cpu ?? '';
    groups = new Map();
    for (const n of [...net.nodes].sort(byRole)) {
      const s = subnetOf(n);
      if (!groups.has(s)) groups.set(s, []);
      groups.get(s).push(n);
    }
    links = net.links;
    for (const s of [...open]) if (!groups.has(s)) open.delete(s);
    status.textContent = `${fmtNum(net.nodes.length)} of ${fmtNum(net.count)} devices with an address, ${fmtNum(groups.size)} subnets, ${fmtNum(net.links.length)} links`;
    status.dataset.links = net.links.length;
    await redraw();
  }
  await load();
  return () => { if (cy) cy.destroy(); };
}
