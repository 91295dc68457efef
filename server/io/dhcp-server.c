/* See dhcp-server.h. */
#include "server/io/dhcp-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/io/packet-socket.h"
#include "server/policy/dhcp-policy.h"
#include "server/proto/dhcp-fingerprint.h"

#define BATCH 16
/* A slot per request: DHCP messages are ≤ 576 bytes unless the client allows more
 * (option 57); one larger than a slot arrives truncated (MSG_TRUNC) and is dropped. */
#define SLOT 8192

struct _BcDhcpServer
{
  const BcConf *conf;
  BcLeaseDb *leases;
  BcEventLog *log;
  char *ifname;
  int ifindex;
  guint32 addr;
  int fd, packet_fd;
  guint watch_id;
  /* Under load many requests wait in the socket: one recvmmsg takes up to BATCH of
   * them and one sendmmsg sends their UDP replies, instead of a syscall each. */
  struct mmsghdr in[BATCH];
  struct iovec in_iov[BATCH];
  guint8 in_buf[BATCH][SLOT];
  struct mmsghdr out[BATCH];
  struct iovec out_iov[BATCH];
  struct sockaddr_in out_addr[BATCH];
  GBytes *out_data[BATCH];
  guint n_out;
};

gboolean
bc_interface_get_ipv4 (const char *ifname, guint32 *ret_addr, int *ret_ifindex, GError **error)
{
  struct ifaddrs *ifa = NULL;
  int idx = if_nametoindex (ifname);
  gboolean found = FALSE;
  guint32 addr = 0;

  if (idx == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no interface %s", ifname);
      return FALSE;
    }
  if (getifaddrs (&ifa) < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "getifaddrs: %s", g_strerror (e));
      return FALSE;
    }
  for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next)
    if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET
        && g_strcmp0 (i->ifa_name, ifname) == 0)
      {
        addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
        found = TRUE;
        break;
      }
  freeifaddrs (ifa);
  if (!found)
    {
      /* ISC: "No subnet declaration for IFACE (no IPv4 addresses)." */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "interface %s has no IPv4 address: bootserv serves from it", ifname);
      return FALSE;
    }
  *ret_addr = addr;
  *ret_ifindex = idx;
  return TRUE;
}

static char *
ip_str (guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &addr, buf, sizeof buf);
  return g_strdup (buf);
}

static void
add_str (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
log_dropped (BcDhcpServer *s, const guint8 *data, gsize len, const char *why)
{
  JsonBuilder *b;

  g_debug ("dhcp: dropped %" G_GSIZE_FORMAT " bytes: %s", len, why);
  if (s->log == NULL)
    return;
  b = bc_event_log_begin ("dhcp");
  add_str (b, "event", "dropped");
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, len);
  add_str (b, "error", why);
  bc_event_log_emit (s->log, b);
}

static void
log_decision (BcDhcpServer *s, const BcDhcpMsg *req, const BcDhcpDecision *d,
              const char *send_error)
{
  JsonBuilder *b = bc_event_log_begin ("dhcp");
  g_autofree char *xid = g_strdup_printf ("0x%08x", req->xid);
  g_autofree char *chaddr = bc_dhcp_msg_format_chaddr (req);
  g_autoptr (BcDhcpFingerprint) fp = bc_dhcp_fingerprint_new (req);
  const char *msg = bc_dhcp_message_type_name (d->request_type);

  add_str (b, "event", "decision");
  add_str (b, "xid", xid);
  add_str (b, "chaddr", chaddr);
  add_str (b, "msg", msg != NULL ? msg : "BOOTP");
  json_builder_set_member_name (b, "reply");
  if (d->reply != NULL)
    json_builder_add_string_value (b, bc_dhcp_message_type_name (d->reply_type));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "fingerprint");
  json_builder_add_value (b, bc_dhcp_fingerprint_to_json (fp));
  if (d->reply != NULL)
    {
      const BcDhcpOptionRegistry *reg = bc_conf_get_registry (s->conf);
      g_autofree char *yi = ip_str (d->reply->yiaddr), *si = ip_str (d->reply->siaddr);
      g_autofree char *dest = bc_dhcp_decision_format_dest (d);

      add_str (b, "yiaddr", yi);
      add_str (b, "siaddr", si);
      add_str (b, "file", d->reply->file[0] != '\0' ? d->reply->file : NULL);
      add_str (b, "sname", d->reply->sname[0] != '\0' ? d->reply->sname : NULL);
      add_str (b, "to", dest);
      json_builder_set_member_name (b, "options");
      json_builder_begin_object (b);
      for (guint i = 0; i < d->reply->options->len; i++)
        {
          const BcDhcpOption *o = d->reply->options->pdata[i];
          const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, "dhcp", o->code);
          gsize n;
          const guint8 *v = g_bytes_get_data (o->data, &n);
          g_autofree char *code = g_strdup_printf ("%u", o->code);
          g_autofree char *val = bc_dhcp_option_format_value (def, v, n);
          add_str (b, code, val);
        }
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "reason");
  json_builder_add_value (b, bc_dhcp_decision_reason_to_json (d));
  add_str (b, "error", send_error);
  bc_event_log_emit (s->log, b);
}

static gboolean
send_reply (BcDhcpServer *s, const BcDhcpDecision *d, GError **error)
{
  g_autoptr (GBytes) payload = bc_dhcp_msg_build (d->reply, d->max_len, error);
  struct sockaddr_in to = { 0 };
  gsize len;
  const guint8 *data;

  if (payload == NULL)
    return FALSE;
  data = g_bytes_get_data (payload, &len);
  if (d->dest == BC_DHCP_DEST_CHADDR)
    {
      g_autoptr (GBytes) ip
          = bc_ipv4_udp_build (s->addr, BC_DHCP_SERVER_PORT, d->dest_addr, d->dest_port, data, len);
      return bc_packet_socket_send (s->packet_fd, s->ifindex, d->dest_hwaddr, ip, error);
    }
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = d->dest_addr;
  to.sin_port = htons (d->dest_port);
  if (s->n_out < BATCH)
    {
      /* Queued for flush_replies () at the end of this batch. */
      guint k = s->n_out++;
      s->out_data[k] = g_steal_pointer (&payload);
      s->out_addr[k] = to;
      s->out_iov[k].iov_base = (void *)data;
      s->out_iov[k].iov_len = len;
      memset (&s->out[k], 0, sizeof s->out[k]);
      s->out[k].msg_hdr.msg_name = &s->out_addr[k];
      s->out[k].msg_hdr.msg_namelen = sizeof s->out_addr[k];
      s->out[k].msg_hdr.msg_iov = &s->out_iov[k];
      s->out[k].msg_hdr.msg_iovlen = 1;
      return TRUE;
    }
  if (sendto (s->fd, data, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
    {
      int e = errno;
      g_autofree char *dest = bc_dhcp_decision_format_dest (d);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "sendto %s: %s", dest,
                   g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

static void
flush_replies (BcDhcpServer *s)
{
  guint done = 0;

  while (done < s->n_out)
    {
      int n = sendmmsg (s->fd, s->out + done, s->n_out - done, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          char addr[INET_ADDRSTRLEN];
          inet_ntop (AF_INET, &s->out_addr[done].sin_addr, addr, sizeof addr);
          g_warning ("dhcp: sendto %s:%u: %s", addr, ntohs (s->out_addr[done].sin_port),
                     g_strerror (errno));
          done++; /* skip the one that failed, send the rest */
          continue;
        }
      done += (guint)n;
    }
  for (guint i = 0; i < s->n_out; i++)
    g_clear_pointer (&s->out_data[i], g_bytes_unref);
  s->n_out = 0;
}

static void
handle_packet (BcDhcpServer *s, const guint8 *data, gsize len)
{
  g_autoptr (BcDhcpMsg) req = NULL;
  g_autoptr (BcDhcpDecision) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) send_error = NULL;
  BcDhcpPolicyContext ctx = { 0 };

  if (!bc_dhcp_msg_parse (data, len, &req, &error))
    {
      log_dropped (s, data, len, error->message);
      return;
    }
  ctx.server_addr = s->addr;
  ctx.interface_addr = s->addr;
  ctx.now = g_get_real_time () / G_USEC_PER_SEC;
  d = bc_dhcp_policy_handle (s->conf, s->leases, req, &ctx, &error);
  if (d == NULL)
    {
      log_dropped (s, data, len, error->message);
      return;
    }
  if (d->reply != NULL && !send_reply (s, d, &send_error))
    g_warning ("dhcp: %s", send_error->message);
  if (d->reply == NULL)
    g_debug ("dhcp: %s", d->reason);
  if (s->log != NULL)
    log_decision (s, req, d, send_error != NULL ? send_error->message : NULL);
}

static gboolean
readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  BcDhcpServer *s = user_data;

  /* Drain the socket a few batches at a time, then let other sources run. */
  for (guint round = 0; round < 4; round++)
    {
      int n;

      for (guint i = 0; i < BATCH; i++)
        {
          s->in_iov[i].iov_base = s->in_buf[i];
          s->in_iov[i].iov_len = SLOT;
          memset (&s->in[i].msg_hdr, 0, sizeof s->in[i].msg_hdr);
          s->in[i].msg_hdr.msg_iov = &s->in_iov[i];
          s->in[i].msg_hdr.msg_iovlen = 1;
        }
      n = recvmmsg (fd, s->in, BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0)
        {
          if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            g_debug ("dhcp: recvmmsg: %s", g_strerror (errno));
          break;
        }
      for (int i = 0; i < n; i++)
        {
          if (s->in[i].msg_hdr.msg_flags & MSG_TRUNC)
            log_dropped (s, s->in_buf[i], s->in[i].msg_len,
                         "larger than " G_STRINGIFY (SLOT) " bytes");
          else
            handle_packet (s, s->in_buf[i], s->in[i].msg_len);
        }
      flush_replies (s);
      if (n < BATCH)
        break;
    }
  return G_SOURCE_CONTINUE;
}

BcDhcpServer *
bc_dhcp_server_new (const BcConf *conf, BcLeaseDb *leases, const char *ifname, guint16 port,
                    BcEventLog *log, GError **error)
{
  g_autoptr (BcDhcpServer) s = g_new0 (BcDhcpServer, 1);
  struct sockaddr_in sin = { 0 };
  int one = 1, rcvbuf = 4 << 20;

  s->fd = s->packet_fd = -1;
  s->conf = conf;
  s->leases = leases;
  s->log = log;
  s->ifname = g_strdup (ifname);
  if (!bc_interface_get_ipv4 (ifname, &s->addr, &s->ifindex, error))
    return NULL;
  s->fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s->fd < 0)
    goto fail_errno;
  setsockopt (s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt (s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  /* Broadcast replies (RFC 2131 4.1) need SO_BROADCAST; binding to the device makes
   * 255.255.255.255 leave through it and keeps other interfaces' requests out. */
  if (setsockopt (s->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0
      || setsockopt (s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen (ifname)) < 0)
    goto fail_errno;
  sin.sin_family = AF_INET;
  sin.sin_port = htons (port);
  sin.sin_addr.s_addr = htonl (INADDR_ANY);
  if (bind (s->fd, (struct sockaddr *)&sin, sizeof sin) < 0)
    goto fail_errno;
  s->packet_fd = bc_packet_socket_open (s->ifindex, error);
  if (s->packet_fd < 0)
    return NULL;
  s->watch_id = g_unix_fd_add (s->fd, G_IO_IN, readable_cb, s);
  return g_steal_pointer (&s);

fail_errno:
  {
    int e = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "DHCP socket on %s port %u: %s",
                 ifname, port, g_strerror (e));
    return NULL;
  }
}

void
bc_dhcp_server_free (BcDhcpServer *s)
{
  if (s == NULL)
    return;
  if (s->watch_id != 0)
    g_source_remove (s->watch_id);
  for (guint i = 0; i < s->n_out; i++)
    g_clear_pointer (&s->out_data[i], g_bytes_unref);
  if (s->fd >= 0)
    close (s->fd);
  if (s->packet_fd >= 0)
    close (s->packet_fd);
  g_free (s->ifname);
  g_free (s);
}

guint32
bc_dhcp_server_get_address (BcDhcpServer *s)
{
  return s->addr;
}
