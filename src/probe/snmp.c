/*
 * snmp: see snmp.h. One call walks through the credentials with a small
 * request engine of its own built on net-snmp's asynchronous single-session
 * API: the library builds, encrypts, parses and retransmits; this file
 * waits (poll on the session's socket, never longer than the deadline) and
 * takes the module lock around each library call.
 *
 * After the system group answers, every column wanted from every table is
 * walked in ONE multi-column GETBULK walk: a row-major sweep where each
 * column keeps its own cursor and drops out when it leaves its table, so a
 * small agent is read in two or three round trips and an absent table costs
 * nothing extra.
 */
#include "probe/snmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <sodium.h>

/* core/log.h before net-snmp: its enum shares names with syslog.h macros */
#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmp_transport.h>

#define DEF_TIMEOUT_MS 1000
#define DEF_RETRIES 1
#define DEF_DEADLINE_MS 10000
#define DEF_MAX_ROWS 1024
#define DEF_MAX_REP 120
#define MIN_REP 4 /* repetitions asked even with many columns */
#define IDX_MAX                                                                \
	48 /* sub-identifiers kept of a row index (an IPv6 row of              \
	    * inetCidrRouteTable takes 41 with a 3-arc policy) */
#define ERR_MAX 512

/* ------------------------------------------------------------ library */

static pthread_mutex_t snmp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t snmp_once = PTHREAD_ONCE_INIT;

/* RFC 3414 discovery is sent as the empty user with no engine ID; USM
 * needs that user in its list. */
static void snmp_add_empty_user(void)
{
	struct usmUser *u;

	if (usm_get_user(NULL, 0, ""))
		return;
	u = usm_create_user();
	if (!u)
		return;
	u->name = xstrdup("");
	u->secName = xstrdup("");
	usm_add_user(u);
}

static void snmp_init_library(void)
{
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS,
			   0);
	/* No MIB directory: numeric OIDs only, nothing parsed at start. */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS,
			      "/nonexistent/netcensus-no-mibs");
	/* With no handler net-snmp prints to stderr; this one drops all. */
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
	init_snmp("netcensus");
	snmp_add_empty_user();
}

void snmp_probe_init(void)
{
	pthread_once(&snmp_once, snmp_init_library);
}

/* ------------------------------------------------------------- OIDs */

enum col_id {
	/* ifTable / ifXTable, index ifIndex */
	C_IF_DESCR,
	C_IF_TYPE,
	C_IF_SPEED,
	C_IF_PHYS,
	C_IF_ADMIN,
	C_IF_OPER,
	C_IF_LASTCHANGE,
	C_IF_NAME,
	C_IF_HIGHSPEED,
	C_IF_ALIAS,
	/* ipAddrTable, index a.b.c.d */
	C_IPAD_IFINDEX,
	C_IPAD_MASK,
	/* ipAddressTable, index type.len.addr */
	C_IPA_IFINDEX,
	C_IPA_TYPE,
	C_IPA_PREFIX,
	/* ipNetToMediaTable, index ifIndex.a.b.c.d */
	C_NTM_PHYS,
	C_NTM_TYPE,
	/* ipNetToPhysicalTable, index ifIndex.type.len.addr */
	C_NTP_PHYS,
	C_NTP_TYPE,
	/* entPhysicalTable, index entPhysicalIndex */
	C_ENT_DESCR,
	C_ENT_CONTAINED,
	C_ENT_CLASS,
	C_ENT_SWREV,
	C_ENT_SERIAL,
	C_ENT_MFG,
	C_ENT_MODEL,
	/* hrDeviceTable, index hrDeviceIndex */
	C_HR_TYPE,
	C_HR_DESCR,
	/* lldpRemTable, index timeMark.localPortNum.remIndex */
	C_LLDP_CHASSIS_TYPE,
	C_LLDP_CHASSIS,
	C_LLDP_PORT_TYPE,
	C_LLDP_PORT,
	C_LLDP_PORT_DESC,
	C_LLDP_SYSNAME,
	C_LLDP_SYSDESC,
	C_COUNT
};

enum table_id {
	T_IF,
	T_IPAD,
	T_IPA,
	T_NTM,
	T_NTP,
	T_ENT,
	T_HR,
	T_LLDP,
	T_COUNT
};

struct col_def {
	unsigned table; /* enum table_id, or the L2 walk's enum l2_table */
	size_t len;
	oid name[16]; /* the column: table entry OID plus column number */
};

#define IF_T 1, 3, 6, 1, 2, 1, 2, 2, 1
#define IFX_T 1, 3, 6, 1, 2, 1, 31, 1, 1, 1
#define IPAD_T 1, 3, 6, 1, 2, 1, 4, 20, 1
#define IPA_T 1, 3, 6, 1, 2, 1, 4, 34, 1
#define NTM_T 1, 3, 6, 1, 2, 1, 4, 22, 1
#define NTP_T 1, 3, 6, 1, 2, 1, 4, 35, 1
#define ENT_T 1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1
#define HR_T 1, 3, 6, 1, 2, 1, 25, 3, 2, 1
#define LLDP_T 1, 0, 8802, 1, 1, 2, 1, 4, 1, 1

/* In enum col_id order. */
static const struct col_def col_defs[C_COUNT] = {
	{T_IF, 10, {IF_T, 2}},	    {T_IF, 10, {IF_T, 3}},
	{T_IF, 10, {IF_T, 5}},	    {T_IF, 10, {IF_T, 6}},
	{T_IF, 10, {IF_T, 7}},	    {T_IF, 10, {IF_T, 8}},
	{T_IF, 10, {IF_T, 9}},	    {T_IF, 11, {IFX_T, 1}},
	{T_IF, 11, {IFX_T, 15}},    {T_IF, 11, {IFX_T, 18}},
	{T_IPAD, 10, {IPAD_T, 2}},  {T_IPAD, 10, {IPAD_T, 3}},
	{T_IPA, 10, {IPA_T, 3}},    {T_IPA, 10, {IPA_T, 4}},
	{T_IPA, 10, {IPA_T, 5}},    {T_NTM, 10, {NTM_T, 2}},
	{T_NTM, 10, {NTM_T, 4}},    {T_NTP, 10, {NTP_T, 4}},
	{T_NTP, 10, {NTP_T, 6}},    {T_ENT, 12, {ENT_T, 2}},
	{T_ENT, 12, {ENT_T, 4}},    {T_ENT, 12, {ENT_T, 5}},
	{T_ENT, 12, {ENT_T, 10}},   {T_ENT, 12, {ENT_T, 11}},
	{T_ENT, 12, {ENT_T, 12}},   {T_ENT, 12, {ENT_T, 13}},
	{T_HR, 11, {HR_T, 2}},	    {T_HR, 11, {HR_T, 3}},
	{T_LLDP, 11, {LLDP_T, 4}},  {T_LLDP, 11, {LLDP_T, 5}},
	{T_LLDP, 11, {LLDP_T, 6}},  {T_LLDP, 11, {LLDP_T, 7}},
	{T_LLDP, 11, {LLDP_T, 8}},  {T_LLDP, 11, {LLDP_T, 9}},
	{T_LLDP, 11, {LLDP_T, 10}},
};

/* A scalar object, or a column whose first row is wanted, asked for by
 * name (GET of an instance, or GETNEXT under an object). */
struct obj_def {
	const char *name; /* the sys field it fills */
	size_t len;
	oid oid[CLASSIFY_IDENT_OID_MAX];
};

#define OBJ_MAX 48 /* objects in one obj_def list */

/* The system group, read with one GET; sys field names in this order. */
static const struct obj_def sys_defs[] = {
	{"sysDescr", 9, {1, 3, 6, 1, 2, 1, 1, 1, 0}},
	{"sysObjectID", 9, {1, 3, 6, 1, 2, 1, 1, 2, 0}},
	{"sysUpTime", 9, {1, 3, 6, 1, 2, 1, 1, 3, 0}},
	{"sysContact", 9, {1, 3, 6, 1, 2, 1, 1, 4, 0}},
	{"sysName", 9, {1, 3, 6, 1, 2, 1, 1, 5, 0}},
	{"sysLocation", 9, {1, 3, 6, 1, 2, 1, 1, 6, 0}},
};
#define SYS_COUNT (sizeof(sys_defs) / sizeof(sys_defs[0]))

/* IANA ifType numbers to the names Open-AudIT reports. */
static const struct {
	long num;
	const char *name;
} if_types[] = {
	{1, "other"},	     {6, "ethernet"},
	{23, "ppp"},	     {24, "software loopback"},
	{32, "frame relay"}, {37, "atm"},
	{53, "propVirtual"}, {62, "fast ethernet"},
	{71, "wireless"},    {117, "gigabit ethernet"},
	{131, "tunnel"},     {135, "l2vlan"},
	{136, "l3ipvlan"},   {161, "ieee8023adLag"},
	{166, "mpls"},	     {209, "bridge"},
};

static const char *const oper_names[] = {
	NULL,	   "up",      "down",	    "testing",
	"unknown", "dormant", "notPresent", "lowerLayerDown",
};

/* ------------------------------------------------------------ tables */

struct cell {
	int set;
	u_char type;
	size_t len;   /* bytes in buf */
	u_char *buf;  /* octet strings, OIDs (as text), addresses */
	uint64_t num; /* integers, counters, gauges, ticks */
};

struct row {
	oid idx[IDX_MAX];
	size_t idxlen;
	struct cell *cells; /* one per column of the table */
};

struct table {
	unsigned first; /* columns first .. first+ncols-1 */
	size_t ncols;
	struct row *rows;
	size_t nrows, cap, hint;
	int truncated;
};

static void table_free(struct table *t)
{
	size_t i, c;

	if (!t)
		return;
	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < t->ncols; c++)
			free(t->rows[i].cells[c].buf);
		free(t->rows[i].cells);
	}
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static struct row *table_append(struct table *t, const oid *idx, size_t len)
{
	struct row *r;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	r = &t->rows[t->nrows];
	memcpy(r->idx, idx, len * sizeof(oid));
	r->idxlen = len;
	r->cells = xcalloc(t->ncols, sizeof(*r->cells));
	t->hint = t->nrows++;
	return r;
}

/* The row with this index, added when new; NULL past max_rows. A walk
 * meets indexes in increasing order, so an index past the last row is new
 * without a search (a table of n rows costs O(n), not O(n^2)). */
static struct row *table_row(struct table *t, const oid *idx, size_t len,
			     size_t max_rows)
{
	size_t i;
	struct row *r;

	if (t->nrows && t->nrows < max_rows &&
	    snmp_oid_compare(idx, len, t->rows[t->nrows - 1].idx,
			     t->rows[t->nrows - 1].idxlen) > 0)
		return table_append(t, idx, len);
	for (i = 0; i < 2 && t->hint + i < t->nrows; i++) {
		r = &t->rows[t->hint + i];
		if (r->idxlen == len &&
		    memcmp(r->idx, idx, len * sizeof(oid)) == 0) {
			t->hint += i;
			return r;
		}
	}
	for (i = 0; i < t->nrows; i++) {
		r = &t->rows[i];
		if (r->idxlen == len &&
		    memcmp(r->idx, idx, len * sizeof(oid)) == 0) {
			t->hint = i;
			return r;
		}
	}
	if (t->nrows >= max_rows) {
		t->truncated = 1;
		return NULL;
	}
	return table_append(t, idx, len);
}

static const struct cell *row_cell(const struct table *t, const struct row *r,
				   unsigned c)
{
	const struct cell *cl = &r->cells[c - t->first];

	return cl->set ? cl : NULL;
}

/* Stores one varbind's value; octet strings are cut at the ceiling. */
static void cell_store(struct cell *cl, const netsnmp_variable_list *v)
{
	char tmp[IDX_MAX * 12];
	size_t i, n = 0;

	free(cl->buf);
	memset(cl, 0, sizeof(*cl));
	cl->set = 1;
	cl->type = v->type;
	switch (v->type) {
	case ASN_OCTET_STR:
	case ASN_OPAQUE:
		cl->len = v->val_len < SNMP_PROBE_MAX_VALUE
				  ? v->val_len
				  : SNMP_PROBE_MAX_VALUE;
		cl->buf = xmalloc(cl->len + 1);
		if (cl->len)
			memcpy(cl->buf, v->val.string, cl->len);
		cl->buf[cl->len] = 0;
		break;
	case ASN_IPADDRESS:
		if (v->val_len == 4)
			snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u",
				 v->val.string[0], v->val.string[1],
				 v->val.string[2], v->val.string[3]);
		else
			tmp[0] = 0;
		cl->buf = (u_char *)xstrdup(tmp);
		cl->len = strlen(tmp);
		break;
	case ASN_OBJECT_ID:
		tmp[0] = 0;
		for (i = 0; i < v->val_len / sizeof(oid) && i < IDX_MAX; i++)
			n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%s%lu",
					      i ? "." : "",
					      (unsigned long)v->val.objid[i]);
		cl->buf = (u_char *)xstrdup(tmp);
		cl->len = strlen(tmp);
		/* the last sub-identifier, for ipAddressPrefix */
		if (i)
			cl->num = v->val.objid[i - 1];
		break;
	case ASN_COUNTER64:
		cl->num = ((uint64_t)v->val.counter64->high << 32) |
			  v->val.counter64->low;
		break;
	case ASN_INTEGER:
		cl->num = (uint64_t)*v->val.integer;
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		cl->num = (uint64_t)(unsigned long)*v->val.integer;
		break;
	default:
		cl->set = 0;
		break;
	}
}

/* ------------------------------------------------------ value text */

/* A JSON string for bytes from the agent: trailing NULs dropped, control
 * characters made spaces, and kept as UTF-8 when it is valid, else every
 * non-ASCII byte made '?'. */
static json_t *json_agent_string(const u_char *s, size_t len)
{
	char *b;
	size_t i;
	json_t *j;

	while (len && s[len - 1] == 0)
		len--;
	if (len > SNMP_PROBE_MAX_VALUE)
		len = SNMP_PROBE_MAX_VALUE;
	b = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		b[i] = (s[i] < 0x20 || s[i] == 0x7f) ? ' ' : (char)s[i];
	b[len] = 0;
	j = json_stringn(b, len);
	if (!j) {
		for (i = 0; i < len; i++)
			if ((unsigned char)b[i] >= 0x80)
				b[i] = '?';
		j = json_stringn(b, len);
	}
	free(b);
	return j;
}

static void set_str(json_t *o, const char *key, const char *val)
{
	json_object_set_new(o, key, json_string(val));
}

static void set_num(json_t *o, const char *key, uint64_t n)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)n);
	set_str(o, key, b);
}

/* "aa:bb:cc:dd:ee:ff" from 6 bytes; "" otherwise. */
static void mac_format(const struct cell *c, char out[18])
{
	out[0] = 0;
	if (c && c->type == ASN_OCTET_STR && c->len == 6)
		snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", c->buf[0],
			 c->buf[1], c->buf[2], c->buf[3], c->buf[4], c->buf[5]);
}

/* The text of a cell: strings as UTF-8, numbers in decimal. */
static json_t *cell_json(const struct cell *c)
{
	char b[24];

	if (!c)
		return json_string("");
	switch (c->type) {
	case ASN_OCTET_STR:
	case ASN_OPAQUE:
		return json_agent_string(c->buf, c->len);
	case ASN_IPADDRESS:
	case ASN_OBJECT_ID:
		return json_string((const char *)c->buf);
	default:
		snprintf(b, sizeof(b), "%llu", (unsigned long long)c->num);
		return json_string(b);
	}
}

/* An address in an index: type (1 ipv4, 2 ipv6, 3/4 with zone), a length
 * and that many sub-identifiers, each a byte. 0 with text in out. */
static int index_addr(const oid *idx, size_t len, char *out, size_t outlen,
		      int *version)
{
	unsigned char a[16];
	size_t n, i;
	int family;

	if (len < 2)
		return -1;
	n = idx[1];
	if (len < 2 + n || (n != 4 && n != 16))
		return -1;
	for (i = 0; i < n; i++) {
		if (idx[2 + i] > 255)
			return -1;
		a[i] = (unsigned char)idx[2 + i];
	}
	family = n == 4 ? AF_INET : AF_INET6;
	*version = n == 4 ? 4 : 6;
	return inet_ntop(family, a, out, (socklen_t)outlen) ? 0 : -1;
}

static int index_ipv4(const oid *idx, size_t len, char *out, size_t outlen)
{
	if (len != 4 || idx[0] > 255 || idx[1] > 255 || idx[2] > 255 ||
	    idx[3] > 255)
		return -1;
	snprintf(out, outlen, "%lu.%lu.%lu.%lu", (unsigned long)idx[0],
		 (unsigned long)idx[1], (unsigned long)idx[2],
		 (unsigned long)idx[3]);
	return 0;
}

static int mask_to_cidr(const char *mask)
{
	struct in_addr a;
	uint32_t m;
	int n = 0;

	if (inet_pton(AF_INET, mask, &a) != 1)
		return -1;
	m = ntohl(a.s_addr);
	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return m ? -1 : n; /* not contiguous */
}

/* "network/cidr" of an address and prefix length, either family. */
static void network_format(const char *ip, int version, int cidr, char *out,
			   size_t outlen)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];
	int family = version == 6 ? AF_INET6 : AF_INET;
	int bits = version == 6 ? 128 : 32, i;

	out[0] = 0;
	if (cidr < 0 || cidr > bits || inet_pton(family, ip, a) != 1)
		return;
	for (i = cidr; i < bits; i++)
		a[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	if (inet_ntop(family, a, txt, sizeof(txt)))
		snprintf(out, outlen, "%s/%d", txt, cidr);
}

/* ------------------------------------------------------------ probe */

enum req_outcome { REQ_OK, REQ_TIMEOUT, REQ_REPORT, REQ_ERROR, REQ_DEADLINE };

/*
 * net-snmp keeps v3 users in one global list keyed by engine ID and name,
 * and a session reuses a user already there without looking at its keys.
 * So every session that needs a user claims it here first (under
 * snmp_lock): sessions with the same keys share it; one with other keys
 * (another credential for the same name on the same engine) waits until
 * the user is released; the last release removes the user from the list.
 */
struct usm_claim {
	LIST_ENTRY(usm_claim) link;
	u_char engine_id[64];
	size_t engine_id_len;
	char *name;
	u_char keys[512]; /* level, protocols and Ku keys */
	size_t keys_len;
	int refs;
};

LIST_HEAD(usm_claim_list, usm_claim);
static struct usm_claim_list usm_claims = LIST_HEAD_INITIALIZER(usm_claims);
static pthread_cond_t usm_claim_cond = PTHREAD_COND_INITIALIZER;

struct probe {
	const char *ip;
	char peer[80];
	int timeout_ms, retries, deadline_ms, max_rows, max_rep;
	struct timespec t0;
	void *sess;
	int sock;
	long version;
	/* the request in flight */
	int waiting;
	enum req_outcome outcome;
	int report_type;
	netsnmp_pdu *resp;
	u_char engine_id[64];
	size_t engine_id_len;
	struct usm_claim *claim; /* v3: the USM user this session uses */
	char why[160];
};

static long probe_left_ms(const struct probe *p)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - p->t0.tv_sec) * 1000 +
	     (now.tv_nsec - p->t0.tv_nsec) / 1000000;
	return p->deadline_ms - ms;
}

static int probe_callback(int op, netsnmp_session *s, int reqid,
			  netsnmp_pdu *pdu, void *magic)
{
	struct probe *p = magic;

	(void)s;
	(void)reqid;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu) {
		if (pdu->command == SNMP_MSG_REPORT) {
			p->outcome = REQ_REPORT;
			p->report_type = snmpv3_get_report_type(pdu);
			if (pdu->securityEngineIDLen &&
			    pdu->securityEngineIDLen <= sizeof(p->engine_id)) {
				memcpy(p->engine_id, pdu->securityEngineID,
				       pdu->securityEngineIDLen);
				p->engine_id_len = pdu->securityEngineIDLen;
			}
		} else {
			p->outcome = REQ_OK;
			p->resp = snmp_clone_pdu(pdu);
		}
	} else if (op == NETSNMP_CALLBACK_OP_RESEND) {
		return 1; /* a retransmission: still waiting */
	} else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		p->outcome = REQ_TIMEOUT;
	} else if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		p->outcome = REQ_ERROR;
		snprintf(p->why, sizeof(p->why),
			 "security error in the answer (wrong keys?)");
	} else {
		p->outcome = REQ_ERROR;
		snprintf(p->why, sizeof(p->why), "send failed (op %d)", op);
	}
	p->waiting = 0;
	return 1;
}

/* How long to wait before net-snmp wants to retransmit, within left. */
static long probe_wait_ms(struct probe *p, long left)
{
	netsnmp_large_fd_set fds;
	struct timeval tv;
	int n = 0, block = 0;
	long ms = left;

	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	pthread_mutex_lock(&snmp_lock);
	snmp_sess_select_info2(p->sess, &n, &fds, &tv, &block);
	pthread_mutex_unlock(&snmp_lock);
	netsnmp_large_fd_set_cleanup(&fds);
	if (!block)
		ms = (long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms < left ? ms : left;
}

/* Sends pdu (taken) and waits for its answer, a report, the library's
 * timeout or the deadline. On REQ_OK *resp is the response (caller frees). */
static enum req_outcome probe_request(struct probe *p, netsnmp_pdu *pdu,
				      netsnmp_pdu **resp)
{
	netsnmp_large_fd_set fds;
	struct pollfd pfd;
	long left;
	int rc;

	*resp = NULL;
	if (probe_left_ms(p) <= 0) {
		snmp_free_pdu(pdu);
		return REQ_DEADLINE;
	}
	p->waiting = 1;
	p->resp = NULL;
	p->outcome = REQ_ERROR;
	pthread_mutex_lock(&snmp_lock);
	rc = snmp_sess_async_send(p->sess, pdu, probe_callback, p);
	pthread_mutex_unlock(&snmp_lock);
	if (!rc) {
		char *msg = NULL;

		pthread_mutex_lock(&snmp_lock);
		snmp_sess_error(p->sess, NULL, NULL, &msg);
		pthread_mutex_unlock(&snmp_lock);
		snmp_free_pdu(pdu);
		snprintf(p->why, sizeof(p->why), "send: %.120s",
			 msg ? msg : "failed");
		free(msg);
		return REQ_ERROR;
	}
	while (p->waiting) {
		left = probe_left_ms(p);
		if (left <= 0)
			return REQ_DEADLINE; /* closing cancels it */
		pfd.fd = p->sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)probe_wait_ms(p, left));
		if (rc < 0 && errno != EINTR) {
			snprintf(p->why, sizeof(p->why), "poll: %s",
				 strerror(errno));
			return REQ_ERROR;
		}
		pthread_mutex_lock(&snmp_lock);
		if (rc > 0) {
			netsnmp_large_fd_set_init(&fds, p->sock + 1);
			NETSNMP_LARGE_FD_SET(p->sock, &fds);
			snmp_sess_read2(p->sess, &fds);
			netsnmp_large_fd_set_cleanup(&fds);
		} else {
			snmp_sess_timeout(p->sess);
		}
		pthread_mutex_unlock(&snmp_lock);
	}
	*resp = p->resp;
	p->resp = NULL;
	return p->outcome;
}

/* Drops p's claim on its USM user; the last one removes the user. Called
 * with snmp_lock held. */
static void usm_release(struct probe *p)
{
	struct usm_claim *c = p->claim;
	struct usmUser *u;

	if (!c)
		return;
	p->claim = NULL;
	if (--c->refs > 0)
		return;
	u = usm_get_user(c->engine_id, c->engine_id_len, c->name);
	if (u && u->name && strcmp(u->name, c->name) == 0 &&
	    u->engineIDLen == c->engine_id_len) {
		usm_remove_user(u);
		usm_free_user(u);
	}
	LIST_REMOVE(c, link);
	free(c->name);
	sodium_memzero(c, sizeof(*c)); /* the localised keys */
	free(c);
	pthread_cond_broadcast(&usm_claim_cond);
}

static void probe_close(struct probe *p)
{
	pthread_mutex_lock(&snmp_lock);
	if (p->sess)
		snmp_sess_close(p->sess);
	usm_release(p);
	pthread_mutex_unlock(&snmp_lock);
	p->sess = NULL;
	p->sock = -1;
	if (p->resp) {
		snmp_free_pdu(p->resp);
		p->resp = NULL;
	}
}

/* Opens p->sess from a prepared session struct; 0 or -1 with p->why. */
static int probe_open(struct probe *p, netsnmp_session *s)
{
	netsnmp_transport *t;
	long left = probe_left_ms(p);
	long tmo = p->timeout_ms < left ? p->timeout_ms : left;
	char *msg = NULL;

	if (tmo <= 0) {
		snprintf(p->why, sizeof(p->why), "deadline reached");
		return -1;
	}
	s->peername = p->peer;
	s->timeout = tmo * 1000L;
	s->retries = p->retries;
	s->flags |= SNMP_FLAGS_DONT_PROBE;
	pthread_mutex_lock(&snmp_lock);
	p->sess = snmp_sess_open(s);
	if (!p->sess) {
		snmp_error(s, NULL, NULL, &msg);
		snprintf(p->why, sizeof(p->why), "session: %s",
			 msg ? msg : "failed");
		free(msg);
	} else {
		t = snmp_sess_transport(p->sess);
		p->sock = t ? t->sock : -1;
	}
	pthread_mutex_unlock(&snmp_lock);
	if (p->sess && p->sock < 0) {
		probe_close(p);
		snprintf(p->why, sizeof(p->why), "session has no socket");
	}
	return p->sess ? 0 : -1;
}

static const char *outcome_text(struct probe *p, enum req_outcome o)
{
	switch (o) {
	case REQ_OK:
		return "ok";
	case REQ_TIMEOUT:
		return "no answer";
	case REQ_DEADLINE:
		return "deadline reached";
	case REQ_REPORT:
		return snmp_api_errstring(p->report_type);
	case REQ_ERROR:
		return p->why[0] ? p->why : "error";
	}
	return "error";
}

/* Sets p->why to "what: outcome" (the outcome text may be p->why). */
static void probe_why(struct probe *p, const char *what, enum req_outcome o)
{
	char tmp[sizeof(p->why)];

	snprintf(tmp, sizeof(tmp), "%s", outcome_text(p, o));
	snprintf(p->why, sizeof(p->why), "%s%s%.120s", what, *what ? ": " : "",
		 tmp);
}

/* -------------------------------------------------------- credentials */

struct proto_name {
	const char *name;
	const oid *proto;
	size_t len;
};

static const struct proto_name auth_protos[] = {
	{"MD5", usmHMACMD5AuthProtocol, USM_AUTH_PROTO_MD5_LEN},
	{"SHA", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN},
	{"SHA1", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN},
	{"SHA-1", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN},
	{"SHA-224", usmHMAC128SHA224AuthProtocol, 10},
	{"SHA-256", usmHMAC192SHA256AuthProtocol, 10},
	{"SHA-384", usmHMAC256SHA384AuthProtocol, 10},
	{"SHA-512", usmHMAC384SHA512AuthProtocol, 10},
	{"SHA224", usmHMAC128SHA224AuthProtocol, 10},
	{"SHA256", usmHMAC192SHA256AuthProtocol, 10},
	{"SHA384", usmHMAC256SHA384AuthProtocol, 10},
	{"SHA512", usmHMAC384SHA512AuthProtocol, 10},
	{NULL, NULL, 0},
};

/* AES-192/256 are the Blumenthal draft (net-snmp's AES192/AES256); the
 * Cisco key extension is AES-192-C / AES-256-C. */
static const struct proto_name priv_protos[] = {
	{"DES", usmDESPrivProtocol, USM_PRIV_PROTO_DES_LEN},
	{"AES", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN},
	{"AES128", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN},
	{"AES-128", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN},
	{"AES192", usmAES192PrivProtocol, 9},
	{"AES-192", usmAES192PrivProtocol, 9},
	{"AES256", usmAES256PrivProtocol, 9},
	{"AES-256", usmAES256PrivProtocol, 9},
	{"AES192C", usmAES192CiscoPrivProtocol, 11},
	{"AES-192-C", usmAES192CiscoPrivProtocol, 11},
	{"AES256C", usmAES256CiscoPrivProtocol, 11},
	{"AES-256-C", usmAES256CiscoPrivProtocol, 11},
	{NULL, NULL, 0},
};

static int proto_find(const struct proto_name *t, const char *name,
		      const oid **proto, size_t *len)
{
	for (; t->name; t++)
		if (util_streq_ci(name, t->name)) {
			*proto = t->proto;
			*len = t->len;
			return 0;
		}
	return -1;
}

static const char *cred_str(json_t *cred, const char *key)
{
	const char *s = json_string_value(json_object_get(cred, key));

	return s ? s : "";
}

/* Opens a v1 or v2c session with a community. 0 or -1 with p->why. */
static int probe_open_community(struct probe *p, long version,
				const char *community)
{
	netsnmp_session s;
	char *c;
	int rc;

	snmp_sess_init(&s);
	s.version = version;
	c = xstrdup(community);
	s.community = (u_char *)c;
	s.community_len = strlen(c);
	rc = probe_open(p, &s);
	free(c);
	p->version = version;
	return rc;
}

/* Learns the agent's engine ID (RFC 3414 discovery: an empty
 * noAuthNoPriv GET answered by a report). 0 or -1 with p->why. */
static int probe_discover_engine(struct probe *p)
{
	netsnmp_session s;
	netsnmp_pdu *pdu, *resp;
	enum req_outcome o;
	char empty[1] = "";

	snmp_sess_init(&s);
	s.version = SNMP_VERSION_3;
	s.securityModel = SNMP_SEC_MODEL_USM;
	s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	s.securityName = empty;
	s.securityNameLen = 0;
	if (probe_open(p, &s) < 0)
		return -1;
	p->engine_id_len = 0;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	pdu->version = SNMP_VERSION_3;
	pdu->securityName = xstrdup("");
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	o = probe_request(p, pdu, &resp);
	snmp_free_pdu(resp);
	probe_close(p);
	if (p->engine_id_len)
		return 0;
	if (o == REQ_REPORT)
		snprintf(p->why, sizeof(p->why),
			 "engine discovery: report without engine ID");
	else
		probe_why(p, "engine discovery", o);
	return -1;
}

/* Claims the USM user (engine ID, name) with these keys for p, waiting
 * (within the deadline) while another session uses it with other keys.
 * 0, or -1 with p->why. */
static int usm_claim(struct probe *p, const char *name, const u_char *keys,
		     size_t keys_len)
{
	struct usm_claim *c;
	struct timespec until;
	long left;

	clock_gettime(CLOCK_REALTIME, &until);
	left = probe_left_ms(p);
	until.tv_sec += left / 1000;
	until.tv_nsec += (left % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&snmp_lock);
	for (;;) {
		LIST_FOREACH(c, &usm_claims, link)
			if (c->engine_id_len == p->engine_id_len &&
			    memcmp(c->engine_id, p->engine_id,
				   p->engine_id_len) == 0 &&
			    strcmp(c->name, name) == 0)
				break;
		if (!c || (c->keys_len == keys_len &&
			   memcmp(c->keys, keys, keys_len) == 0))
			break;
		if (pthread_cond_timedwait(&usm_claim_cond, &snmp_lock,
					   &until) != 0) {
			pthread_mutex_unlock(&snmp_lock);
			snprintf(p->why, sizeof(p->why),
				 "deadline reached waiting for user %.40s",
				 name);
			return -1;
		}
	}
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		memcpy(c->engine_id, p->engine_id, p->engine_id_len);
		c->engine_id_len = p->engine_id_len;
		c->name = xstrdup(name);
		memcpy(c->keys, keys, keys_len);
		c->keys_len = keys_len;
		LIST_INSERT_HEAD(&usm_claims, c, link);
	}
	c->refs++;
	p->claim = c;
	pthread_mutex_unlock(&snmp_lock);
	return 0;
}

/* Appends n bytes to a key fingerprint buffer, within its size. */
static void keys_add(u_char *buf, size_t *len, size_t cap, const void *b,
		     size_t n)
{
	if (*len + n > cap)
		n = cap - *len;
	memcpy(buf + *len, b, n);
	*len += n;
}

/* Opens a v3 session for an snmp_v3 credential. 0 or -1 with p->why. */
static int probe_open_v3(struct probe *p, json_t *cred)
{
	netsnmp_session s;
	const char *level = cred_str(cred, "security_level");
	const char *apass = cred_str(cred, "auth_passphrase");
	const char *ppass = cred_str(cred, "priv_passphrase");
	const oid *aproto = usmHMACSHA1AuthProtocol, *pproto = NULL;
	size_t alen = USM_AUTH_PROTO_SHA_LEN, plen = 0;
	char *name = NULL, *ctx = NULL;
	u_char keys[sizeof(((struct usm_claim *)0)->keys)];
	size_t keys_len = 0;
	int rc = -1;

	snmp_sess_init(&s);
	s.version = SNMP_VERSION_3;
	s.securityModel = SNMP_SEC_MODEL_USM;
	if (!*cred_str(cred, "security_name")) {
		snprintf(p->why, sizeof(p->why), "no security_name");
		return -1;
	}
	if (util_streq_ci(level, "authPriv"))
		s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	else if (util_streq_ci(level, "authNoPriv"))
		s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
	else if (util_streq_ci(level, "noAuthNoPriv"))
		s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	else {
		snprintf(p->why, sizeof(p->why),
			 "security_level must be noAuthNoPriv, authNoPriv "
			 "or authPriv");
		return -1;
	}
	if (s.securityLevel >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
		if (*cred_str(cred, "auth_protocol") &&
		    proto_find(auth_protos, cred_str(cred, "auth_protocol"),
			       &aproto, &alen) < 0) {
			snprintf(p->why, sizeof(p->why),
				 "unknown auth_protocol (MD5, SHA, SHA-224, "
				 "SHA-256, SHA-384 or SHA-512)");
			return -1;
		}
		if (strlen(apass) < 8) {
			snprintf(p->why, sizeof(p->why),
				 "auth_passphrase shorter than 8 characters");
			return -1;
		}
	}
	if (s.securityLevel == SNMP_SEC_LEVEL_AUTHPRIV) {
		if (proto_find(priv_protos,
			       *cred_str(cred, "priv_protocol")
				       ? cred_str(cred, "priv_protocol")
				       : "AES",
			       &pproto, &plen) < 0) {
			snprintf(p->why, sizeof(p->why),
				 "unknown priv_protocol (DES, AES, AES-192 or "
				 "AES-256)");
			return -1;
		}
		if (strlen(ppass) < 8) {
			snprintf(p->why, sizeof(p->why),
				 "priv_passphrase shorter than 8 characters");
			return -1;
		}
	}
	if (probe_discover_engine(p) < 0)
		return -1;

	name = xstrdup(cred_str(cred, "security_name"));
	s.securityName = name;
	s.securityNameLen = strlen(name);
	if (*cred_str(cred, "context_name")) {
		ctx = xstrdup(cred_str(cred, "context_name"));
		s.contextName = ctx;
		s.contextNameLen = strlen(ctx);
	}
	s.securityEngineID = p->engine_id;
	s.securityEngineIDLen = p->engine_id_len;
	if (s.securityLevel >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
		s.securityAuthProto = (oid *)xmalloc(alen * sizeof(oid));
		memcpy(s.securityAuthProto, aproto, alen * sizeof(oid));
		s.securityAuthProtoLen = alen;
		s.securityAuthKeyLen = USM_AUTH_KU_LEN;
		if (generate_Ku(aproto, (u_int)alen, (const u_char *)apass,
				strlen(apass), s.securityAuthKey,
				&s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
			snprintf(p->why, sizeof(p->why),
				 "could not derive the auth key");
			goto out;
		}
	}
	if (s.securityLevel == SNMP_SEC_LEVEL_AUTHPRIV) {
		s.securityPrivProto = (oid *)xmalloc(plen * sizeof(oid));
		memcpy(s.securityPrivProto, pproto, plen * sizeof(oid));
		s.securityPrivProtoLen = plen;
		s.securityPrivKeyLen = USM_PRIV_KU_LEN;
		if (generate_Ku(aproto, (u_int)alen, (const u_char *)ppass,
				strlen(ppass), s.securityPrivKey,
				&s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
			snprintf(p->why, sizeof(p->why),
				 "could not derive the privacy key");
			goto out;
		}
	}
	keys_add(keys, &keys_len, sizeof(keys), &s.securityLevel,
		 sizeof(s.securityLevel));
	keys_add(keys, &keys_len, sizeof(keys), aproto, alen * sizeof(oid));
	keys_add(keys, &keys_len, sizeof(keys), s.securityAuthKey,
		 s.securityAuthKeyLen);
	if (pproto)
		keys_add(keys, &keys_len, sizeof(keys), pproto,
			 plen * sizeof(oid));
	keys_add(keys, &keys_len, sizeof(keys), s.securityPrivKey,
		 s.securityPrivKeyLen);
	if (usm_claim(p, name, keys, keys_len) < 0)
		goto out;
	rc = probe_open(p, &s);
	if (rc < 0)
		probe_close(p); /* releases the claim */
	p->version = SNMP_VERSION_3;
out:
	sodium_memzero(keys, sizeof(keys));
	free(s.securityAuthProto);
	free(s.securityPrivProto);
	sodium_memzero(s.securityAuthKey, sizeof(s.securityAuthKey));
	sodium_memzero(s.securityPrivKey, sizeof(s.securityPrivKey));
	free(name);
	free(ctx);
	return rc;
}

/* ------------------------------------------------------ system group */

/* Asks for n objects in one request: GET of each exact instance, or
 * GETNEXT under each object. A v1 agent fails the whole request on one
 * object it lacks: that object is dropped and the rest asked again (at
 * most once per object). out[i] receives object i's value when the answer
 * is that instance (GET) or lies under that object (GETNEXT); cells of
 * objects without an answer stay unset. 0, or -1 with p->why set when the
 * agent did not answer or refused the request. */
static int probe_get_objects(struct probe *p, int type,
			     const struct obj_def *const *defs, size_t n,
			     struct cell *out)
{
	netsnmp_pdu *pdu, *resp = NULL;
	netsnmp_variable_list *v;
	enum req_outcome o;
	size_t i, k, tries;
	int skip[OBJ_MAX] = {0};

	if (n > OBJ_MAX)
		n = OBJ_MAX;
	for (tries = 0; tries <= n; tries++) {
		pdu = snmp_pdu_create(type);
		for (i = 0; i < n; i++)
			if (!skip[i])
				snmp_add_null_var(pdu, defs[i]->oid,
						  defs[i]->len);
		o = probe_request(p, pdu, &resp);
		if (o != REQ_OK) {
			probe_why(p, "", o);
			return -1;
		}
		if (resp->errstat == SNMP_ERR_NOSUCHNAME &&
		    resp->errindex > 0) {
			size_t bad = n;

			k = 0;
			for (i = 0; i < n; i++)
				if (!skip[i] && (long)++k == resp->errindex)
					bad = i;
			/* GETNEXT: nothing follows that object, so nothing
			 * follows any object after it either */
			for (i = 0; i < n && bad < n; i++)
				if (i == bad ||
				    (type == SNMP_MSG_GETNEXT &&
				     snmp_oid_compare(defs[i]->oid,
						      defs[i]->len,
						      defs[bad]->oid,
						      defs[bad]->len) > 0))
					skip[i] = 1;
			snmp_free_pdu(resp);
			resp = NULL;
			if (bad == n)
				break; /* an index we did not send */
			continue;
		}
		break;
	}
	if (!resp || resp->errstat != SNMP_ERR_NOERROR) {
		snprintf(p->why, sizeof(p->why), "agent error: %s",
			 resp ? snmp_errstring(resp->errstat) : "none left");
		snmp_free_pdu(resp);
		return -1;
	}
	/* varbinds come back in the order asked */
	v = resp->variables;
	for (i = 0; i < n && v; i++) {
		const struct obj_def *d = defs[i];
		int inside;

		if (skip[i])
			continue;
		if (type == SNMP_MSG_GET)
			inside = snmp_oid_compare(v->name, v->name_length,
						  d->oid, d->len) == 0;
		else
			inside = v->name_length > d->len &&
				 snmp_oid_compare(v->name, d->len, d->oid,
						  d->len) == 0;
		if (inside)
			cell_store(&out[i], v); /* noSuch*: left unset */
		v = v->next_variable;
	}
	snmp_free_pdu(resp);
	return 0;
}

static void cells_free(struct cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].buf);
}

/* GETs the system group; 0 and sys filled when the agent answered. */
static int probe_get_system(struct probe *p, json_t *sys)
{
	const struct obj_def *defs[SYS_COUNT];
	struct cell c[SYS_COUNT];
	size_t i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < SYS_COUNT; i++)
		defs[i] = &sys_defs[i];
	if (probe_get_objects(p, SNMP_MSG_GET, defs, SYS_COUNT, c) < 0)
		return -1;
	for (i = 0; i < SYS_COUNT; i++) {
		if (!c[i].set)
			continue; /* noSuchObject and the like */
		json_object_set_new(sys, sys_defs[i].name, cell_json(&c[i]));
		if (i == 1)
			set_str(sys, "snmp_oid", (const char *)c[i].buf);
		if (i == 2)
			set_num(sys, "uptime", c[i].num / 100);
	}
	cells_free(c, SYS_COUNT);
	return 0;
}

/* 1 when the space-separated list holds word. */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *q = list;

	while (q && (q = strstr(q, word)) != NULL) {
		if ((q == list || q[-1] == ' ') && (q[n] == ' ' || !q[n]))
			return 1;
		q += n;
	}
	return 0;
}

/* Identity objects whose SYNTAX is BITS (an octet string, bit 0 the first
 * octet's high bit), stored as the names of the bits set, space separated:
 * LLDP-MIB's lldpLocSysCapEnabled, the capabilities the device announces
 * to its neighbours (IEEE 802.1AB). */
static const struct {
	const char *field;
	const char *bits[8];
} bits_fields[] = {
	{"lldpLocSysCapEnabled",
	 {"other", "repeater", "bridge", "wlanAccessPoint", "router",
	  "telephone", "docsisCableDevice", "stationOnly"}},
};

/* The answer for field as JSON: BITS names for a field of bits_fields[],
 * else the value as text. */
static json_t *ident_json(const char *field, const struct cell *c)
{
	struct strbuf b;
	json_t *j;
	size_t i, k;

	for (i = 0; i < sizeof(bits_fields) / sizeof(bits_fields[0]); i++)
		if (strcmp(field, bits_fields[i].field) == 0)
			break;
	if (i == sizeof(bits_fields) / sizeof(bits_fields[0]) ||
	    c->type != ASN_OCTET_STR || !c->len)
		return cell_json(c);
	strbuf_init(&b, 0);
	for (k = 0; k < 8; k++)
		if (c->buf[0] & (0x80u >> k))
			strbuf_printf(&b, "%s%s", b.len ? " " : "",
				      bits_fields[i].bits[k]);
	j = json_string(b.len ? b.data : "");
	strbuf_free(&b);
	return j;
}

/*
 * What the device says about itself beyond the system group, for
 * classification: the identity objects of data/snmp-identity.txt
 * (classify_idents()) that are asked of this agent — every agent's, and
 * its maker's by the sysObjectID's enterprise — one GETNEXT under each
 * (in requests of at most OBJ_MAX), so a scalar and the first row of a
 * column are read alike and a MIB the agent lacks costs nothing but its
 * varbind. Each answer goes to the sys field the table names; an "@" line
 * only proves that the agent implements its MIB. sys.snmp_mibs lists the
 * MIBs that answered. An agent that does not answer costs nothing but the
 * request: classification then has less.
 */
static void probe_get_identity(struct probe *p, json_t *sys)
{
	const char *sysoid =
		json_string_value(json_object_get(sys, "sysObjectID"));
	const struct classify_ident *all, *asked[OBJ_MAX];
	struct obj_def defs[OBJ_MAX];
	const struct obj_def *dp[OBJ_MAX];
	struct cell c[OBJ_MAX];
	struct strbuf mibs;
	size_t n, i = 0, k, j;

	all = classify_idents_list(classify_idents(), &n);
	strbuf_init(&mibs, 256);
	while (i < n) {
		/* the next batch of lines asked of this agent */
		for (k = 0; i < n && k < OBJ_MAX; i++) {
			if (!classify_ident_asked(&all[i], sysoid))
				continue;
			asked[k] = &all[i];
			defs[k].name = all[i].field;
			defs[k].len = all[i].oidlen;
			for (j = 0; j < all[i].oidlen; j++)
				defs[k].oid[j] = (oid)all[i].oid[j];
			dp[k] = &defs[k];
			k++;
		}
		if (!k)
			break;
		memset(c, 0, sizeof(c));
		if (probe_get_objects(p, SNMP_MSG_GETNEXT, dp, k, c) < 0) {
			log_debug("snmp %s: identity objects: %s", p->ip,
				  p->why);
			cells_free(c, k);
			break;
		}
		for (j = 0; j < k; j++) {
			const struct classify_ident *d = asked[j];
			json_t *val;

			if (!c[j].set)
				continue;
			if (d->mib && !list_has(mibs.data, d->mib))
				strbuf_printf(&mibs, "%s%s",
					      mibs.len ? " " : "", d->mib);
			if (d->field[0] == '@')
				continue;
			val = ident_json(d->field, &c[j]);
			if (json_string_length(val))
				json_object_set_new(sys, d->field, val);
			else
				json_decref(val);
		}
		cells_free(c, k);
	}
	if (mibs.len)
		set_str(sys, "snmp_mibs", mibs.data);
	strbuf_free(&mibs);
}

/* ---------------------------------------------------------- the walk */

#define WALK_MAX_COLS 40
#define WALK_MAX_TABLES 12
_Static_assert(C_COUNT <= WALK_MAX_COLS && T_COUNT <= WALK_MAX_TABLES,
	       "raise WALK_MAX_COLS / WALK_MAX_TABLES");

/* One multi-column walk over a set of columns (defs[0 .. ncols-1], each
 * naming its table), at most max_rows rows per table. */
struct walk {
	const struct col_def *defs;
	size_t ncols;
	size_t max_rows;
	struct table tables[WALK_MAX_TABLES];
	oid last[WALK_MAX_COLS][MAX_OID_LEN];
	size_t lastlen[WALK_MAX_COLS];
	int done[WALK_MAX_COLS];
	size_t requests;
};

static void walk_init(struct walk *w, const struct col_def *defs, size_t ncols,
		      size_t max_rows)
{
	size_t c;

	memset(w, 0, sizeof(*w));
	w->defs = defs;
	w->ncols = ncols;
	w->max_rows = max_rows;
	for (c = 0; c < ncols; c++) {
		struct table *t = &w->tables[defs[c].table];

		if (t->ncols == 0)
			t->first = (unsigned)c;
		t->ncols++;
		memcpy(w->last[c], defs[c].name, defs[c].len * sizeof(oid));
		w->lastlen[c] = defs[c].len;
	}
}

static void walk_free(struct walk *w)
{
	size_t t;

	for (t = 0; t < WALK_MAX_TABLES; t++)
		table_free(&w->tables[t]);
}

/* Takes one varbind for column c; 1 when the column moved on. */
static int walk_take(struct walk *w, size_t c, const netsnmp_variable_list *v)
{
	const struct col_def *d = &w->defs[c];
	struct table *t = &w->tables[d->table];
	struct row *r;

	if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
	    v->type == SNMP_NOSUCHINSTANCE || v->name_length <= d->len ||
	    v->name_length > MAX_OID_LEN ||
	    snmp_oid_compare(v->name, d->len, d->name, d->len) != 0) {
		w->done[c] = 1; /* left the column */
		return 0;
	}
	if (snmp_oid_compare(v->name, v->name_length, w->last[c],
			     w->lastlen[c]) <= 0) {
		w->done[c] = 1; /* not increasing: a broken agent */
		return 0;
	}
	memcpy(w->last[c], v->name, v->name_length * sizeof(oid));
	w->lastlen[c] = v->name_length;
	if (v->name_length - d->len > IDX_MAX)
		return 1; /* index too long to keep: skip it */
	r = table_row(t, v->name + d->len, v->name_length - d->len,
		      w->max_rows);
	if (!r) {
		w->done[c] = 1;
		return 0;
	}
	cell_store(&r->cells[c - t->first], v);
	return 1;
}

/* Walks every column at once; 0, or -1 when the agent stopped answering
 * (the rows read so far are kept). */
static int probe_walk(struct probe *p, struct walk *w)
{
	size_t active[WALK_MAX_COLS];
	size_t nactive, i, c;
	netsnmp_pdu *pdu, *resp;
	netsnmp_variable_list *v;
	enum req_outcome o;
	int moved, reps;

	for (;;) {
		nactive = 0;
		for (c = 0; c < w->ncols; c++)
			if (!w->done[c])
				active[nactive++] = c;
		if (!nactive)
			return 0;
		if (p->version == SNMP_VERSION_1) {
			pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
		} else {
			/* A few rows of every column per round trip, more
			 * as columns end: extra varbinds past a column's end
			 * cost bytes, a round trip costs a wait. */
			reps = p->max_rep / (int)nactive;
			pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
			pdu->non_repeaters = 0;
			pdu->max_repetitions = reps > MIN_REP ? reps : MIN_REP;
		}
		for (i = 0; i < nactive; i++)
			snmp_add_null_var(pdu, w->last[active[i]],
					  w->lastlen[active[i]]);
		w->requests++;
		o = probe_request(p, pdu, &resp);
		if (o != REQ_OK) {
			probe_why(p, "walk", o);
			return -1;
		}
		if (resp->errstat == SNMP_ERR_NOSUCHNAME &&
		    resp->errindex > 0 && (size_t)resp->errindex <= nactive) {
			/* v1: that column ran off the end of the MIB */
			w->done[active[resp->errindex - 1]] = 1;
			snmp_free_pdu(resp);
			continue;
		}
		if (resp->errstat != SNMP_ERR_NOERROR) {
			snprintf(p->why, sizeof(p->why), "walk: agent error %s",
				 snmp_errstring(resp->errstat));
			snmp_free_pdu(resp);
			return -1;
		}
		moved = 0;
		for (v = resp->variables, i = 0; v; v = v->next_variable, i++) {
			size_t col = active[i % nactive];

			if (!w->done[col])
				moved |= walk_take(w, col, v);
		}
		snmp_free_pdu(resp);
		if (!moved)
			return 0; /* every column ended or stalled */
	}
}

/* ------------------------------------------------------ the sections */

static const struct row *if_row(const struct walk *w, unsigned long ifindex)
{
	const struct table *t = &w->tables[T_IF];
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].idxlen == 1 && t->rows[i].idx[0] == ifindex)
			return &t->rows[i];
	return NULL;
}

static void if_mac(const struct walk *w, unsigned long ifindex, char mac[18])
{
	const struct row *r = if_row(w, ifindex);

	mac[0] = 0;
	if (r)
		mac_format(row_cell(&w->tables[T_IF], r, C_IF_PHYS), mac);
}

static json_t *if_descr(const struct walk *w, unsigned long ifindex)
{
	const struct row *r = if_row(w, ifindex);

	return cell_json(r ? row_cell(&w->tables[T_IF], r, C_IF_DESCR) : NULL);
}

static const char *if_type_name(uint64_t n, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(if_types) / sizeof(if_types[0]); i++)
		if ((uint64_t)if_types[i].num == n)
			return if_types[i].name;
	snprintf(buf, len, "%llu", (unsigned long long)n);
	return buf;
}

static json_t *section_network(const struct walk *w)
{
	const struct table *t = &w->tables[T_IF];
	json_t *a = json_array(), *o;
	const struct cell *c, *hs;
	char mac[18], buf[24];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (r->idxlen != 1)
			continue;
		o = json_object();
		set_num(o, "net_index", r->idx[0]);
		json_object_set_new(o, "description",
				    cell_json(row_cell(t, r, C_IF_DESCR)));
		json_object_set_new(o, "model",
				    cell_json(row_cell(t, r, C_IF_DESCR)));
		json_object_set_new(o, "connection",
				    cell_json(row_cell(t, r, C_IF_NAME)));
		json_object_set_new(o, "alias",
				    cell_json(row_cell(t, r, C_IF_ALIAS)));
		c = row_cell(t, r, C_IF_TYPE);
		set_str(o, "type",
			c ? if_type_name(c->num, buf, sizeof(buf)) : "");
		mac_format(row_cell(t, r, C_IF_PHYS), mac);
		set_str(o, "mac", mac);
		hs = row_cell(t, r, C_IF_HIGHSPEED);
		c = row_cell(t, r, C_IF_SPEED);
		if (hs && hs->num)
			set_num(o, "speed", hs->num * 1000000u);
		else
			set_num(o, "speed", c ? c->num : 0);
		c = row_cell(t, r, C_IF_ADMIN);
		set_str(o, "ifadminstatus",
			c && c->num >= 1 && c->num <= 3 ? oper_names[c->num]
							: "");
		c = row_cell(t, r, C_IF_OPER);
		set_str(o, "ip_enabled",
			c && c->num >= 1 && c->num <= 7 ? oper_names[c->num]
							: "");
		c = row_cell(t, r, C_IF_LASTCHANGE);
		set_num(o, "iflastchange", c ? c->num : 0);
		json_array_append_new(a, o);
	}
	return a;
}

static void ip_row_add(json_t *a, const struct walk *w, const char *ip,
		       int version, const char *mask, int cidr,
		       unsigned long ifindex)
{
	json_t *o = json_object();
	char net[INET6_ADDRSTRLEN + 8], mac[18];

	set_str(o, "ip", ip);
	set_str(o, "netmask", mask);
	if (cidr >= 0)
		set_num(o, "cidr", (uint64_t)cidr);
	else
		set_str(o, "cidr", "");
	network_format(ip, version, cidr, net, sizeof(net));
	set_str(o, "network", net);
	set_num(o, "net_index", ifindex);
	if_mac(w, ifindex, mac);
	set_str(o, "mac", mac);
	set_str(o, "version", version == 6 ? "6" : "4");
	json_array_append_new(a, o);
}

static int ip_seen(json_t *a, const char *ip)
{
	size_t i;
	json_t *o;

	json_array_foreach(a, i, o)
		if (strcmp(json_string_value(json_object_get(o, "ip")), ip) ==
		    0)
			return 1;
	return 0;
}

static json_t *section_ip(const struct walk *w)
{
	const struct table *t = &w->tables[T_IPAD];
	const struct table *x = &w->tables[T_IPA];
	json_t *a = json_array();
	const struct cell *c, *m;
	char ip[INET6_ADDRSTRLEN];
	size_t i;
	int version;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (index_ipv4(r->idx, r->idxlen, ip, sizeof(ip)) < 0)
			continue;
		c = row_cell(t, r, C_IPAD_IFINDEX);
		m = row_cell(t, r, C_IPAD_MASK);
		ip_row_add(a, w, ip, 4, m ? (const char *)m->buf : "",
			   m ? mask_to_cidr((const char *)m->buf) : -1,
			   c ? (unsigned long)c->num : 0);
	}
	/* ipAddressTable: IPv6, and IPv4 an old table did not list. */
	for (i = 0; i < x->nrows; i++) {
		const struct row *r = &x->rows[i];
		char mask[16] = "";
		int cidr;

		if (index_addr(r->idx, r->idxlen, ip, sizeof(ip), &version) <
			    0 ||
		    ip_seen(a, ip))
			continue;
		c = row_cell(x, r, C_IPA_TYPE);
		if (c && c->num != 1)
			continue; /* anycast or broadcast */
		c = row_cell(x, r, C_IPA_PREFIX);
		cidr = c && c->type == ASN_OBJECT_ID ? (int)c->num : -1;
		if (version == 4 && cidr >= 0 && cidr <= 32) {
			uint32_t mm = cidr ? 0xffffffffu << (32 - cidr) : 0;

			snprintf(mask, sizeof(mask), "%u.%u.%u.%u", mm >> 24,
				 (mm >> 16) & 255, (mm >> 8) & 255, mm & 255);
		}
		c = row_cell(x, r, C_IPA_IFINDEX);
		ip_row_add(a, w, ip, version, mask, cidr,
			   c ? (unsigned long)c->num : 0);
	}
	return a;
}

static void arp_row_add(json_t *a, const struct walk *w, const char *ip,
			const struct cell *phys, unsigned long ifindex)
{
	json_t *o;
	char mac[18];

	mac_format(phys, mac);
	if (!mac[0] || ip_seen(a, ip))
		return; /* incomplete entry, or listed already */
	o = json_object();
	set_str(o, "ip", ip);
	set_str(o, "mac", mac);
	set_num(o, "net_index", ifindex);
	json_object_set_new(o, "interface", if_descr(w, ifindex));
	json_array_append_new(a, o);
}

static json_t *section_arp(const struct walk *w)
{
	const struct table *t = &w->tables[T_NTM];
	const struct table *x = &w->tables[T_NTP];
	json_t *a = json_array();
	const struct cell *c;
	char ip[INET6_ADDRSTRLEN];
	size_t i;
	int version;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		c = row_cell(t, r, C_NTM_TYPE);
		if ((c && c->num == 2) || r->idxlen != 5 ||
		    index_ipv4(r->idx + 1, 4, ip, sizeof(ip)) < 0)
			continue; /* invalid(2) entries are stale */
		arp_row_add(a, w, ip, row_cell(t, r, C_NTM_PHYS),
			    (unsigned long)r->idx[0]);
	}
	for (i = 0; i < x->nrows; i++) {
		const struct row *r = &x->rows[i];

		c = row_cell(x, r, C_NTP_TYPE);
		if ((c && c->num == 2) || r->idxlen < 3 ||
		    index_addr(r->idx + 1, r->idxlen - 1, ip, sizeof(ip),
			       &version) < 0)
			continue;
		arp_row_add(a, w, ip, row_cell(x, r, C_NTP_PHYS),
			    (unsigned long)r->idx[0]);
	}
	return a;
}

/* An LLDP chassis or port id: a MAC when its subtype says so. */
static json_t *lldp_id(const struct cell *type, const struct cell *id,
		       int mac_subtype)
{
	char mac[18];

	if (type && type->num == (uint64_t)mac_subtype) {
		mac_format(id, mac);
		if (mac[0])
			return json_string(mac);
	}
	return cell_json(id);
}

/* An lldpRemTable row section_lldp() lists: index timeMark.port.remIndex. */
static int lldp_row_ok(const struct row *r)
{
	return r->idxlen == 3;
}

static json_t *section_lldp(const struct walk *w)
{
	const struct table *t = &w->tables[T_LLDP];
	json_t *a = json_array(), *o;
	const struct cell *ct;
	char mac[18];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (!lldp_row_ok(r))
			continue;
		o = json_object();
		set_num(o, "local_port", r->idx[1]);
		ct = row_cell(t, r, C_LLDP_CHASSIS_TYPE);
		mac[0] = 0;
		if (ct && ct->num == 4) /* macAddress(4) */
			mac_format(row_cell(t, r, C_LLDP_CHASSIS), mac);
		set_str(o, "remote_mac", mac);
		json_object_set_new(
			o, "remote_chassis_id",
			lldp_id(ct, row_cell(t, r, C_LLDP_CHASSIS), 4));
		json_object_set_new(o, "remote_port",
				    lldp_id(row_cell(t, r, C_LLDP_PORT_TYPE),
					    row_cell(t, r, C_LLDP_PORT), 3));
		json_object_set_new(
			o, "remote_port_description",
			cell_json(row_cell(t, r, C_LLDP_PORT_DESC)));
		json_object_set_new(o, "remote_name",
				    cell_json(row_cell(t, r, C_LLDP_SYSNAME)));
		json_object_set_new(o, "remote_description",
				    cell_json(row_cell(t, r, C_LLDP_SYSDESC)));
		json_array_append_new(a, o);
	}
	return a;
}

static int cell_has_text(const struct cell *c)
{
	return c && c->len && c->buf && c->buf[0];
}

static int ulong_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
		      y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The lowest-numbered entity that other entities name as their container
 * and that has no container of its own; NULL if none. */
static const struct row *entity_root(const struct table *t)
{
	const struct row *root = NULL;
	unsigned long *in = xcalloc(t->nrows + 1, sizeof(*in));
	size_t i, n = 0;

	for (i = 0; i < t->nrows; i++) {
		const struct cell *c =
			row_cell(t, &t->rows[i], C_ENT_CONTAINED);

		if (c && c->num)
			in[n++] = (unsigned long)c->num;
	}
	qsort(in, n, sizeof(*in), ulong_cmp);
	for (i = 0; n && i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		unsigned long idx = (unsigned long)r->idx[0];

		if (r->idxlen != 1 || row_cell(t, r, C_ENT_CONTAINED) ||
		    (root && root->idx[0] < r->idx[0]))
			continue;
		if (bsearch(&idx, in, n, sizeof(*in), ulong_cmp))
			root = r;
	}
	free(in);
	return root;
}

/* The entity that stands for the device: the chassis (entPhysicalClass 3;
 * one with a model name first), else the entity inside no other
 * (entPhysicalContainedIn 0), else the root of the containment tree (an
 * entity that holds others and whose own containedIn is missing, as when
 * an agent leaves the shelf's class and container unanswered), else the
 * lowest-numbered entity with a model name - never a fan or module merely
 * met first in the walk. *how names the rule that chose it. */
static const struct row *entity_pick(const struct table *t, const char **how)
{
	const struct row *chassis = NULL, *top = NULL, *root = NULL,
			 *named = NULL;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct cell *cl = row_cell(t, r, C_ENT_CLASS);
		const struct cell *in = row_cell(t, r, C_ENT_CONTAINED);
		int model = cell_has_text(row_cell(t, r, C_ENT_MODEL));

		if (cl && cl->num == 3 &&
		    (!chassis || (model && !cell_has_text(row_cell(
						   t, chassis, C_ENT_MODEL)))))
			chassis = r;
		if (in && in->num == 0 && !top)
			top = r;
		if (model &&
		    (!named || snmp_oid_compare(r->idx, r->idxlen, named->idx,
						named->idxlen) < 0))
			named = r;
	}
	if (!chassis && !top)
		root = entity_root(t);
	*how = chassis ? "chassis"
	       : top   ? "no container"
	       : root  ? "root of the containment tree"
		       : "first with a model";
	return chassis ? chassis : top ? top : root ? root : named;
}

/* The Entity MIB's picture of the device (entity_pick) into sys: its
 * serial, and for classification its model name, description,
 * manufacturer and software revision, with entity_chosen_by saying which
 * rule chose it. A serial the chosen entity lacks comes from the first
 * chassis that has one. */
static void entity_fill(const struct walk *w, json_t *sys)
{
	static const struct {
		enum col_id col;
		const char *name;
	} keep[] = {
		{C_ENT_MODEL, "entPhysicalModelName"},
		{C_ENT_DESCR, "entPhysicalDescr"},
		{C_ENT_MFG, "entPhysicalMfgName"},
		{C_ENT_SWREV, "entPhysicalSoftwareRev"},
	};
	const struct table *t = &w->tables[T_ENT];
	const struct row *best;
	const struct cell *s = NULL, *cl;
	const char *how;
	size_t i;

	best = entity_pick(t, &how);
	if (best)
		s = row_cell(t, best, C_ENT_SERIAL);
	for (i = 0; i < t->nrows && !cell_has_text(s); i++) {
		cl = row_cell(t, &t->rows[i], C_ENT_CLASS);
		if (cl && cl->num == 3)
			s = row_cell(t, &t->rows[i], C_ENT_SERIAL);
	}
	if (cell_has_text(s))
		json_object_set_new(sys, "serial", cell_json(s));
	if (!best)
		return;
	set_str(sys, "entity_chosen_by", how);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		cl = row_cell(t, best, keep[i].col);
		if (cell_has_text(cl))
			json_object_set_new(sys, keep[i].name, cell_json(cl));
	}
}

/* What the device's interfaces are, counted by kind for classification
 * (sys.if_ethernet, sys.if_docsis_up ...): the ifTypes say what a box is
 * when no rule knows its maker (many DOCSIS upstreams: a CMTS; PON ports:
 * an OLT; many xDSL lines: a DSLAM; opticalChannel: optical transport).
 * Numbers from IANAifType-MIB; a kind with no interface is left out. */
static const struct {
	const char *field;
	unsigned short types[14];
} if_kinds[] = {
	{"if_ethernet", {6, 62, 69, 117}},
	{"if_wireless", {71, 252, 253, 254}},
	{"if_docsis_mac", {127}},
	{"if_docsis_down", {128, 229, 257, 277}},
	{"if_docsis_up", {129, 205, 256, 278}},
	{"if_pon", {207, 208, 250, 266}},
	{"if_xdsl",
	 {94, 95, 96, 97, 143, 154, 168, 169, 192, 230, 238, 251, 279, 282}},
	{"if_voice", {100, 101, 102, 103, 104, 211, 212, 213, 235, 245}},
	{"if_optical", {195, 196, 219, 260, 261, 291, 292, 293, 294}},
	{"if_radio", {157, 184, 188, 189, 228, 237, 295, 296}},
};

#define IF_KINDS (sizeof(if_kinds) / sizeof(if_kinds[0]))

/* The kind (an index of if_kinds[]) of IANA ifType num; -1 for none. */
static int if_kind_of(uint64_t num)
{
	for (size_t k = 0; k < IF_KINDS; k++)
		for (size_t j = 0;
		     j < sizeof(if_kinds[k].types) /
				     sizeof(if_kinds[k].types[0]) &&
		     if_kinds[k].types[j];
		     j++)
			if (num == if_kinds[k].types[j])
				return (int)k;
	return -1;
}

static void if_kinds_fill(const struct walk *w, json_t *sys)
{
	const struct table *t = &w->tables[T_IF];
	uint64_t n[IF_KINDS] = {0};
	size_t i;
	int k;

	for (i = 0; i < t->nrows; i++) {
		const struct cell *c = row_cell(t, &t->rows[i], C_IF_TYPE);

		if (t->rows[i].idxlen == 1 && c &&
		    (k = if_kind_of(c->num)) >= 0)
			n[k]++;
	}
	for (i = 0; i < IF_KINDS; i++)
		if (n[i])
			set_num(sys, if_kinds[i].field, n[i]);
}

/* hrDeviceDescr of the first hrDevicePrinter (hrDeviceType
 * 1.3.6.1.2.1.25.3.1.5): a printer's own model name, when the agent also
 * answers the Printer MIB (a host with print queues lists them too). */
static void hr_printer_fill(const struct walk *w, json_t *sys)
{
	const struct table *t = &w->tables[T_HR];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct cell *ty = row_cell(t, &t->rows[i], C_HR_TYPE);
		const struct cell *d = row_cell(t, &t->rows[i], C_HR_DESCR);

		if (ty && ty->type == ASN_OBJECT_ID &&
		    strcmp((const char *)ty->buf, "1.3.6.1.2.1.25.3.1.5") ==
			    0 &&
		    cell_has_text(d)) {
			json_object_set_new(sys, "hrPrinterDescr",
					    cell_json(d));
			return;
		}
	}
}

static void section_set(json_t *report, const char *name, json_t *rows)
{
	if (json_array_size(rows))
		json_object_set_new(report, name, rows);
	else
		json_decref(rows);
}

/* ------------------------------------------- L2: where is it plugged in */

/*
 * The bridge and neighbour tables of a switch, read in a walk of their own
 * after the main one (so that classification never waits for a big
 * forwarding table): BRIDGE-MIB's port map, Q-BRIDGE-MIB's VLAN-to-FDB map
 * and forwarding table (dot1qTpFdbTable, the VLAN from its index), Cisco's
 * CDP cache, LLDP's local port table and neighbours' management addresses;
 * then, only when the Q-BRIDGE table had no row, BRIDGE-MIB's own
 * forwarding table (dot1dTpFdbTable, no VLAN). Every table stops at
 * SNMP_PROBE_MAX_FDB rows and the walk at the call's deadline: past either,
 * the rows read so far are kept and sys.fdb_truncated says so.
 */
enum l2_table { L_BP, L_VLAN, L_QFDB, L_CDP, L_LLDP_LOC, L_LLDP_MAN, L_COUNT };

enum l2_col {
	L_BP_IFINDEX,	/* dot1dBasePortIfIndex, index dot1dBasePort */
	L_VLAN_FDBID,	/* dot1qVlanFdbId, index timeMark.vlan */
	L_QFDB_PORT,	/* dot1qTpFdbPort, index fdbId.mac */
	L_QFDB_STATUS,	/* dot1qTpFdbStatus */
	L_CDP_ADDRTYPE, /* cdpCacheTable, index ifIndex.deviceIndex */
	L_CDP_ADDR,
	L_CDP_VERSION,
	L_CDP_DEVID,
	L_CDP_DEVPORT,
	L_CDP_PLATFORM,
	L_LLDP_LOC_ID,	 /* lldpLocPortId, index lldpLocPortNum */
	L_LLDP_LOC_DESC, /* lldpLocPortDesc */
	L_LLDP_MAN_IF,	 /* lldpRemManAddrIfSubtype, index timeMark.localPort.
			  * remIndex.addrSubtype.len.addr */
	L_COL_COUNT
};

enum fdb_col { F_PORT, F_STATUS, F_COL_COUNT }; /* dot1dTpFdbTable */

#define BP_T 1, 3, 6, 1, 2, 1, 17, 1, 4, 1
#define QVLAN_T 1, 3, 6, 1, 2, 1, 17, 7, 1, 4, 2, 1
#define QFDB_T 1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2, 1
#define CDP_T 1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1
#define LLDP_LOC_T 1, 0, 8802, 1, 1, 2, 1, 3, 7, 1
#define LLDP_MAN_T 1, 0, 8802, 1, 1, 2, 1, 4, 2, 1
#define FDB_T 1, 3, 6, 1, 2, 1, 17, 4, 3, 1

/* In enum l2_col order. */
static const struct col_def l2_defs[L_COL_COUNT] = {
	{L_BP, 11, {BP_T, 2}},
	{L_VLAN, 13, {QVLAN_T, 3}},
	{L_QFDB, 13, {QFDB_T, 2}},
	{L_QFDB, 13, {QFDB_T, 3}},
	{L_CDP, 14, {CDP_T, 3}},
	{L_CDP, 14, {CDP_T, 4}},
	{L_CDP, 14, {CDP_T, 5}},
	{L_CDP, 14, {CDP_T, 6}},
	{L_CDP, 14, {CDP_T, 7}},
	{L_CDP, 14, {CDP_T, 8}},
	{L_LLDP_LOC, 11, {LLDP_LOC_T, 3}},
	{L_LLDP_LOC, 11, {LLDP_LOC_T, 4}},
	{L_LLDP_MAN, 11, {LLDP_MAN_T, 3}},
};

static const struct col_def fdb_defs[F_COL_COUNT] = {
	{0, 11, {FDB_T, 2}},
	{0, 11, {FDB_T, 3}},
};

_Static_assert(L_COL_COUNT <= WALK_MAX_COLS && L_COUNT <= WALK_MAX_TABLES,
	       "raise WALK_MAX_COLS / WALK_MAX_TABLES");

/* dot1dTpFdbStatus / dot1qTpFdbStatus names; invalid(2) and self(4) rows
 * are dropped (an aged entry, the switch's own address). */
static const char *const fdb_status_names[] = {
	NULL, "other", "invalid", "learned", "self", "mgmt",
};

/* The row of a one-number index in table t, or NULL. */
static const struct row *row_by_num(const struct table *t, unsigned long n)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].idxlen == 1 && t->rows[i].idx[0] == n)
			return &t->rows[i];
	return NULL;
}

/* The ifIndex of bridge port bp (dot1dBasePortIfIndex), 0 when unknown. */
static unsigned long bp_ifindex(const struct walk *l2, unsigned long bp)
{
	const struct table *t = &l2->tables[L_BP];
	const struct row *r = row_by_num(t, bp);
	const struct cell *c = r ? row_cell(t, r, L_BP_IFINDEX) : NULL;

	return c ? (unsigned long)c->num : 0;
}

/* The name of interface ifindex: ifName, else ifDescr; "" when unknown. */
static json_t *if_name(const struct walk *w, unsigned long ifindex)
{
	const struct row *r = ifindex ? if_row(w, ifindex) : NULL;
	const struct cell *c = NULL;

	if (r) {
		c = row_cell(&w->tables[T_IF], r, C_IF_NAME);
		if (!cell_has_text(c))
			c = row_cell(&w->tables[T_IF], r, C_IF_DESCR);
	}
	return cell_json(c);
}

/* The VLAN of a Q-BRIDGE filtering database: the VLAN whose
 * dot1qVlanFdbId is fdb, else (no such row: most switches learn
 * independently per VLAN and number FDBs by VLAN) fdb itself. */
static unsigned long fdb_vlan(const struct walk *l2, unsigned long fdb)
{
	const struct table *t = &l2->tables[L_VLAN];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct cell *c = row_cell(t, r, L_VLAN_FDBID);

		if (r->idxlen == 2 && c && c->num == fdb)
			return (unsigned long)r->idx[1];
	}
	return fdb;
}

/* One forwarding-table row: mac (6 sub-identifiers of the index), the
 * bridge port and its interface, the VLAN ("" from BRIDGE-MIB). */
static void fdb_row_add(json_t *a, const struct walk *w, const struct walk *l2,
			const oid *mac_idx, const struct cell *port,
			const struct cell *status, const char *vlan)
{
	char mac[18];
	unsigned long ifindex;
	json_t *o;
	int i;

	for (i = 0; i < 6; i++)
		if (mac_idx[i] > 255)
			return;
	if (!port || port->num == 0 || port->num > 0xffffffffu)
		return; /* a port the bridge does not know */
	if (status && (status->num == 2 || status->num == 4))
		return;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 (unsigned)mac_idx[0], (unsigned)mac_idx[1],
		 (unsigned)mac_idx[2], (unsigned)mac_idx[3],
		 (unsigned)mac_idx[4], (unsigned)mac_idx[5]);
	ifindex = bp_ifindex(l2, (unsigned long)port->num);
	o = json_object();
	set_str(o, "mac", mac);
	set_str(o, "vlan", vlan);
	set_num(o, "port", port->num);
	if (ifindex)
		set_num(o, "net_index", ifindex);
	else
		set_str(o, "net_index", "");
	json_object_set_new(o, "interface", if_name(w, ifindex));
	set_str(o, "status",
		status && status->num >= 1 && status->num <= 5
			? fdb_status_names[status->num]
			: "");
	json_array_append_new(a, o);
}

/* The fdb section: Q-BRIDGE rows when there are any, else BRIDGE-MIB's. */
static json_t *section_fdb(const struct walk *w, const struct walk *l2,
			   const struct walk *fdb)
{
	const struct table *q = &l2->tables[L_QFDB];
	const struct table *t = fdb ? &fdb->tables[0] : NULL;
	json_t *a = json_array();
	char vlan[24];
	size_t i;

	for (i = 0; i < q->nrows; i++) {
		const struct row *r = &q->rows[i];

		if (r->idxlen != 7)
			continue;
		snprintf(vlan, sizeof(vlan), "%lu",
			 fdb_vlan(l2, (unsigned long)r->idx[0]));
		fdb_row_add(a, w, l2, r->idx + 1, row_cell(q, r, L_QFDB_PORT),
			    row_cell(q, r, L_QFDB_STATUS), vlan);
	}
	for (i = 0; t && i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (r->idxlen == 6)
			fdb_row_add(a, w, l2, r->idx, row_cell(t, r, F_PORT),
				    row_cell(t, r, F_STATUS), "");
	}
	return a;
}

/* An IPv4 address from 4 bytes of an octet string; "" otherwise. */
static void ipv4_format(const struct cell *c, char out[16])
{
	out[0] = 0;
	if (c && c->type == ASN_OCTET_STR && c->len == 4)
		snprintf(out, 16, "%u.%u.%u.%u", c->buf[0], c->buf[1],
			 c->buf[2], c->buf[3]);
}

static json_t *section_cdp(const struct walk *w, const struct walk *l2)
{
	const struct table *t = &l2->tables[L_CDP];
	json_t *a = json_array(), *o;
	const struct cell *c;
	char ip[16];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (r->idxlen != 2 || r->idx[0] > 0x7fffffff)
			continue;
		o = json_object();
		set_num(o, "local_port", r->idx[0]);
		set_num(o, "net_index", r->idx[0]);
		json_object_set_new(o, "local_interface",
				    if_name(w, (unsigned long)r->idx[0]));
		json_object_set_new(o, "remote_name",
				    cell_json(row_cell(t, r, L_CDP_DEVID)));
		json_object_set_new(o, "remote_port",
				    cell_json(row_cell(t, r, L_CDP_DEVPORT)));
		c = row_cell(t, r, L_CDP_ADDRTYPE);
		ip[0] = 0;
		if (c && c->num == 1) /* ip(1) */
			ipv4_format(row_cell(t, r, L_CDP_ADDR), ip);
		set_str(o, "remote_ip", ip);
		json_object_set_new(o, "remote_platform",
				    cell_json(row_cell(t, r, L_CDP_PLATFORM)));
		json_object_set_new(o, "remote_description",
				    cell_json(row_cell(t, r, L_CDP_VERSION)));
		json_array_append_new(a, o);
	}
	return a;
}

/* 1 when the text of c equals the ifName, ifDescr or ifAlias of row r. */
static int if_named(const struct walk *w, const struct row *r,
		    const struct cell *c)
{
	static const enum col_id cols[] = {C_IF_NAME, C_IF_DESCR, C_IF_ALIAS};
	const struct table *t = &w->tables[T_IF];
	size_t i;

	if (!cell_has_text(c) || c->type != ASN_OCTET_STR)
		return 0;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		const struct cell *n = row_cell(t, r, cols[i]);

		if (cell_has_text(n) && n->len == c->len &&
		    memcmp(n->buf, c->buf, c->len) == 0)
			return 1;
	}
	return 0;
}

/* The ifIndex of LLDP local port num: the interface its lldpLocPortId or
 * lldpLocPortDesc names, else the bridge port num's interface, else num
 * itself when an interface has that index; 0 when none fits. */
static unsigned long lldp_ifindex(const struct walk *w, const struct walk *l2,
				  unsigned long num)
{
	const struct table *lt = &l2->tables[L_LLDP_LOC];
	const struct table *it = &w->tables[T_IF];
	const struct row *lr = row_by_num(lt, num);
	size_t i;

	for (i = 0; lr && i < it->nrows; i++)
		if (it->rows[i].idxlen == 1 &&
		    (if_named(w, &it->rows[i],
			      row_cell(lt, lr, L_LLDP_LOC_ID)) ||
		     if_named(w, &it->rows[i],
			      row_cell(lt, lr, L_LLDP_LOC_DESC))))
			return (unsigned long)it->rows[i].idx[0];
	if (bp_ifindex(l2, num))
		return bp_ifindex(l2, num);
	return if_row(w, num) ? num : 0;
}

/* The first management address (IPv4, else IPv6) of LLDP neighbour
 * (port, remIndex), from lldpRemManAddrTable's index. */
static void lldp_man_addr(const struct walk *l2, const oid *idx, char *out,
			  size_t outlen)
{
	const struct table *t = &l2->tables[L_LLDP_MAN];
	unsigned char a[16];
	size_t i, k, n;

	out[0] = 0;
	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		/* timeMark.port.remIndex.subtype(1 ipv4, 2 ipv6).len.addr */
		if (r->idxlen < 5 || r->idx[1] != idx[1] ||
		    r->idx[2] != idx[2] || (r->idx[3] != 1 && r->idx[3] != 2))
			continue;
		n = r->idx[4];
		if (n != (r->idx[3] == 1 ? 4u : 16u) || r->idxlen != 5 + n)
			continue;
		for (k = 0; k < n && r->idx[5 + k] <= 255; k++)
			a[k] = (unsigned char)r->idx[5 + k];
		if (k == n &&
		    inet_ntop(n == 4 ? AF_INET : AF_INET6, a, out,
			      (socklen_t)outlen) &&
		    n == 4)
			return;
	}
}

/* Adds what the L2 walk knows to the lldp rows section_lldp() made (one
 * per lldpRemTable row with a 3-part index, in table order): net_index
 * and local_interface (the local port's interface), remote_ip (the
 * neighbour's management address). */
static void lldp_augment(const struct walk *w, const struct walk *l2,
			 json_t *rows)
{
	const struct table *t = &w->tables[T_LLDP];
	char ip[INET6_ADDRSTRLEN];
	unsigned long ifindex;
	size_t i, k = 0;
	json_t *o;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		if (!lldp_row_ok(r))
			continue;
		o = json_array_get(rows, k++);
		if (!o)
			return;
		ifindex = lldp_ifindex(w, l2, (unsigned long)r->idx[1]);
		if (ifindex)
			set_num(o, "net_index", ifindex);
		else
			set_str(o, "net_index", "");
		json_object_set_new(o, "local_interface", if_name(w, ifindex));
		lldp_man_addr(l2, r->idx, ip, sizeof(ip));
		set_str(o, "remote_ip", ip);
	}
}

/* The L2 walk's columns in groups an agent may fail apart: bridge tables,
 * neighbour tables, LLDP management addresses (long indexes). */
static int l2_group(size_t c)
{
	switch (l2_defs[c].table) {
	case L_BP:
	case L_VLAN:
	case L_QFDB:
		return 0;
	case L_LLDP_MAN:
		return 2;
	default:
		return 1;
	}
}

/* Walks the L2 columns of the groups in mask (bit g: group g) that are
 * not done in before; -1 when the agent failed it. */
static int l2_walk_groups(struct probe *p, struct walk *l2, const int *before,
			  unsigned mask)
{
	size_t c;

	for (c = 0; c < l2->ncols; c++)
		l2->done[c] = before[c] || !(mask & (1u << l2_group(c)));
	if (probe_walk(p, l2) == 0)
		return 0;
	log_debug("snmp %s: L2 tables (groups %#x): %s (kept what was read)",
		  p->ip, mask, p->why);
	return -1;
}

/* Walks the bridge and neighbour tables at once; when the agent fails
 * that walk (an error, or silence on one table), each group on its own
 * from where it stopped. The LLDP management addresses, whose long
 * indexes some agents choke on, come last and alone: one broken table
 * costs only itself. 1 when the forwarding table was read to its end
 * (or its row cap). */
static int probe_walk_l2(struct probe *p, struct walk *l2)
{
	int before[WALK_MAX_COLS] = {0}, g, fdb_done;

	if (l2_walk_groups(p, l2, before, 3u) < 0) {
		memcpy(before, l2->done, sizeof(before));
		for (g = 0; g < 2 && probe_left_ms(p) > 0; g++)
			l2_walk_groups(p, l2, before, 1u << g);
	}
	fdb_done = l2->done[L_QFDB_PORT] && l2->done[L_QFDB_STATUS];
	memset(before, 0, sizeof(before));
	if (probe_left_ms(p) > 0)
		l2_walk_groups(p, l2, before, 4u);
	return fdb_done;
}

/* Reads the L2 tables into the report's fdb, cdp (and lldp) sections.
 * Walks what the deadline leaves; never fails the probe. */
/* The bridge's structure, for classification (a switch is a bridge with
 * many ports, whether or not its agent answers dot1dBaseNumPorts):
 * sys.bridge_ports, the rows of dot1dBasePortTable, and sys.fdb_ports, the
 * distinct bridge ports that learned addresses in the forwarding table. */
static void bridge_counts(const struct walk *l2, const json_t *fdb, json_t *sys)
{
	unsigned long seen[64];
	size_t i, j, n = 0;
	json_t *row;

	if (l2->tables[L_BP].nrows)
		set_num(sys, "bridge_ports", l2->tables[L_BP].nrows);
	json_array_foreach(fdb, i, row) {
		const char *port =
			json_string_value(json_object_get(row, "port"));
		unsigned long v;

		if (!port || n == sizeof(seen) / sizeof(*seen))
			continue;
		v = strtoul(port, NULL, 10); /* set_num() wrote it */
		for (j = 0; j < n && seen[j] != v; j++)
			;
		if (j == n)
			seen[n++] = v;
	}
	if (n)
		set_num(sys, "fdb_ports", n);
}

static void probe_l2(struct probe *p, const struct walk *w, json_t *report,
		     json_t *sys)
{
	struct walk *l2 = xmalloc(sizeof(*l2)), *fdb = NULL;
	json_t *lldp = json_object_get(report, "lldp");
	int complete, truncated;

	walk_init(l2, l2_defs, L_COL_COUNT, SNMP_PROBE_MAX_FDB);
	complete = probe_walk_l2(p, l2);
	if (l2->tables[L_QFDB].nrows == 0 && probe_left_ms(p) > 0) {
		fdb = xmalloc(sizeof(*fdb));
		walk_init(fdb, fdb_defs, F_COL_COUNT, SNMP_PROBE_MAX_FDB);
		complete = probe_walk(p, fdb) == 0;
		if (!complete)
			log_debug("snmp %s: dot1dTpFdbTable: %s (kept what "
				  "was read)",
				  p->ip, p->why);
	}
	truncated = l2->tables[L_QFDB].truncated ||
		    (fdb && fdb->tables[0].truncated);
	section_set(report, "fdb", section_fdb(w, l2, fdb));
	bridge_counts(l2, json_object_get(report, "fdb"), sys);
	section_set(report, "cdp", section_cdp(w, l2));
	if (json_is_array(lldp))
		lldp_augment(w, l2, lldp);
	if ((truncated || !complete) && json_object_get(report, "fdb"))
		set_str(sys, "fdb_truncated", truncated ? "rows" : "deadline");
	walk_free(l2);
	free(l2);
	if (fdb)
		walk_free(fdb);
	free(fdb);
}

/* ------------------------------------------------------------ routes */

/*
 * The routing table, read for seed discovery (opts->routes): RFC 4292's
 * inetCidrRouteTable (IPv4 and IPv6), else RFC 2096's ipCidrRouteTable,
 * else RFC 1213's ipRouteTable - the first that has rows - into the
 * report's route section in the shape audit-unix.sh gives it over SSH:
 * destination, mask (IPv4), cidr, next_hop ("" for a connected route),
 * interface, protocol, type (local = connected, remote, other). Reject,
 * blackhole and invalid rows are dropped. At most SNMP_PROBE_MAX_ROUTES
 * rows (a full BGP table is not a seed source); past that, or past the
 * deadline, the rows read are kept and sys.route_truncated says which.
 */
enum rt_col { RT_IF, RT_TYPE, RT_PROTO, RT_NEXTHOP, RT_MASK, RT_COL_COUNT };

#define INETRT_T 1, 3, 6, 1, 2, 1, 4, 24, 7, 1
#define CIDRRT_T 1, 3, 6, 1, 2, 1, 4, 24, 4, 1
#define OLDRT_T 1, 3, 6, 1, 2, 1, 4, 21, 1

/* In enum rt_col order; the index holds what a table has no column for. */
static const struct col_def rt_inet_defs[] = {
	{0, 11, {INETRT_T, 7}}, /* inetCidrRouteIfIndex */
	{0, 11, {INETRT_T, 8}}, /* inetCidrRouteType */
	{0, 11, {INETRT_T, 9}}, /* inetCidrRouteProto */
};
static const struct col_def rt_cidr_defs[] = {
	{0, 11, {CIDRRT_T, 5}}, /* ipCidrRouteIfIndex */
	{0, 11, {CIDRRT_T, 6}}, /* ipCidrRouteType */
	{0, 11, {CIDRRT_T, 7}}, /* ipCidrRouteProto */
};
static const struct col_def rt_old_defs[] = {
	{0, 10, {OLDRT_T, 2}},	/* ipRouteIfIndex */
	{0, 10, {OLDRT_T, 8}},	/* ipRouteType */
	{0, 10, {OLDRT_T, 9}},	/* ipRouteProto */
	{0, 10, {OLDRT_T, 7}},	/* ipRouteNextHop */
	{0, 10, {OLDRT_T, 11}}, /* ipRouteMask */
};

/* IANAipRouteProtocol, as `ip route` names what it can */
static const char *const rt_proto_names[] = {
	NULL,	     "other", "local", "static", "icmp",  "egp",
	"ggp",	     "hello", "rip",   "is-is",	 "es-is", "igrp",
	"bbnSpfIgp", "ospf",  "bgp",   "idpr",	 "eigrp", "dvmrp",
};

/* One route row; type in inetCidrRouteType's numbering (1 other,
 * 2 reject, 3 local, 4 remote, 5 blackhole), which ipCidrRouteType and
 * ipRouteType (2 invalid, 3 direct, 4 indirect) share. */
static void route_row_add(json_t *a, const struct walk *w,
			  const struct table *t, const struct row *r,
			  const char *dest, int version, int cidr,
			  const char *next_hop, uint64_t type)
{
	const struct cell *c;
	json_t *o;
	char mask[INET_ADDRSTRLEN] = "", num[24];
	struct in_addr m;

	if ((type != 1 && type != 3 && type != 4) || cidr < 0)
		return; /* reject, blackhole, invalid; a mask with holes */
	if (version == 4 && cidr <= 32) {
		m.s_addr = htonl(cidr ? 0xffffffffu << (32 - cidr) : 0);
		inet_ntop(AF_INET, &m, mask, sizeof(mask));
	}
	o = json_object();
	set_str(o, "destination", dest);
	set_str(o, "mask", mask);
	set_num(o, "cidr", (uint64_t)cidr);
	/* a connected network has no next hop: 0.0.0.0 / ::, or type local,
	 * where agents often name their own interface's address */
	set_str(o, "next_hop",
		!strcmp(next_hop, "0.0.0.0") || !strcmp(next_hop, "::") ||
				type == 3
			? ""
			: next_hop);
	c = row_cell(t, r, RT_IF);
	json_object_set_new(o, "interface",
			    if_descr(w, c ? (unsigned long)c->num : 0));
	c = row_cell(t, r, RT_PROTO);
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)(c ? c->num : 0));
	set_str(o, "protocol",
		c && c->num < sizeof(rt_proto_names) / sizeof(*rt_proto_names)
			? rt_proto_names[c->num]
			: num);
	set_str(o, "type",
		type == 3   ? "local"
		: type == 4 ? "remote"
			    : "other");
	json_array_append_new(a, o);
}

/* inetCidrRouteTable: index destType.len.dest.pfxLen.policyLen.policy.
 * nextHopType.len.nextHop */
static void routes_inet(json_t *a, const struct walk *w, const struct walk *rt)
{
	const struct table *t = &rt->tables[0];
	char dest[INET6_ADDRSTRLEN], hop[INET6_ADDRSTRLEN];
	size_t i, pos;
	int version, hv;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct cell *c = row_cell(t, r, RT_TYPE);

		if (index_addr(r->idx, r->idxlen, dest, sizeof(dest),
			       &version) < 0)
			continue;
		pos = 2 + r->idx[1];
		if (pos + 2 > r->idxlen || r->idx[pos] > 128 ||
		    pos + 2 + r->idx[pos + 1] > r->idxlen)
			continue;
		hop[0] = 0;
		index_addr(r->idx + pos + 2 + r->idx[pos + 1],
			   r->idxlen - pos - 2 - r->idx[pos + 1], hop,
			   sizeof(hop), &hv);
		route_row_add(a, w, t, r, dest, version, (int)r->idx[pos], hop,
			      c ? c->num : 1);
	}
}

/* ipCidrRouteTable: index dest.mask.tos.nextHop (IPv4) */
static void routes_cidr(json_t *a, const struct walk *w, const struct walk *rt)
{
	const struct table *t = &rt->tables[0];
	char dest[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN], hop[INET_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct cell *c = row_cell(t, r, RT_TYPE);

		if (r->idxlen != 13 || index_ipv4(r->idx, 4, dest, 16) < 0 ||
		    index_ipv4(r->idx + 4, 4, mask, sizeof(mask)) < 0 ||
		    index_ipv4(r->idx + 9, 4, hop, sizeof(hop)) < 0)
			continue;
		route_row_add(a, w, t, r, dest, 4, mask_to_cidr(mask), hop,
			      c ? c->num : 1);
	}
}

/* ipRouteTable: index dest; type 3 direct, 4 indirect */
static void routes_old(json_t *a, const struct walk *w, const struct walk *rt)
{
	const struct table *t = &rt->tables[0];
	const struct cell *hop, *mask, *c;
	char dest[INET_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		hop = row_cell(t, r, RT_NEXTHOP);
		mask = row_cell(t, r, RT_MASK);
		c = row_cell(t, r, RT_TYPE);
		if (index_ipv4(r->idx, r->idxlen, dest, sizeof(dest)) < 0 ||
		    !hop || hop->type != ASN_IPADDRESS || !mask ||
		    mask->type != ASN_IPADDRESS)
			continue;
		route_row_add(a, w, t, r, dest, 4,
			      mask_to_cidr((const char *)mask->buf),
			      (const char *)hop->buf, c ? c->num : 1);
	}
}

/* Reads the routing table into the report's route section (above).
 * Walks what the deadline leaves; never fails the probe. */
static void probe_routes(struct probe *p, const struct walk *w, json_t *report,
			 json_t *sys)
{
	static const struct {
		const struct col_def *defs;
		size_t ncols;
		void (*rows)(json_t *, const struct walk *,
			     const struct walk *);
	} tabs[] = {
		{rt_inet_defs, 3, routes_inet},
		{rt_cidr_defs, 3, routes_cidr},
		{rt_old_defs, 5, routes_old},
	};
	struct walk *rt = xmalloc(sizeof(*rt));
	json_t *a = json_array();
	size_t k;
	int complete;

	for (k = 0; k < 3 && !json_array_size(a) && probe_left_ms(p) > 0; k++) {
		walk_init(rt, tabs[k].defs, tabs[k].ncols,
			  SNMP_PROBE_MAX_ROUTES);
		complete = probe_walk(p, rt) == 0;
		if (!complete)
			log_debug("snmp %s: routes: %s (kept what was read)",
				  p->ip, p->why);
		tabs[k].rows(a, w, rt);
		if (rt->tables[0].truncated)
			set_str(sys, "route_truncated", "rows");
		else if (!complete && json_array_size(a))
			set_str(sys, "route_truncated", "deadline");
		walk_free(rt);
	}
	free(rt);
	section_set(report, "route", a);
}

/* ------------------------------------------------------------- main */

/* DEF_DEADLINE_MS, or NETCENSUS_SNMP_DEADLINE_MS (1000 to 3600000) for
 * agents known to be slow, such as simulators on a loaded test machine. */
static int probe_default_deadline(void)
{
	const char *v = getenv("NETCENSUS_SNMP_DEADLINE_MS");
	long ms;

	if (v && *v && util_parse_long(v, 1000, 3600000, &ms) == 0)
		return (int)ms;
	return DEF_DEADLINE_MS;
}

static void probe_defaults(struct probe *p, const struct snmp_probe_opts *o)
{
	p->timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : DEF_TIMEOUT_MS;
	p->retries = o && o->retries >= 0 ? o->retries : DEF_RETRIES;
	if (!o)
		p->retries = DEF_RETRIES;
	p->deadline_ms = o && o->deadline_ms > 0 ? o->deadline_ms
						 : probe_default_deadline();
	p->max_rows = o && o->max_rows > 0 ? o->max_rows : DEF_MAX_ROWS;
	if (p->max_rows > SNMP_PROBE_MAX_ROWS)
		p->max_rows = SNMP_PROBE_MAX_ROWS;
	p->max_rep = o && o->bulk_varbinds > 0 ? o->bulk_varbinds : DEF_MAX_REP;
	if (p->max_rep > 200)
		p->max_rep = 200;
}

/* Tries one credential (one version of it); 0 when sys was read. */
static int probe_try(struct probe *p, json_t *cred, long version, json_t *sys)
{
	int rc;

	if (version == SNMP_VERSION_3)
		rc = probe_open_v3(p, cred);
	else
		rc = probe_open_community(p, version,
					  cred_str(cred, "community"));
	if (rc == 0)
		rc = probe_get_system(p, sys);
	if (rc < 0)
		probe_close(p);
	return rc;
}

static const char *version_name(long v)
{
	return v == SNMP_VERSION_1 ? "1" : v == SNMP_VERSION_2c ? "2c" : "3";
}

/* Finds the first credential that answers; its index, or -1. p->sess is
 * left open on success. */
static int probe_credentials(struct probe *p, json_t *creds, json_t *sys,
			     struct strbuf *tried)
{
	static const long community_versions[] = {SNMP_VERSION_2c,
						  SNMP_VERSION_1};
	json_t *cred;
	const char *type;
	size_t i, k;

	json_array_foreach(creds, i, cred) {
		type = json_string_value(json_object_get(cred, "type"));
		if (!type)
			continue;
		if (strcmp(type, "snmp") == 0) {
			if (!json_is_string(
				    json_object_get(cred, "community"))) {
				strbuf_printf(tried, "%s#%zu: no community",
					      tried->len ? "; " : "", i);
				continue;
			}
			for (k = 0; k < 2; k++) {
				p->why[0] = 0;
				if (probe_try(p, cred, community_versions[k],
					      sys) == 0)
					return (int)i;
				strbuf_printf(
					tried, "%s#%zu v%s: %s",
					tried->len ? "; " : "", i,
					version_name(community_versions[k]),
					p->why);
				if (probe_left_ms(p) <= 0)
					return -1;
			}
		} else if (strcmp(type, "snmp_v3") == 0) {
			p->why[0] = 0;
			if (probe_try(p, cred, SNMP_VERSION_3, sys) == 0)
				return (int)i;
			strbuf_printf(tried, "%s#%zu v3: %s",
				      tried->len ? "; " : "", i, p->why);
			if (probe_left_ms(p) <= 0)
				return -1;
		}
	}
	return -1;
}

int snmp_probe(const char *ip, json_t *credentials,
	       const struct snmp_probe_opts *opts, json_t *report, char *err,
	       size_t errlen)
{
	struct probe p;
	struct walk *w = NULL;
	struct strbuf tried;
	unsigned char addr[16];
	json_t *sys = NULL, *cred;
	const char *name;
	int idx, rc = -1;

	memset(&p, 0, sizeof(p));
	p.sock = -1;
	strbuf_init(&tried, ERR_MAX);
	if (err && errlen)
		err[0] = 0;
	probe_defaults(&p, opts);
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	if (!ip || !json_is_array(credentials) || !json_is_object(report)) {
		snprintf(err, errlen, "snmp: bad arguments");
		goto fail;
	}
	if (inet_pton(AF_INET, ip, addr) == 1)
		snprintf(p.peer, sizeof(p.peer), "udp:%s:%u", ip,
			 opts && opts->port ? opts->port : 161);
	else if (inet_pton(AF_INET6, ip, addr) == 1)
		snprintf(p.peer, sizeof(p.peer), "udp6:[%s]:%u", ip,
			 opts && opts->port ? opts->port : 161);
	else {
		snprintf(err, errlen, "snmp: '%.64s' is not a numeric address",
			 ip);
		goto fail;
	}
	p.ip = ip;
	snmp_probe_init();

	sys = json_object();
	idx = probe_credentials(&p, credentials, sys, &tried);
	if (idx < 0) {
		snprintf(err, errlen, "snmp %s: no credential worked%s%s", ip,
			 tried.len ? ": " : " (none of type snmp or snmp_v3)",
			 tried.len ? tried.data : "");
		goto fail;
	}
	set_str(sys, "snmp_version", version_name(p.version));
	set_num(sys, "snmp_credential", (uint64_t)idx);
	cred = json_array_get(credentials, (size_t)idx);
	name = json_string_value(json_object_get(cred, "name"));
	if (name)
		json_object_set_new(
			sys, "snmp_credential_name",
			json_agent_string((const u_char *)name, strlen(name)));

	probe_get_identity(&p, sys);
	w = xmalloc(sizeof(*w));
	walk_init(w, col_defs, C_COUNT, (size_t)p.max_rows);
	if (probe_walk(&p, w) < 0)
		log_debug("snmp %s: %s (kept what was read)", ip, p.why);
	log_debug("snmp %s: v%s, %zu walk requests, %ld ms", ip,
		  version_name(p.version), w->requests,
		  p.deadline_ms - probe_left_ms(&p));
	entity_fill(w, sys);
	if (!json_object_get(sys, "serial")) {
		/* the maker's own serial object, when the Entity MIB has none
		 */
		const char *serial =
			classify_ident_first(sys, IDENT_SERIAL, NULL);

		if (serial)
			set_str(sys, "serial", serial);
	}
	hr_printer_fill(w, sys);
	if_kinds_fill(w, sys);
	section_set(report, "network", section_network(w));
	section_set(report, "ip", section_ip(w));
	section_set(report, "arp", section_arp(w));
	section_set(report, "lldp", section_lldp(w));
	probe_l2(&p, w, report, sys);
	if (opts && opts->routes)
		probe_routes(&p, w, report, sys);
	if (!json_is_object(json_object_get(report, "sys")))
		json_object_set_new(report, "sys", json_object());
	json_object_update(json_object_get(report, "sys"), sys);
	rc = 0;
fail:
	if (rc < 0 && err && errlen && err[0])
		log_debug("%s", err);
	probe_close(&p);
	if (w)
		walk_free(w);
	free(w);
	json_decref(sys);
	strbuf_free(&tried);
	return rc;
}
