/*
 * rules: the classification rules language (docs/classification.md).
 *
 * A logical line (a trailing backslash joins the next) is one of
 *   [!]VAR OP VALUE ... -> FIELD=VALUE ...     a rule
 *   vendor REGEX NAME                          vendor-name normalisation
 *   virtual-mac PREFIX NAME                    a virtual NIC MAC range
 *   agent-oid NUMBER NAME                      an SNMP agent author's
 *                                              enterprise number
 *   product-line WORDS MAKER TYPE              a product line's name
 * VAR is oid, descr, name, oui, enterprise, product, maker, mac, port,
 * mibmodel, mibmaker, descrmodel, agent, line or sys.FIELD;
 * OP is = (equal),
 * ^= (prefix; for oid at an arc boundary), *= (contains) or ~ (POSIX
 * extended regex); all string comparisons ignore case. A VALUE is a bare
 * word or a "quoted string" in which only \" is special. In assignments,
 * \1..\9 are the groups of the rule's last matching regex and $oui /
 * $enterprise the normalised organisation names.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define RULE_LINE_MAX 4096
#define RULE_VALUE_MAX 1024
#define RULE_KEY_MAX 32
#define RULE_MAX_CAPTURES 10
#define RULE_EVIDENCE_MAX 4096 /* bytes of sys.classification */

enum rule_var {
	V_OID,
	V_DESCR,
	V_NAME,
	V_OUI,
	V_ENTERPRISE,
	V_PRODUCT, /* the sysObjectID's product in the vendor product MIBs */
	V_MAKER,   /* the enterprise's maker, or the one sysDescr starts with */
	V_MAC,
	V_PORT,
	V_SYS,	      /* sys.FIELD: any string field of the report's sys */
	V_MIBMODEL,   /* the first model a vendor identity object named */
	V_MIBMAKER,   /* the first maker a vendor identity object named */
	V_DESCRMODEL, /* the model a sysDescr names after the maker's name */
	V_AGENT,      /* the SNMP agent author the sysObjectID names */
	V_LINE,	      /* the product line a sysDescr is the name of */
	V_COUNT
};
static const char *const var_names[V_COUNT] = {
	"oid",	    "descr",	"name",	      "oui",   "enterprise",
	"product",  "maker",	"mac",	      "port",  "sys",
	"mibmodel", "mibmaker", "descrmodel", "agent", "line",
};

/* OP_CASE_REGEX ("~~") is the one comparison that heeds case: a product
 * designation in capitals is not a host name in lower case. */
enum rule_op {
	OP_EQ,
	OP_PREFIX,
	OP_SUBSTR,
	OP_REGEX,
	OP_GT,
	OP_LT,
	OP_CASE_REGEX
};

enum rule_field {
	F_TYPE,
	F_MANUFACTURER,
	F_MODEL,
	F_OS_GROUP,
	F_OS_FAMILY,
	F_OS_NAME,
	F_OS_VERSION,
	F_FORM_FACTOR,
	F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"type",	     "manufacturer", "model",	   "os_group",
	"os_family", "os_name",	     "os_version", "form_factor",
};

struct rule_cond {
	enum rule_var var;
	enum rule_op op;
	int negate;
	char *value;
	int has_re;
	regex_t re;
	unsigned port;
	char proto[4];
	char *field; /* V_SYS: the sys field's name */
	long num;    /* OP_GT, OP_LT */
};

struct rule_assign {
	enum rule_field field;
	char *value;
};

struct rule {
	int line;
	char *why; /* the evidence named in classification; NULL: conds */
	char *conds_text;
	struct rule_cond *conds;
	size_t nconds;
	struct rule_assign *assigns;
	size_t nassigns;
	unsigned fields; /* bit per rule_field assigned */
};

struct vendor_alias {
	regex_t re;
	char *name;
};

struct virtual_mac {
	unsigned char prefix[6];
	size_t nbytes;
	char *name;
};

/* agent-oid: an enterprise whose sysObjectIDs name the SNMP agent's
 * author (net-snmp, bsnmpd ...) rather than the device's maker */
struct agent_oid {
	unsigned long number;
	char *name;
};

/* product-line: a product line's name, its maker and its kind */
struct product_line {
	char *words;
	char *maker;
	char *type;
};

struct classify_rules {
	char *name;
	struct rule *v;
	size_t n;
	struct vendor_alias *vendors;
	size_t nvendors;
	struct virtual_mac *virt;
	size_t nvirt;
	struct agent_oid *agents;
	size_t nagents;
	struct product_line *lines;
	size_t nlines;
};

/* One word of a line: w is the word with quotes removed; when it reads
 * [!]KEY OP VALUE (the operator outside quotes), key/op/val are set and
 * op >= 0, else op is -1. */
struct rule_tok {
	char w[RULE_VALUE_MAX];
	int negate;
	char key[RULE_KEY_MAX];
	int op;
	const char *val;	      /* points into w */
	char field[RULE_KEY_MAX * 2]; /* after "sys." */
	int arrow;		      /* the word was a bare "->" */
};

static void rules_seterr(struct classify_error *err, const char *name, int line,
			 const char *msg)
{
	snprintf(err->msg, sizeof(err->msg), "%.180s:%d: %.300s", name, line,
		 msg);
}

/* Reads the next word at *pp. 1 with t filled, 0 at end of line (or a
 * comment), -1 with *why set. */
static int rules_next_word(const char **pp, struct rule_tok *t,
			   const char **why)
{
	const char *p = *pp;
	size_t n = 0, qpos = (size_t)-1, k = 0;
	int quoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return 0;
	memset(t, 0, sizeof(*t));
	t->op = -1;
	while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
		if (*p == '"') {
			if (!quoted && qpos == (size_t)-1)
				qpos = n;
			quoted = !quoted;
			p++;
			continue;
		}
		if (quoted && p[0] == '\\' && p[1] == '"')
			p++;
		if (n >= sizeof(t->w) - 1) {
			*why = "value too long";
			return -1;
		}
		t->w[n++] = *p++;
	}
	if (quoted) {
		*why = "unterminated quoted string";
		return -1;
	}
	t->w[n] = '\0';
	*pp = p;
	if (strcmp(t->w, "->") == 0 && qpos == (size_t)-1) {
		t->arrow = 1;
		return 1;
	}
	if (t->w[0] == '!' && qpos != 0) {
		t->negate = 1;
		k = 1;
	}
	{
		size_t s = k, f = 0;
		static const char *const ops[] = {"=", "^=", "*=", "~",
						  ">", "<",  "~~"};

		while ((t->w[k] >= 'a' && t->w[k] <= 'z') || t->w[k] == '_')
			k++;
		if (k - s == 3 && strncmp(t->w + s, "sys.", 4) == 0) {
			/* sys.FIELD: a report field name (letters, digits,
			 * '_'), kept apart from the key */
			for (k++;
			     isalnum((unsigned char)t->w[k]) || t->w[k] == '_';
			     k++)
				if (f < sizeof(t->field) - 1)
					t->field[f++] = t->w[k];
			t->field[f] = '\0';
			if (!f || f >= sizeof(t->field) - 1)
				return 1;
		}
		if (k == s || k >= qpos)
			return 1;
		for (int i = 6; i >= 0; i--) {
			size_t ol = strlen(ops[i]);

			if (strncmp(t->w + k, ops[i], ol) == 0 &&
			    k + ol <= qpos) {
				size_t kl = f ? 3 : k - s;

				if (kl >= RULE_KEY_MAX)
					return 1;
				memcpy(t->key, t->w + s, kl);
				t->key[kl] = '\0';
				t->op = i;
				t->val = t->w + k + ol;
				break;
			}
		}
	}
	if (t->op < 0)
		t->negate = 0;
	return 1;
}

static int rules_lookup(const char *const *names, int count, const char *s)
{
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* "9100" or "161/udp" into c; 0 or -1. */
static int rules_parse_port(struct rule_cond *c, const char *v)
{
	const char *slash = strchr(v, '/');
	char num[8];
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	long port;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	if (util_parse_long(num, 1, 65535, &port) < 0)
		return -1;
	c->port = (unsigned)port;
	if (!slash || strcmp(slash + 1, "tcp") == 0)
		memcpy(c->proto, "tcp", 4);
	else if (strcmp(slash + 1, "udp") == 0)
		memcpy(c->proto, "udp", 4);
	else
		return -1;
	return 0;
}

static int rules_compile(regex_t *re, const char *pattern, int icase, char *why,
			 size_t whylen)
{
	int rc = regcomp(re, pattern, REG_EXTENDED | (icase ? REG_ICASE : 0));

	if (rc != 0) {
		regerror(rc, re, why, whylen);
		regfree(re);
		return -1;
	}
	return 0;
}

/* Fills c from t; NULL or a static message / msg buffer on error. */
static const char *rules_make_cond(struct rule_cond *c,
				   const struct rule_tok *t, char *msg,
				   size_t msglen)
{
	int var = rules_lookup(var_names, V_COUNT, t->key);
	const char *v = t->val;

	if (var < 0 && rules_lookup(field_names, F_COUNT, t->key) >= 0) {
		snprintf(msg, msglen,
			 "missing \"->\" before the assignment "
			 "\"%.120s\"",
			 t->w);
		return msg;
	}
	if (var < 0)
		return "unknown condition (want oid, descr, name, oui, "
		       "enterprise, product, maker, mac, port, mibmodel, "
		       "mibmaker, descrmodel, agent, line or sys.FIELD)";
	c->var = (enum rule_var)var;
	c->op = (enum rule_op)t->op;
	c->negate = t->negate;
	if (c->var == V_SYS)
		c->field = xstrdup(t->field);
	if (c->op == OP_GT || c->op == OP_LT) {
		if (c->var == V_PORT ||
		    util_parse_long(v, -2147483647L, 2147483647L, &c->num) < 0)
			return "> and < compare a fact with a whole number";
		return NULL;
	}
	if (c->var == V_PORT) {
		if (c->op != OP_EQ || rules_parse_port(c, v) < 0)
			return "port takes port=N or port=N/udp";
		return NULL;
	}
	if (c->var == V_OID && *v == '.')
		v++;
	if (!*v && c->op != OP_REGEX && c->op != OP_CASE_REGEX &&
	    c->op != OP_EQ)
		return "empty value";
	c->value = xstrdup(v);
	if (c->op == OP_REGEX || c->op == OP_CASE_REGEX) {
		char why[200];

		if (rules_compile(&c->re, v, c->op == OP_REGEX, why,
				  sizeof(why)) < 0) {
			snprintf(msg, msglen,
				 "bad regular expression \"%.120s\": "
				 "%.200s",
				 v, why);
			return msg;
		}
		c->has_re = 1;
	}
	return NULL;
}

static void rules_free_rule(struct rule *r)
{
	free(r->why);
	free(r->conds_text);
	for (size_t i = 0; i < r->nconds; i++) {
		free(r->conds[i].value);
		free(r->conds[i].field);
		if (r->conds[i].has_re)
			regfree(&r->conds[i].re);
	}
	for (size_t i = 0; i < r->nassigns; i++)
		free(r->assigns[i].value);
	free(r->conds);
	free(r->assigns);
}

/* What a condition looks at, as the evidence names it. */
static const char *rules_var_label(const struct rule_cond *c)
{
	static const char *const labels[V_COUNT] = {
		"sysObjectID",
		"sysDescr",
		"sysName",
		"MAC vendor",
		"sysObjectID enterprise",
		"sysObjectID product",
		"maker",
		"MAC",
		"open ports",
		NULL,
		"vendor MIB model object",
		"vendor MIB manufacturer object",
		"sysDescr model after the maker's name",
		"SNMP agent author",
		"sysDescr product line",
	};

	return c->var == V_SYS ? c->field : labels[c->var];
}

/* Adds label to the " + "-separated *text unless it is there. */
static void rules_text_add(char **text, const char *label)
{
	char *n;

	if (*text) {
		for (const char *q = *text; (q = strstr(q, label)) != NULL; q++)
			if ((q == *text || q[-1] == ' ') &&
			    (!q[strlen(label)] || q[strlen(label)] == ' '))
				return;
	}
	n = xasprintf("%s%s%s", *text ? *text : "", *text ? " + " : "", label);
	free(*text);
	*text = n;
}

/* Parses a rule line into r; NULL or the reason. */
static const char *rules_parse_rule(const char *p, struct rule *r, char *msg,
				    size_t msglen)
{
	struct rule_tok t;
	const char *why = NULL;
	int rc, after = 0;

	while ((rc = rules_next_word(&p, &t, &why)) > 0) {
		if (t.arrow) {
			if (after)
				return "a second \"->\"";
			after = 1;
			continue;
		}
		if (t.op < 0) {
			snprintf(msg, msglen,
				 "\"%.120s\" is not KEY=VALUE (a "
				 "value with spaces needs quotes)",
				 t.w);
			return msg;
		}
		if (!after) {
			struct rule_cond *c;

			r->conds = xrealloc(
				r->conds, (r->nconds + 1) * sizeof(*r->conds));
			c = &r->conds[r->nconds];
			memset(c, 0, sizeof(*c));
			why = rules_make_cond(c, &t, msg, msglen);
			if (why) {
				free(c->value);
				free(c->field);
				return why;
			}
			r->nconds++;
			rules_text_add(&r->conds_text, rules_var_label(c));
		} else {
			int f = rules_lookup(field_names, F_COUNT, t.key);

			if (f < 0 && strcmp(t.key, "why") == 0 &&
			    t.op == OP_EQ && !r->why && *t.val) {
				r->why = xstrdup(t.val);
				continue;
			}
			if (f < 0) {
				snprintf(msg, msglen, "unknown field \"%.31s\"",
					 t.key);
				return msg;
			}
			if (t.op != OP_EQ || t.negate)
				return "an assignment is FIELD=VALUE";
			r->assigns = xrealloc(r->assigns,
					      (r->nassigns + 1) *
						      sizeof(*r->assigns));
			r->assigns[r->nassigns].field = (enum rule_field)f;
			r->assigns[r->nassigns].value = xstrdup(t.val);
			r->nassigns++;
			r->fields |= 1u << f;
		}
	}
	if (rc < 0)
		return why;
	if (!after)
		return "missing \"->\" between conditions and assignments";
	if (!r->nassigns)
		return "nothing assigned after \"->\"";
	if (!r->why)
		r->why = xstrdup(r->conds_text ? r->conds_text : "default");
	return NULL;
}

/* "00:0c:29" (1 to 6 octets, ':' or '-' optional) into v; 0 or -1. */
static int rules_parse_mac_prefix(const char *s, struct virtual_mac *v)
{
	char full[13] = "000000000000";
	size_t n = 0;

	for (; *s; s++) {
		if (isxdigit((unsigned char)*s)) {
			if (n == 12)
				return -1;
			full[n++] = *s;
		} else if (*s != ':' && *s != '-') {
			return -1;
		}
	}
	if (n == 0 || n % 2)
		return -1;
	v->nbytes = n / 2;
	return classify_mac_parse(full, v->prefix);
}

/* Reads exactly n more words (after the directive) into t[0..n-1]; t
 * has room for n + 1. */
static const char *rules_words(const char *p, struct rule_tok *t, int n)
{
	static const char *const need[] = {"", "", "needs two values",
					   "needs three values"};
	static const char *const exact[] = {"", "", "takes exactly two values",
					    "takes exactly three values"};
	const char *why = need[n];

	for (int i = 0; i < n; i++)
		if (rules_next_word(&p, &t[i], &why) <= 0)
			return why;
	if (rules_next_word(&p, &t[n], &why) != 0)
		return exact[n];
	return NULL;
}

/* "8072" into a->number; 0 or -1. */
static int rules_parse_agent(const char *w, struct agent_oid *a)
{
	long n;

	if (util_parse_long(w, 1, 2147483647L, &n) < 0)
		return -1;
	a->number = (unsigned long)n;
	return 0;
}

static const char *rules_parse_vendor(struct classify_rules *rs,
				      const struct rule_tok *t, char *msg,
				      size_t msglen)
{
	struct vendor_alias *a;
	char rewhy[200];

	rs->vendors = xrealloc(rs->vendors, (rs->nvendors + 1) * sizeof(*a));
	a = &rs->vendors[rs->nvendors];
	if (rules_compile(&a->re, t[0].w, 1, rewhy, sizeof(rewhy)) < 0) {
		snprintf(msg, msglen,
			 "bad regular expression \"%.120s\": "
			 "%.200s",
			 t[0].w, rewhy);
		return msg;
	}
	a->name = xstrdup(t[1].w);
	rs->nvendors++;
	return NULL;
}

static const char *rules_parse_directive(struct classify_rules *rs,
					 const char *kw, const char *p,
					 char *msg, size_t msglen)
{
	int n = strcmp(kw, "product-line") == 0 ? 3 : 2;
	struct rule_tok *t = xmalloc((size_t)(n + 1) * sizeof(*t));
	const char *why = rules_words(p, t, n);

	if (why)
		goto done;
	if (strcmp(kw, "vendor") == 0) {
		why = rules_parse_vendor(rs, t, msg, msglen);
	} else if (strcmp(kw, "agent-oid") == 0) {
		struct agent_oid *a;

		rs->agents =
			xrealloc(rs->agents, (rs->nagents + 1) * sizeof(*a));
		a = &rs->agents[rs->nagents];
		if (rules_parse_agent(t[0].w, a) < 0) {
			why = "agent-oid wants an enterprise number like 8072";
			goto done;
		}
		a->name = xstrdup(t[1].w);
		rs->nagents++;
	} else if (strcmp(kw, "product-line") == 0) {
		struct product_line *l;

		if (!t[0].w[0] || !t[1].w[0] || !t[2].w[0]) {
			why = "product-line wants a name, a maker and a type";
			goto done;
		}
		rs->lines = xrealloc(rs->lines, (rs->nlines + 1) * sizeof(*l));
		l = &rs->lines[rs->nlines++];
		l->words = xstrdup(t[0].w);
		l->maker = xstrdup(t[1].w);
		l->type = xstrdup(t[2].w);
	} else {
		struct virtual_mac *v;

		rs->virt = xrealloc(rs->virt, (rs->nvirt + 1) * sizeof(*v));
		v = &rs->virt[rs->nvirt];
		if (rules_parse_mac_prefix(t[0].w, v) < 0) {
			why = "virtual-mac wants a MAC prefix like 00:0c:29";
			goto done;
		}
		v->name = xstrdup(t[1].w);
		rs->nvirt++;
	}
done:
	free(t);
	return why;
}

/* Parses one logical line; NULL or the reason. */
static const char *rules_parse_line(struct classify_rules *rs, const char *line,
				    int lineno, char *msg, size_t msglen)
{
	struct rule_tok *first = xmalloc(sizeof(*first));
	const char *p = line, *why = NULL;
	struct rule r;
	int rc = rules_next_word(&p, first, &why);

	if (rc <= 0)
		goto done; /* blank, comment, or why set */
	if (first->op < 0 && !first->arrow &&
	    (strcmp(first->w, "vendor") == 0 ||
	     strcmp(first->w, "virtual-mac") == 0 ||
	     strcmp(first->w, "agent-oid") == 0 ||
	     strcmp(first->w, "product-line") == 0)) {
		why = rules_parse_directive(rs, first->w, p, msg, msglen);
		goto done;
	}
	memset(&r, 0, sizeof(r));
	r.line = lineno;
	why = rules_parse_rule(line, &r, msg, msglen);
	if (why) {
		rules_free_rule(&r);
		goto done;
	}
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = r;
done:
	free(first);
	return why;
}

struct classify_rules *classify_rules_parse(const char *text, size_t len,
					    const char *name,
					    struct classify_error *err)
{
	struct classify_rules *rs = xcalloc(1, sizeof(*rs));
	const char *p = text, *end = text + len;
	char *line = xmalloc(RULE_LINE_MAX);
	char msg[400];
	int lineno = 0;

	rs->name = xstrdup(name);
	err->msg[0] = '\0';
	while (p < end) {
		size_t n = 0;
		int start = lineno + 1;
		int more = 1;

		while (more && p < end) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);

			lineno++;
			/* cppcheck-suppress knownConditionTrueFalse ; a false
			 * positive of cppcheck 2.10: an empty line (eol == p)
			 * has l == 0 */
			if (l && p[l - 1] == '\r')
				l--;
			more = l && p[l - 1] == '\\';
			if (more)
				l--;
			if (n + l + 1 >= RULE_LINE_MAX) {
				rules_seterr(err, name, start, "line too long");
				goto fail;
			}
			memcpy(line + n, p, l);
			n += l;
			line[n++] = ' ';
			p = eol ? eol + 1 : end;
		}
		line[n] = '\0';
		if (memchr(line, '\0', n)) {
			rules_seterr(err, name, start, "NUL byte in line");
			goto fail;
		}
		const char *why =
			rules_parse_line(rs, line, start, msg, sizeof(msg));
		if (why) {
			rules_seterr(err, name, start, why);
			goto fail;
		}
	}
	free(line);
	return rs;
fail:
	free(line);
	classify_rules_free(rs);
	return NULL;
}

size_t classify_rules_count(const struct classify_rules *r)
{
	return r ? r->n : 0;
}

void classify_rules_free(struct classify_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rules_free_rule(&r->v[i]);
	for (size_t i = 0; i < r->nvendors; i++) {
		regfree(&r->vendors[i].re);
		free(r->vendors[i].name);
	}
	for (size_t i = 0; i < r->nvirt; i++)
		free(r->virt[i].name);
	for (size_t i = 0; i < r->nagents; i++)
		free(r->agents[i].name);
	for (size_t i = 0; i < r->nlines; i++) {
		free(r->lines[i].words);
		free(r->lines[i].maker);
		free(r->lines[i].type);
	}
	free(r->agents);
	free(r->lines);
	free(r->v);
	free(r->vendors);
	free(r->virt);
	free(r->name);
	free(r);
}

const char *classify_rules_vendor(const struct classify_rules *r,
				  const char *raw)
{
	if (!raw)
		return NULL;
	for (size_t i = 0; r && i < r->nvendors; i++)
		if (regexec(&r->vendors[i].re, raw, 0, NULL, 0) == 0)
			return r->vendors[i].name;
	return raw;
}

const char *classify_rules_virtual(const struct classify_rules *r,
				   const char *mac)
{
	unsigned char b[6];

	if (!r || classify_mac_parse(mac, b) < 0)
		return NULL;
	for (size_t i = 0; i < r->nvirt; i++)
		if (memcmp(b, r->virt[i].prefix, r->virt[i].nbytes) == 0)
			return r->virt[i].name;
	return NULL;
}

const char *classify_rules_agent(const struct classify_rules *r,
				 const char *oid)
{
	unsigned long n;

	if (!r || classify_enterprise_of(oid, &n) < 0)
		return NULL;
	for (size_t i = 0; i < r->nagents; i++)
		if (r->agents[i].number == n)
			return r->agents[i].name;
	return NULL;
}

/* 1 for a version number after a product line's name: "6.0", "v21.1",
 * "8.1r2" (a digit, or v and a digit, first). */
static int rules_version_word(const char *s)
{
	if (*s == 'v' || *s == 'V')
		s++;
	return isdigit((unsigned char)*s);
}

const char *classify_rules_line(const struct classify_rules *r,
				const char *descr, const char **maker,
				const char **type)
{
	size_t len;

	if (!r || !descr)
		return NULL;
	while (*descr == ' ' || *descr == '\t')
		descr++;
	len = strlen(descr);
	while (len && isspace((unsigned char)descr[len - 1]))
		len--;
	for (size_t i = 0; i < r->nlines; i++) {
		const struct product_line *l = &r->lines[i];
		size_t n = strlen(l->words);

		if (len < n || strncasecmp(descr, l->words, n) != 0)
			continue;
		/* the name alone, or the name and a version */
		if (len != n &&
		    !(descr[n] == ' ' && rules_version_word(descr + n + 1) &&
		      !memchr(descr + n + 1, ' ', len - n - 1)))
			continue;
		*maker = l->maker;
		*type = l->type;
		return l->words;
	}
	return NULL;
}

/* ---- applying ---- */

struct rule_capture {
	const char *subject;
	regmatch_t m[RULE_MAX_CAPTURES];
	int valid;
};

static int ci_contains(const char *h, const char *n)
{
	size_t nl = strlen(n);

	for (; *h; h++)
		if (strncasecmp(h, n, nl) == 0)
			return 1;
	return nl == 0;
}

static const char *rules_fact(const struct classify_facts *f, enum rule_var v)
{
	const char *s = NULL;

	switch (v) {
	case V_OID:
		s = f->oid;
		if (s && *s == '.')
			s++;
		break;
	case V_DESCR:
		s = f->descr;
		break;
	case V_NAME:
		s = f->name;
		break;
	case V_OUI:
		s = f->oui;
		break;
	case V_ENTERPRISE:
		s = f->enterprise;
		break;
	case V_PRODUCT:
		s = f->product;
		break;
	case V_MAKER:
		s = f->vendor;
		break;
	case V_MAC:
		s = f->mac;
		break;
	case V_MIBMODEL:
		s = f->mib_model;
		break;
	case V_MIBMAKER:
		s = f->mib_maker;
		break;
	case V_DESCRMODEL:
		s = f->descr_model;
		break;
	case V_AGENT:
		s = f->agent;
		break;
	case V_LINE:
		s = f->line;
		break;
	case V_SYS:
		break;
	case V_PORT:
	case V_COUNT:
		break;
	}
	return s ? s : "";
}

static int rules_port_open(const json_t *ports, const struct rule_cond *c)
{
	size_t i;
	json_t *row;

	if (!json_is_array(ports))
		return 0;
	json_array_foreach(ports, i, row) {
		json_t *jp = json_object_get(row, "port");
		const char *proto =
			json_string_value(json_object_get(row, "protocol"));
		const char *state =
			json_string_value(json_object_get(row, "state"));
		long port = -1;

		if (json_is_integer(jp))
			port = (long)json_integer_value(jp);
		else if (json_is_string(jp) &&
			 util_parse_long(json_string_value(jp), 1, 65535,
					 &port) < 0)
			continue;
		if (port != (long)c->port)
			continue;
		if (!util_streq_ci(proto && *proto ? proto : "tcp", c->proto))
			continue;
		if (!state || !*state || util_streq_ci(state, "open"))
			return 1;
	}
	return 0;
}

static int rules_cond_match(const struct rule_cond *c,
			    const struct classify_facts *f,
			    struct rule_capture *cap)
{
	const char *s;
	size_t n;
	int hit = 0;

	if (c->var == V_PORT)
		return rules_port_open(f->ports, c) != c->negate;
	s = rules_fact(f, c->var);
	if (c->var == V_SYS) {
		s = json_string_value(json_object_get(f->sys, c->field));
		s = s ? s : "";
	}
	switch (c->op) {
	case OP_GT:
	case OP_LT: {
		long v;

		hit = util_parse_long(s, -2147483647L, 2147483647L, &v) == 0 &&
		      (c->op == OP_GT ? v > c->num : v < c->num);
		break;
	}
	case OP_EQ:
		hit = util_streq_ci(s, c->value);
		break;
	case OP_PREFIX:
		n = strlen(c->value);
		hit = strncasecmp(s, c->value, n) == 0;
		if (hit && c->var == V_OID)
			hit = s[n] == '\0' || s[n] == '.' ||
			      c->value[n - 1] == '.';
		break;
	case OP_SUBSTR:
		hit = ci_contains(s, c->value);
		break;
	case OP_REGEX:
	case OP_CASE_REGEX:
		if (c->negate) {
			hit = regexec(&c->re, s, 0, NULL, 0) == 0;
		} else {
			hit = regexec(&c->re, s, RULE_MAX_CAPTURES, cap->m,
				      0) == 0;
			if (hit) {
				cap->subject = s;
				cap->valid = 1;
			}
		}
		break;
	}
	return hit != c->negate;
}

static const char *sets_vendor(const struct classify_rules *const *sets,
			       const char *raw)
{
	for (size_t i = 0; raw && sets[i]; i++) {
		const char *v = classify_rules_vendor(sets[i], raw);

		if (v != raw)
			return v;
	}
	return raw;
}

/* The fact a "$name" at v stands for: 1 with *ins (NULL when the fact
 * is missing) and *skip (the name's length) set, 0 when v names none.
 * Longer names first, so "$mibmodelfrom" is not read as "$mibmodel". */
static int rules_fact_var(const char *v, const struct classify_facts *f,
			  const char **ins, size_t *skip)
{
	const struct {
		const char *name;
		const char *val;
	} vars[] = {
		{"$mibmodelfrom", f->mib_model_from},
		{"$mibmodel", f->mib_model},
		{"$mibmakerfrom", f->mib_maker_from},
		{"$mibmaker", f->mib_maker},
		{"$descrmodel", f->descr_model},
		{"$linemaker", f->line_maker},
		{"$linetype", f->line_type},
		{"$line", f->line},
		{"$agent", f->agent},
		{"$product", f->product},
		{"$maker", f->maker},
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		size_t n = strlen(vars[i].name);

		if (strncmp(v, vars[i].name, n) == 0) {
			*ins = vars[i].val;
			*skip = n;
			return 1;
		}
	}
	return 0;
}

/* Expands \N (\UN: the group in capitals), $oui / $enterprise, $product,
 * $maker, $mibmodel[from] and $mibmaker[from] in v into out; the trimmed
 * result, possibly empty. */
static const char *rules_expand(const char *v, const struct rule_capture *cap,
				const struct classify_facts *f,
				const struct classify_rules *const *sets,
				struct strbuf *out)
{
	char *s;
	size_t a, b;

	out->len = 0;
	strbuf_append(out, "", 0);
	while (*v) {
		const char *ins = NULL;
		size_t inslen = 0, skip = 1, from = out->len;
		int upper = v[0] == '\\' && v[1] == 'U';

		if (v[0] == '\\' && v[1 + upper] >= '1' &&
		    v[1 + upper] <= '9') {
			int g = v[1 + upper] - '0';

			skip = 2 + (size_t)upper;
			if (cap->valid && cap->m[g].rm_so >= 0) {
				ins = cap->subject + cap->m[g].rm_so;
				inslen = (size_t)(cap->m[g].rm_eo -
						  cap->m[g].rm_so);
			}
		} else if (strncmp(v, "$oui", 4) == 0) {
			ins = sets_vendor(sets, f->oui);
			skip = 4;
		} else if (strncmp(v, "$enterprise", 11) == 0) {
			ins = sets_vendor(sets, f->enterprise);
			skip = 11;
		} else if (v[0] == '$' && rules_fact_var(v, f, &ins, &skip)) {
			/* $product, $maker, $mibmodel ...: ins, skip set */
		} else {
			ins = v;
			inslen = 1;
		}
		if (ins && !inslen && skip > 2)
			inslen = strlen(ins);
		if (ins && strbuf_append(out, ins, inslen) < 0)
			break; /* ceiling: keep what fits */
		for (; upper && from < out->len; from++) /* \UN: in capitals */
			out->data[from] =
				(char)toupper((unsigned char)out->data[from]);
		v += skip;
	}
	s = out->data;
	for (a = 0; s[a] == ' ' || s[a] == '\t'; a++)
		;
	b = strlen(s);
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	s[b] = '\0';
	return s + a;
}

static int rules_field_set(const json_t *sys, const char *name)
{
	json_t *v = json_object_get(sys, name);

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	return 1;
}

/* Runs one rule; returns the number of fields written, each named with
 * the rule's evidence in ev. */
static int rules_run_one(const struct classify_rules *set, const struct rule *r,
			 const struct classify_facts *f,
			 const struct classify_rules *const *sets, json_t *sys,
			 unsigned *decided, struct strbuf *out,
			 struct strbuf *ev)
{
	struct rule_capture cap;
	int written = 0;

	if (!(r->fields & ~*decided))
		return 0;
	cap.valid = 0;
	for (size_t i = 0; i < r->nconds; i++)
		if (!rules_cond_match(&r->conds[i], f, &cap))
			return 0;
	for (size_t i = 0; i < r->nassigns; i++) {
		const struct rule_assign *a = &r->assigns[i];
		const char *v;
		json_t *js;

		if (*decided & (1u << a->field))
			continue;
		v = rules_expand(a->value, &cap, f, sets, out);
		if (!*v || !(js = json_string(v)))
			continue;
		json_object_set_new(sys, field_names[a->field], js);
		*decided |= 1u << a->field;
		written++;
		strbuf_printf(ev, "%s%s",
			      written > 1 ? ", "
			      : ev->len	  ? "; "
					  : "",
			      field_names[a->field]);
		log_debug("classify: %s:%d set %s=\"%s\"", set->name, r->line,
			  field_names[a->field], v);
	}
	if (written)
		strbuf_printf(ev, ": %s (%s:%d)",
			      rules_expand(r->why, &cap, f, sets, out),
			      set->name, r->line);
	return written;
}

int classify_rules_apply(const struct classify_rules *const *sets,
			 const struct classify_facts *f, json_t *sys)
{
	unsigned decided = 0, all = (1u << F_COUNT) - 1;
	struct strbuf out, ev;
	const char *old;
	int written = 0;

	if (!json_is_object(sys))
		return 0;
	for (int i = 0; i < F_COUNT; i++)
		if (rules_field_set(sys, field_names[i]))
			decided |= 1u << i;
	strbuf_init(&out, RULE_VALUE_MAX * 2);
	strbuf_init(&ev, RULE_EVIDENCE_MAX);
	old = json_string_value(json_object_get(sys, "classification"));
	if (old && *old)
		strbuf_puts(&ev, old);
	for (size_t s = 0; sets[s] && decided != all; s++)
		for (size_t i = 0; i < sets[s]->n && decided != all; i++)
			written +=
				rules_run_one(sets[s], &sets[s]->v[i], f, sets,
					      sys, &decided, &out, &ev);
	if (written && ev.len)
		json_object_set_new(sys, "classification",
				    json_string(ev.data));
	strbuf_free(&out);
	strbuf_free(&ev);
	return written;
}
