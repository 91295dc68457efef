/* bootserv's TFTP shell: sockets, files, timers and events around the pure session
 * state machine (server/proto/tftp-session.h). See tftp-server.h. */
#include "server/io/tftp-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "server/io/root-path.h"
#include "server/proto/tftp-packet.h"
#include "server/proto/tftp-session.h"

/* RFC 7440 allows 65535; more than this buys nothing on a LAN and costs memory. */
#define MAX_WINDOWSIZE 64
#define READ_AHEAD (128 * 1024)
/* Transfers at once; beyond this a request gets ERROR 0 "busy" (a flood of RRQs
 * must not exhaust fds and memory). */
#define MAX_TRANSFERS 1024
/* Packets one transfer handles per wake-up before the main loop gets a turn (the
 * other transfers, new requests). */
#define DISPATCH_BUDGET 32
/* See transfer_dispatch: how many blocks at most go by between tries to take the
 * ACK right after sending the DATA. */
#define SPECULATE_BACKOFF_MAX 64

typedef struct _Transfer Transfer;

struct _BcTftpServer
{
  int root_fd;
  int listen_fd;
  guint16 port;
  GSource *listen_source;
  GMainContext *context;
  BcEventLog *log;
  GHashTable *transfers; /* Transfer* set, owned */
  BcTftpTiming timing;
};

struct _Transfer
{
  BcTftpServer *server;
  int sock;    /* bound to the address the request came to, new port; connected */
  int file_fd; /* -1 before the file is open */
  BcTftpSession *session;
  GSource *source; /* the socket and the session's deadline */
  char *client;    /* "ip:port" */
  struct sockaddr_in peer;
  GBytes *request; /* the RRQ as received, to recognise a retransmitted one */
  char *file;
  gint64 started_us;
  /* Read-ahead, laid out as DATA packets: slot i holds a 4-byte header and then the
   * payload of block buf_first + i, so that a block goes out as one contiguous
   * buffer (one send, no iovec, no copy) and the file is read with one preadv per
   * buf_slots blocks. At least two windows (what a timeout resends), about
   * READ_AHEAD bytes. */
  guint8 *buf;
  gsize slot_size; /* 4 + blksize */
  guint buf_slots;
  guint64 buf_first;             /* block in slot 0 (1-based; 0: nothing read yet) */
  guint buf_count;               /* blocks read, from buf_first */
  guint spec_backoff, spec_skip; /* see transfer_dispatch */
};

typedef struct
{
  GSource source;
  Transfer *transfer;
  gpointer fd_tag;
} TransferSource;

static void
emit_error (BcTftpServer *server, const char *client, const char *file, guint code,
            const char *message)
{
  JsonBuilder *b = bc_event_log_begin ("tftp");
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, "error");
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, client);
  if (file != NULL)
    {
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, file);
    }
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, code);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  bc_event_log_emit (server->log, b);
}

static void
add_options (JsonBuilder *b, GPtrArray *options)
{
  json_builder_set_member_name (b, "options");
  json_builder_begin_object (b);
  for (guint i = 0; i < options->len; i++)
    {
      const BcTftpOption *o = options->pdata[i];
      json_builder_set_member_name (b, o->name);
      json_builder_add_string_value (b, o->value);
    }
  json_builder_end_object (b);
}

static void
transfer_free (Transfer *t)
{
  if (t->source != NULL)
    {
      g_source_destroy (t->source);
      g_source_unref (t->source);
    }
  if (t->sock >= 0)
    close (t->sock);
  if (t->file_fd >= 0)
    close (t->file_fd);
  bc_tftp_session_free (t->session);
  g_free (t->client);
  g_clear_pointer (&t->request, g_bytes_unref);
  g_free (t->file);
  g_free (t->buf);
  g_free (t);
}

static void
send_bytes (int sock, GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  if (send (sock, data, len, MSG_DONTWAIT) < 0)
    g_debug ("tftp: send: %s", g_strerror (errno));
}

/* Reads blocks @first .. @first + buf_slots - 1 (fewer at the end of the file) into
 * the packet slots, with preadv straight into the payload parts. Returns FALSE when
 * block @need (>= @first) could not be read: an I/O error, or the file shrank under
 * us. */
static gboolean
transfer_fill (Transfer *t, guint64 first, guint64 need)
{
  guint64 total = bc_tftp_session_get_total_blocks (t->session);
  guint blksize = bc_tftp_session_get_blksize (t->session);
  guint64 offset, last_offset;
  guint len;
  guint16 wire;
  gsize want, got = 0;

  t->buf_first = first;
  t->buf_count = (guint)MIN ((guint64)t->buf_slots, total - first + 1);
  bc_tftp_session_get_block (t->session, first, &offset, &len, &wire);
  bc_tftp_session_get_block (t->session, first + t->buf_count - 1, &last_offset, &len, &wire);
  want = (gsize)(last_offset + len - offset);
  while (got < want)
    {
      struct iovec iov[256]; /* one call for 128 KiB down to blksize 512 */
      guint slot = (guint)(got / blksize);
      gsize skip = got % blksize;
      guint n_iov = 0;
      ssize_t n;

      for (; slot < t->buf_count && n_iov < G_N_ELEMENTS (iov); slot++, n_iov++)
        {
          gsize end = MIN ((gsize)(slot + 1) * blksize, want);
          iov[n_iov].iov_base = t->buf + slot * t->slot_size + 4 + skip;
          iov[n_iov].iov_len = end - (gsize)slot * blksize - skip;
          skip = 0;
        }
      n = preadv (t->file_fd, iov, (int)n_iov, (off_t)(offset + got));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; /* an error, or EOF before st_size: the file shrank */
      got += (gsize)n;
    }
  if (got < want)
    t->buf_count = (guint)(got / blksize); /* whole blocks only */
  return need < first + t->buf_count;
}

/* Sends what the session asked for: the control packet, then the DATA blocks from
 * the read-ahead slots, one send in lock-step, one sendmmsg for a window. Returns
 * FALSE when the file cannot be read (the transfer must end). */
static gboolean
transfer_send (Transfer *t, const BcTftpOutput *out)
{
  guint count = MIN (out->count, 2 * MAX_WINDOWSIZE);
  guint64 last, offset;
  guint len;
  guint16 wire;
  struct iovec iov[2 * MAX_WINDOWSIZE];
  struct mmsghdr msgs[2 * MAX_WINDOWSIZE];

  if (out->control != NULL)
    send_bytes (t->sock, out->control);
  if (out->first_block == 0 || count == 0)
    return TRUE;

  /* A retransmission of an older window re-reads it (count <= buf_slots). */
  last = out->first_block + count - 1;
  if (out->first_block < t->buf_first || last >= t->buf_first + t->buf_count)
    if (!transfer_fill (t, out->first_block, last))
      return FALSE;

  for (guint i = 0; i < count; i++)
    {
      guint8 *slot = t->buf + (gsize)(out->first_block + i - t->buf_first) * t->slot_size;
      bc_tftp_session_get_block (t->session, out->first_block + i, &offset, &len, &wire);
      bc_tftp_packet_write_data_header (slot, wire);
      iov[i] = (struct iovec){ slot, 4 + (gsize)len };
      msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
    }
  if (count == 1)
    {
      /* Lock-step (RFC 1350): the common case for boot firmware. */
      if (send (t->sock, iov[0].iov_base, iov[0].iov_len, 0) < 0)
        g_debug ("tftp %s: send: %s", t->client, g_strerror (errno));
      return TRUE;
    }
  for (guint sent = 0; sent < count;)
    {
      int n = sendmmsg (t->sock, msgs + sent, count - sent, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* A full socket buffer or an ICMP error: the retransmission timer recovers. */
          g_debug ("tftp %s: sendmmsg: %s", t->client, g_strerror (errno));
          break;
        }
      sent += (guint)n;
    }
  return TRUE;
}

/* After a send, while the client works on the blocks: read the next blocks now if
 * they are not buffered yet, so that the read is not between an ACK and the DATA
 * it releases. The refill starts at the blocks just sent (still in flight: a
 * timeout resends them from the buffer); after an OACK, at block 1. A read error
 * here is left to transfer_send, which retries and fails the transfer if it must. */
static void
transfer_prefetch (Transfer *t, const BcTftpOutput *out)
{
  guint64 first = out->first_block != 0 ? out->first_block : 1;
  guint64 next = out->first_block + out->count;

  if (out->first_block == 0 && out->control == NULL)
    return;
  if (next > bc_tftp_session_get_total_blocks (t->session) || next < t->buf_first + t->buf_count)
    return;
  transfer_fill (t, first, first);
}

static void
transfer_finish (Transfer *t)
{
  BcTftpServer *server = t->server;
  gint64 ms = (g_get_monotonic_time () - t->started_us) / 1000;
  BcTftpSessionState state = bc_tftp_session_get_state (t->session);
  JsonBuilder *b = bc_event_log_begin ("tftp");

  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, state == BC_TFTP_SESSION_DONE ? "complete" : "error");
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, t->client);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, t->file);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64)bc_tftp_session_get_bytes_acked (t->session));
  json_builder_set_member_name (b, "ms");
  json_builder_add_int_value (b, ms);
  json_builder_set_member_name (b, "retransmits");
  json_builder_add_int_value (b, (gint64)bc_tftp_session_get_retransmits (t->session));
  if (state != BC_TFTP_SESSION_DONE)
    {
      const char *why = bc_tftp_session_get_failure (t->session);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, why != NULL ? why : "aborted");
    }
  bc_event_log_emit (server->log, b);
  g_hash_table_remove (server->transfers, t);
}

/* Sets the source's timer to the session's deadline, lazily: every ACK moves the
 * deadline later, and g_source_set_ready_time signals the context's wakeup fd
 * (a write, then a read and an extra poll) each time. So the timer only moves
 * earlier, or is re-armed once it has fired; firing before the session's deadline
 * is harmless (tick does nothing early). */
static void
transfer_arm (Transfer *t, gint64 now)
{
  gint64 want = bc_tftp_session_get_deadline (t->session);
  gint64 cur = g_source_get_ready_time (t->source);

  if (cur == -1 || want < cur || cur <= now)
    g_source_set_ready_time (t->source, want == G_MAXINT64 ? -1 : want);
}

/* Sends @out and reads ahead for what comes next. FALSE: the file cannot be read. */
static gboolean
transfer_output (Transfer *t, const BcTftpOutput *out)
{
  if (!transfer_send (t, out))
    return FALSE;
  transfer_prefetch (t, out);
  return TRUE;
}

static gboolean
transfer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  TransferSource *ts = (TransferSource *)source;
  Transfer *t = ts->transfer;
  guint8 packet[BC_TFTP_MAX_PACKET];
  BcTftpSessionState state = bc_tftp_session_get_state (t->session);
  g_auto (BcTftpOutput) out = { 0 };
  gint64 now = 0;

  if (g_source_query_unix_fd (source, ts->fd_tag) & (G_IO_IN | G_IO_ERR))
    {
      guint budget = DISPATCH_BUDGET;
      gboolean speculative = FALSE; /* this recv comes right after our own DATA */

      for (;;)
        {
          ssize_t n = recv (t->sock, packet, sizeof packet, MSG_DONTWAIT);
          if (n < 0)
            {
              if (errno == EINTR)
                continue;
              /* EAGAIN: drained. ECONNREFUSED: the client's port closed (ICMP);
               * it may come back with a retransmitted ACK, or the timer gives up. */
              if (speculative)
                {
                  t->spec_backoff = CLAMP (t->spec_backoff * 2, 1, SPECULATE_BACKOFF_MAX);
                  t->spec_skip = t->spec_backoff;
                }
              break;
            }
          if (speculative)
            t->spec_backoff = 0;
          /* The arrival time, for the round-trip estimate (and the deadline). */
          now = g_get_monotonic_time ();
          state = bc_tftp_session_receive (t->session, packet, (gsize)n, now, &out);
          if (!transfer_output (t, &out))
            goto read_failed;
          speculative = out.count > 0;
          bc_tftp_output_clear (&out);
          if (state == BC_TFTP_SESSION_DONE || state == BC_TFTP_SESSION_FAILED || --budget == 0)
            break;
          /* DATA just went out. If this thread lost the CPU on the way out of
           * send() (to the woken client on the same core, or to other work), the
           * ACK may be queued by now, and taking it here saves a poll() and a
           * main-loop iteration. Measured with curl on the same core as a busy
           * loop: a third of the blocks; on an idle machine or with a remote
           * client almost never. So after each miss the next tries are skipped for
           * twice as many blocks (up to SPECULATE_BACKOFF_MAX): a miss costs at
           * most one recv in 65 blocks. */
          if (speculative && t->spec_skip > 0)
            {
              t->spec_skip--;
              break;
            }
        }
    }
  if (state != BC_TFTP_SESSION_DONE && state != BC_TFTP_SESSION_FAILED)
    {
      /* Woken by the timer (or by a packet that moved nothing): retransmit or give
       * up when the deadline has passed. After progress, the deadline is ahead. */
      if (now == 0)
        now = g_get_monotonic_time ();
      if (now >= bc_tftp_session_get_deadline (t->session))
        {
          state = bc_tftp_session_tick (t->session, now, &out);
          if (!transfer_output (t, &out))
            goto read_failed;
        }
    }
  if (state == BC_TFTP_SESSION_DONE || state == BC_TFTP_SESSION_FAILED)
    {
      transfer_finish (t); /* destroys this source */
      return G_SOURCE_REMOVE;
    }
  transfer_arm (t, now);
  return G_SOURCE_CONTINUE;

read_failed:
  {
    g_autoptr (GBytes) err = bc_tftp_packet_build_error (BC_TFTP_ERR_UNDEFINED, "read error");
    send_bytes (t->sock, err);
    emit_error (t->server, t->client, t->file, BC_TFTP_ERR_UNDEFINED,
                "the file could not be read (shrunk or I/O error)");
    g_hash_table_remove (t->server->transfers, t);
    return G_SOURCE_REMOVE;
  }
}

static GSourceFuncs transfer_source_funcs = {
  .dispatch = transfer_dispatch,
};

/* Ends a request before a session exists: an ERROR packet from the transfer socket,
 * and an event. */
static void
refuse (Transfer *t, guint code, const char *message)
{
  g_autoptr (GBytes) err = bc_tftp_packet_build_error ((guint16)code, message);
  send_bytes (t->sock, err);
  emit_error (t->server, t->client, t->file, code, message);
}

/* The path MTU to the client as the kernel knows it (the route's interface MTU, or
 * less after ICMP fragmentation-needed). */
static guint
path_max_blksize (int sock)
{
  int mtu = 0;
  socklen_t len = sizeof mtu;

  if (getsockopt (sock, IPPROTO_IP, IP_MTU, &mtu, &len) < 0 || mtu < 68)
    mtu = 1500;
  /* - IPv4 header 20 - UDP 8 - TFTP 4 */
  return (guint)MIN (mtu - 32, BC_TFTP_MAX_BLKSIZE);
}

static gboolean
is_duplicate_request (BcTftpServer *server, const struct sockaddr_in *from, const guint8 *data,
                      gsize len)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, server->transfers);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      Transfer *t = key;
      if (t->session != NULL && t->peer.sin_addr.s_addr == from->sin_addr.s_addr
          && t->peer.sin_port == from->sin_port && bc_tftp_session_get_bytes_acked (t->session) == 0
          && g_bytes_get_size (t->request) == len
          && memcmp (g_bytes_get_data (t->request, NULL), data, len) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
handle_request (BcTftpServer *server, const guint8 *data, gsize len, const struct sockaddr_in *from,
                const struct in_addr *local)
{
  g_autoptr (BcTftpPacket) req = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (BcTftpNegotiated) neg = { 0 };
  g_auto (BcTftpOutput) out = { 0 };
  struct sockaddr_in bind_addr = { .sin_family = AF_INET, .sin_addr = *local };
  char ip[INET_ADDRSTRLEN];
  Transfer *t;
  struct stat st;
  BcTftpLimits limits;
  TransferSource *ts;

  /* Only RRQ and WRQ get an answer on the request port. Stray DATA/ACK/ERROR (late
   * packets of old transfers) and junk are dropped: answering junk from anyone
   * would make the server a reflector. */
  if (len < 2 || data[0] != 0 || (data[1] != BC_TFTP_OP_RRQ && data[1] != BC_TFTP_OP_WRQ))
    return;
  /* A client whose OACK or first DATA was lost sends its RRQ again from the same
   * port (iPXE, EDK2, curl): the transfer already running retransmits by itself;
   * a second one from another port would only earn an ERROR 5 from the client. */
  if (is_duplicate_request (server, from, data, len))
    {
      g_debug ("tftp: duplicate request from port %u dropped", ntohs (from->sin_port));
      return;
    }
  if (g_hash_table_size (server->transfers) >= MAX_TRANSFERS)
    {
      g_autoptr (GBytes) err = bc_tftp_packet_build_error (BC_TFTP_ERR_UNDEFINED, "server busy");
      inet_ntop (AF_INET, &from->sin_addr, ip, sizeof ip);
      g_autofree char *client = g_strdup_printf ("%s:%u", ip, ntohs (from->sin_port));
      if (sendto (server->listen_fd, g_bytes_get_data (err, NULL), g_bytes_get_size (err),
                  MSG_DONTWAIT, (const struct sockaddr *)from, sizeof *from)
          < 0)
        g_debug ("tftp: sendto: %s", g_strerror (errno));
      emit_error (server, client, NULL, BC_TFTP_ERR_UNDEFINED, "server busy: too many transfers");
      return;
    }

  t = g_new0 (Transfer, 1);
  t->server = server;
  t->file_fd = -1;
  t->started_us = g_get_monotonic_time ();
  inet_ntop (AF_INET, &from->sin_addr, ip, sizeof ip);
  t->client = g_strdup_printf ("%s:%u", ip, ntohs (from->sin_port));
  t->peer = *from;
  t->request = g_bytes_new (data, len);
  g_hash_table_add (server->transfers, t);

  /* RFC 1350 §4: each transfer gets its own port (TID), from the address the client
   * sent the request to (clients check where replies come from). */
  t->sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (t->sock < 0 || bind (t->sock, (struct sockaddr *)&bind_addr, sizeof bind_addr) < 0
      || connect (t->sock, (const struct sockaddr *)from, sizeof *from) < 0)
    {
      g_debug ("tftp %s: transfer socket: %s", t->client, g_strerror (errno));
      emit_error (server, t->client, NULL, BC_TFTP_ERR_UNDEFINED, "no transfer socket");
      g_hash_table_remove (server->transfers, t);
      return;
    }

  if (!bc_tftp_packet_parse (data, len, &req, &error))
    {
      refuse (t, BC_TFTP_ERR_ILLEGAL_OP, error->message);
      g_hash_table_remove (server->transfers, t);
      return;
    }
  t->file = g_strdup (req->filename);
  {
    JsonBuilder *b = bc_event_log_begin ("tftp");
    json_builder_set_member_name (b, "event");
    json_builder_add_string_value (b, "request");
    json_builder_set_member_name (b, "client");
    json_builder_add_string_value (b, t->client);
    if (req->filename != NULL)
      {
        json_builder_set_member_name (b, "file");
        json_builder_add_string_value (b, req->filename);
        json_builder_set_member_name (b, "mode");
        json_builder_add_string_value (b, req->mode);
      }
    json_builder_set_member_name (b, "opcode");
    json_builder_add_string_value (b, bc_tftp_opcode_to_string (req->opcode));
    add_options (b, req->options);
    bc_event_log_emit (server->log, b);
  }

  if (req->opcode == BC_TFTP_OP_WRQ)
    {
      refuse (t, BC_TFTP_ERR_ACCESS, "write requests are refused: this server is read-only");
      g_hash_table_remove (server->transfers, t);
      return;
    }
  /* Boot firmware always asks for octet. netascii would need the file converted on
   * the fly (and tsize computed over it): refused, with a message that says so. */
  if (!g_str_equal (req->mode, "octet"))
    {
      g_autofree char *msg = g_strdup_printf ("mode '%.16s' not supported: use octet", req->mode);
      refuse (t, BC_TFTP_ERR_ILLEGAL_OP, msg);
      g_hash_table_remove (server->transfers, t);
      return;
    }

  t->file_fd = bc_root_path_open (server->root_fd, req->filename, &st, &error);
  if (t->file_fd < 0)
    {
      guint code = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? BC_TFTP_ERR_NOT_FOUND
                                                                             : BC_TFTP_ERR_ACCESS;
      refuse (t, code, error->message);
      g_hash_table_remove (server->transfers, t);
      return;
    }

  limits.max_blksize = path_max_blksize (t->sock);
  limits.max_windowsize = MAX_WINDOWSIZE;
  limits.file_size = (guint64)st.st_size;
  bc_tftp_negotiate (req, &limits, &neg);
  t->session = bc_tftp_session_new (&neg, (guint64)st.st_size, &server->timing,
                                    g_get_monotonic_time (), &out);
  t->slot_size = 4 + (gsize)bc_tftp_session_get_blksize (t->session);
  t->buf_slots = MAX (2 * neg.windowsize, (READ_AHEAD + t->slot_size - 1) / t->slot_size);
  t->buf = g_malloc (t->buf_slots * t->slot_size);

  if (neg.oack->len > 0)
    {
      JsonBuilder *b = bc_event_log_begin ("tftp");
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "oack");
      json_builder_set_member_name (b, "client");
      json_builder_add_string_value (b, t->client);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, t->file);
      add_options (b, neg.oack);
      bc_event_log_emit (server->log, b);
    }

  ts = (TransferSource *)g_source_new (&transfer_source_funcs, sizeof (TransferSource));
  ts->transfer = t;
  ts->fd_tag = g_source_add_unix_fd (&ts->source, t->sock, G_IO_IN | G_IO_ERR);
  g_source_set_name (&ts->source, "bc-tftp-transfer");
  g_source_set_priority (&ts->source, G_PRIORITY_DEFAULT);
  /* GLib blocks a dispatching source by taking its fd out of the poll set and
   * putting it back afterwards, which signals the context's wakeup fd: one write,
   * one read and one extra poll per packet. Nothing here iterates the context
   * recursively, so let the source "recurse" and skip that. */
  g_source_set_can_recurse (&ts->source, TRUE);
  t->source = &ts->source;
  g_source_attach (t->source, server->context);

  if (!transfer_output (t, &out))
    {
      refuse (t, BC_TFTP_ERR_UNDEFINED, "read error");
      g_hash_table_remove (server->transfers, t);
      return;
    }
  transfer_arm (t, g_get_monotonic_time ());
}

static gboolean
on_listen_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  BcTftpServer *server = user_data;

  /* A bounded batch per wake-up, so a flood of requests cannot starve transfers. */
  for (int i = 0; i < 32; i++)
    {
      guint8 data[BC_TFTP_MAX_PACKET];
      union
      {
        char buf[CMSG_SPACE (sizeof (struct in_pktinfo))];
        struct cmsghdr align;
      } control;
      struct sockaddr_in from;
      struct iovec iov = { data, sizeof data };
      struct msghdr msg = {
        .msg_name = &from,
        .msg_namelen = sizeof from,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof control.buf,
      };
      struct in_addr local = { .s_addr = htonl (INADDR_ANY) };
      ssize_t n = recvmsg (fd, &msg, MSG_DONTWAIT);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (from.sin_family != AF_INET || ntohs (from.sin_port) == 0)
        continue;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
          {
            struct in_pktinfo pi;
            memcpy (&pi, CMSG_DATA (c), sizeof pi);
            /* ipi_addr: the destination of the request (broadcasts excluded by the
             * kernel putting the interface address in ipi_spec_dst). */
            local = pi.ipi_spec_dst;
          }
      handle_request (server, data, (gsize)n, &from, &local);
    }
  return G_SOURCE_CONTINUE;
}

static void
transfer_destroy (gpointer p)
{
  transfer_free (p);
}

BcTftpServer *
bc_tftp_server_new (const char *root, const char *bind_address, guint16 port, BcEventLog *log,
                    GError **error)
{
  g_autoptr (BcTftpServer) server = g_new0 (BcTftpServer, 1);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  socklen_t addrlen = sizeof addr;
  int one = 1;

  server->listen_fd = -1;
  server->root_fd = -1;
  server->log = log;
  server->context = g_main_context_ref_thread_default ();
  server->transfers = g_hash_table_new_full (NULL, NULL, transfer_destroy, NULL);
  bc_tftp_timing_init_default (&server->timing);

  server->root_fd = bc_root_path_open_root (root, error);
  if (server->root_fd < 0)
    return NULL;

  if (bind_address == NULL)
    addr.sin_addr.s_addr = htonl (INADDR_ANY);
  else if (inet_pton (AF_INET, bind_address, &addr.sin_addr) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "TFTP: '%s' is not an IPv4 address", bind_address);
      return NULL;
    }
  server->listen_fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (server->listen_fd < 0
      || setsockopt (server->listen_fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0
      || bind (server->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0
      || getsockname (server->listen_fd, (struct sockaddr *)&addr, &addrlen) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "TFTP: bind %s:%u: %s",
                   bind_address != NULL ? bind_address : "0.0.0.0", port, g_strerror (saved));
      return NULL;
    }
  server->port = ntohs (addr.sin_port);
  server->listen_source = g_unix_fd_source_new (server->listen_fd, G_IO_IN);
  g_source_set_callback (server->listen_source, (GSourceFunc)(void (*) (void))on_listen_readable,
                         server, NULL);
  g_source_set_name (server->listen_source, "bc-tftp-listen");
  g_source_set_can_recurse (server->listen_source, TRUE); /* see handle_request */
  g_source_attach (server->listen_source, server->context);
  return g_steal_pointer (&server);
}

void
bc_tftp_server_free (BcTftpServer *server)
{
  if (server == NULL)
    return;
  if (server->listen_source != NULL)
    {
      g_source_destroy (server->listen_source);
      g_source_unref (server->listen_source);
    }
  g_clear_pointer (&server->transfers, g_hash_table_unref);
  if (server->listen_fd >= 0)
    close (server->listen_fd);
  if (server->root_fd >= 0)
    close (server->root_fd);
  g_main_context_unref (server->context);
  g_free (server);
}

guint16
bc_tftp_server_get_port (BcTftpServer *server)
{
  return server->port;
}
