/* HTTP/1.1 request heads, ranges and response heads. See http-request.h. */
#include "server/proto/http-request.h"

#include <string.h>
#include <time.h>

gsize
bc_http_head_length (const guint8 *buf, gsize len)
{
  gsize i = 0;

  while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
    i++;
  while (i < len)
    {
      const guint8 *nl = memchr (buf + i, '\n', len - i);
      gsize after;

      if (nl == NULL)
        return 0;
      after = (gsize)(nl - buf) + 1;
      if (after < len && buf[after] == '\n')
        return after + 1;
      if (after + 1 < len && buf[after] == '\r' && buf[after + 1] == '\n')
        return after + 2;
      if (after + 1 >= len)
        return 0; /* the next line has not arrived (or only its '\r') */
      i = after;
    }
  return 0;
}

/* The path of an origin-form ("/a/b?q") or absolute-form ("http://host/a/b", RFC
 * 9112 §3.2.2: a server must accept it) target, query and fragment cut off, still
 * %-encoded; NULL for other forms ("*", authority-form, anything else). */
static char *
target_path (const char *target)
{
  const char *p = target;

  if (*p != '/')
    {
      if (g_ascii_strncasecmp (p, "http://", 7) == 0)
        p += 7;
      else if (g_ascii_strncasecmp (p, "https://", 8) == 0)
        p += 8;
      else
        return NULL;
      p += strcspn (p, "/?#");
      if (*p != '/')
        return g_strdup ("/");
    }
  return g_strndup (p, strcspn (p, "?#"));
}

static gboolean
is_decimal (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

guint
bc_http_request_parse (const char *head, gsize len, BcHttpRequest *req)
{
  const char *length;
  gsize body_start = len;
  guint status;

  memset (req, 0, sizeof *req);
  req->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  /* libsoup wants the head without its final empty line, and NUL-free (it asserts
   * on a NUL in the first byte). */
  if (len >= 2 && head[len - 1] == '\n' && head[len - 2] == '\n')
    body_start = len - 1;
  else if (len >= 3 && head[len - 1] == '\n' && head[len - 2] == '\r' && head[len - 3] == '\n')
    body_start = len - 2;
  if (len == 0 || len > BC_HTTP_HEAD_MAX || memchr (head, '\0', len) != NULL)
    return SOUP_STATUS_BAD_REQUEST;
  status = soup_headers_parse_request (head, (int)body_start, req->headers, &req->method,
                                       &req->target, &req->version);
  if (status != SOUP_STATUS_OK)
    return status;

  /* RFC 9112 §9.3: HTTP/1.1 stays open unless "close"; 1.0 only on "keep-alive". */
  if (soup_message_headers_header_contains (req->headers, "Connection", "close"))
    req->keep_alive = FALSE;
  else if (req->version == SOUP_HTTP_1_1)
    req->keep_alive = TRUE;
  else
    req->keep_alive
        = soup_message_headers_header_contains (req->headers, "Connection", "keep-alive");

  /* RFC 9112 §6.3: an invalid Content-Length is an unrecoverable framing error. */
  length = soup_message_headers_get_one (req->headers, "Content-Length");
  if (length != NULL && !is_decimal (length))
    return SOUP_STATUS_BAD_REQUEST;
  req->has_body = soup_message_headers_get_one (req->headers, "Transfer-Encoding") != NULL
                  || (length != NULL && length[strspn (length, "0")] != '\0');

  req->encoded_path = target_path (req->target);
  if (req->encoded_path == NULL)
    return SOUP_STATUS_BAD_REQUEST;
  /* "%2F" and "%00" cannot name a file under the root: g_uri_unescape_string
   * refuses them, and broken escapes, with NULL. */
  req->path = g_uri_unescape_string (req->encoded_path, "/");
  if (req->path == NULL)
    return SOUP_STATUS_BAD_REQUEST;
  return SOUP_STATUS_OK;
}

void
bc_http_request_clear (BcHttpRequest *req)
{
  g_clear_pointer (&req->method, g_free);
  g_clear_pointer (&req->target, g_free);
  g_clear_pointer (&req->encoded_path, g_free);
  g_clear_pointer (&req->path, g_free);
  g_clear_pointer (&req->headers, soup_message_headers_unref);
}

guint
bc_http_plan_range (SoupMessageHeaders *headers, goffset size, goffset *start, goffset *end)
{
  SoupRange *ranges = NULL;
  int n = 0;
  gboolean ok;
  guint status = SOUP_STATUS_OK;

  *start = 0;
  *end = size;
  /* A Range that is not a byte range (RFC 9110 §14.2: "bytes=") is ignored, and
   * an empty file has no byte to range over. */
  if (!g_str_has_prefix (soup_message_headers_get_one (headers, "Range") ?: "", "bytes=")
      || size <= 0)
    return SOUP_STATUS_OK;
  ok = soup_message_headers_get_ranges (headers, size, &ranges, &n);
  /* libsoup 3.2 returns ranges past the end as they were asked: check them here
   * (RFC 9110 §14.1.1: a first-byte-pos at or past the length is unsatisfiable). */
  for (int i = 0; ok && i < n; i++)
    if (ranges[i].start < 0 || ranges[i].start >= size || ranges[i].end < ranges[i].start)
      ok = FALSE;
    else if (ranges[i].end >= size)
      ranges[i].end = size - 1;
  if (!ok)
    status = SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE;
  else if (n == 1)
    {
      /* One range is honoured (iPXE and curl --range send one); several are
       * answered with the whole file, which RFC 9110 §14.2 allows. */
      status = SOUP_STATUS_PARTIAL_CONTENT;
      *start = ranges[0].start;
      *end = ranges[0].end + 1;
    }
  if (ranges != NULL)
    soup_message_headers_free_ranges (headers, ranges);
  return status;
}

static const struct
{
  const char *suffix, *type;
} content_types[] = {
  { ".ipxe", "text/plain; charset=utf-8" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".cfg", "text/plain; charset=utf-8" },
  { ".conf", "text/plain; charset=utf-8" },
  { ".sh", "text/plain; charset=utf-8" },
  { ".html", "text/html; charset=utf-8" },
  { ".json", "application/json" },
  { ".xml", "application/xml" },
  { ".iso", "application/x-iso9660-image" },
  { ".gz", "application/gzip" },
  { ".xz", "application/x-xz" },
  { ".zst", "application/zstd" },
  { ".cpio", "application/x-cpio" },
};

const char *
bc_http_content_type (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (path, content_types[i].suffix))
      return content_types[i].type;
  return "application/octet-stream";
}

gboolean
bc_http_format_date (gint64 unix_time, char *buf, gsize size)
{
  static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char months[12][4]
      = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  time_t t = (time_t)unix_time;
  struct tm tm;

  if ((gint64)t != unix_time || gmtime_r (&t, &tm) == NULL || tm.tm_year + 1900 > 9999
      || tm.tm_year + 1900 < 0)
    return FALSE;
  g_snprintf (buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
              months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return TRUE;
}

const char *
bc_http_status_phrase (guint status)
{
  if (status == BC_HTTP_STATUS_HEADER_FIELDS_TOO_LARGE)
    return "Request Header Fields Too Large";
  return soup_status_get_phrase (status);
}

void
bc_http_append_response_head (GString *out, const BcHttpResponseHead *h)
{
  g_string_append_printf (out, "HTTP/1.1 %u %s\r\nServer: bootserv\r\n", h->status,
                          bc_http_status_phrase (h->status));
  if (h->date != NULL)
    g_string_append_printf (out, "Date: %s\r\n", h->date);
  if (h->content_type != NULL)
    g_string_append_printf (out, "Content-Type: %s\r\n", h->content_type);
  g_string_append_printf (out, "Content-Length: %" G_GOFFSET_FORMAT "\r\n", h->content_length);
  if (h->accept_ranges)
    g_string_append (out, "Accept-Ranges: bytes\r\n");
  if (h->last_modified != NULL)
    g_string_append_printf (out, "Last-Modified: %s\r\n", h->last_modified);
  if (h->status == SOUP_STATUS_PARTIAL_CONTENT)
    g_string_append_printf (out,
                            "Content-Range: bytes %" G_GOFFSET_FORMAT "-%" G_GOFFSET_FORMAT
                            "/%" G_GOFFSET_FORMAT "\r\n",
                            h->range_start, h->range_end - 1, h->complete_length);
  else if (h->status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && h->complete_length >= 0)
    g_string_append_printf (out, "Content-Range: bytes */%" G_GOFFSET_FORMAT "\r\n",
                            h->complete_length);
  if (h->allow)
    g_string_append (out, "Allow: GET, HEAD\r\n");
  if (h->close)
    g_string_append (out, "Connection: close\r\n");
  else if (h->keep_alive_10)
    g_string_append (out, "Connection: keep-alive\r\n");
  g_string_append (out, "\r\n");
}
