/* bootserv's HTTP/1.1 shell: sockets and files around the pure request/response
 * code in server/proto/http-request.c (whose request parsing is libsoup-3's
 * soup_headers_parse_request). See http-server.h.
 *
 * Why not SoupServer: a keep-alive small-file request through SoupServer cost ~60 µs
 * of CPU here against nginx's ~20 µs (wrk, 8 clients), ~160,000 user-space
 * instructions of which our handler was ~20,000: a GObject message per request,
 * ~10 signal emissions, a new GSource per socket wait, and in GLib 2.74 an eventfd
 * write (a wake-up of our own thread) each time a source's fd is added or removed
 * (strace: 9 per request). The target, half of nginx's requests/s, was out
 * of reach. Here a connection has one GSource for its whole life, marked
 * can-recurse so that dispatch does not remove and re-add its fd, a response is
 * one send() (head and a small body together) or a head and sendfile(2) (large
 * bodies go from the page cache to the socket, never through our memory).
 *
 * Per connection: read request heads into a buffer; answer them one at a time,
 * in order (pipelined requests wait in the buffer, RFC 9112 §9.3.2); while a
 * response does not fit in the socket, stop reading and wait for G_IO_OUT. A
 * request with a body (we have no use for one) is answered, then the connection
 * is closed gracefully (write side first, the unread body drained), so the answer
 * is not lost to a reset. */
#include "server/io/http-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/io/root-path.h"
#include "server/proto/http-request.h"

/* Listeners: one per CPU (at most this many), each on its own thread and
 * GMainContext, all bound to one port with SO_REUSEPORT (the kernel spreads the
 * connections); the first one on the caller's context. */
#define MAX_THREADS 4
/* Connections per listener (16 KiB of head buffer each): past this, accepting
 * pauses until one closes, and the kernel's backlog holds the rest. */
#define MAX_CONNECTIONS 1024
/* A body up to this size is read into the response buffer and goes out with the
 * head in one send(); larger ones are sendfile()d after the head. */
#define SMALL_BODY (64 * 1024)
/* At most this much per sendfile() call, so that one large transfer does not keep
 * a listener thread from its other connections for long. */
#define SENDFILE_CHUNK (1024 * 1024)
/* A connection with no progress for this long is closed: idle keep-alive, a head
 * that never completes, a client that stopped reading. iPXE opens a connection
 * per transfer and keeps none idle for long. */
#define IDLE_TIMEOUT_US (60 * G_USEC_PER_SEC)
/* After the answer to a request we close on, unread input is drained this long. */
#define LINGER_TIMEOUT_US (2 * G_USEC_PER_SEC)
#define SWEEP_INTERVAL_S 5

typedef struct _Listener Listener;

struct _BcHttpServer
{
  int root_fd;
  BcEventLog *log;
  guint16 port;
  GPtrArray *listeners; /* Listener*; [0] on the caller's thread-default context */
};

typedef enum
{
  CONN_READING, /* waiting for (the rest of) a request head */
  CONN_SENDING, /* a response is going out */
  CONN_LINGER,  /* write side shut; draining the client's input until EOF */
} ConnState;

/* A GSource with one fd whose events change with the connection's state. */
typedef struct
{
  GSource base;
  gpointer tag;
  gpointer owner; /* Connection* or Listener* */
  gboolean (*ready) (gpointer owner, GIOCondition events);
  GIOCondition events;
} FdSource;

typedef struct
{
  Listener *listener;
  int fd;
  FdSource *source;
  char client[INET6_ADDRSTRLEN + 8]; /* "ip:port" */
  ConnState state;
  gboolean read_eof; /* the client will send no more */
  gboolean broken;   /* sending failed: the connection is of no more use */
  gint64 last_progress_us;
  GList link; /* in listener->connections */

  guint8 in[BC_HTTP_HEAD_MAX];
  gsize in_len;

  /* The response being sent: out (head, and a small body), then [file_next,
   * file_end) of file_fd by sendfile. */
  GString *out;
  gsize out_sent;
  int file_fd;
  goffset file_next, file_end;
  gboolean close_after;

  /* For the event line. */
  char *method, *path, *user_agent;
  guint status;
  gsize head_out; /* bytes of out that are the response head */
  guint64 body_sent;
  gint64 started_us;
} Connection;

struct _Listener
{
  BcHttpServer *server;
  int fd;
  GMainContext *context;
  GMainLoop *loop; /* workers only */
  GThread *thread; /* NULL: the caller's context */
  FdSource *source;
  GSource *sweep;
  GQueue connections;
  gboolean paused; /* not accepting: MAX_CONNECTIONS reached, or out of fds */
};

static void connection_run (Connection *c);
static void listener_pause (Listener *l, gboolean paused);

static gboolean
fd_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  FdSource *s = (FdSource *)source;

  return s->ready (s->owner, g_source_query_unix_fd (source, s->tag));
}

static GSourceFuncs fd_source_funcs = { NULL, NULL, fd_source_dispatch, NULL, NULL, NULL };

static FdSource *
fd_source_new (int fd, GIOCondition events, gpointer owner,
               gboolean (*ready) (gpointer, GIOCondition), GMainContext *context)
{
  FdSource *s = (FdSource *)g_source_new (&fd_source_funcs, sizeof (FdSource));

  s->owner = owner;
  s->ready = ready;
  s->events = events;
  s->tag = g_source_add_unix_fd (&s->base, fd, events);
  /* GLib 2.74 blocks a source while it is dispatched by removing its fds from the
   * context and adding them back afterwards, each time waking the context through
   * its eventfd: two write()s per dispatch. Our callbacks never iterate the
   * context, so they need no such protection. */
  g_source_set_can_recurse (&s->base, TRUE);
  g_source_attach (&s->base, context);
  return s;
}

static void
fd_source_free (FdSource *s)
{
  g_source_destroy (&s->base);
  g_source_unref (&s->base);
}

/* The event line is serialised here rather than with json-glib (callgrind: ~60,000
 * instructions per request for JsonBuilder and GDateTime against ~16,000 for the
 * rest of a request). Same members, same order, same "time" format as
 * bc_event_log_begin (g_date_time_format_iso8601). */
static void
append_json_string (GString *s, const char *v)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (v, -1, NULL))
    v = valid = g_utf8_make_valid (v, -1);
  g_string_append_c (s, '"');
  for (const char *p = v; *p != '\0'; p++)
    {
      guchar ch = (guchar)*p;
      if (ch == '"' || ch == '\\')
        {
          g_string_append_c (s, '\\');
          g_string_append_c (s, (char)ch);
        }
      else if (ch < 0x20)
        g_string_append_printf (s, "\\u%04x", ch);
      else
        g_string_append_c (s, (char)ch);
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

/* One event per answered request, when its response has gone out or the
 * connection died under it (then bytes says how much of the body did). */
static void
log_request (Connection *c)
{
  BcEventLog *log = c->listener->server->log;
  g_autoptr (GString) s = NULL;
  gint64 real_us, mono_us;

  if (!bc_event_log_enabled (log))
    return;
  real_us = g_get_real_time ();
  mono_us = g_get_monotonic_time ();
  s = g_string_sized_new (320);
  g_string_append_printf (s, "{\"type\":\"http\",\"mono_us\":%" G_GINT64_FORMAT ",\"time\":\"",
                          mono_us);
  append_iso8601_utc (s, real_us);
  g_string_append (s, "\",\"method\":");
  append_json_string (s, c->method ?: "");
  g_string_append (s, ",\"path\":");
  append_json_string (s, c->path ?: "");
  g_string_append_printf (s,
                          ",\"status\":%u,\"bytes\":%" G_GUINT64_FORMAT ",\"ms\":%" G_GINT64_FORMAT
                          ",\"client\":\"%s\"",
                          c->status, c->body_sent, (mono_us - c->started_us) / 1000, c->client);
  if (c->user_agent != NULL)
    {
      g_string_append (s, ",\"user_agent\":");
      append_json_string (s, c->user_agent);
    }
  g_string_append (s, "}\n");
  bc_event_log_write_line (log, s->str, s->len);
}

static void
response_reset (Connection *c)
{
  g_string_truncate (c->out, 0);
  c->out_sent = 0;
  c->head_out = 0;
  c->body_sent = 0;
  if (c->file_fd >= 0)
    close (c->file_fd);
  c->file_fd = -1;
  c->file_next = c->file_end = 0;
  g_clear_pointer (&c->method, g_free);
  g_clear_pointer (&c->path, g_free);
  g_clear_pointer (&c->user_agent, g_free);
}

static void
connection_free (Connection *c)
{
  if (c->state == CONN_SENDING)
    log_request (c); /* cut off mid-response: bytes says how far it got */
  response_reset (c);
  g_queue_unlink (&c->listener->connections, &c->link);
  fd_source_free (c->source);
  close (c->fd);
  if (c->listener->paused)
    listener_pause (c->listener, FALSE);
  g_string_free (c->out, TRUE);
  g_free (c);
}

/* Only on a change: in GLib 2.74 every g_source_modify_unix_fd wakes the context
 * (an eventfd write). */
static void
set_events (Connection *c, GIOCondition events)
{
  if (c->source->events == events)
    return;
  c->source->events = events;
  g_source_modify_unix_fd (&c->source->base, c->source->tag, events);
}

/* The Date field, formatted once per second per thread. */
static const char *
date_now (void)
{
  static _Thread_local gint64 cached_sec = G_MININT64;
  static _Thread_local char cached[40];
  gint64 sec = g_get_real_time () / G_USEC_PER_SEC;

  if (sec != cached_sec)
    {
      if (!bc_http_format_date (sec, cached, sizeof cached))
        return NULL;
      cached_sec = sec;
    }
  return cached;
}

/* Last-Modified of the file just opened: boot clients fetch the same few files
 * over and over, so the last one formatted on this thread is likely the one. */
static const char *
last_modified (gint64 mtime)
{
  static _Thread_local gint64 cached_time = G_MININT64;
  static _Thread_local char cached[40];

  if (mtime != cached_time)
    {
      if (!bc_http_format_date (mtime, cached, sizeof cached))
        return NULL;
      cached_time = mtime;
    }
  return cached;
}

/* An error answer: the status and a one-line text body. */
static void
respond_error (Connection *c, guint status, gboolean head_only, BcHttpResponseHead *h)
{
  g_autofree char *body = g_strdup_printf ("%u %s\n", status, bc_http_status_phrase (status));

  h->status = status;
  h->date = date_now ();
  h->content_type = "text/plain; charset=utf-8";
  h->content_length = (goffset)strlen (body);
  bc_http_append_response_head (c->out, h);
  c->head_out = c->out->len;
  if (!head_only)
    g_string_append (c->out, body);
  c->status = status;
}

/* Reads [start, end) of fd into the end of out. FALSE on a read error or a file
 * that shrank under us. */
static gboolean
append_file (GString *out, int fd, goffset start, goffset end)
{
  gsize want = (gsize)(end - start), got = 0, base = out->len;

  g_string_set_size (out, base + want);
  while (got < want)
    {
      ssize_t n = pread (fd, out->str + base + got, want - got, start + (goffset)got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_string_truncate (out, base);
          return FALSE;
        }
      got += (gsize)n;
    }
  return TRUE;
}

/* Works out the response to the head at the start of the input buffer and lays it
 * out in c->out / c->file_*. */
static void
answer (Connection *c, gsize head_len)
{
  BcHttpServer *server = c->listener->server;
  g_auto (BcHttpRequest) req = { 0 };
  BcHttpResponseHead h = { .complete_length = -1 };
  g_autoptr (GError) error = NULL;
  guint status = bc_http_request_parse ((const char *)c->in, head_len, &req);
  gboolean head_only;
  struct stat st;
  goffset start, end;
  int fd;

  c->started_us = g_get_monotonic_time ();
  c->method = g_strdup (req.method);
  c->path = g_strdup (req.encoded_path ?: req.target);
  if (req.headers != NULL)
    c->user_agent = g_strdup (soup_message_headers_get_one (req.headers, "User-Agent"));
  head_only = g_strcmp0 (req.method, "HEAD") == 0;
  /* Bodies are not read: close after answering, rather than parse one. */
  c->close_after = status != SOUP_STATUS_OK || !req.keep_alive || req.has_body;
  h.close = c->close_after;
  h.keep_alive_10 = req.version == SOUP_HTTP_1_0;

  if (status != SOUP_STATUS_OK)
    {
      respond_error (c, status, head_only, &h);
      return;
    }
  if (!head_only && strcmp (req.method, "GET") != 0)
    {
      h.allow = TRUE;
      respond_error (c, SOUP_STATUS_METHOD_NOT_ALLOWED, FALSE, &h);
      return;
    }
  fd = bc_root_path_open (server->root_fd, req.path, &st, &error);
  if (fd < 0)
    {
      g_debug ("http: %s: %s", req.path, error->message);
      respond_error (c,
                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                         ? SOUP_STATUS_NOT_FOUND
                         : SOUP_STATUS_FORBIDDEN,
                     head_only, &h);
      return;
    }
  status = bc_http_plan_range (req.headers, st.st_size, &start, &end);
  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE)
    {
      close (fd);
      h.complete_length = st.st_size;
      respond_error (c, status, head_only, &h);
      return;
    }
  h.status = status;
  h.date = date_now ();
  h.content_type = bc_http_content_type (req.path);
  h.content_length = end - start;
  h.accept_ranges = TRUE;
  h.last_modified = last_modified (st.st_mtime);
  h.range_start = start;
  h.range_end = end;
  h.complete_length = st.st_size;
  bc_http_append_response_head (c->out, &h);
  c->head_out = c->out->len;
  c->status = status;
  if (head_only)
    close (fd);
  else if (end - start <= SMALL_BODY)
    {
      gboolean ok = append_file (c->out, fd, start, end);

      close (fd);
      if (!ok)
        {
          /* Nothing has gone out yet: an honest 500 instead. */
          g_string_truncate (c->out, 0);
          h = (BcHttpResponseHead){ .close = c->close_after,
                                    .keep_alive_10 = h.keep_alive_10,
                                    .complete_length = -1 };
          respond_error (c, SOUP_STATUS_INTERNAL_SERVER_ERROR, FALSE, &h);
        }
    }
  else
    {
      c->file_fd = fd;
      c->file_next = start;
      c->file_end = end;
    }
}

/* Sends what is pending. TRUE: all of it went out. FALSE: the socket is full
 * (wait for G_IO_OUT), or the connection failed (c->broken set). */
static gboolean
send_pending (Connection *c)
{
  while (c->out_sent < c->out->len)
    {
      int more = c->file_next < c->file_end ? MSG_MORE : 0;
      ssize_t n = send (c->fd, c->out->str + c->out_sent, c->out->len - c->out_sent,
                        MSG_NOSIGNAL | MSG_DONTWAIT | more);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            c->broken = TRUE;
          return FALSE;
        }
      if (c->out_sent + (gsize)n > c->head_out)
        c->body_sent += c->out_sent + (gsize)n - MAX (c->out_sent, c->head_out);
      c->out_sent += (gsize)n;
      c->last_progress_us = g_get_monotonic_time ();
    }
  while (c->file_next < c->file_end)
    {
      off_t off = c->file_next;
      ssize_t n = sendfile (c->fd, c->file_fd, &off,
                            (size_t)MIN ((goffset)SENDFILE_CHUNK, c->file_end - c->file_next));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return FALSE;
      if (n <= 0)
        {
          /* A read error, or the file shrank after the head promised its length:
           * the only honest thing left is to cut the connection short. */
          g_debug ("http: sendfile at %" G_GOFFSET_FORMAT ": %s", c->file_next,
                   n < 0 ? g_strerror (errno) : "end of file");
          c->broken = TRUE;
          return FALSE;
        }
      c->body_sent += (guint64)n;
      c->file_next = off;
      c->last_progress_us = g_get_monotonic_time ();
      /* Let other connections on this thread have a turn between chunks. */
      if (c->file_next < c->file_end)
        return FALSE;
    }
  return TRUE;
}

/* Input: read what is there (in LINGER, read and drop it). */
static gboolean
receive (Connection *c)
{
  while (!c->read_eof)
    {
      guint8 drain[4096];
      guint8 *into = c->state == CONN_LINGER ? drain : c->in + c->in_len;
      gsize room = c->state == CONN_LINGER ? sizeof drain : sizeof c->in - c->in_len;
      ssize_t n;

      if (room == 0)
        return TRUE; /* full: the head is too long, answer() will say so */
      n = recv (c->fd, into, room, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          c->read_eof = TRUE;
          break;
        }
      if (c->state != CONN_LINGER)
        c->in_len += (gsize)n;
      c->last_progress_us = g_get_monotonic_time ();
      if ((gsize)n < room)
        return TRUE;
    }
  return TRUE;
}

/* The answer has gone out: log it, drop its head from the input, and either go on
 * with the next request or close (gracefully: no reset while the client may still
 * be reading the answer). */
static void
response_done (Connection *c, gsize head_len)
{
  log_request (c);
  response_reset (c);
  memmove (c->in, c->in + head_len, c->in_len - head_len);
  c->in_len -= head_len;
  if (c->close_after)
    {
      shutdown (c->fd, SHUT_WR);
      c->state = CONN_LINGER;
      c->in_len = 0;
      set_events (c, G_IO_IN);
    }
  else
    c->state = CONN_READING;
}

/* Drives the connection as far as it goes without blocking. Frees it when done. */
static void
connection_run (Connection *c)
{
  for (;;)
    {
      gsize head_len;

      if (c->state == CONN_SENDING)
        {
          if (!send_pending (c))
            {
              if (c->broken)
                connection_free (c);
              else
                set_events (c, G_IO_OUT);
              return;
            }
          set_events (c, G_IO_IN);
          head_len = bc_http_head_length (c->in, c->in_len);
          response_done (c, head_len);
          continue;
        }
      if (c->state == CONN_LINGER)
        {
          if (c->read_eof)
            connection_free (c);
          return;
        }
      /* CONN_READING */
      head_len = bc_http_head_length (c->in, c->in_len);
      if (head_len == 0 && c->in_len == sizeof c->in)
        {
          BcHttpResponseHead h = { .close = TRUE, .complete_length = -1 };

          c->started_us = g_get_monotonic_time ();
          respond_error (c, BC_HTTP_STATUS_HEADER_FIELDS_TOO_LARGE, FALSE, &h);
          c->close_after = TRUE;
          c->in_len = 0;
          c->state = CONN_SENDING;
          continue;
        }
      if (head_len == 0)
        {
          if (c->read_eof)
            connection_free (c);
          return;
        }
      answer (c, head_len);
      c->state = CONN_SENDING;
    }
}

static gboolean
connection_ready (gpointer owner, GIOCondition events)
{
  Connection *c = owner;

  if (c->state != CONN_SENDING || (events & (G_IO_ERR | G_IO_HUP)))
    receive (c);
  connection_run (c);
  return G_SOURCE_CONTINUE;
}

static void
connection_new (Listener *l, int fd, const struct sockaddr_storage *addr)
{
  Connection *c = g_new0 (Connection, 1);
  char ip[INET6_ADDRSTRLEN] = "?";
  guint port = 0;
  int one = 1;

  c->listener = l;
  c->fd = fd;
  c->file_fd = -1;
  c->out = g_string_sized_new (1024);
  c->last_progress_us = g_get_monotonic_time ();
  if (addr->ss_family == AF_INET)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
      inet_ntop (AF_INET, &sin->sin_addr, ip, sizeof ip);
      port = ntohs (sin->sin_port);
    }
  else if (addr->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
      inet_ntop (AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
      port = ntohs (sin6->sin6_port);
    }
  g_snprintf (c->client, sizeof c->client, "%s:%u", ip, port);
  /* Every response goes out whole (one send, or a head with MSG_MORE and
   * sendfile): Nagle would only hold back the last segment. */
  if (setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
    g_debug ("http: TCP_NODELAY: %s", g_strerror (errno));
  c->link.data = c;
  g_queue_push_tail_link (&l->connections, &c->link);
  c->source = fd_source_new (fd, G_IO_IN, c, connection_ready, l->context);
}

static gboolean
listener_ready (gpointer owner, GIOCondition events)
{
  Listener *l = owner;

  for (;;)
    {
      struct sockaddr_storage addr;
      socklen_t len = sizeof addr;
      int fd = accept4 (l->fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              /* EMFILE and the like: the socket stays readable, so polling it
               * would spin. Pause; a closing connection or the sweep resumes. */
              g_warning ("http: accept: %s (pausing new connections)", g_strerror (errno));
              listener_pause (l, TRUE);
            }
          break;
        }
      connection_new (l, fd, &addr);
      if (l->connections.length >= MAX_CONNECTIONS)
        {
          listener_pause (l, TRUE);
          break;
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_pause (Listener *l, gboolean paused)
{
  l->paused = paused;
  g_source_modify_unix_fd (&l->source->base, l->source->tag, paused ? 0 : G_IO_IN);
}

/* Closes connections that made no progress for too long. */
static gboolean
sweep (gpointer data)
{
  Listener *l = data;
  gint64 now = g_get_monotonic_time ();
  GList *next;

  for (GList *link = l->connections.head; link != NULL; link = next)
    {
      Connection *c = link->data;
      gint64 limit = c->state == CONN_LINGER ? LINGER_TIMEOUT_US : IDLE_TIMEOUT_US;

      next = link->next;
      if (now - c->last_progress_us > limit)
        {
          g_debug ("http: %s: closing after %" G_GINT64_FORMAT " s without progress", c->client,
                   (now - c->last_progress_us) / G_USEC_PER_SEC);
          connection_free (c);
        }
    }
  if (l->paused && l->connections.length < MAX_CONNECTIONS)
    listener_pause (l, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
listener_free (gpointer p)
{
  Listener *l = p;

  if (l->thread != NULL)
    {
      g_main_loop_quit (l->loop); /* thread-safe: wakes the worker's context */
      g_thread_join (l->thread);
    }
  /* The worker is gone (or this is the caller's context): safe to tear down here. */
  while (l->connections.head != NULL)
    {
      Connection *c = l->connections.head->data;
      connection_free (c);
    }
  if (l->source != NULL)
    fd_source_free (l->source);
  if (l->sweep != NULL)
    {
      g_source_destroy (l->sweep);
      g_source_unref (l->sweep);
    }
  if (l->fd >= 0)
    close (l->fd);
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

/* A listening socket with SO_REUSEPORT on @addr, served on @context. */
static Listener *
listener_new (BcHttpServer *server, GMainContext *context, GSocketAddress *addr, GError **error)
{
  struct sockaddr_storage native;
  gssize len = g_socket_address_get_native_size (addr);
  int one = 1;
  int fd;
  Listener *l;

  if (len < 0 || !g_socket_address_to_native (addr, &native, sizeof native, error))
    return NULL;
  fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0
      || bind (fd, (struct sockaddr *)&native, (socklen_t)len) < 0 || listen (fd, 256) < 0)
    {
      int saved = errno;
      g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (addr));

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "bind %s: %s", where,
                   g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  l = g_new0 (Listener, 1);
  l->server = server;
  l->fd = fd;
  l->context = g_main_context_ref (context);
  g_queue_init (&l->connections);
  l->source = fd_source_new (fd, G_IO_IN, l, listener_ready, context);
  l->sweep = g_timeout_source_new_seconds (SWEEP_INTERVAL_S);
  g_source_set_callback (l->sweep, sweep, l, NULL);
  g_source_attach (l->sweep, context);
  return l;
}

static guint16
bound_port (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (getsockname (fd, (struct sockaddr *)&ss, &len) < 0)
    return 0;
  if (ss.ss_family == AF_INET)
    return ntohs (((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6)
    return ntohs (((struct sockaddr_in6 *)&ss)->sin6_port);
  return 0;
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
  server->port = bound_port (first->fd);

  /* More listeners on the same port (port 0 resolved above), each with its own
   * context and thread. A request only reads the server's root fd and writes
   * whole event lines, so it is safe on several threads. */
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
