/*
 * idents: the SNMP identity objects (data/snmp-identity.txt), the one
 * table that says which objects SNMP discovery asks a device about itself
 * and what each answer gives (model, manufacturer, serial, firmware or a
 * fact for the rules). The SNMP probe asks for the lines whose ASKED-OF
 * list holds the device's enterprise; classification takes the first
 * answered model and manufacturer in the file's order. Parsed once, kept
 * until exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "core/log.h"
#include "core/util.h"

#define IDENT_LINE_MAX 512

/* data/snmp-identity.txt and the lines scripts/mib-identity.py generated
 * from the makers' MIBs, data/snmp-identity-mibs.txt, embedded by the
 * Makefile (scripts/embed.sh). */
extern const char embed_snmp_identity_txt[];
extern const unsigned long embed_snmp_identity_txt_len;
extern const char embed_snmp_identity_mibs_txt[];
extern const unsigned long embed_snmp_identity_mibs_txt_len;

struct classify_idents {
	struct classify_ident *v;
	size_t n, cap;
};

static const char *const gives_names[] = {
	[IDENT_FACT] = "-",
	[IDENT_MODEL] = "model",
	[IDENT_MANUFACTURER] = "manufacturer",
	[IDENT_SERIAL] = "serial",
	[IDENT_FIRMWARE] = "firmware",
};

/* "1.3.6.1..." into arcs; 0, or -1 when not a dotted number. */
static int idents_parse_oid(const char *s, struct classify_ident *d)
{
	long arc;
	char *end;

	d->oidlen = 0;
	while (*s) {
		if (*s < '0' || *s > '9' || d->oidlen == CLASSIFY_IDENT_OID_MAX)
			return -1;
		arc = strtol(s, &end, 10);
		if (arc < 0 || arc > 4294967295L || (*end && *end != '.') ||
		    (*end == '.' && !end[1]))
			return -1;
		d->oid[d->oidlen++] = (unsigned long)arc;
		s = *end ? end + 1 : end;
	}
	return d->oidlen >= 2 ? 0 : -1;
}

/* "*", or "N,N,-": 0, or -1 when neither. */
static int idents_parse_gates(char *s, struct classify_ident *d)
{
	char *save = NULL, *tok;
	long n;

	if (strcmp(s, "*") == 0) {
		d->any = 1;
		return 0;
	}
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "-") == 0) {
			d->no_oid = 1;
			continue;
		}
		if (d->ngates == CLASSIFY_IDENT_GATES_MAX ||
		    util_parse_long(tok, 0, 4294967295L, &n) < 0)
			return -1;
		d->gates[d->ngates++] = (unsigned long)n;
	}
	return d->ngates || d->no_oid ? 0 : -1;
}

static int idents_parse_gives(const char *s, struct classify_ident *d)
{
	for (size_t i = 0; i < sizeof(gives_names) / sizeof(*gives_names); i++)
		if (strcmp(s, gives_names[i]) == 0) {
			d->gives = (enum classify_ident_gives)i;
			return 0;
		}
	return -1;
}

/* One line "ASKED-OF FIELD OID MIB GIVES" (tabs or spaces). */
static int idents_parse_line(char *line, struct classify_ident *d,
			     const char **why)
{
	char *col[5], *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == 5) {
			*why = "more than 5 columns";
			return -1;
		}
		col[n++] = t;
	}
	if (n != 5) {
		*why = "not ASKED-OF FIELD OID MIB GIVES";
		return -1;
	}
	memset(d, 0, sizeof(*d));
	if (idents_parse_gates(col[0], d) < 0) {
		*why = "ASKED-OF is not \"*\" or enterprise numbers and \"-\"";
		return -1;
	}
	if (idents_parse_oid(col[2], d) < 0) {
		*why = "OID is not a dotted number";
		return -1;
	}
	if (idents_parse_gives(col[4], d) < 0) {
		*why = "GIVES is not model, manufacturer, serial, firmware "
		       "or -";
		return -1;
	}
	d->field = xstrdup(col[1]);
	d->mib = strcmp(col[3], "-") == 0 ? NULL : xstrdup(col[3]);
	return 0;
}

struct classify_idents *classify_idents_parse(const char *text, size_t len,
					      const char *name,
					      struct classify_error *err)
{
	struct classify_idents *t = xcalloc(1, sizeof(*t));
	const char *p = text, *end = text + len;
	char line[IDENT_LINE_MAX + 1];
	int lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		const char *why = NULL;
		struct classify_ident d;
		char *s;

		lineno++;
		if (l > IDENT_LINE_MAX) {
			why = "line too long";
			goto bad;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		p += l + (eol ? 1 : 0);
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (!*s || *s == '#' || *s == '\r')
			continue;
		s[strcspn(s, "\r")] = '\0';
		if (idents_parse_line(s, &d, &why) < 0)
			goto bad;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		t->v[t->n++] = d;
		continue;
	bad:
		snprintf(err->msg, sizeof(err->msg), "%s:%d: %s", name, lineno,
			 why);
		classify_idents_free(t);
		return NULL;
	}
	return t;
}

void classify_idents_free(struct classify_idents *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].field);
		free(t->v[i].mib);
	}
	free(t->v);
	free(t);
}

const struct classify_ident *
classify_idents_list(const struct classify_idents *t, size_t *n)
{
	*n = t ? t->n : 0;
	return t ? t->v : NULL;
}

int classify_ident_asked(const struct classify_ident *d, const char *oid)
{
	static const char base[] = "1.3.6.1.4.1.";
	unsigned long num = 0;
	int digits = 0;

	if (d->any)
		return 1;
	if (oid && *oid == '.')
		oid++;
	if (!oid || !*oid)
		return d->no_oid;
	if (strncmp(oid, base, sizeof(base) - 1) != 0)
		return 0;
	for (oid += sizeof(base) - 1; *oid >= '0' && *oid <= '9'; oid++) {
		if (++digits > 10)
			return 0;
		num = num * 10 + (unsigned long)(*oid - '0');
	}
	if (!digits || (*oid && *oid != '.'))
		return 0;
	for (size_t i = 0; i < d->ngates; i++)
		if (d->gates[i] == num)
			return 1;
	return 0;
}

static pthread_once_t idents_once = PTHREAD_ONCE_INIT;
static struct classify_idents *idents_builtin;

/* Moves every line of src to the end of dst; frees src. */
static void idents_append(struct classify_idents *dst,
			  struct classify_idents *src)
{
	if (dst->n + src->n > dst->cap) {
		dst->cap = dst->n + src->n;
		dst->v = xrealloc(dst->v, dst->cap * sizeof(*dst->v));
	}
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	free(src->v);
	free(src);
}

/* The hand-written table first (its model and manufacturer lines win),
 * then the generated one. */
static void idents_load(void)
{
	struct classify_error err;
	struct classify_idents *gen;

	idents_builtin = classify_idents_parse(
		embed_snmp_identity_txt, (size_t)embed_snmp_identity_txt_len,
		"snmp-identity.txt", &err);
	if (!idents_builtin) {
		log_err("built-in %s", err.msg);
		return;
	}
	gen = classify_idents_parse(embed_snmp_identity_mibs_txt,
				    (size_t)embed_snmp_identity_mibs_txt_len,
				    "snmp-identity-mibs.txt", &err);
	if (!gen) {
		log_err("built-in %s", err.msg);
		return;
	}
	idents_append(idents_builtin, gen);
}

const struct classify_idents *classify_idents(void)
{
	pthread_once(&idents_once, idents_load);
	return idents_builtin;
}

const char *classify_ident_first(const json_t *sys,
				 enum classify_ident_gives gives,
				 const struct classify_ident **from)
{
	size_t n;
	const struct classify_ident *v =
		classify_idents_list(classify_idents(), &n);

	for (size_t i = 0; i < n; i++) {
		const char *s;

		if (v[i].gives != gives)
			continue;
		s = json_string_value(json_object_get(sys, v[i].field));
		while (s && (*s == ' ' || *s == '\t'))
			s++;
		if (!s || !*s)
			continue;
		if (from)
			*from = &v[i];
		return s;
	}
	return NULL;
}
