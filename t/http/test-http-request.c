/* HTTP request heads, Range plans and response heads (server/proto/http-request):
 * what iPXE, curl and HTTP/1.0 clients send, and hostile heads. */
#include <glib.h>
#include <string.h>

#include "server/proto/http-request.h"

/* What iPXE 1.21 sends for "chain http://192.168.42.1/boot.ipxe" (src/net/tcp/httpcore.c:
 * request line, Host, User-Agent, Connection: keep-alive). */
static const char ipxe_get[] = "GET /boot.ipxe HTTP/1.1\r\n"
                               "Connection: keep-alive\r\n"
                               "Host: 192.168.42.1\r\n"
                               "User-Agent: iPXE/1.21.1+ (g3ae8)\r\n"
                               "\r\n";

/* Parses an exact-size heap copy of @text (its head: bc_http_head_length must find
 * all of it) so that ASan sees any over-read. */
static guint
parse (const char *text, BcHttpRequest *req)
{
  gsize len = strlen (text);
  g_autofree char *copy = g_memdup2 (text, len);

  g_assert_cmpuint (bc_http_head_length ((const guint8 *)copy, len), ==, len);
  return bc_http_request_parse (copy, len, req);
}

static void
test_head_length (void)
{
  const char *two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  const char *partial = "GET /a HTTP/1.1\r\nHost: x\r\n\r";

  g_assert_cmpuint (bc_http_head_length ((const guint8 *)ipxe_get, strlen (ipxe_get)), ==,
                    strlen (ipxe_get));
  /* Pipelined: the first head only. */
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)two, strlen (two)), ==,
                    strlen ("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  /* Not complete yet, in every prefix of a head. */
  for (gsize i = 0; i < strlen (ipxe_get); i++)
    g_assert_cmpuint (bc_http_head_length ((const guint8 *)ipxe_get, i), ==, 0);
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)partial, strlen (partial)), ==, 0);
  /* Bare LF line ends (RFC 9112 §2.2) and empty lines before the request line. */
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)"GET / HTTP/1.0\n\n", 16), ==, 16);
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)"\r\n\r\nGET / HTTP/1.0\r\n\r\n", 22), ==,
                    22);
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)"\r\n\r\n", 4), ==, 0);
}

static void
test_parse_ipxe (void)
{
  g_auto (BcHttpRequest) req = { 0 };

  g_assert_cmpuint (parse (ipxe_get, &req), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (req.method, ==, "GET");
  g_assert_cmpstr (req.path, ==, "/boot.ipxe");
  g_assert_cmpstr (req.encoded_path, ==, "/boot.ipxe");
  g_assert_cmpint (req.version, ==, SOUP_HTTP_1_1);
  g_assert_true (req.keep_alive);
  g_assert_false (req.has_body);
  g_assert_cmpstr (soup_message_headers_get_one (req.headers, "User-Agent"), ==,
                   "iPXE/1.21.1+ (g3ae8)");
}

/* Whether the connection may stay open (RFC 9112 §9.3) and whether a body follows
 * (we never read one, so the connection closes after the answer). */
static void
test_parse_framing (void)
{
  static const struct
  {
    const char *head;
    gboolean keep_alive, has_body;
  } cases[] = {
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", TRUE, FALSE },
    { "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", FALSE, FALSE },
    { "GET / HTTP/1.1\r\nConnection: Upgrade, Close\r\n\r\n", FALSE, FALSE },
    { "GET / HTTP/1.0\r\n\r\n", FALSE, FALSE },
    { "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", TRUE, FALSE },
    { "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", TRUE, FALSE },
    { "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n", TRUE, TRUE },
    { "GET /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", TRUE, FALSE },
    { "GET /x HTTP/1.1\r\nContent-Length: 000\r\n\r\n", TRUE, FALSE },
    { "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", TRUE, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (BcHttpRequest) req = { 0 };

      g_assert_cmpuint (parse (cases[i].head, &req), ==, SOUP_STATUS_OK);
      g_assert_cmpint (req.keep_alive, ==, cases[i].keep_alive);
      g_assert_cmpint (req.has_body, ==, cases[i].has_body);
    }
}

static void
test_parse_targets (void)
{
  static const struct
  {
    const char *target, *encoded, *path;
  } cases[] = {
    { "/boot/vmlinuz?arch=x86_64#x", "/boot/vmlinuz", "/boot/vmlinuz" },
    { "/a%20b/c%2e.txt", "/a%20b/c%2e.txt", "/a b/c..txt" },
    /* absolute-form (RFC 9112 §3.2.2), scheme case-insensitive */
    { "http://192.168.42.1/boot.ipxe", "/boot.ipxe", "/boot.ipxe" },
    { "HTTP://host:8080/x?y", "/x", "/x" },
    { "http://host", "/", "/" },
    { "http://host?q", "/", "/" },
    { "/../outside", "/../outside", "/../outside" }, /* refused later, under the root */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (BcHttpRequest) req = { 0 };
      g_autofree char *head = g_strdup_printf ("GET %s HTTP/1.1\r\n\r\n", cases[i].target);

      g_assert_cmpuint (parse (head, &req), ==, SOUP_STATUS_OK);
      g_assert_cmpstr (req.target, ==, cases[i].target);
      g_assert_cmpstr (req.encoded_path, ==, cases[i].encoded);
      g_assert_cmpstr (req.path, ==, cases[i].path);
    }
}

static void
test_parse_refused (void)
{
  static const struct
  {
    const char *head;
    guint status;
  } cases[] = {
    { "hello\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET /\r\n\r\n", SOUP_STATUS_BAD_REQUEST }, /* HTTP/0.9 */
    { "GET / FTP/1.0\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET / HTTP/2.0\r\n\r\n", SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED },
    { "GET / HTTP/1.2\r\n\r\n", SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED },
    { "OPTIONS * HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },        /* asterisk-form */
    { "CONNECT host:443 HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST }, /* authority-form */
    { "GET ftp://host/x HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET /a%2Fb HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST }, /* no "/" by escape */
    { "GET /a%00b HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET /a%zzb HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET /a%4 HTTP/1.1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", SOUP_STATUS_BAD_REQUEST },
    { "GET / HTTP/1.1\r\nExpect: teapot\r\n\r\n", SOUP_STATUS_EXPECTATION_FAILED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (BcHttpRequest) req = { 0 };

      g_assert_cmpuint (parse (cases[i].head, &req), ==, cases[i].status);
    }
}

static void
test_parse_nul (void)
{
  static const char head[] = "GET /a\0b HTTP/1.1\r\n\r\n";
  static const char first[] = "\0GET / HTTP/1.1\r\n\r\n";
  g_auto (BcHttpRequest) req = { 0 };
  g_auto (BcHttpRequest) req2 = { 0 };

  g_assert_cmpuint (bc_http_request_parse (head, sizeof head - 1, &req), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (bc_http_request_parse (first, sizeof first - 1, &req2), ==,
                    SOUP_STATUS_BAD_REQUEST);
}

static guint
plan (const char *range, goffset size, goffset *start, goffset *end)
{
  g_autoptr (SoupMessageHeaders) h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);

  if (range != NULL)
    soup_message_headers_append (h, "Range", range);
  return bc_http_plan_range (h, size, start, end);
}

static void
test_plan_range (void)
{
  static const struct
  {
    const char *range;
    goffset size;
    guint status;
    goffset start, end;
  } cases[] = {
    { NULL, 1000, SOUP_STATUS_OK, 0, 1000 },
    { "bytes=100-199", 1000, SOUP_STATUS_PARTIAL_CONTENT, 100, 200 },
    { "bytes=100-", 1000, SOUP_STATUS_PARTIAL_CONTENT, 100, 1000 },
    { "bytes=-10", 1000, SOUP_STATUS_PARTIAL_CONTENT, 990, 1000 },
    { "bytes=990-5000", 1000, SOUP_STATUS_PARTIAL_CONTENT, 990, 1000 }, /* clamped */
    { "bytes=999-999", 1000, SOUP_STATUS_PARTIAL_CONTENT, 999, 1000 },
    { "bytes=1000-", 1000, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, 0, 0 },
    { "bytes=2000000-", 1000, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, 0, 0 },
    { "bytes=0-1,5-6", 1000, SOUP_STATUS_OK, 0, 1000 }, /* several: the whole file */
    { "items=0-1", 1000, SOUP_STATUS_OK, 0, 1000 },     /* not a byte range: ignored */
    { "bytes=0-10", 0, SOUP_STATUS_OK, 0, 0 },          /* an empty file */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      goffset start = -1, end = -1;
      guint status = plan (cases[i].range, cases[i].size, &start, &end);

      g_assert_cmpuint (status, ==, cases[i].status);
      if (status != SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
        {
          g_assert_cmpint (start, ==, cases[i].start);
          g_assert_cmpint (end, ==, cases[i].end);
        }
    }
}

static void
test_content_type_and_date (void)
{
  char buf[40];

  g_assert_cmpstr (bc_http_content_type ("/boot.ipxe"), ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (bc_http_content_type ("/EFI/ipxe.efi"), ==, "application/octet-stream");
  g_assert_cmpstr (bc_http_content_type ("/initrd.cpio.gz"), ==, "application/gzip");
  /* RFC 9110 §5.6.7's example. */
  g_assert_true (bc_http_format_date (784111777, buf, sizeof buf));
  g_assert_cmpstr (buf, ==, "Sun, 06 Nov 1994 08:49:37 GMT");
  g_assert_false (bc_http_format_date (G_GINT64_CONSTANT (400000000000), buf, sizeof buf));
}

static void
test_response_head (void)
{
  static const struct
  {
    BcHttpResponseHead head;
    const char *text;
  } cases[] = {
    { { .status = SOUP_STATUS_PARTIAL_CONTENT,
        .date = "Sun, 06 Nov 1994 08:49:37 GMT",
        .content_type = "application/octet-stream",
        .content_length = 100,
        .accept_ranges = TRUE,
        .range_start = 100,
        .range_end = 200,
        .complete_length = 1048576 },
      "HTTP/1.1 206 Partial Content\r\nServer: bootserv\r\n"
      "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
      "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n"
      "Accept-Ranges: bytes\r\nContent-Range: bytes 100-199/1048576\r\n\r\n" },
    { { .status = SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
        .complete_length = 1048576,
        .close = TRUE },
      "HTTP/1.1 416 Requested Range Not Satisfiable\r\nServer: bootserv\r\n"
      "Content-Length: 0\r\nContent-Range: bytes */1048576\r\nConnection: close\r\n\r\n" },
    { { .status = SOUP_STATUS_METHOD_NOT_ALLOWED, .allow = TRUE, .keep_alive_10 = TRUE },
      "HTTP/1.1 405 Method Not Allowed\r\nServer: bootserv\r\nContent-Length: 0\r\n"
      "Allow: GET, HEAD\r\nConnection: keep-alive\r\n\r\n" },
    /* No Content-Range on a 416 whose length is unknown (-1). */
    { { .status = SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, .complete_length = -1 },
      "HTTP/1.1 416 Requested Range Not Satisfiable\r\nServer: bootserv\r\n"
      "Content-Length: 0\r\n\r\n" },
    { { .status = BC_HTTP_STATUS_HEADER_FIELDS_TOO_LARGE, .complete_length = -1, .close = TRUE },
      "HTTP/1.1 431 Request Header Fields Too Large\r\nServer: bootserv\r\n"
      "Content-Length: 0\r\nConnection: close\r\n\r\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) s = g_string_new (NULL);

      bc_http_append_response_head (s, &cases[i].head);
      g_assert_cmpstr (s->str, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http-request/head-length", test_head_length);
  g_test_add_func ("/http-request/parse/ipxe", test_parse_ipxe);
  g_test_add_func ("/http-request/parse/framing", test_parse_framing);
  g_test_add_func ("/http-request/parse/targets", test_parse_targets);
  g_test_add_func ("/http-request/parse/refused", test_parse_refused);
  g_test_add_func ("/http-request/parse/nul", test_parse_nul);
  g_test_add_func ("/http-request/range", test_plan_range);
  g_test_add_func ("/http-request/content-type-and-date", test_content_type_and_date);
  g_test_add_func ("/http-request/response-head", test_response_head);
  return g_test_run ();
}
