/*
 * classify: the process-wide tables and rules, loaded once, and the
 * device-report entry point that turns sys fields into rule facts.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define CLASSIFY_LOCAL_MAX (4u * 1024 * 1024)
#define CLASSIFY_FACT_MAX 2048 /* bytes of sysDescr etc. that rules see */

/* data/classify-rules.txt, embedded by the Makefile (scripts/embed.sh). */
extern const char embed_classify_rules_txt[];
extern const unsigned long embed_classify_rules_txt_len;
/* data/vendors.txt: the one vendor alias table */
extern const char embed_vendors_txt[];
extern const unsigned long embed_vendors_txt_len;
/* data/snmp-agents.txt: SNMP agent authors' enterprise numbers */
extern const char embed_snmp_agents_txt[];
extern const unsigned long embed_snmp_agents_txt_len;
/* data/product-lines.txt: product lines' names, makers and kinds */
extern const char embed_product_lines_txt[];
extern const unsigned long embed_product_lines_txt_len;
/* data/sysobjectid-products.txt (scripts/mib-products.sh) */
extern const char embed_sysobjectid_products_txt[];
extern const unsigned long embed_sysobjectid_products_txt_len;

static pthread_once_t classify_once = PTHREAD_ONCE_INIT;
static int classify_rc;
static struct classify_oui *classify_ouis;
static struct classify_ent *classify_ents;
/* local rules (if any) first, then the built-in ones, then the vendor
 * aliases, the SNMP agent authors and the product lines; NULL-terminated */
static const struct classify_rules *classify_sets[6];
static struct classify_rules *classify_builtin, *classify_local,
	*classify_vendors, *classify_agents, *classify_lines;
static struct classify_products *classify_products;

static pthread_once_t classify_vendors_once = PTHREAD_ONCE_INIT;

static void classify_vendors_load(void)
{
	struct classify_error err;

	classify_vendors = classify_rules_parse(embed_vendors_txt,
						(size_t)embed_vendors_txt_len,
						"vendors.txt", &err);
	if (!classify_vendors)
		log_err("built-in %s", err.msg);
}

/* The alias table alone (cheap: no registry is read), so that report
 * normalisation can use it without loading the MAC and enterprise
 * tables. 0, or -1 when it did not parse. */
static int classify_vendors_init(void)
{
	pthread_once(&classify_vendors_once, classify_vendors_load);
	return classify_vendors ? 0 : -1;
}

static const char *classify_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static struct classify_rules *classify_load_local(const char *path)
{
	struct classify_error err;
	struct classify_rules *r;
	const char *why;
	size_t len;
	char *buf = util_read_file(path, CLASSIFY_LOCAL_MAX, &len, &why);

	if (!buf) {
		log_err("%s: %s (set by NETCENSUS_CLASSIFY_RULES)", path, why);
		return NULL;
	}
	r = classify_rules_parse(buf, len, path, &err);
	if (!r)
		log_err("%s", err.msg);
	free(buf);
	return r;
}

/* One of the embedded tables in the rules format (agent-oid or
 * product-line lines); NULL, logged, when it does not parse. */
static struct classify_rules *
classify_table(const char *text, unsigned long len, const char *name)
{
	struct classify_error err;
	struct classify_rules *r =
		classify_rules_parse(text, (size_t)len, name, &err);

	if (!r)
		log_err("built-in %s", err.msg);
	return r;
}

static void classify_load(void)
{
	struct classify_error err;
	struct timespec t0, t1;
	const char *local = getenv("NETCENSUS_CLASSIFY_RULES");
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	classify_ouis = classify_oui_load(
		classify_env("NETCENSUS_IEEE_DIR", CLASSIFY_IEEE_DIR));
	classify_ents = classify_ent_load(
		classify_env("NETCENSUS_ENTERPRISES", CLASSIFY_ENTERPRISES));
	classify_builtin = classify_rules_parse(
		embed_classify_rules_txt, (size_t)embed_classify_rules_txt_len,
		"classify-rules.txt", &err);
	if (!classify_builtin || classify_vendors_init() < 0) {
		if (!classify_builtin)
			log_err("built-in %s", err.msg);
		classify_rc = -1;
	}
	classify_agents =
		classify_table(embed_snmp_agents_txt, embed_snmp_agents_txt_len,
			       "snmp-agents.txt");
	classify_lines = classify_table(embed_product_lines_txt,
					embed_product_lines_txt_len,
					"product-lines.txt");
	if (!classify_agents || !classify_lines)
		classify_rc = -1;
	classify_products = classify_products_parse(
		embed_sysobjectid_products_txt,
		(size_t)embed_sysobjectid_products_txt_len,
		"sysobjectid-products.txt");
	if (local && *local) {
		classify_local = classify_load_local(local);
		if (!classify_local)
			classify_rc = -1;
	}
	if (classify_local)
		classify_sets[n++] = classify_local;
	if (classify_builtin)
		classify_sets[n++] = classify_builtin;
	if (classify_vendors_init() == 0)
		classify_sets[n++] = classify_vendors;
	if (classify_agents)
		classify_sets[n++] = classify_agents;
	if (classify_lines)
		classify_sets[n++] = classify_lines;
	classify_sets[n] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("classify: %zu MAC prefixes, %zu enterprise numbers, %zu "
		  "products, %zu rules loaded in %.1f ms",
		  classify_oui_count(classify_ouis),
		  classify_ent_count(classify_ents),
		  classify_products_count(classify_products),
		  classify_rules_count(classify_builtin) +
			  classify_rules_count(classify_local),
		  (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

int classify_init(void)
{
	pthread_once(&classify_once, classify_load);
	return classify_rc;
}

const char *classify_mac_vendor(const char *mac)
{
	classify_init();
	return classify_oui_lookup(classify_ouis, mac);
}

int classify_mac_is_local(const char *mac)
{
	unsigned char b[6];

	return classify_mac_parse(mac, b) == 0 && (b[0] & 0x02);
}

const char *classify_mac_virtual_platform(const char *mac)
{
	classify_init();
	for (size_t i = 0; classify_sets[i]; i++) {
		const char *v = classify_rules_virtual(classify_sets[i], mac);

		if (v)
			return v;
	}
	return NULL;
}

int classify_mac_is_virtual(const char *mac)
{
	return classify_mac_virtual_platform(mac) != NULL;
}

const char *classify_agent(const char *oid)
{
	classify_init();
	for (size_t i = 0; oid && classify_sets[i]; i++) {
		const char *a = classify_rules_agent(classify_sets[i], oid);

		if (a)
			return a;
	}
	return NULL;
}

/* The product line a sysDescr is the name of, from the first table that
 * has one (a local rules file's product-line lines first). */
static const char *classify_line(const char *descr, const char **maker,
				 const char **type)
{
	for (size_t i = 0; descr && classify_sets[i]; i++) {
		const char *l = classify_rules_line(classify_sets[i], descr,
						    maker, type);

		if (l)
			return l;
	}
	return NULL;
}

const char *classify_enterprise_number(unsigned long number)
{
	classify_init();
	return classify_ent_lookup(classify_ents, number);
}

const char *classify_enterprise(const char *oid)
{
	unsigned long n;

	if (classify_enterprise_of(oid, &n) < 0)
		return NULL;
	return classify_enterprise_number(n);
}

const char *classify_vendor_normalise(const char *raw)
{
	classify_vendors_init();
	return classify_rules_vendor(classify_vendors, raw);
}

const char *classify_product(const char *oid)
{
	classify_init();
	return classify_products_lookup(classify_products, oid);
}

void classify_sys_vendor(json_t *sys)
{
	const char *m = json_string_value(json_object_get(sys, "manufacturer"));
	const char *v;
	char buf[256];

	if (!m || !*m)
		return;
	v = classify_vendor_normalise(m);
	if (v == m) /* no alias: the name without its legal form, aliased */
		v = classify_vendor_normalise(
			classify_vendor_trim(m, buf, sizeof(buf)));
	if (v != m && strcmp(v, m) != 0)
		json_object_set_new(sys, "manufacturer", json_string(v));
}

static const char *classify_sys_str(const json_t *sys, const char *key)
{
	const char *s = json_string_value(json_object_get(sys, key));

	return s && *s ? s : NULL;
}

/* The device's MAC: sys.mac, else the first usable one in "network". */
static int classify_pick_mac(const json_t *report, const json_t *sys,
			     char out[18])
{
	static const unsigned char zero[6];
	const json_t *net = json_object_get(report, "network");
	const char *m = classify_sys_str(sys, "mac");
	unsigned char b[6];
	size_t i;
	json_t *row;

	if (!m || classify_mac_parse(m, b) < 0 || !memcmp(b, zero, 6)) {
		m = NULL;
		json_array_foreach(net, i, row) {
			const char *r = classify_sys_str(row, "mac");

			if (r && classify_mac_parse(r, b) == 0 &&
			    memcmp(b, zero, 6) != 0) {
				m = r;
				break;
			}
		}
	}
	if (!m)
		return -1;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return 0;
}

/* Copies an untrusted fact into a bounded buffer (sysDescr is at most 255
 * octets by RFC 3418; anything longer is not worth matching in full). */
static const char *classify_bound(const char *s, char *buf, size_t size)
{
	if (!s)
		return NULL;
	snprintf(buf, size, "%s", s);
	return buf;
}

/* The maker the words w (n bytes) name: an alias line of the vendor table
 * matches them (even one naming them alike), or IANA registered an
 * organisation by exactly that name; NULL otherwise. */
static const char *classify_words_maker(const char *w, size_t n, char *buf,
					size_t size)
{
	const char *v;

	if (n < 2 || n >= size)
		return NULL;
	memcpy(buf, w, n);
	buf[n] = '\0';
	v = classify_vendor_normalise(buf);
	if (v != buf)
		return v;
	return classify_ent_find(classify_ents, buf);
}

/* Length of the word at s: letters, digits, '-' and '&'; 0 unless a blank,
 * a comma or the end follows it. */
static size_t classify_word_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '-' || s[n] == '&')
		n++;
	return s[n] && s[n] != ' ' && s[n] != ',' ? 0 : n;
}

/*
 * The maker a sysDescr names first ("3Com Baseline Switch 2916-SFP Plus",
 * "KONICA MINOLTA bizhub C360", "Extreme Networks ..."): its first two
 * words, else its first word, when the vendor alias table knows them or
 * IANA registered an organisation by exactly that name; NULL otherwise
 * (most sysDescrs start with a product or an OS).
 */
static const char *classify_descr_maker(const char *descr, char *buf,
					size_t size)
{
	const char *v;
	size_t n, m;

	if (!descr || (n = classify_word_len(descr)) == 0)
		return NULL;
	if (descr[n] == ' ' && (m = classify_word_len(descr + n + 1)) > 0 &&
	    (v = classify_words_maker(descr, n + 1 + m, buf, size)) != NULL)
		return v;
	return classify_words_maker(descr, n, buf, size);
}

/* 1 when the word(s) w (n bytes) name the maker: its name or the name's
 * first word, any case ("Ricoh", "Cisco" of "Cisco Systems"), or a short
 * abbreviation the alias table turns into it ("HP", "IBM"). */
static int classify_names_maker(const char *w, size_t n, const char *maker)
{
	char buf[64];
	size_t m = strlen(maker);

	while (n && w[n - 1] == ',')
		n--; /* "Enterasys Networks, Inc." */
	if (!n || n >= sizeof(buf))
		return 0;
	if (strncasecmp(w, maker, n) == 0 && (n == m || maker[n] == ' '))
		return 1;
	if (n > 4)
		return 0;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return util_streq_ci(classify_vendor_normalise(buf), maker);
}

/* The legal forms that follow a maker's name in registries and audits
 * ("Inc.", "Co.,Ltd.", "GmbH & Co. KG", "s.r.o"), a word each. */
static const char *const company_forms[] = {
	"Inc.", "Inc",	  "Incorporated", "Ltd.",   "Ltd",	   "Limited",
	"Co.",	"Co",	  "Corp.",	  "Corp",   "Corporation", "GmbH",
	"AG",	"KG",	  "LLC",	  "L.L.C.", "LLP",	   "L.P.",
	"S.A.", "SA",	  "S.A.S.",	  "SAS",    "SARL",	   "S.p.A.",
	"SpA",	"S.r.l.", "srl",	  "s.r.o.", "s.r.o",	   "a.s.",
	"B.V.", "BV",	  "N.V.",	  "NV",	    "AB",	   "AS",
	"A/S",	"ASA",	  "Oy",		  "Oyj",    "plc",	   "Pty",
	"Pty.", "Pte",	  "Pte.",	  "K.K.",   "&",	   NULL};

/* 1 when the word w (n bytes) is one of list's (NULL-ended), any case. */
static int classify_word_in(const char *const *list, const char *w, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(w, list[i], n) == 0)
			return 1;
	return 0;
}

/* 1 for a company-form word that may follow a maker's name ("Inc.",
 * "Ltd", "GmbH", "Corporation"), with or without a trailing comma. */
static int classify_company_form(const char *w, size_t n)
{
	while (n && w[n - 1] == ',')
		n--;
	return classify_word_in(company_forms, w, n);
}

/* A country or region a subsidiary's name gives after the maker's name
 * ("Ascom Sweden AB", "Nexans Deutschland Industries", "Raybit Systems
 * korea"); not China, which opens makers' names ("Digital China"). */
static const char *const region_words[] = {
	"Sweden",      "Deutschland", "Germany",     "Korea",	"Japan",
	"France",      "UK",	      "Italia",	     "Italy",	"Nederland",
	"Netherlands", "Schweiz",     "Switzerland", "Austria", "Danmark",
	"Denmark",     "Norge",	      "Norway",	     "Finland", "Espana",
	"Spain",       "Polska",      "Poland",	     "Europe",	"America",
	"Americas",    "USA",	      "Canada",	     "Taiwan",	"India",
	"Australia",   "Israel",      "Belgium",     "Brasil",	"Brazil",
	"Singapore",   NULL};

/* Drops a trailing "(...)" ("Red Lion Controls (SIXNET)") and, after the
 * first word, a region word with all that follows it, then a dangling
 * "of" ("Sony Corporation of America"); returns the new length. */
static size_t classify_trim_region(char *buf, size_t n)
{
	size_t w, len, open = n;

	while (n && buf[n - 1] == ' ')
		n--;
	if (n && buf[n - 1] == ')') {
		while (open && buf[open - 1] != '(')
			open--;
		if (open > 1)
			n = open - 1;
	}
	for (w = strcspn(buf, " "); w < n; w += len) {
		w += strspn(buf + w, " ");
		len = strcspn(buf + w, " ,");
		if (w + len > n)
			len = n - w;
		if (len && classify_word_in(region_words, buf + w, len)) {
			n = w;
			break;
		}
		if (!len)
			len = 1; /* a comma */
	}
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == ','))
		n--;
	if (n > 3 && strncasecmp(buf + n - 3, " of", 3) == 0)
		n -= 3;
	buf[n] = '\0';
	return n;
}

const char *classify_vendor_trim(const char *raw, char *buf, size_t size)
{
	size_t n, end, start;

	if (!raw || (n = strlen(raw)) >= size)
		return raw;
	memcpy(buf, raw, n + 1);
	n = classify_trim_region(buf, n);
	for (;;) {
		end = n;
		while (end && (buf[end - 1] == ' ' || buf[end - 1] == ','))
			end--;
		start = end;
		while (start && buf[start - 1] != ' ' && buf[start - 1] != ',')
			start--;
		if (start == 0 ||
		    !classify_company_form(buf + start, end - start)) {
			n = end;
			break;
		}
		n = start;
	}
	buf[n] = '\0';
	return n == strlen(raw) ? raw : buf;
}

/* 1 for a version number a maker appends to a model: "1.09", "V4.38",
 * "6.10.007" (digits with at least one dot, an optional leading v). */
static int classify_is_version(const char *w, size_t n)
{
	size_t i = 0, dots = 0;

	if (n && (w[0] == 'v' || w[0] == 'V'))
		i++;
	if (i >= n || !isdigit((unsigned char)w[i]))
		return 0;
	for (; i < n; i++) {
		if (w[i] == '.' && i + 1 < n &&
		    isdigit((unsigned char)w[i + 1]))
			dots++;
		else if (!isdigit((unsigned char)w[i]))
			return 0;
	}
	return dots > 0;
}

/* A product MIB's name glues the maker's first word, in lower case, to
 * the product: "cisco1941", "ciscoASR9010". The length of that prefix
 * when the product follows with a digit or a capital, else 0. */
static size_t classify_glued_maker(const char *model, const char *maker)
{
	size_t k = maker ? strcspn(maker, " ,") : 0, i;

	if (k < 3)
		return 0;
	for (i = 0; i < k; i++)
		if (!islower((unsigned char)model[i]) ||
		    model[i] != tolower((unsigned char)maker[i]))
			return 0;
	return isdigit((unsigned char)model[k]) ||
			       isupper((unsigned char)model[k])
		       ? k
		       : 0;
}

const char *classify_model_normalise(const char *model, const char *maker,
				     char *out, size_t size)
{
	size_t n = 0, start = 0, best = 0, words = 0, end;
	const char *p;

	if (!size)
		return NULL;
	/* whitespace runs become one space, none at either end */
	for (p = model ? model : ""; *p && n + 1 < size; p++) {
		if (isspace((unsigned char)*p)) {
			if (n && out[n - 1] != ' ')
				out[n++] = ' ';
		} else {
			out[n++] = *p;
		}
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	/* the maker's own name in front: up to three words of it */
	for (end = 0; maker && *maker && words < 3 && end < n; words++) {
		end += strcspn(out + end, " ");
		if (end >= n)
			break; /* keep at least one word */
		if (classify_names_maker(out, end, maker))
			best = end + 1;
		end++;
	}
	/* and the company form after it: "Enterasys Networks, Inc. G3G124" */
	if (best && best < n) {
		size_t w = strcspn(out + best, " ");

		if (best + w < n && classify_company_form(out + best, w))
			best += w + 1;
	}
	start = best ? best : classify_glued_maker(out, maker);
	/* version numbers appended after the model */
	while (n > start) {
		size_t w = n;

		while (w > start && out[w - 1] != ' ')
			w--;
		if (w == start || !classify_is_version(out + w, n - w))
			break;
		n = w - 1;
		out[n] = '\0';
	}
	return out + start;
}

/* A word of n characters that looks like a model: letters, digits and
 * "+-/_.", at least one digit, 3 to 40 characters, not a version number
 * (none that starts with a digit, or a v and a digit, and has a dot). */
static int classify_model_word(const char *w, size_t n)
{
	size_t i, digits = 0;

	if (n < 3 || n > 40 || classify_is_version(w, n))
		return 0;
	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)w[i]))
			digits++;
		else if (!isalpha((unsigned char)w[i]) &&
			 !strchr("+-/_.", w[i]))
			return 0;
	}
	if (!digits || !isalnum((unsigned char)w[0]))
		return 0;
	/* a version with a suffix: "1.2.0-beta1", "v6.5R1" */
	i = w[0] == 'v' || w[0] == 'V';
	return !(isdigit((unsigned char)w[i]) && memchr(w, '.', n));
}

/* A product family's name before the model ("NPort" in "Moxa NPort
 * 5110", "WorkCentre" in "Xerox WorkCentre 7855"): letters (and '-'),
 * 2 to 20 of them, starting with a capital or an inner capital, and not
 * a word that says what kind of thing or which software it is. */
static int classify_family_word(const char *w, size_t n)
{
	static const char *const not_family[] = {
		"switch",      "router",
		"wireless",    "access",
		"point",       "firewall",
		"gateway",     "printer",
		"server",      "system",
		"systems",     "appliance",
		"controller",  "card",
		"module",      "unit",
		"network",     "networks",
		"management",  "web",
		"snmp",	       "agent",
		"software",    "firmware",
		"version",     "release",
		"series",      "the",
		"for",	       "and",
		"with",	       "of",
		"on",	       "platform",
		"operating",   "device",
		"ethernet",    "gigabit",
		"managed",     "smart",
		"security",    "internet",
		"build",       "revision",
		"rev",	       "model",
		"serial",      "hardware",
		"kernel",      "linux",
		"inc",	       "ltd",
		"corp",	       "co",
		"technology",  "technologies",
		"electronics", "communications",
		NULL};
	size_t i, caps = 0;

	if (n < 2 || n > 20)
		return 0;
	for (i = 0; i < n; i++) {
		if (isupper((unsigned char)w[i]))
			caps++;
		else if (!islower((unsigned char)w[i]) && w[i] != '-')
			return 0;
	}
	return caps && w[0] != '-' && !classify_word_in(not_family, w, n);
}

/* A designation in capitals: its first character a digit or a capital,
 * and no small letter before its last digit ("7855", "C5235", "3110cn",
 * "DS918+"; not a host name such as "nas-changan-1"). */
static int classify_caps_word(const char *w, size_t n)
{
	size_t last = 0;

	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)w[i]))
			last = i;
	if (!isdigit((unsigned char)w[0]) && !isupper((unsigned char)w[0]))
		return 0;
	for (size_t i = 0; i < last; i++)
		if (islower((unsigned char)w[i]))
			return 0;
	return 1;
}

/* A product's name in capitals without a digit, 2 to 8 letters ("CTM"),
 * that names no kind or software (classify_family_word's list, and OS). */
static int classify_caps_name(const char *w, size_t n)
{
	if (n < 2 || n > 8 || (n == 2 && strncasecmp(w, "OS", 2) == 0))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)w[i]))
			return 0;
	return classify_family_word(w, n);
}

/*
 * The model a sysDescr names right after the maker's own name ("DrayTek
 * Vigor2925 ...", "Huawei AR1220 ...", "Moxa EDS-510E"): the word that
 * follows when classify_model_normalise() found the maker's name in
 * front, if it looks like a model (classify_model_word); since round 16
 * also after one or two words of a product family's name, which stay in
 * the model, when the designation is in capitals ("Moxa NPort 5110" ->
 * "NPort 5110"; not "Isilon OneFS nas-1"); NULL otherwise.
 */
static const char *classify_descr_model(const char *descr, const char *maker,
					char *buf, size_t size)
{
	char tmp[CLASSIFY_FACT_MAX];
	const char *rest, *w;
	size_t n;

	if (!descr || !maker || !*maker)
		return NULL;
	rest = classify_model_normalise(descr, maker, tmp, sizeof(tmp));
	if (rest == tmp)
		return NULL; /* no maker's name in front */
	for (int family = 0;; family++) {
		w = rest;
		for (int k = 0; k < family; k++) {
			w += strcspn(w, " ");
			w += *w == ' ';
		}
		n = strcspn(w, " ,;:");
		while (n && w[n - 1] == '.')
			n--;
		if (classify_model_word(w, n) &&
		    (!family || classify_caps_word(w, n)))
			break;
		/* the maker's name and one word in capitals, nothing more
		 * ("Last Mile Gear CTM"; round 16, after heldout13) */
		if (!family && !w[n] && classify_caps_name(w, n))
			break;
		if (family == 2 || w[n] != ' ' || !classify_family_word(w, n))
			return NULL;
	}
	n += (size_t)(w - rest);
	if (n >= size)
		return NULL;
	memcpy(buf, rest, n);
	buf[n] = '\0';
	return buf;
}

/* "MIB field" of an identity line, for the evidence. */
static const char *classify_ident_from(const struct classify_ident *d,
				       char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", d->mib ? d->mib : "", d->mib ? " " : "",
		 d->field);
	return buf;
}

/* A model classification set, made one spelling (classify_model_normalise)
 * against the device's manufacturer. */
static void classify_sys_model(json_t *sys)
{
	const char *m = classify_sys_str(sys, "model"), *v;
	char buf[CLASSIFY_FACT_MAX];

	if (!m)
		return;
	v = classify_model_normalise(m, classify_sys_str(sys, "manufacturer"),
				     buf, sizeof(buf));
	if (*v && strcmp(v, m) != 0)
		json_object_set_new(sys, "model", json_string(v));
}

int classify_report(json_t *report)
{
	json_t *sys = json_object_get(report, "sys");
	struct classify_facts f;
	char mac[18], oid[CLASSIFY_FACT_MAX], descr[CLASSIFY_FACT_MAX],
		name[CLASSIFY_FACT_MAX], maker[64], mm[CLASSIFY_FACT_MAX],
		mk[CLASSIFY_FACT_MAX], mmfrom[128], mkfrom[128], dm[48];
	const struct classify_ident *from = NULL;
	int n, had_model;

	if (!json_is_object(sys)) {
		log_warn("classify: the device report has no sys object");
		return -1;
	}
	classify_init();
	memset(&f, 0, sizeof(f));
	f.oid = classify_bound(classify_sys_str(sys, "sysObjectID"), oid,
			       sizeof(oid));
	f.descr = classify_bound(classify_sys_str(sys, "sysDescr"), descr,
				 sizeof(descr));
	f.name = classify_bound(classify_sys_str(sys, "sysName"), name,
				sizeof(name));
	if (classify_pick_mac(report, sys, mac) == 0) {
		f.mac = mac;
		f.oui = classify_oui_lookup(classify_ouis, mac);
		if (!f.oui)
			f.oui = classify_mac_virtual_platform(mac);
	}
	if (f.oid)
		f.enterprise = classify_enterprise(f.oid);
	f.ports = json_object_get(report, "ports");
	f.sys = sys;
	f.product = f.oid ? classify_products_lookup(classify_products, f.oid)
			  : NULL;
	/* the maker the sysDescr starts with counts when no sysObjectID
	 * names one: none at all, or an SNMP agent author's ("Endian
	 * Firewall ..." on net-snmp's 8072) */
	f.agent = f.oid ? classify_agent(f.oid) : NULL;
	if (!f.oid || f.agent)
		f.maker = classify_descr_maker(f.descr, maker, sizeof(maker));
	f.line = classify_line(f.descr, &f.line_maker, &f.line_type);
	f.vendor = f.maker	  ? f.maker
		   : f.enterprise ? classify_vendor_normalise(f.enterprise)
				  : NULL;
	f.mib_model = classify_bound(
		classify_ident_first(sys, IDENT_MODEL, &from), mm, sizeof(mm));
	if (f.mib_model)
		f.mib_model_from =
			classify_ident_from(from, mmfrom, sizeof(mmfrom));
	f.mib_maker = classify_bound(
		classify_ident_first(sys, IDENT_MANUFACTURER, &from), mk,
		sizeof(mk));
	if (f.mib_maker)
		f.mib_maker_from =
			classify_ident_from(from, mkfrom, sizeof(mkfrom));
	f.descr_model = classify_descr_model(f.descr, f.vendor, dm, sizeof(dm));
	had_model = classify_sys_str(sys, "model") != NULL;
	n = classify_rules_apply(classify_sets, &f, sys);
	classify_sys_vendor(sys);
	if (!had_model)
		classify_sys_model(sys);
	return n;
}
