/*
 * Serving the embedded UI files (assets.h) through libmicrohttpd, with
 * their own headers: the API's replies are JSON with no-store, these are
 * static files with a Content-Security-Policy and revalidation by ETag.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "core/log.h"
#include "server/assets.h"

static char assets_csp[1024] = ASSETS_CSP_HEAD ASSETS_CSP_TAIL;

void assets_set_map_origin(const char *origin)
{
	snprintf(assets_csp, sizeof(assets_csp), "%s%s%s%s", ASSETS_CSP_HEAD,
		 *origin ? " " : "", origin, ASSETS_CSP_TAIL);
}

int assets_is_ui_path(const char *url)
{
	return !strcmp(url, "/") || !strcmp(url, "/index.html") ||
	       !strncmp(url, "/ui/", 4) || !strcmp(url, "/ui");
}

const struct assets_file *assets_find(const char *url)
{
	int i;

	if (!strcmp(url, "/") || !strcmp(url, "/index.html") ||
	    !strcmp(url, "/ui") || !strcmp(url, "/ui/"))
		url = ASSETS_INDEX;
	for (i = 0; i < assets_nfiles; i++)
		if (!strcmp(assets_files[i].path, url))
			return &assets_files[i];
	return NULL;
}

const char *assets_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".json", "application/json"},
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Queues status with body (static or a short text) and the UI headers. */
static int assets_queue(struct MHD_Connection *conn, unsigned status,
			const char *type, const char *body, size_t len,
			const char *etag, const char *allow)
{
	struct MHD_Response *resp;
	int ret;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Content-Security-Policy", assets_csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (etag)
		MHD_add_response_header(resp, "ETag", etag);
	if (allow)
		MHD_add_response_header(resp, "Allow", allow);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int assets_serve(void *connp, const char *method, const char *url)
{
	static const char not_found[] = "no such UI file\n";
	static const char bad_method[] = "only GET and HEAD are allowed here\n";
	struct MHD_Connection *conn = connp;
	const struct assets_file *f;
	const char *inm;
	unsigned status;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		log_info("%s %s 405", method, url);
		return assets_queue(conn, 405, "text/plain; charset=utf-8",
				    bad_method, sizeof(bad_method) - 1, NULL,
				    "GET, HEAD");
	}
	f = assets_find(url);
	if (!f) {
		log_info("%s %s 404", method, url);
		return assets_queue(conn, 404, "text/plain; charset=utf-8",
				    not_found, sizeof(not_found) - 1, NULL,
				    NULL);
	}
	inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  "If-None-Match");
	status = inm && !strcmp(inm, f->etag) ? 304 : 200;
	log_info("%s %s %u %lu", method, url, status,
		 status == 200 ? f->len : 0);
	return assets_queue(conn, status, assets_content_type(f->path), f->data,
			    status == 200 ? f->len : 0, f->etag, NULL);
}
