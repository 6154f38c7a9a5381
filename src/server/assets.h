/*
 * assets: the web UI's static files (ui/, docs/ui.md), embedded in the
 * binary at build time by scripts/embed-ui.sh into a generated table, and
 * served by the HTTP server at "/" (the page) and under "/ui/" (its
 * scripts, styles and the pinned browser libraries).
 *
 * The files are looked up by exact path in that table — never on disk —
 * so no request can name anything else. Every UI reply carries a strict
 * Content-Security-Policy (scripts and styles only from this server, no
 * inline script, no eval, no framing) and an ETag so browsers revalidate
 * instead of downloading again. Data never reaches these files: the page
 * fetches it from the JSON API.
 */
#ifndef NC_ASSETS_H
#define NC_ASSETS_H

struct assets_file {
	const char *path; /* "/ui/app.js" */
	const char *data;
	unsigned long len;
	const char *etag; /* quoted, as sent in ETag */
};

/* The generated table (BUILD/gen/ui_assets.c). */
extern const struct assets_file assets_files[];
extern const int assets_nfiles;

#define ASSETS_INDEX "/ui/index.html"

/* The policy sent with every UI reply; img-src also names the map tile
 * server's origin (assets_set_map_origin). */
#define ASSETS_CSP_HEAD                                                        \
	"default-src 'none'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:"
#define ASSETS_CSP_TAIL                                                        \
	"; font-src 'self'; connect-src 'self'; "                              \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* Lets the pages load images (map tiles) from origin as well ("" for
 * none; checked by server_map_origin). Call once before serving. */
void assets_set_map_origin(const char *origin);

/* 1 when url belongs to the UI rather than the API: "/", "/index.html"
 * or anything under "/ui/". */
int assets_is_ui_path(const char *url);
/* The file that url names ("/" is the page), or NULL. */
const struct assets_file *assets_find(const char *url);
/* The Content-Type for path, from its extension. */
const char *assets_content_type(const char *path);
/* Answers a UI request on conn (a struct MHD_Connection): the file, 304
 * when if_none_match is its ETag, 404 or 405. Returns MHD's result (1 when
 * the reply was queued). */
int assets_serve(void *conn, const char *method, const char *url);

#endif
