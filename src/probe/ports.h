/*
 * ports: the port lists a discovery probes - parsed from --ports or taken
 * from a preset.
 *
 * Syntax: comma-separated items, each a port or a span (22, 1000-1100),
 * TCP unless suffixed "/udp" ("161/udp"); nmap's "T:" and "U:" prefixes
 * switch the protocol for the items that follow ("T:22,80,U:161").
 * Duplicates are dropped, the first position kept. Errors name the bad item.
 *
 * Presets follow Open-AudIT's discovery scan options: ultrafast is the
 * ports netcensus needs to talk to a device or spot an Apple one
 * (22, 135, 139, 445, 3389, 62078 TCP); superfast, fast and medium are the
 * 10, 100 and 1000 TCP ports most often found open, plus those when they
 * are not among them. Every preset adds 161/udp (SNMP). The frequency order
 * is read at run time from nmap's own table, /usr/share/nmap/nmap-services
 * (Debian package nmap-common; $NETCENSUS_NMAP_SERVICES names another
 * file): netcensus ships no copy of it. ultrafast needs no file.
 *
 * A port_list owns its arrays; ports_clear() frees them.
 */
#ifndef NC_PORTS_H
#define NC_PORTS_H

#include <stddef.h>
#include <stdint.h>

#define PORTS_SPEC_MAX 4096 /* longest --ports string accepted */
#define PORTS_NMAP_SERVICES "/usr/share/nmap/nmap-services"

/* The TCP ports whose answer proves a host alive by default: web, SSH and
 * the Windows ones (RPC, NetBIOS session, SMB, RDP), since Windows drops
 * ICMP echo by default. */
#define PORTS_DISCOVERY_DEFAULT_N 7
#define PORTS_DISCOVERY_DEFAULT_TEXT "80,443,22,135,139,445,3389"
extern const uint16_t ports_discovery_default[PORTS_DISCOVERY_DEFAULT_N];

struct port_list {
	uint16_t *tcp;
	size_t n_tcp;
	uint16_t *udp;
	size_t n_udp;
};

/* Parses spec into out (emptied first); 0, or -1 with the bad item named
 * in the log. */
int ports_parse(const char *spec, struct port_list *out);
/* Fills out with a preset: "ultrafast", "superfast", "fast", "medium";
 * 0, or -1 (unknown name or no frequency data; logged). */
int ports_preset(const char *name, struct port_list *out);
/* Appends the n most frequently open TCP ports to out; 0 or -1 (logged). */
int ports_add_top_tcp(struct port_list *out, size_t n);
/* The nmap-services file the presets read. */
const char *ports_services_path(void);
/* Frees the arrays and empties the list; NULL is fine. */
void ports_clear(struct port_list *l);
/* 1 when port is in the TCP list. */
int ports_has_tcp(const struct port_list *l, uint16_t port);
/* 1 when port is in the UDP list. */
int ports_has_udp(const struct port_list *l, uint16_t port);

#endif
