/* See router-advert.h. */
#include "server/io/router-advert.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define RETRY_SECONDS 1
#define MAX_RETRIES 10

struct _BcRouterAdvert
{
  char *ifname;
  int ifindex;
  int fd;
  gboolean has_mac;
  guint8 mac[6];
  BcEventLog *log;
  guint watch_id, retry_id;
  guint retries;
};

GBytes *
bc_router_advert_build (const guint8 *mac)
{
  /* RFC 4861 4.2: type 134, code 0, checksum, cur hop limit, M|O|reserved, router
   * lifetime (0: "not a default router"), reachable time, retrans timer. */
  guint8 buf[16 + 8] = { 0 };
  gsize len = 16;

  buf[0] = ND_ROUTER_ADVERT;
  buf[4] = 64; /* cur hop limit: the usual default (RFC 1700) */
  buf[5] = 0;  /* no M (managed) or O (other config) flag: no DHCPv6 to wait for */
  /* bytes 6-7 router lifetime 0, 8-15 reachable time and retrans timer unspecified */
  if (mac != NULL)
    {
      /* 4.6.1 source link-layer address option: type 1, length 1 (8 bytes). */
      buf[16] = ND_OPT_SOURCE_LINKADDR;
      buf[17] = 1;
      memcpy (buf + 18, mac, 6);
      len += 8;
    }
  return g_bytes_new (buf, len);
}

static gboolean
send_ra (BcRouterAdvert *ra, const char *trigger, GError **error)
{
  g_autoptr (GBytes) body = bc_router_advert_build (ra->has_mac ? ra->mac : NULL);
  struct sockaddr_in6 to = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);

  to.sin6_family = AF_INET6;
  inet_pton (AF_INET6, "ff02::1", &to.sin6_addr);
  to.sin6_scope_id = ra->ifindex;
  if (sendto (ra->fd, data, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "router advertisement on %s: %s",
                   ra->ifname, g_strerror (e));
      return FALSE;
    }
  if (ra->log != NULL)
    {
      JsonBuilder *b = bc_event_log_begin ("ra");
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "advertisement");
      json_builder_set_member_name (b, "to");
      json_builder_add_string_value (b, "ff02::1");
      json_builder_set_member_name (b, "trigger");
      json_builder_add_string_value (b, trigger);
      bc_event_log_emit (ra->log, b);
    }
  return TRUE;
}

static gboolean
retry_cb (gpointer user_data)
{
  BcRouterAdvert *ra = user_data;
  g_autoptr (GError) error = NULL;

  if (send_ra (ra, "start", &error) || ++ra->retries >= MAX_RETRIES)
    {
      if (error != NULL)
        g_warning ("%s (giving up on the unsolicited advertisement)", error->message);
      ra->retry_id = 0;
      return G_SOURCE_REMOVE;
    }
  g_debug ("%s; retrying", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  BcRouterAdvert *ra = user_data;
  guint8 buf[1500];

  for (;;)
    {
      struct sockaddr_in6 from;
      socklen_t flen = sizeof from;
      g_autoptr (GError) error = NULL;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);

      if (n < 0)
        break;
      /* RFC 4861 6.1.1: a valid solicitation has ICMP length >= 8 and code 0 (the hop
       * limit 255 check is done by the kernel filter below being link-local only; we
       * answer with a multicast RA, which is harmless to an invalid one). */
      if (n < 8 || buf[0] != ND_ROUTER_SOLICIT || buf[1] != 0)
        continue;
      if (!send_ra (ra, "solicitation", &error))
        g_debug ("%s", error->message);
    }
  return G_SOURCE_CONTINUE;
}

BcRouterAdvert *
bc_router_advert_new (const char *ifname, BcEventLog *log, GError **error)
{
  g_autoptr (BcRouterAdvert) ra = g_new0 (BcRouterAdvert, 1);
  struct icmp6_filter filter;
  struct ipv6_mreq mreq = { 0 };
  struct ifreq ifr = { 0 };
  int hops = 255, loop = 0;
  g_autoptr (GError) first = NULL;

  ra->fd = -1;
  ra->ifname = g_strdup (ifname);
  ra->log = log;
  ra->ifindex = if_nametoindex (ifname);
  if (ra->ifindex == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no interface %s", ifname);
      return NULL;
    }
  ra->fd = socket (AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
  if (ra->fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "ICMPv6 socket: %s",
                   g_strerror (e));
      return NULL;
    }
  if (setsockopt (ra->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen (ifname)) < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "SO_BINDTODEVICE %s: %s", ifname,
                   g_strerror (e));
      return NULL;
    }
  ICMP6_FILTER_SETBLOCKALL (&filter);
  ICMP6_FILTER_SETPASS (ND_ROUTER_SOLICIT, &filter);
  setsockopt (ra->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  /* RFC 4861 4.2: an RA's IP hop limit is 255 (receivers drop anything else). */
  setsockopt (ra->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
  setsockopt (ra->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops);
  setsockopt (ra->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ra->ifindex, sizeof ra->ifindex);
  setsockopt (ra->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop);
  /* Solicitations go to all-routers (ff02::2), which a host that does not forward has
   * not joined. */
  inet_pton (AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
  mreq.ipv6mr_interface = ra->ifindex;
  if (setsockopt (ra->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "join ff02::2 on %s: %s", ifname,
                   g_strerror (e));
      return NULL;
    }
  g_strlcpy (ifr.ifr_name, ifname, sizeof ifr.ifr_name);
  if (ioctl (ra->fd, SIOCGIFHWADDR, &ifr) == 0)
    {
      memcpy (ra->mac, ifr.ifr_hwaddr.sa_data, 6);
      ra->has_mac = TRUE;
    }
  ra->watch_id = g_unix_fd_add (ra->fd, G_IO_IN, readable_cb, ra);
  if (!send_ra (ra, "start", &first))
    {
      g_debug ("%s; retrying every %d s", first->message, RETRY_SECONDS);
      ra->retry_id = g_timeout_add_seconds (RETRY_SECONDS, retry_cb, ra);
    }
  return g_steal_pointer (&ra);
}

void
bc_router_advert_free (BcRouterAdvert *ra)
{
  if (ra == NULL)
    return;
  if (ra->watch_id != 0)
    g_source_remove (ra->watch_id);
  if (ra->retry_id != 0)
    g_source_remove (ra->retry_id);
  if (ra->fd >= 0)
    close (ra->fd);
  g_free (ra->ifname);
  g_free (ra);
}
