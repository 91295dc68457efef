/* Fuzz HTTP request heads (server/proto/http-request): any bytes are cut where
 * bc_http_head_length says the head ends and parsed; what parses must give a
 * decoded path without NUL and a framing that makes sense; the Range plan for a
 * file size taken from the input must stay inside the file; and a response head
 * built from it must be one well-formed block. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "server/proto/http-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (BcHttpRequest) req = { 0 };
  g_autoptr (GString) out = NULL;
  BcHttpResponseHead h = { .complete_length = -1 };
  gsize len = bc_http_head_length (data, size);
  goffset file_size, start, end;
  guint status;

  g_assert_cmpuint (len, <=, size);
  if (len == 0)
    return 0;
  g_assert_cmpint (data[len - 1], ==, '\n');
  if (len > BC_HTTP_HEAD_MAX)
    return 0;
  status = bc_http_request_parse ((const char *)data, len, &req);
  if (status != SOUP_STATUS_OK)
    {
      g_assert_cmpuint (status, >=, 400);
      g_assert_cmpuint (status, <, 600);
      return 0;
    }
  g_assert_nonnull (req.method);
  g_assert_nonnull (req.path);
  g_assert_true (req.path[0] == '/');
  g_assert_true (req.encoded_path[0] == '/');
  g_assert_null (strchr (req.encoded_path, '?'));

  file_size = (goffset)(size * 977);
  status = bc_http_plan_range (req.headers, file_size, &start, &end);
  if (status != SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
    {
      g_assert_cmpint (0, <=, start);
      g_assert_cmpint (start, <=, end);
      g_assert_cmpint (end, <=, file_size);
      if (status == SOUP_STATUS_OK)
        g_assert_true (start == 0 && end == file_size);
      else
        g_assert_cmpint (start, <, end);
    }
  h.status = status;
  h.content_length = end - start;
  h.range_start = start;
  h.range_end = end;
  h.complete_length = file_size;
  h.content_type = bc_http_content_type (req.path);
  h.close = !req.keep_alive;
  out = g_string_new (NULL);
  bc_http_append_response_head (out, &h);
  g_assert_true (g_str_has_suffix (out->str, "\r\n\r\n"));
  g_assert_cmpuint (bc_http_head_length ((const guint8 *)out->str, out->len), ==, out->len);
  return 0;
}
