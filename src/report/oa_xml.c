/*
 * oa_xml: Open-AudIT audit XML (audit_linux.sh, audit_windows.vbs,
 * audit_esxi.sh, ...) to a device report.
 *
 *   <system>
 *     <sys><hostname>web1</hostname>...</sys>          the device's fields
 *     <software><item><name>..</name>..</item></software>   one row per item
 *     <modems><modem>..</modem></modems>               any row tag
 *     <netstat><![CDATA[tcp 0 0 0.0.0.0:22 ...]]></netstat>  text, parsed
 *   </system>
 *
 * A field may hold elements one level deep (audit_linux.sh 5.x writes
 * <policy><item><options><name>..</name><value>..</value></options> and
 * <user><item><keys><key>..</key><key>..</key></keys>); such a field's
 * value is those elements as compact JSON text, in document order, a name
 * that repeats becoming an array: {"name":"PASS_MAX_DAYS","value":"99999"},
 * {"key":["ssh-ed25519 AAAA..","ssh-rsa AAAA.."]}. Deeper nesting is
 * refused.
 *
 * The document is read with SAX2 callbacks, so memory is the report being
 * built, not a DOM of the whole audit, every ceiling is checked as the
 * input arrives, and a 200 KB audit parses in well under a millisecond. The
 * input is hostile: no network, no DTD loading, no entity expansion (a document
 * with a DOCTYPE is refused outright), libxml2's size limits for huge nodes
 * left on. Errors name the line.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "core/log.h"
#include "core/util.h"
#include "report/report.h"
#include "report/report_int.h"
#include "report/sections.h"

/* Text directly inside a section (netstat's CDATA) may be long. */
#define OAXML_MAX_SECTION_TEXT (8u * 1024 * 1024)

/* audit_windows.vbs wrote <addresses><ip_address> rows with these names. */
static const struct {
	const char *from;
	const char *to;
} oaxml_vbs_ip[] = {
	{"net_mac_address", "mac"},	   {"ip_address_v4", "ip"},
	{"ip_address_v6", "ip"},	   {"ip_subnet", "netmask"},
	{"ip_address_version", "version"}, {NULL, NULL},
};

struct oaxml {
	xmlParserCtxtPtr ctxt;
	struct report_error *err;
	int failed;   /* err is set; the parser was stopped */
	int xml_line; /* first parser error, when xml_msg is set */
	char xml_msg[300];
	int depth; /* open elements; <system> is 1 */
	json_t *rep;
	json_t *sys;
	int seen_root, seen_sys, in_sys;
	json_t *rows; /* rows of the open section; NULL in sys */
	char section[72];
	json_t *row;	     /* the open row */
	char field[72];	     /* the open field; "" when none */
	struct strbuf text;  /* the open field's (or sub-element's) text */
	json_t *sub;	     /* the open field's elements, when it has any */
	char subfield[72];   /* the open element inside the field; "" */
	size_t sub_bytes;    /* text and names gathered in sub */
	struct strbuf stext; /* text directly inside the open section */
	size_t nsections;
	size_t nrows; /* in all sections, against the total ceiling */
};

static pthread_once_t oaxml_once = PTHREAD_ONCE_INIT;

static void oaxml_init(void)
{
	xmlInitParser();
}

static int oaxml_line(struct oaxml *x)
{
	return x->ctxt && x->ctxt->input ? x->ctxt->input->line : 0;
}

/* Every callback gets the parser context; our state hangs off _private. */
static struct oaxml *oaxml_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static void oaxml_stop(struct oaxml *x)
{
	x->failed = 1;
	xmlStopParser(x->ctxt);
}

static void oaxml_on_error(void *ctx, xmlErrorPtr e)
{
	struct oaxml *x = oaxml_of(ctx);
	const char *m;
	size_t n = 0;

	if (!e || e->level < XML_ERR_ERROR || x->xml_msg[0] || x->failed)
		return;
	x->xml_line = e->line;
	/* libxml2's message, on one line */
	for (m = e->message ? e->message : "not well-formed";
	     *m && n + 1 < sizeof(x->xml_msg); m++) {
		char c = (unsigned char)*m < 0x20 ? ' ' : *m;

		if (c != ' ' || (n && x->xml_msg[n - 1] != ' '))
			x->xml_msg[n++] = c;
	}
	while (n && x->xml_msg[n - 1] == ' ')
		n--;
	x->xml_msg[n] = '\0';
	if (!n)
		snprintf(x->xml_msg, sizeof(x->xml_msg), "not well-formed");
}

/* Copies a name that passed section_name_valid() (at most 64 bytes). */
static void oaxml_copy_name(char dst[72], const char *name)
{
	size_t n = strlen(name);

	memcpy(dst, name, n + 1);
}

/* Checks a tag used as a section or field name. */
static int oaxml_check_name(struct oaxml *x, const char *name, const char *what)
{
	char prefix[32];

	if (section_name_valid(name))
		return 0;
	snprintf(prefix, sizeof(prefix), "line %d: ", oaxml_line(x));
	report_fail_name(x->err, prefix, what, name);
	return -1;
}

static int oaxml_start_section(struct oaxml *x, const char *name)
{
	if (strcmp(name, "sys") == 0) {
		x->in_sys = 1;
		x->seen_sys = 1;
		return 0;
	}
	if (oaxml_check_name(x, name, "section") != 0)
		return -1;
	oaxml_copy_name(x->section, name);
	x->rows = json_object_get(x->rep, name);
	if (!x->rows) {
		if (++x->nsections > REPORT_MAX_SECTIONS) {
			report_fail(x->err,
				    "line %d: more than %d sections, the limit",
				    oaxml_line(x), REPORT_MAX_SECTIONS);
			return -1;
		}
		x->rows = json_array();
		json_object_set_new(x->rep, name, x->rows);
	} else if (!json_is_array(x->rows)) {
		report_fail(x->err, "line %d: <%s> is reserved, not a section",
			    oaxml_line(x), name);
		return -1;
	}
	x->stext.len = 0;
	return 0;
}

static int oaxml_start_field(struct oaxml *x, const char *name, json_t *obj)
{
	if (oaxml_check_name(x, name, "field") != 0)
		return -1;
	if (json_object_size(obj) >= REPORT_MAX_FIELDS &&
	    !json_object_get(obj, name)) {
		report_fail(x->err,
			    "line %d: more than %d fields in one %s, the limit",
			    oaxml_line(x), REPORT_MAX_FIELDS,
			    x->in_sys ? "sys" : "row");
		return -1;
	}
	oaxml_copy_name(x->field, name);
	x->text.len = 0;
	return 0;
}

/* Depth of the open field's element: <sys> fields sit one level higher
 * than the fields of a row. */
static int oaxml_field_depth(const struct oaxml *x)
{
	return x->in_sys ? 3 : 4;
}

/* An element inside the open field, e.g. <options><name>. */
static int oaxml_start_sub(struct oaxml *x, const char *name)
{
	if (oaxml_check_name(x, name, "element") != 0)
		return -1;
	if (!x->sub) {
		x->sub = json_object();
		x->sub_bytes = 0;
	}
	oaxml_copy_name(x->subfield, name);
	x->text.len = 0; /* the field's own text is layout around them */
	return 0;
}

/* Adds the closed sub-element's text to x->sub; a repeated name becomes
 * an array. */
static int oaxml_end_sub(struct oaxml *x)
{
	json_t *s = json_stringn(x->text.len ? x->text.data : "", x->text.len);
	json_t *old;

	x->sub_bytes += x->text.len + strlen(x->subfield) + 8;
	if (!s) {
		report_fail(x->err,
			    "line %d: field %s.%s: not valid UTF-8 text",
			    oaxml_line(x), x->field, x->subfield);
		return -1;
	}
	if (x->sub_bytes > REPORT_MAX_FIELD) {
		report_fail(x->err,
			    "line %d: field %s: its elements hold more than "
			    "%u bytes, the limit",
			    oaxml_line(x), x->field, REPORT_MAX_FIELD);
		json_decref(s);
		return -1;
	}
	old = json_object_get(x->sub, x->subfield);
	if (json_is_array(old)) {
		json_array_append_new(old, s);
	} else if (old) {
		json_t *a = json_array();

		json_array_append(a, old);
		json_array_append_new(a, s);
		json_object_set_new_nocheck(x->sub, x->subfield, a);
	} else {
		json_object_set_new_nocheck(x->sub, x->subfield, s);
	}
	x->subfield[0] = '\0';
	x->text.len = 0;
	return 0;
}

/* The open field's value: its text, or its elements as JSON text. */
static json_t *oaxml_field_value(struct oaxml *x)
{
	char *dump;
	json_t *s;

	if (!x->sub)
		return json_stringn(x->text.len ? x->text.data : "",
				    x->text.len);
	dump = json_dumps(x->sub, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(x->sub);
	x->sub = NULL;
	s = dump ? json_string(dump) : NULL;
	free(dump);
	return s;
}

static int oaxml_end_field(struct oaxml *x, json_t *obj)
{
	json_t *s = oaxml_field_value(x);

	if (!s) {
		report_fail(x->err, "line %d: field %s: not valid UTF-8 text",
			    oaxml_line(x), x->field);
		return -1;
	}
	json_object_set_new_nocheck(obj, x->field, s);
	x->field[0] = '\0';
	return 0;
}

/* An <addresses><ip_address> row from audit_windows.vbs to an ip row. */
static void oaxml_map_vbs_ip(json_t *row)
{
	size_t i;

	for (i = 0; oaxml_vbs_ip[i].from; i++) {
		json_t *v = json_object_get(row, oaxml_vbs_ip[i].from);
		const char *s = json_string_value(v);
		const char *to = oaxml_vbs_ip[i].to;
		json_t *old;

		if (!v)
			continue;
		/* IPv6 rows carry a prefix length, not a mask. */
		if (strcmp(to, "netmask") == 0 && s && *s &&
		    strspn(s, "0123456789") == strlen(s))
			to = "cidr";
		old = json_object_get(row, to);
		if (s && *s && (!old || json_string_length(old) == 0))
			json_object_set(row, to, v);
		json_object_del(row, oaxml_vbs_ip[i].from);
	}
}

static int oaxml_end_row(struct oaxml *x)
{
	if (json_object_size(x->row)) {
		const struct report_limits *lim = report_limits();

		if (json_array_size(x->rows) >= lim->max_rows) {
			report_fail(x->err,
				    "line %d: section %s: more than %zu rows, "
				    "the limit (NETCENSUS_REPORT_MAX_ROWS)",
				    oaxml_line(x), x->section, lim->max_rows);
			return -1;
		}
		if (++x->nrows > lim->max_total_rows) {
			report_fail(x->err,
				    "line %d: more than %zu rows in the "
				    "report, the limit "
				    "(NETCENSUS_REPORT_MAX_TOTAL_ROWS)",
				    oaxml_line(x), lim->max_total_rows);
			return -1;
		}
		if (strcmp(x->section, "addresses") == 0)
			oaxml_map_vbs_ip(x->row);
		json_array_append(x->rows, x->row);
	}
	json_decref(x->row);
	x->row = NULL;
	return 0;
}

static void oaxml_end_section(struct oaxml *x)
{
	size_t blank = strspn(x->stext.len ? x->stext.data : "", " \t\r\n");

	if (x->in_sys) {
		x->in_sys = 0;
		return;
	}
	if (blank < x->stext.len) {
		if (strcmp(x->section, "netstat") == 0)
			report_netstat_parse(x->stext.data, x->stext.len,
					     x->rows);
		else
			log_debug("report: section %s holds text, not rows; "
				  "ignored",
				  x->section);
	}
	x->stext.len = 0;
	x->rows = NULL;
	x->section[0] = '\0';
}

static int oaxml_element(struct oaxml *x, int depth, const char *name)
{
	if (depth == 1) {
		if (strcmp(name, "system") != 0) {
			char q[80];

			report_quote(name, q, sizeof(q));
			report_fail(x->err,
				    "line %d: the root element is <%s>; an "
				    "Open-AudIT audit is a <system> document",
				    oaxml_line(x), q);
			return -1;
		}
		x->seen_root = 1;
		return 0;
	}
	if (depth == 2)
		return oaxml_start_section(x, name);
	if (depth == 3 && x->in_sys)
		return oaxml_start_field(x, name, x->sys);
	if (depth == 3) {
		x->row = json_object();
		return 0;
	}
	if (depth == 4 && !x->in_sys)
		return oaxml_start_field(x, name, x->row);
	if (depth == oaxml_field_depth(x) + 1 && x->field[0] && !x->subfield[0])
		return oaxml_start_sub(x, name);
	report_fail(x->err,
		    "line %d: element <%s> inside %s%s%s: fields hold text or "
		    "elements of text, nothing deeper",
		    oaxml_line(x), name, x->field[0] ? x->field : "?",
		    x->subfield[0] ? "." : "", x->subfield);
	return -1;
}

static int oaxml_end_element(struct oaxml *x, int depth)
{
	if (x->subfield[0] && depth == oaxml_field_depth(x) + 1)
		return oaxml_end_sub(x);
	if (depth == 2)
		oaxml_end_section(x);
	else if (depth == 3 && x->in_sys)
		return oaxml_end_field(x, x->sys);
	else if (depth == 3)
		return oaxml_end_row(x);
	else if (depth == 4)
		return oaxml_end_field(x, x->row);
	return 0;
}

static int oaxml_text(struct oaxml *x, const char *s, size_t n)
{
	int depth = x->depth;

	if (depth == 2 && x->rows && !x->row) {
		if (strbuf_append(&x->stext, s, n) != 0) {
			report_fail(x->err,
				    "line %d: section %s: more than %u bytes "
				    "of text, the limit",
				    oaxml_line(x), x->section,
				    OAXML_MAX_SECTION_TEXT);
			return -1;
		}
		return 0;
	}
	if (!x->field[0])
		return 0;
	if (x->subfield[0] ? depth != oaxml_field_depth(x) + 1
			   : x->sub || !((depth == 3 && x->in_sys) ||
					 (depth == 4 && x->row)))
		return 0; /* layout between a field's elements */
	if (strbuf_append(&x->text, s, n) != 0) {
		if (x->in_sys)
			report_fail(x->err,
				    "field sys.%s: more than %u bytes, the "
				    "limit (line %d)",
				    x->field, REPORT_MAX_FIELD, oaxml_line(x));
		else
			report_fail(x->err,
				    "field %s[%zu].%s: more than %u bytes, the "
				    "limit (line %d)",
				    x->section, json_array_size(x->rows),
				    x->field, REPORT_MAX_FIELD, oaxml_line(x));
		return -1;
	}
	return 0;
}

/* ---- SAX2 callbacks ---- */

static void oaxml_sax_start(void *ctx, const xmlChar *localname,
			    const xmlChar *prefix, const xmlChar *uri,
			    int nb_namespaces, const xmlChar **namespaces,
			    int nb_attributes, int nb_defaulted,
			    const xmlChar **attributes)
{
	struct oaxml *x = oaxml_of(ctx);

	if (x->failed)
		return;
	x->depth++;
	if (oaxml_element(x, x->depth, (const char *)localname) != 0)
		oaxml_stop(x);
}

static void oaxml_sax_end(void *ctx, const xmlChar *localname,
			  const xmlChar *prefix, const xmlChar *uri)
{
	struct oaxml *x = oaxml_of(ctx);

	if (x->failed)
		return;
	if (oaxml_end_element(x, x->depth) != 0)
		oaxml_stop(x);
	x->depth--;
}

static void oaxml_sax_text(void *ctx, const xmlChar *s, int len)
{
	struct oaxml *x = oaxml_of(ctx);

	if (x->failed || len <= 0)
		return;
	if (oaxml_text(x, (const char *)s, (size_t)len) != 0)
		oaxml_stop(x);
}

/* A DOCTYPE is where entities (XXE, billion laughs) come from; audits
 * never carry one, so the document is refused before its subset is read. */
static void oaxml_sax_doctype(void *ctx, const xmlChar *name,
			      const xmlChar *external_id,
			      const xmlChar *system_id)
{
	struct oaxml *x = oaxml_of(ctx);

	if (x->failed)
		return;
	report_fail(x->err,
		    "line %d: a DOCTYPE is not accepted in an audit (no DTDs "
		    "or entities); remove it",
		    oaxml_line(x));
	oaxml_stop(x);
}

static void oaxml_sax_handler(xmlSAXHandler *h)
{
	memset(h, 0, sizeof(*h));
	h->initialized = XML_SAX2_MAGIC;
	h->startElementNs = oaxml_sax_start;
	h->endElementNs = oaxml_sax_end;
	h->characters = oaxml_sax_text;
	h->cdataBlock = oaxml_sax_text;
	h->internalSubset = oaxml_sax_doctype;
	h->serror = oaxml_on_error;
	/* no getEntity, entityDecl, resolveEntity, externalSubset or
	 * reference: nothing a document declares is ever looked up. */
}

json_t *report_from_oa_xml(const char *buf, size_t len,
			   struct report_error *err)
{
	struct oaxml x;
	json_t *rep = NULL;

	memset(&x, 0, sizeof(x));
	x.err = err;
	strbuf_init(&x.text, REPORT_MAX_FIELD);
	strbuf_init(&x.stext, OAXML_MAX_SECTION_TEXT);
	if (!buf || len > report_limits()->max_bytes) {
		report_fail(err,
			    "input is %zu bytes, the limit is %zu "
			    "(NETCENSUS_REPORT_MAX_BYTES)",
			    len, report_limits()->max_bytes);
		goto fail;
	}
	pthread_once(&oaxml_once, oaxml_init);
	x.ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!x.ctxt) {
		report_fail(err, "could not start the XML parser");
		goto fail;
	}
	oaxml_sax_handler(x.ctxt->sax);
	x.ctxt->_private = &x;
	xmlCtxtUseOptions(x.ctxt, XML_PARSE_NONET);
	/* whatever process-wide defaults say: no DTD, no substitution */
	x.ctxt->replaceEntities = 0;
	x.ctxt->loadsubset = 0;
	x.ctxt->validate = 0;
	x.rep = json_object();
	/* placeholders, so that a dump reads version, source, sys, ... */
	json_object_set_new(x.rep, "report_version", json_integer(0));
	json_object_set_new(x.rep, "source", json_object());
	x.sys = json_object();
	json_object_set_new(x.rep, "sys", x.sys);
	xmlParseDocument(x.ctxt);
	if (x.failed)
		goto fail;
	if (!x.ctxt->wellFormed || x.xml_msg[0]) {
		if (x.xml_msg[0])
			report_fail(err, "line %d: %s", x.xml_line, x.xml_msg);
		else
			report_fail(err, "line %d: not well-formed XML",
				    oaxml_line(&x));
		goto fail;
	}
	if (!x.seen_root) {
		report_fail(err, "no root element; an Open-AudIT audit is a "
				 "<system> document");
		goto fail;
	}
	if (!x.seen_sys) {
		report_fail(err, "no <sys> section: an Open-AudIT audit "
				 "describes its device in <system><sys>");
		goto fail;
	}
	report_set_source(x.rep, x.sys, report_format_name(REPORT_FMT_OA_XML));
	if (report_validate(x.rep, err) != 0)
		goto fail;
	rep = x.rep;
	x.rep = NULL;
fail:
	json_decref(x.sub);
	json_decref(x.row);
	json_decref(x.rep);
	if (x.ctxt) {
		/* libxml2 makes a document of its own to hold the entities of
		 * a DOCTYPE it could not hand to internalSubset (one without
		 * a name); it is ours to free. */
		if (x.ctxt->myDoc)
			xmlFreeDoc(x.ctxt->myDoc);
		x.ctxt->myDoc = NULL;
		xmlFreeParserCtxt(x.ctxt);
	}
	strbuf_free(&x.text);
	strbuf_free(&x.stext);
	return rep;
}
