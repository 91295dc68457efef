/* The pure parts of bootserv's shell: the IPv4+UDP frame written through the packet
 * socket (checksums verified by recomputation), and the router advertisement body. */
#include <arpa/inet.h>
#include <string.h>

#include "server/io/packet-socket.h"
#include "server/io/router-advert.h"

static void
test_ipv4_udp (void)
{
  const guint8 payload[] = { 2, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef, 0x11 }; /* odd length */
  guint32 src = inet_addr ("192.168.42.1"), dst = inet_addr ("192.168.42.100");
  g_autoptr (GBytes) b = bc_ipv4_udp_build (src, 67, dst, 68, payload, sizeof payload);
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);
  guint32 pseudo;

  g_assert_cmpuint (len, ==, 20 + 8 + sizeof payload);
  g_assert_cmphex (p[0], ==, 0x45);
  g_assert_cmpuint (p[2] << 8 | p[3], ==, len);
  g_assert_cmpuint (p[9], ==, 17);
  g_assert_cmpint (memcmp (p + 12, &src, 4), ==, 0);
  g_assert_cmpint (memcmp (p + 16, &dst, 4), ==, 0);
  /* A header with a correct checksum sums to zero. */
  g_assert_cmphex (bc_inet_checksum (p, 20, 0), ==, 0);
  g_assert_cmpuint (p[20] << 8 | p[21], ==, 67);
  g_assert_cmpuint (p[22] << 8 | p[23], ==, 68);
  g_assert_cmpuint (p[24] << 8 | p[25], ==, 8 + sizeof payload);
  g_assert_cmpint (memcmp (p + 28, payload, sizeof payload), ==, 0);
  pseudo = (0xc0a8 + 0x2a01) + (0xc0a8 + 0x2a64) + 17 + 8 + sizeof payload;
  g_assert_cmphex (bc_inet_checksum (p + 20, len - 20, pseudo), ==, 0);
  /* RFC 1071 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d. */
  g_assert_cmphex (bc_inet_checksum ((const guint8 *)"\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", 8, 0), ==,
                   0x220d);
}

static void
test_router_advert (void)
{
  const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
  g_autoptr (GBytes) a = bc_router_advert_build (mac);
  g_autoptr (GBytes) b = bc_router_advert_build (NULL);
  gsize len;
  const guint8 *p = g_bytes_get_data (a, &len);

  g_assert_cmpuint (len, ==, 24);
  g_assert_cmpuint (p[0], ==, 134);
  g_assert_cmpuint (p[1], ==, 0);
  g_assert_cmpuint (p[5], ==, 0);             /* no M/O flags */
  g_assert_cmpuint (p[6] << 8 | p[7], ==, 0); /* router lifetime 0 */
  g_assert_cmpuint (p[16], ==, 1);            /* source link-layer address */
  g_assert_cmpint (memcmp (p + 18, mac, 6), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (b), ==, 16); /* no prefix, no options */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bootserv/ipv4-udp-frame", test_ipv4_udp);
  g_test_add_func ("/bootserv/router-advert", test_router_advert);
  return g_test_run ();
}
