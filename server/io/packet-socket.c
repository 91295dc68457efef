/* See packet-socket.h. */
#include "server/io/packet-socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

guint16
bc_inet_checksum (const guint8 *data, gsize len, guint32 initial)
{
  guint64 sum = initial;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (guint32)data[i] << 8 | data[i + 1];
  if (len & 1)
    sum += (guint32)data[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16)~sum;
}

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

GBytes *
bc_ipv4_udp_build (guint32 src_addr, guint16 src_port, guint32 dst_addr, guint16 dst_port,
                   const guint8 *payload, gsize len)
{
  gsize udp_len = 8 + len, total = 20 + udp_len;
  guint8 *p = g_malloc0 (total);
  guint8 *udp = p + 20;
  guint32 pseudo;
  guint16 sum;

  g_return_val_if_fail (total <= 0xffff, NULL);
  /* RFC 791 header: version 4, IHL 5, no options. */
  p[0] = 0x45;
  put16 (p + 2, total);
  p[8] = 64;          /* TTL */
  p[9] = IPPROTO_UDP; /* 17 */
  memcpy (p + 12, &src_addr, 4);
  memcpy (p + 16, &dst_addr, 4);
  put16 (p + 10, bc_inet_checksum (p, 20, 0));

  put16 (udp, src_port);
  put16 (udp + 2, dst_port);
  put16 (udp + 4, udp_len);
  memcpy (udp + 8, payload, len);
  /* RFC 768: the checksum covers a pseudo header (addresses, protocol, UDP length);
   * a computed 0 is sent as 0xffff. */
  pseudo = ((guint32)p[12] << 8 | p[13]) + ((guint32)p[14] << 8 | p[15])
           + ((guint32)p[16] << 8 | p[17]) + ((guint32)p[18] << 8 | p[19]) + IPPROTO_UDP
           + (guint32)udp_len;
  sum = bc_inet_checksum (udp, udp_len, pseudo);
  put16 (udp + 6, sum == 0 ? 0xffff : sum);
  return g_bytes_new_take (p, total);
}

int
bc_packet_socket_open (int ifindex, GError **error)
{
  struct sockaddr_ll sll = { 0 };
  int fd = socket (AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "packet socket: %s",
                   g_strerror (e));
      return -1;
    }
  /* Protocol 0: we only send, and receiving nothing keeps the socket's queue empty. */
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_protocol = 0;
  if (bind (fd, (struct sockaddr *)&sll, sizeof sll) < 0)
    {
      int e = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "packet socket bind: %s",
                   g_strerror (e));
      return -1;
    }
  return fd;
}

gboolean
bc_packet_socket_send (int fd, int ifindex, const guint8 *dst_mac, GBytes *ip_packet,
                       GError **error)
{
  struct sockaddr_ll sll = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (ip_packet, &len);

  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_protocol = htons (ETH_P_IP);
  sll.sll_halen = 6;
  memcpy (sll.sll_addr, dst_mac, 6);
  if (sendto (fd, data, len, 0, (struct sockaddr *)&sll, sizeof sll) < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "packet socket send: %s",
                   g_strerror (e));
      return FALSE;
    }
  return TRUE;
}
