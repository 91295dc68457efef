/* The capture decoder on frames built here: DHCP, a TFTP transfer with OACK (and one
 * past the 16-bit block rollover), TFTP errors, an HTTP exchange, and garbage. */
#include "harness-test.h"

#include "harness/core/capture-decode.h"

static const guint8 vm_mac[6] = { 0x52, 0x54, 0x00, 0x9d, 0x7d, 0x60 };
static const guint8 br_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static void
put16 (GByteArray *b, guint16 v)
{
  guint8 x[2] = { v >> 8, v & 0xff };
  g_byte_array_append (b, x, 2);
}

static void
put32 (GByteArray *b, guint32 v)
{
  put16 (b, v >> 16);
  put16 (b, v & 0xffff);
}

/* Ethernet (optionally 802.1Q) + IPv4 + UDP/TCP header + payload. */
static GByteArray *
frame (gboolean vlan, guint8 proto, const char *src, guint16 sport, const char *dst, guint16 dport,
       guint32 seq, const guint8 *payload, gsize len)
{
  GByteArray *b = g_byte_array_new ();
  gsize l4 = proto == 17 ? 8 : 20;
  guint32 s = test_addr (src), d = test_addr (dst);

  g_byte_array_append (b, br_mac, 6);
  g_byte_array_append (b, vm_mac, 6);
  if (vlan)
    {
      put16 (b, 0x8100);
      put16 (b, 42);
    }
  put16 (b, 0x0800);
  /* IPv4: version 4, IHL 5, total length, id, DF, TTL 64, proto, checksum 0 */
  put16 (b, 0x4500);
  put16 (b, 20 + l4 + len);
  put16 (b, 1);
  put16 (b, 0x4000);
  put16 (b, 64 << 8 | proto);
  put16 (b, 0);
  g_byte_array_append (b, (const guint8 *)&s, 4);
  g_byte_array_append (b, (const guint8 *)&d, 4);
  put16 (b, sport);
  put16 (b, dport);
  if (proto == 17)
    {
      put16 (b, 8 + len);
      put16 (b, 0);
    }
  else
    {
      put32 (b, seq);
      put32 (b, 0);
      put16 (b, 5 << 12 | 0x18); /* data offset 5, PSH ACK */
      put16 (b, 65535);
      put32 (b, 0);
    }
  g_byte_array_append (b, payload, len);
  return b;
}

static GPtrArray *
feed (BcCaptureDecoder *dec, GByteArray *f, double t)
{
  /* an exact-size copy so ASan sees over-reads */
  g_autofree guint8 *copy = g_memdup2 (f->data, f->len);
  GPtrArray *evs = bc_capture_decoder_feed (dec, copy, f->len, (gint64)(t * G_USEC_PER_SEC));
  g_byte_array_unref (f);
  return evs;
}

static GPtrArray *
udp (BcCaptureDecoder *dec, double t, const char *src, guint16 sport, const char *dst,
     guint16 dport, const void *payload, gsize len)
{
  return feed (dec, frame (FALSE, 17, src, sport, dst, dport, 0, payload, len), t);
}

static void
assert_none (GPtrArray *evs)
{
  g_assert_cmpuint (evs->len, ==, 0);
  g_ptr_array_unref (evs);
}

static void
test_dhcp (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  const char *names[] = { "seed000-builtin-discover.bin", "seed000-isc-offer.bin" };

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (BC_TEST_DATA, "dhcp", names[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr (GPtrArray) evs = NULL;
      const BcEvent *ev;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      if (i == 0)
        evs = feed (
            dec,
            frame (TRUE, 17, "0.0.0.0", 68, "255.255.255.255", 67, 0, (const guint8 *)data, len),
            1.5);
      else
        evs = udp (dec, 1.6, "192.168.42.1", 67, "255.255.255.255", 68, data, len);
      g_assert_cmpuint (evs->len, ==, 1);
      ev = evs->pdata[0];
      g_assert_cmpint (ev->kind, ==, BC_EVENT_DHCP);
      g_assert_cmpint (ev->t_us, ==, i == 0 ? 1500000 : 1600000);
      g_assert_nonnull (ev->dhcp);
      g_assert_cmpuint (ev->dhcp->op, ==, i == 0 ? 1 : 2);
      g_assert_cmpuint (ev->dhcp->xid, ==, 0x556ed510);
      g_assert_cmpuint (ev->src_port, ==, i == 0 ? 68 : 67);
      g_assert_cmpuint (ev->dst_addr, ==, test_addr ("255.255.255.255"));
      g_assert_true (g_str_has_prefix (ev->text, i == 0 ? "DISCOVER 52:54:00:9d:7d:60"
                                                        : "OFFER 52:54:00:9d:7d:60"));
    }
  g_assert_cmpuint (bc_capture_decoder_get_malformed (dec), ==, 0);
}

static GByteArray *
tftp_packet (guint16 op, guint16 block, const void *data, gsize len)
{
  GByteArray *b = g_byte_array_new ();
  put16 (b, op);
  if (op == 3 || op == 4 || op == 5)
    put16 (b, block);
  g_byte_array_append (b, data, len);
  return b;
}

static GPtrArray *
tftp (BcCaptureDecoder *dec, double t, gboolean from_client, guint16 sport, guint16 dport,
      GByteArray *p)
{
  GPtrArray *evs
      = from_client ? udp (dec, t, "192.168.42.100", sport, "192.168.42.1", dport, p->data, p->len)
                    : udp (dec, t, "192.168.42.1", sport, "192.168.42.100", dport, p->data, p->len);
  g_byte_array_unref (p);
  return evs;
}

static void
test_tftp_oack (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  static const char rrq[] = "undionly.kpxe\0octet\0blksize\0"
                            "1432\0tsize\0"
                            "0";
  static const char oack[] = "blksize\0"
                             "1432\0tsize\0"
                             "3000";
  guint8 block[1432];
  g_autoptr (GPtrArray) req = NULL;
  g_autoptr (GPtrArray) done = NULL;
  const BcEvent *ev;

  memset (block, 0xab, sizeof block);
  req = tftp (dec, 2.0, TRUE, 2070, 69, tftp_packet (1, 0, rrq, sizeof rrq));
  g_assert_cmpuint (req->len, ==, 1);
  ev = req->pdata[0];
  g_assert_cmpint (ev->kind, ==, BC_EVENT_TFTP);
  g_assert_cmpint (ev->tftp_phase, ==, BC_TFTP_PHASE_REQUEST);
  g_assert_cmpstr (ev->tftp_file, ==, "undionly.kpxe");
  g_assert_cmpuint (ev->src_port, ==, 2070);
  g_assert_cmpuint (ev->dst_port, ==, 69);
  /* iPXE retransmits the RRQ when the answer is slow: still one request */
  assert_none (tftp (dec, 2.1, TRUE, 2070, 69, tftp_packet (1, 0, rrq, sizeof rrq)));

  assert_none (tftp (dec, 2.2, FALSE, 40001, 2070, tftp_packet (6, 0, oack, sizeof oack)));
  assert_none (tftp (dec, 2.3, TRUE, 2070, 40001, tftp_packet (4, 0, NULL, 0)));
  assert_none (tftp (dec, 2.4, FALSE, 40001, 2070, tftp_packet (3, 1, block, 1432)));
  assert_none (tftp (dec, 2.5, TRUE, 2070, 40001, tftp_packet (4, 1, NULL, 0)));
  assert_none (tftp (dec, 2.6, FALSE, 40001, 2070, tftp_packet (3, 2, block, 1432)));
  /* a retransmitted block is not counted twice */
  assert_none (tftp (dec, 2.7, FALSE, 40001, 2070, tftp_packet (3, 2, block, 1432)));
  assert_none (tftp (dec, 2.8, TRUE, 2070, 40001, tftp_packet (4, 2, NULL, 0)));
  /* 1432 < 512 would end it without the OACK's blksize; this one is short of 1432 */
  assert_none (tftp (dec, 2.9, FALSE, 40001, 2070, tftp_packet (3, 3, block, 136)));
  /* a packet from another port is not part of this transfer (RFC 1350 TID) */
  assert_none (tftp (dec, 2.95, FALSE, 40002, 2070, tftp_packet (5, 0, "x\0", 2)));
  done = tftp (dec, 3.0, TRUE, 2070, 40001, tftp_packet (4, 3, NULL, 0));
  g_assert_cmpuint (done->len, ==, 1);
  ev = done->pdata[0];
  g_assert_cmpint (ev->tftp_phase, ==, BC_TFTP_PHASE_COMPLETE);
  g_assert_cmpstr (ev->tftp_file, ==, "undionly.kpxe");
  g_assert_cmpuint (ev->tftp_bytes, ==, 3000);
  g_assert_cmpuint (ev->dst_port, ==, 40001);
  g_assert_cmpint (ev->t_us, ==, 3000000);
  g_assert_cmpuint (bc_capture_decoder_get_malformed (dec), ==, 0);
}

static void
test_tftp_rollover (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  static const char rrq[] = "big.img\0octet\0blksize\0"
                            "8";
  static const char oack[] = "blksize\0"
                             "8";
  const guint8 block[8] = { 0 };
  g_autoptr (GPtrArray) done = NULL;
  const guint64 full = 70000; /* past block 65535: the number wraps to 0 (tftp-hpa) */

  g_ptr_array_unref (tftp (dec, 0, TRUE, 3000, 69, tftp_packet (1, 0, rrq, sizeof rrq)));
  assert_none (tftp (dec, 0, FALSE, 50000, 3000, tftp_packet (6, 0, oack, sizeof oack)));
  for (guint64 i = 1; i <= full; i++)
    {
      assert_none (tftp (dec, 1, FALSE, 50000, 3000, tftp_packet (3, i & 0xffff, block, 8)));
      assert_none (tftp (dec, 1, TRUE, 3000, 50000, tftp_packet (4, i & 0xffff, NULL, 0)));
    }
  assert_none (tftp (dec, 2, FALSE, 50000, 3000, tftp_packet (3, (full + 1) & 0xffff, block, 3)));
  done = tftp (dec, 2, TRUE, 3000, 50000, tftp_packet (4, (full + 1) & 0xffff, NULL, 0));
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpuint (((BcEvent *)done->pdata[0])->tftp_bytes, ==, full * 8 + 3);
}

static void
test_tftp_error (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  static const char rrq[] = "ipxe.efi\0octet";
  static const char err[] = "\0\1File not found";
  g_autoptr (GPtrArray) evs = NULL;
  const BcEvent *ev;

  g_ptr_array_unref (tftp (dec, 1, TRUE, 1234, 69, tftp_packet (1, 0, rrq, sizeof rrq)));
  /* ERROR: opcode 5, code 1, message */
  evs = tftp (dec, 1.1, FALSE, 45000, 1234, tftp_packet (5, 1, err + 2, sizeof err - 2));
  g_assert_cmpuint (evs->len, ==, 1);
  ev = evs->pdata[0];
  g_assert_cmpint (ev->tftp_phase, ==, BC_TFTP_PHASE_ERROR);
  g_assert_cmpstr (ev->tftp_file, ==, "ipxe.efi");
  g_assert_cmpstr (ev->tftp_error, ==, "server error 1: File not found");
}

static GPtrArray *
tcp (BcCaptureDecoder *dec, double t, gboolean from_client, guint16 port, guint32 seq,
     const char *payload)
{
  if (from_client)
    return feed (dec,
                 frame (FALSE, 6, "192.168.42.100", 40000, "192.168.42.1", port, seq,
                        (const guint8 *)payload, strlen (payload)),
                 t);
  return feed (dec,
               frame (FALSE, 6, "192.168.42.1", port, "192.168.42.100", 40000, seq,
                      (const guint8 *)payload, strlen (payload)),
               t);
}

static void
test_http (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (8080);
  g_autoptr (GPtrArray) evs = NULL;
  g_autoptr (GPtrArray) evs2 = NULL;
  const BcEvent *ev;

  assert_none (tcp (dec, 4.0, TRUE, 80, 1000,
                    "GET /boot.ipxe HTTP/1.1\r\nHost: 192.168.42.1\r\n"
                    "User-Agent: iPXE/1.0.0\r\n\r\n"));
  /* a TCP retransmission of the same request */
  assert_none (tcp (dec, 4.1, TRUE, 80, 1000, "GET /boot.ipxe HTTP/1.1\r\n\r\n"));
  evs = tcp (dec, 4.2, FALSE, 80, 5000, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n#!ipxe\n");
  g_assert_cmpuint (evs->len, ==, 1);
  ev = evs->pdata[0];
  g_assert_cmpint (ev->kind, ==, BC_EVENT_HTTP);
  g_assert_cmpstr (ev->http_method, ==, "GET");
  g_assert_cmpstr (ev->http_path, ==, "/boot.ipxe");
  g_assert_cmpuint (ev->http_status, ==, 200);
  g_assert_cmpuint (ev->src_addr, ==, test_addr ("192.168.42.100"));
  g_assert_cmpuint (ev->dst_port, ==, 80);
  g_assert_cmpstr (ev->text, ==, "GET /boot.ipxe 200");
  /* the body's next segment is not a status line */
  assert_none (tcp (dec, 4.3, FALSE, 80, 5100, "echo hello\n"));

  /* the configured port works too */
  assert_none (tcp (dec, 5.0, TRUE, 8080, 1, "HEAD /vmlinuz HTTP/1.1\r\n\r\n"));
  evs2 = tcp (dec, 5.1, FALSE, 8080, 1, "HTTP/1.1 404 Not Found\r\n\r\n");
  g_assert_cmpuint (evs2->len, ==, 1);
  ev = evs2->pdata[0];
  g_assert_cmpstr (ev->http_method, ==, "HEAD");
  g_assert_cmpuint (ev->http_status, ==, 404);
  /* other ports are not HTTP */
  assert_none (tcp (dec, 6.0, TRUE, 8081, 1, "GET / HTTP/1.1\r\n\r\n"));
}

static void
test_garbage (void)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  static const guint8 ipv6[] = { 0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0 };
  static const guint8 junk[] = { 1, 2, 3 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);

  assert_none (bc_capture_decoder_feed (dec, junk, sizeof junk, 0));
  assert_none (bc_capture_decoder_feed (dec, ipv6, sizeof ipv6, 0));
  /* a DHCP port with a payload that is not DHCP: dropped and counted */
  assert_none (udp (dec, 0, "0.0.0.0", 68, "255.255.255.255", 67, "hello", 5));
  g_assert_cmpuint (bc_capture_decoder_get_malformed (dec), ==, 1);
  /* a TFTP RRQ without terminators */
  assert_none (udp (dec, 0, "192.168.42.100", 9, "192.168.42.1", 69, "\0\1abc", 5));
  g_assert_cmpuint (bc_capture_decoder_get_malformed (dec), ==, 2);
  /* truncated frames of a valid DHCP packet at every length */
  {
    g_autofree char *path = g_build_filename (BC_TEST_DATA, "dhcp", "edk2-discover.bin", NULL);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr (GByteArray) f = NULL;

    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    f = frame (FALSE, 17, "0.0.0.0", 68, "255.255.255.255", 67, 0, (const guint8 *)data, len);
    for (gsize cut = 0; cut < f->len; cut++)
      {
        g_autofree guint8 *copy = g_memdup2 (f->data, cut);
        g_ptr_array_unref (bc_capture_decoder_feed (dec, copy, cut, 0));
      }
  }
  /* random frames with an IPv4 header start */
  for (guint i = 0; i < 2000; i++)
    {
      guint8 buf[128];
      gsize n = g_rand_int_range (rand, 14, sizeof buf);
      for (gsize k = 0; k < n; k++)
        buf[k] = g_rand_int_range (rand, 0, 256);
      buf[12] = 0x08;
      buf[13] = 0x00;
      if (n > 14)
        buf[14] = 0x45;
      {
        g_autofree guint8 *copy = g_memdup2 (buf, n);
        g_ptr_array_unref (bc_capture_decoder_feed (dec, copy, n, 0));
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/capture/dhcp", test_dhcp);
  g_test_add_func ("/capture/tftp/oack", test_tftp_oack);
  g_test_add_func ("/capture/tftp/rollover", test_tftp_rollover);
  g_test_add_func ("/capture/tftp/error", test_tftp_error);
  g_test_add_func ("/capture/http", test_http);
  g_test_add_func ("/capture/garbage", test_garbage);
  return g_test_run ();
}
