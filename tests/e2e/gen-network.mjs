// Writes device reports (netcensus JSON, docs/device-report.md) of a
// made-up network of n devices, for `netcensus import`: subnets of up to
// 100 devices (198.19.K.0/24, data only: nothing is ever sent there), each
// with a switch at .1 whose forwarding table holds every other device of
// the subnet on a port of its own (so the store computes where each is
// plugged in), LLDP between neighbouring switches, and ARP rows on each
// switch. Used by ui.test.mjs (1,000 devices) and bench/ui.sh (10,000).
import fs from 'node:fs';
import path from 'node:path';

const TYPES = ['computer', 'computer', 'computer', 'network printer', 'wap'];
const hex = (n) => n.toString(16).padStart(2, '0');

export const subnetCount = (n) => Math.ceil(n / 100);

// One report per device in dir (created); returns the file names.
export function writeNetwork(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  const mac = (k, i) => `02:19:${hex(k >> 8)}:${hex(k & 255)}:00:${hex(i)}`;
  for (let k = 0; k < subnetCount(n); k++) {
    const size = Math.min(100, n - k * 100);
    const ip = (i) => `198.19.${k}.${i}`;
    const sw = `sw-${String(k).padStart(3, '0')}`;
    const fdb = [];
    const arp = [];
    for (let i = 2; i <= size; i++) {
      fdb.push({ mac: mac(k, i), vlan: '10', port: String(i), net_index: String(i), interface: `Gi0/${i}`, status: 'learned' });
      if (i <= 6) arp.push({ ip: ip(i), mac: mac(k, i) });
    }
    const lldp = k > 0 ? [{ local_port: 'Gi0/49', remote_mac: mac(k - 1, 1), remote_port: 'Gi0/50', remote_name: `sw-${String(k - 1).padStart(3, '0')}` }] : [];
    const write = (name, sys, sections) => {
      const f = path.join(dir, name + '.json');
      fs.writeFileSync(f, JSON.stringify({ report_version: 1, source: { name: 'e2e-net' }, sys, ...sections }));
      files.push(f);
    };
    write(sw, { hostname: sw, ip: ip(1), mac: mac(k, 1), type: 'switch', serial: `NET-SW-${k}`, sysName: sw },
      { ip: [{ ip: ip(1), mac: mac(k, 1), netmask: '255.255.255.0', version: '4' }], fdb, arp, lldp });
    for (let i = 2; i <= size; i++) {
      const host = `net-${String(k).padStart(3, '0')}-${String(i).padStart(3, '0')}`;
      write(host, { hostname: host, ip: ip(i), mac: mac(k, i), type: TYPES[i % TYPES.length], serial: `NET-${k}-${i}` },
        { ip: [{ ip: ip(i), mac: mac(k, i), netmask: '255.255.255.0', version: '4' }] });
    }
  }
  return files;
}
