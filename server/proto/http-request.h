/* HTTP/1.1 for a static-file server, the pure part: where a request head ends,
 * what it asks for (RFC 9112 request line and header fields, parsed by libsoup-3's
 * soup_headers_parse_request), which bytes of a file answer it (RFC 9110 §14
 * Range) and the response head (status line and fields). No sockets, no files:
 * server/io/http-server.c is the shell around it. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A head longer than this is answered 431 (RFC 6585 §5) and the connection closed. */
#define BC_HTTP_HEAD_MAX 16384
/* libsoup 3.2 has no name (and no phrase) for it. */
#define BC_HTTP_STATUS_HEADER_FIELDS_TOO_LARGE 431

/* The reason phrase for @status (libsoup's, and 431's). */
const char *bc_http_status_phrase (guint status);

/* The length of the request head at the start of @buf: up to and including the
 * empty line that ends it ("\r\n\r\n", or bare "\n" line ends, which RFC 9112 §2.2
 * lets a recipient accept). Empty lines before the request line are skipped (RFC
 * 9112 §2.2) and count into the length. 0: not complete yet. */
gsize bc_http_head_length (const guint8 *buf, gsize len);

typedef struct
{
  char *method;       /* NULL when the request line could not be parsed */
  char *target;       /* request-target as sent (NULL likewise) */
  char *encoded_path; /* its path, still %-encoded, no query: what the event log shows */
  char *path;         /* decoded: what is looked up under the root */
  SoupHTTPVersion version;
  SoupMessageHeaders *headers;
  gboolean keep_alive; /* the client lets the connection stay open (RFC 9112 §9.3) */
  gboolean has_body;   /* Content-Length > 0 or Transfer-Encoding: a body follows */
} BcHttpRequest;

/* Parses a complete head (@len bytes, see bc_http_head_length). Returns
 * SOUP_STATUS_OK, or the status to answer: 400 (malformed request line, a NUL, a
 * target that is neither origin-form nor absolute-form http(s), a path with "%2F",
 * "%00" or a broken escape), 505 (not HTTP/1.x), 417 (an Expect we do not know).
 * @req is filled as far as parsing got; free it with bc_http_request_clear. */
guint bc_http_request_parse (const char *head, gsize len, BcHttpRequest *req);
void bc_http_request_clear (BcHttpRequest *req);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BcHttpRequest, bc_http_request_clear)

/* The part of a @size-byte file that answers @headers' Range (RFC 9110 §14):
 *  - 200: no Range, or one that is not "bytes=", or several ranges (the whole file
 *    may be sent instead, §14.2); *start = 0, *end = size;
 *  - 206: one satisfiable range, clamped to the file: [*start, *end);
 *  - 416: none of it satisfiable (a first byte at or past the end, §14.1.1). */
guint bc_http_plan_range (SoupMessageHeaders *headers, goffset size, goffset *start, goffset *end);

/* Content-Type by file suffix; boot files (kernels, initrds, .efi, .kpxe) get
 * application/octet-stream, which is what iPXE and EDK2's HTTP boot expect. */
const char *bc_http_content_type (const char *path);

/* RFC 9110 §5.6.7 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", into @buf (at
 * least 30 bytes). By hand: strftime's %a and %b follow the locale. FALSE for a
 * year outside 0..9999. */
gboolean bc_http_format_date (gint64 unix_time, char *buf, gsize size);

typedef struct
{
  guint status;
  const char *date;          /* IMF-fixdate, NULL: no Date field */
  const char *content_type;  /* NULL: none */
  goffset content_length;    /* always sent; for HEAD, that of the GET */
  const char *last_modified; /* NULL: none */
  gboolean accept_ranges;    /* "Accept-Ranges: bytes" */
  goffset range_start;       /* 206: Content-Range bytes start-(end-1)/size */
  goffset range_end;
  goffset complete_length; /* 206, and 416 ("bytes * /size"): the file's size; -1 none */
  gboolean allow;          /* 405: "Allow: GET, HEAD" */
  gboolean close;          /* "Connection: close" */
  gboolean keep_alive_10;  /* an HTTP/1.0 client asked for keep-alive: say yes */
} BcHttpResponseHead;

/* Appends the status line and fields of @head, and the empty line, to @out. */
void bc_http_append_response_head (GString *out, const BcHttpResponseHead *head);

G_END_DECLS
