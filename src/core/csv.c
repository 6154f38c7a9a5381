#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

static void csv_cell(struct strbuf *sb, json_t *v)
{
	char num[32];
	const char *s = "", *p;
	char *dumped = NULL;

	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		s = num;
	} else if (json_is_object(v) || json_is_array(v))
		s = dumped = json_dumps(v, JSON_COMPACT);
	else if (json_is_true(v))
		s = "true";
	else if (json_is_false(v))
		s = "false";
	if (!s)
		s = "";
	strbuf_puts(sb, "\"");
	if (strchr("=+-@\t\r", s[0]) && s[0])
		strbuf_puts(sb, "'");
	for (p = s; *p; p++)
		strbuf_append(sb, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	strbuf_puts(sb, "\"");
	free(dumped);
}

void csv_append_rows(struct strbuf *sb, json_t *rows, json_t *columns)
{
	json_t *row, *col, *cols = columns;
	const char *k;
	void *tmp;
	size_t i, j;

	if (!cols) {
		cols = json_array();
		json_object_foreach_safe(json_array_get(rows, 0), tmp, k, col)
			json_array_append_new(cols, json_string(k));
	}
	json_array_foreach(cols, j, col) {
		strbuf_puts(sb, j ? "," : "");
		csv_cell(sb, col);
	}
	strbuf_puts(sb, "\r\n");
	json_array_foreach(rows, i, row) {
		json_array_foreach(cols, j, col) {
			strbuf_puts(sb, j ? "," : "");
			csv_cell(sb,
				 json_object_get(row, json_string_value(col)));
		}
		strbuf_puts(sb, "\r\n");
	}
	if (cols != columns)
		json_decref(cols);
}
