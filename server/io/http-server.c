/* bootserv's HTTP shell on libsoup-3's SoupServer. See http-server.h.
 *
 * A GET body is streamed: the response body does not accumulate, and each time a
 * chunk has been written ("wrote-chunk") the next one is read from the file with
 * pread and appended, so at most one chunk per connection is in memory. Range is
 * handled here (SoupServer's own Range support needs the whole body in memory). */
#include "server/io/http-server.h"

#include <errno.h>
#include <libsoup/soup.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/io/root-path.h"

#define CHUNK_SIZE (512 * 1024)

/* Listeners: one SoupServer per CPU (at most this many), each on its own thread
 * and GMainContext, all bound to one port with SO_REUSEPORT; the first one on the
 * caller's context. One GMainLoop thread tops out far below what a boot network
 * can ask for small files: a keep-alive small-file request costs ~160,000
 * instructions in user space (callgrind), of which our handler and event ~20,000
 * and libsoup/GLib/GObject the rest (message object, per-message signal handlers,
 * a GSource per socket wait, header buffers), plus ~19 syscalls. */
#define MAX_THREADS 4

struct _BcHttpServer
{
  int root_fd;
  BcEventLog *log;
  guint16 port;
  GPtrArray *listeners; /* Listener*; [0] on the caller's thread-default context */
};

/* One request: what is being sent, and what to log when it is finished. */
typedef struct
{
  BcHttpServer *server;
  int fd;
  goffset next, end; /* next byte to read, one past the last byte to send */
  guint64 bytes;     /* body bytes written to the socket (streamed bodies) */
  guint64 whole;     /* in-memory bodies: their length, sent unless aborted */
  gint64 started_us;
} Request;

/* Set once (g_quark_from_static_string takes GLib's global quark lock). */
static GQuark
request_quark (void)
{
  static gsize q;

  if (g_once_init_enter (&q))
    g_once_init_leave (&q, (gsize)g_quark_from_static_string ("bc-http-request"));
  return (GQuark)q;
}

static void
request_free (gpointer p)
{
  Request *r = p;
  if (r->fd >= 0)
    close (r->fd);
  g_free (r);
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

/* Boot files (kernels, initrds, .efi, .kpxe) have no useful type: octet-stream,
 * which is what iPXE and EDK2's HTTP boot expect for binaries. */
static const char *
guess_content_type (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (path, content_types[i].suffix))
      return content_types[i].type;
  return "application/octet-stream";
}

static gboolean
append_next_chunk (SoupServerMessage *msg, Request *r)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize want = (gsize)MIN ((goffset)CHUNK_SIZE, r->end - r->next);
  g_autofree guint8 *buf = NULL;
  gsize got = 0;

  if (want == 0)
    {
      soup_message_body_complete (body);
      return TRUE;
    }
  buf = g_malloc (want);
  while (got < want)
    {
      ssize_t n = pread (r->fd, buf + got, want - got, r->next + (goffset)got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      got += (gsize)n;
    }
  r->next += (goffset)got;
  soup_message_body_append_take (body, g_steal_pointer (&buf), got);
  return TRUE;
}

static void
on_wrote_chunk (SoupServerMessage *msg, gpointer user_data)
{
  Request *r = user_data;

  if (!append_next_chunk (msg, r))
    {
      /* The file shrank or failed under us after the headers went out: the only
       * honest thing left is to cut the connection short of Content-Length. */
      g_debug ("http: read error at offset %" G_GOFFSET_FORMAT, r->next);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
}

static void
on_wrote_body_data (SoupServerMessage *msg, guint chunk_size, gpointer user_data)
{
  Request *r = user_data;
  r->bytes += chunk_size;
}

/* The event line is serialised here rather than with json-glib: under wrk (8
 * keep-alive clients, a small file) callgrind put ~60,000 instructions per request
 * in building, serialising and timestamping the object with JsonBuilder and
 * GDateTime, against ~16,000 in the rest of our handler. Same members, same
 * order, same "time" format as bc_event_log_begin (g_date_time_format_iso8601). */
static void
append_json_string (GString *s, const char *v)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (v, -1, NULL))
    v = valid = g_utf8_make_valid (v, -1);
  g_string_append_c (s, '"');
  for (const char *p = v; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (s, '\\');
          g_string_append_c (s, (char)c);
        }
      else if (c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char)c);
    }
  g_string_append_c (s, '"');
}

/* "2026-11-23T03:47:14.610415Z" (no fraction when it is zero, like GLib); the
 * seconds part is cached per thread (gmtime_r takes glibc's time-zone lock). */
static void
append_iso8601_utc (GString *s, gint64 real_us)
{
  static _Thread_local gint64 cached_sec = G_MININT64;
  static _Thread_local char cached[32];
  gint64 sec = real_us / G_USEC_PER_SEC;
  int usec = (int)(real_us % G_USEC_PER_SEC);

  if (sec != cached_sec)
    {
      time_t t = (time_t)sec;
      struct tm tm;

      if (gmtime_r (&t, &tm) == NULL)
        return;
      g_snprintf (cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      cached_sec = sec;
    }
  g_string_append (s, cached);
  if (usec != 0)
    g_string_append_printf (s, ".%06d", usec);
  g_string_append_c (s, 'Z');
}

static void
log_request (SoupServerMessage *msg, Request *r, gboolean aborted)
{
  g_autoptr (GString) s = NULL;
  gint64 real_us = g_get_real_time ();
  gint64 mono_us = g_get_monotonic_time ();
  GSocketAddress *remote;
  const char *ua;

  if (!bc_event_log_enabled (r->server->log))
    return;
  remote = soup_server_message_get_remote_address (msg);
  ua = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "User-Agent");
  s = g_string_sized_new (320);
  g_string_append_printf (s, "{\"type\":\"http\",\"mono_us\":%" G_GINT64_FORMAT ",\"time\":\"",
                          mono_us);
  append_iso8601_utc (s, real_us);
  g_string_append (s, "\",\"method\":");
  append_json_string (s, soup_server_message_get_method (msg));
  g_string_append (s, ",\"path\":");
  append_json_string (s, g_uri_get_path (soup_server_message_get_uri (msg)));
  /* An aborted in-memory body: how much of it went out is unknown, count none. */
  g_string_append_printf (s,
                          ",\"status\":%u,\"bytes\":%" G_GUINT64_FORMAT ",\"ms\":%" G_GINT64_FORMAT,
                          soup_server_message_get_status (msg), r->bytes + (aborted ? 0 : r->whole),
                          (mono_us - r->started_us) / 1000);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (remote);
      GInetAddress *ia = g_inet_socket_address_get_address (isa);
      char ip[INET6_ADDRSTRLEN];

      if (inet_ntop (g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET,
                     g_inet_address_to_bytes (ia), ip, sizeof ip)
          != NULL)
        g_string_append_printf (s, ",\"client\":\"%s:%u\"", ip,
                                g_inet_socket_address_get_port (isa));
    }
  if (ua != NULL)
    {
      g_string_append (s, ",\"user_agent\":");
      append_json_string (s, ua);
    }
  g_string_append (s, "}\n");
  bc_event_log_write_line (r->server->log, s->str, s->len);
}

/* SoupServer writes the headers and the body with separate sends: two TCP segments
 * (and two wake-ups of the client) per small response. Corking the socket from the
 * handler until the body is written sends them as one. */
static void
set_cork (SoupServerMessage *msg, int on)
{
  GSocket *sock = soup_server_message_get_socket (msg);

  if (sock != NULL
      && setsockopt (g_socket_get_fd (sock), IPPROTO_TCP, TCP_CORK, &on, sizeof on) < 0)
    g_debug ("http: TCP_CORK: %s", g_strerror (errno));
}

/* SoupServer's "request-finished" and "request-aborted" (a dropped connection, or a
 * 500): connected once per listener rather than per message, because GLib guards
 * every signal connection and disconnection with one process-wide mutex, which the
 * listener threads fought over (perf: ~6% of the server's time in futex waits under
 * wrk with per-message handlers). The body is written when the message is finished:
 * uncork, then log. Messages the handler never saw (a request libsoup rejected
 * itself) have no Request. */
static void
request_done (SoupServerMessage *msg, gboolean aborted)
{
  Request *r = g_object_get_qdata (G_OBJECT (msg), request_quark ());

  if (r == NULL)
    return;
  set_cork (msg, 0);
  log_request (msg, r, aborted);
}

static void
on_request_finished (SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
  request_done (msg, FALSE);
}

static void
on_request_aborted (SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
  request_done (msg, TRUE);
}

/* RFC 9110 §5.6.7 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": by hand, as
 * g_date_time_format cost ~4,700 instructions per request (callgrind) and strftime's
 * %a/%b follow the locale. */
static gboolean
format_http_date (time_t t, char *buf, gsize size)
{
  static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char months[12][4]
      = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  struct tm tm;

  if (gmtime_r (&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
    return FALSE;
  g_snprintf (buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
              months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return TRUE;
}

static void
set_error (SoupServerMessage *msg, guint status)
{
  const char *text = soup_status_get_phrase (status);
  g_autofree char *body = g_strdup_printf ("%u %s\n", status, text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
handle (SoupServer *soup, SoupServerMessage *msg, const char *encoded_path, GHashTable *query,
        gpointer user_data)
{
  BcHttpServer *server = user_data;
  Request *r = g_new0 (Request, 1);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *req_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp_headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  struct stat st;
  goffset size, start = 0;
  gboolean partial = FALSE;

  r->server = server;
  r->fd = -1;
  r->started_us = g_get_monotonic_time ();
  g_object_set_qdata_full (G_OBJECT (msg), request_quark (), r, request_free);
  set_cork (msg, 1);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (resp_headers, "Allow", "GET, HEAD");
      set_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }
  /* "%2F" and "%00" cannot name a file under the root: g_uri_unescape_string
   * refuses them (NULL). */
  path = g_uri_unescape_string (encoded_path, "/");
  if (path == NULL)
    {
      set_error (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }
  r->fd = bc_root_path_open (server->root_fd, path, &st, &error);
  if (r->fd < 0)
    {
      g_debug ("http: %s: %s", path, error->message);
      set_error (msg, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                          ? SOUP_STATUS_NOT_FOUND
                          : SOUP_STATUS_FORBIDDEN);
      return;
    }
  size = st.st_size;
  r->end = size;

  /* RFC 9110 §14: one byte range is honoured (iPXE and curl --range send one);
   * several are answered with the whole file, which the RFC allows. */
  /* A Range header that is not a byte range (RFC 9110 §14.2: "bytes=") is ignored. */
  if (g_str_has_prefix (soup_message_headers_get_one (req_headers, "Range") ?: "", "bytes=")
      && size > 0)
    {
      SoupRange *ranges = NULL;
      int n = 0;
      gboolean ok = soup_message_headers_get_ranges (req_headers, size, &ranges, &n);

      /* libsoup 3.2 returns ranges past the end as they were asked: check them here
       * (RFC 9110 §14.1.1: a first-byte-pos at or past the length is unsatisfiable). */
      for (int i = 0; ok && i < n; i++)
        if (ranges[i].start < 0 || ranges[i].start >= size || ranges[i].end < ranges[i].start)
          ok = FALSE;
        else if (ranges[i].end >= size)
          ranges[i].end = size - 1;
      if (!ok)
        {
          if (ranges != NULL)
            soup_message_headers_free_ranges (req_headers, ranges);
          g_autofree char *cr = g_strdup_printf ("bytes */%" G_GOFFSET_FORMAT, size);
          soup_message_headers_replace (resp_headers, "Content-Range", cr);
          set_error (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE);
          return;
        }
      if (n == 1)
        {
          partial = TRUE;
          start = ranges[0].start;
          r->end = ranges[0].end + 1;
          soup_message_headers_set_content_range (resp_headers, ranges[0].start, ranges[0].end,
                                                  size);
        }
      soup_message_headers_free_ranges (req_headers, ranges);
    }
  r->next = start;

  soup_server_message_set_status (msg, partial ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK,
                                  NULL);
  /* The response headers are empty so far: append, no search-and-remove (and no
   * parsing of the type, which set_content_type does). */
  soup_message_headers_append (resp_headers, "Content-Type", guess_content_type (path));
  soup_message_headers_append (resp_headers, "Accept-Ranges", "bytes");
  {
    /* Boot clients fetch the same few files over and over: the last date formatted
     * on this thread is likely the one needed. */
    static _Thread_local time_t lm_time;
    static _Thread_local char lm[40];
    if (lm[0] == '\0' || lm_time != st.st_mtime)
      {
        lm[0] = '\0';
        if (format_http_date (st.st_mtime, lm, sizeof lm))
          lm_time = st.st_mtime;
      }
    if (lm[0] != '\0')
      soup_message_headers_append (resp_headers, "Last-Modified", lm);
  }
  soup_message_headers_set_content_length (resp_headers, r->end - start);

  if (method == SOUP_METHOD_HEAD)
    {
      soup_message_body_complete (body);
      return;
    }
  if (r->end - start <= CHUNK_SIZE)
    {
      /* Small (scripts, configs): one chunk, no streaming machinery; the second
       * call finds nothing left and completes the body. */
      if (!append_next_chunk (msg, r) || !append_next_chunk (msg, r))
        {
          soup_message_body_truncate (body);
          soup_message_headers_set_content_length (resp_headers, 0);
          set_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
          return;
        }
      r->whole = (guint64)(r->end - start);
      return;
    }
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), r);
  soup_message_body_set_accumulate (body, FALSE);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), r);
  if (!append_next_chunk (msg, r))
    {
      soup_message_headers_set_content_length (resp_headers, 0);
      set_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }
}

/* One SoupServer and its listening socket, on one GMainContext. */
typedef struct
{
  SoupServer *soup;
  GMainContext *context;
  GMainLoop *loop; /* workers only */
  GThread *thread; /* NULL: the caller's context */
} Listener;

static void
listener_free (gpointer p)
{
  Listener *l = p;

  if (l->thread != NULL)
    {
      g_main_loop_quit (l->loop); /* thread-safe: wakes the worker's context */
      g_thread_join (l->thread);
    }
  if (l->soup != NULL)
    {
      g_main_context_push_thread_default (l->context);
      soup_server_disconnect (l->soup);
      g_object_unref (l->soup);
      g_main_context_pop_thread_default (l->context);
    }
  g_clear_pointer (&l->loop, g_main_loop_unref);
  g_main_context_unref (l->context);
  g_free (l);
}

static gpointer
worker_run (gpointer data)
{
  Listener *l = data;

  g_main_context_push_thread_default (l->context);
  g_main_loop_run (l->loop);
  g_main_context_pop_thread_default (l->context);
  return NULL;
}

/* A listening socket with SO_REUSEPORT (the kernel spreads connections over the
 * listeners bound to one port) and a SoupServer on @context. */
static Listener *
listener_new (BcHttpServer *server, GMainContext *context, GSocketAddress *addr, GError **error)
{
  g_autoptr (GSocket) sock = NULL;
  Listener *l;
  gboolean ok;

  sock = g_socket_new (g_socket_address_get_family (addr), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return NULL;
  /* Not g_socket_bind: for stream sockets it turns SO_REUSEPORT off again. */
  {
    struct sockaddr_storage native;
    gssize len = g_socket_address_get_native_size (addr);
    int one = 1;

    if (len < 0 || !g_socket_address_to_native (addr, &native, sizeof native, error))
      return NULL;
    if (setsockopt (g_socket_get_fd (sock), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
        || setsockopt (g_socket_get_fd (sock), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0
        || bind (g_socket_get_fd (sock), (struct sockaddr *)&native, (socklen_t)len) < 0)
      {
        int saved = errno;
        g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (addr));
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "bind %s: %s", where,
                     g_strerror (saved));
        return NULL;
      }
  }
  g_socket_set_listen_backlog (sock, 256);
  if (!g_socket_listen (sock, error))
    return NULL;

  l = g_new0 (Listener, 1);
  l->context = g_main_context_ref (context);
  g_main_context_push_thread_default (context);
  l->soup = soup_server_new ("server-header", "bootserv ", NULL);
  soup_server_add_handler (l->soup, NULL, handle, server, NULL);
  g_signal_connect (l->soup, "request-finished", G_CALLBACK (on_request_finished), NULL);
  g_signal_connect (l->soup, "request-aborted", G_CALLBACK (on_request_aborted), NULL);
  ok = soup_server_listen_socket (l->soup, sock, 0, error);
  g_main_context_pop_thread_default (context);
  if (!ok)
    {
      listener_free (l);
      return NULL;
    }
  return l;
}

BcHttpServer *
bc_http_server_new (const char *root, const char *bind_address, guint16 port, BcEventLog *log,
                    GError **error)
{
  g_autoptr (BcHttpServer) server = g_new0 (BcHttpServer, 1);
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GMainContext) main_context = g_main_context_ref_thread_default ();
  Listener *first;
  guint n_threads = CLAMP (g_get_num_processors (), 1, MAX_THREADS);

  server->root_fd = -1;
  server->log = log;
  server->listeners = g_ptr_array_new_with_free_func (listener_free);
  server->root_fd = bc_root_path_open_root (root, error);
  if (server->root_fd < 0)
    return NULL;
  inet = bind_address != NULL ? g_inet_address_new_from_string (bind_address)
                              : g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "HTTP: '%s' is not an IP address", bind_address);
      return NULL;
    }
  addr = g_inet_socket_address_new (inet, port);
  /* SO_REUSEPORT would let us share a port with another server of the same user
   * (a stale bootserv) and split its connections silently: bind once without it
   * first, so that a port in use is an error as usual. */
  if (port != 0)
    {
      g_autoptr (GSocket) probe = g_socket_new (g_socket_address_get_family (addr),
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
      if (probe == NULL || !g_socket_bind (probe, addr, TRUE, error))
        {
          g_prefix_error (error, "HTTP: ");
          return NULL;
        }
    }
  first = listener_new (server, main_context, addr, error);
  if (first == NULL)
    {
      g_prefix_error (error, "HTTP: ");
      return NULL;
    }
  g_ptr_array_add (server->listeners, first);
  {
    GSList *socks = soup_server_get_listeners (first->soup);
    g_autoptr (GSocketAddress) local
        = socks != NULL ? g_socket_get_local_address (socks->data, NULL) : NULL;
    if (G_IS_INET_SOCKET_ADDRESS (local))
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    g_slist_free (socks);
  }

  /* More listeners on the same port (port 0 resolved above), each with its own
   * context and thread: one per CPU. The handler only reads server's root fd and
   * writes whole event lines, so it is safe on several threads. */
  g_clear_object (&addr);
  addr = g_inet_socket_address_new (inet, server->port);
  for (guint i = 1; i < n_threads; i++)
    {
      g_autoptr (GMainContext) context = g_main_context_new ();
      g_autoptr (GError) local_error = NULL;
      Listener *l = listener_new (server, context, addr, &local_error);

      if (l == NULL)
        {
          /* Fewer threads is still a working server. */
          g_debug ("http: extra listener: %s", local_error->message);
          break;
        }
      l->loop = g_main_loop_new (context, FALSE);
      l->thread = g_thread_new ("bc-http", worker_run, l);
      g_ptr_array_add (server->listeners, l);
    }
  return g_steal_pointer (&server);
}

void
bc_http_server_free (BcHttpServer *server)
{
  if (server == NULL)
    return;
  g_clear_pointer (&server->listeners, g_ptr_array_unref);
  if (server->root_fd >= 0)
    close (server->root_fd);
  g_free (server);
}

guint16
bc_http_server_get_port (BcHttpServer *server)
{
  return server->port;
}
