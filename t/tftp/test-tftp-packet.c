/* TFTP codec and option negotiation: fixtures, hostile input, round trips. */
#include <glib.h>
#include <string.h>

#include "server/proto/tftp-packet.h"

/* Parse an exact-size heap copy so ASan sees any over-read. */
static gboolean
parse (const void *data, gsize len, BcTftpPacket **ret, GError **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, len);
  return bc_tftp_packet_parse (copy, len, ret, error);
}

#define PARSE_OK(lit, ret) g_assert_no_error_ok (parse (lit, sizeof lit - 1, ret, NULL))
static void
g_assert_no_error_ok (gboolean ok)
{
  g_assert_true (ok);
}

static void
test_rrq_ipxe (void)
{
  /* What iPXE sends: octet, blksize 1432, tsize 0. */
  static const char rrq[] = "\0\1undionly.kpxe\0octet\0blksize\0001432\0tsize\0000\0";
  g_autoptr (BcTftpPacket) p = NULL;

  PARSE_OK (rrq, &p);
  g_assert_cmpint (p->opcode, ==, BC_TFTP_OP_RRQ);
  g_assert_cmpstr (p->filename, ==, "undionly.kpxe");
  g_assert_cmpstr (p->mode, ==, "octet");
  g_assert_cmpuint (p->options->len, ==, 2);
  g_assert_cmpstr (bc_tftp_packet_get_option (p, "blksize"), ==, "1432");
  g_assert_cmpstr (bc_tftp_packet_get_option (p, "tsize"), ==, "0");
}

static void
test_rrq_case_and_padding (void)
{
  /* Option names and mode are case-insensitive (RFC 2347, RFC 1350); trailing NUL
   * padding after the last option is tolerated. */
  static const char rrq[] = "\0\1/boot/x\0OCTET\0BlkSize\000512\0\0\0";
  g_autoptr (BcTftpPacket) p = NULL;

  PARSE_OK (rrq, &p);
  g_assert_cmpstr (p->filename, ==, "/boot/x");
  g_assert_cmpstr (p->mode, ==, "octet");
  g_assert_cmpstr (bc_tftp_packet_get_option (p, "blksize"), ==, "512");
}

static const struct
{
  const char *name;
  const char *data;
  gsize len;
  int code;
} hostile[] = {
#define H(n, lit, c)                                                                               \
  {                                                                                                \
    n, lit, sizeof lit - 1, c                                                                      \
  }
  H ("empty", "", BC_TFTP_ERROR_TRUNCATED),
  H ("one byte", "\0", BC_TFTP_ERROR_TRUNCATED),
  H ("opcode 0", "\0\0", BC_TFTP_ERROR_OPCODE),
  H ("opcode 7", "\0\7x\0", BC_TFTP_ERROR_OPCODE),
  H ("opcode 0x0101", "\1\1x\0octet\0", BC_TFTP_ERROR_OPCODE),
  H ("rrq no NUL at all", "\0\1undionly.kpxe", BC_TFTP_ERROR_MALFORMED),
  H ("rrq no mode NUL", "\0\1file\0octet", BC_TFTP_ERROR_MALFORMED),
  H ("rrq no mode", "\0\1file\0", BC_TFTP_ERROR_MALFORMED),
  H ("rrq empty filename", "\0\1\0octet\0", BC_TFTP_ERROR_MALFORMED),
  H ("option without value", "\0\1f\0octet\0blksize\0", BC_TFTP_ERROR_MALFORMED),
  H ("option value without NUL", "\0\1f\0octet\0blksize\0001432", BC_TFTP_ERROR_MALFORMED),
  H ("option name without NUL", "\0\1f\0octet\0blks", BC_TFTP_ERROR_MALFORMED),
  H ("duplicate option", "\0\1f\0octet\0tsize\0000\0TSIZE\0000\0", BC_TFTP_ERROR_MALFORMED),
  H ("data after padding", "\0\1f\0octet\0\0blksize\000512\0", BC_TFTP_ERROR_MALFORMED),
  H ("ack short", "\0\4\0", BC_TFTP_ERROR_TRUNCATED),
  H ("data short", "\0\3\1", BC_TFTP_ERROR_TRUNCATED),
  H ("error short", "\0\5\0", BC_TFTP_ERROR_TRUNCATED),
  H ("oack option without value", "\0\6blksize\0", BC_TFTP_ERROR_MALFORMED),
#undef H
};

static void
test_hostile (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (BcTftpPacket) p = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok = parse (hostile[i].data, hostile[i].len, &p, &error);

      g_test_message ("%s", hostile[i].name);
      g_assert_false (ok);
      g_assert_null (p);
      g_assert_error (error, BC_TFTP_ERROR, hostile[i].code);
    }
}

static void
test_traversal_is_not_the_codec_s_job (void)
{
  /* The codec hands the name over as sent; root-path.c refuses it. */
  static const char rrq[] = "\0\1../../etc/passwd\0octet\0";
  g_autoptr (BcTftpPacket) p = NULL;

  PARSE_OK (rrq, &p);
  g_assert_cmpstr (p->filename, ==, "../../etc/passwd");
}

static void
test_error_without_nul (void)
{
  static const char err[] = "\0\5\0\1no such file";
  static const char bad_utf8[] = "\0\5\0\2\xff\xfe\0";
  g_autoptr (BcTftpPacket) p = NULL;
  g_autoptr (BcTftpPacket) q = NULL;

  PARSE_OK (err, &p);
  g_assert_cmpuint (p->error_code, ==, 1);
  g_assert_cmpstr (p->error_message, ==, "no such file");
  PARSE_OK (bad_utf8, &q);
  g_assert_true (g_utf8_validate (q->error_message, -1, NULL));
}

static void
test_ack_data (void)
{
  static const char ack[] = "\0\4\xff\xfe\0\0"; /* padded ACK */
  static const char data[] = "\0\3\0\1hello";
  g_autoptr (BcTftpPacket) a = NULL;
  g_autoptr (BcTftpPacket) d = NULL;
  guint16 block = 0;

  PARSE_OK (ack, &a);
  g_assert_cmpuint (a->block, ==, 65534);
  g_assert_true (bc_tftp_packet_peek_ack ((const guint8 *)ack, 4, &block));
  g_assert_cmpuint (block, ==, 65534);
  g_assert_false (bc_tftp_packet_peek_ack ((const guint8 *)data, 9, &block));
  g_assert_false (bc_tftp_packet_peek_ack ((const guint8 *)ack, 3, &block));
  PARSE_OK (data, &d);
  g_assert_cmpuint (d->block, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (d->data), ==, 5);
}

static void
test_build_roundtrip (void)
{
  g_autoptr (BcTftpPacket) p = bc_tftp_packet_new (BC_TFTP_OP_OACK);
  g_autoptr (BcTftpPacket) q = NULL;
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GBytes) e = bc_tftp_packet_build_error (BC_TFTP_ERR_NOT_FOUND, "nope");
  static const guint8 e_expected[] = { 0, 5, 0, 1, 'n', 'o', 'p', 'e', 0 };
  static const guint8 oack_expected[] = "\0\6blksize\0001432\0tsize\00012345\0";
  gsize len;
  const guint8 *d;

  bc_tftp_packet_add_option (p, "blksize", "1432");
  bc_tftp_packet_add_option (p, "tsize", "12345");
  b = bc_tftp_packet_build (p);
  d = g_bytes_get_data (b, &len);
  g_assert_cmpmem (d, len, oack_expected, sizeof oack_expected - 1);
  g_assert_true (bc_tftp_packet_parse (d, len, &q, NULL));
  g_assert_cmpstr (bc_tftp_packet_get_option (q, "tsize"), ==, "12345");

  d = g_bytes_get_data (e, &len);
  g_assert_cmpmem (d, len, e_expected, sizeof e_expected);
}

static void
test_number (void)
{
  guint64 v = 1;
  g_assert_true (bc_tftp_parse_number ("0", &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (bc_tftp_parse_number ("18446744073709551615", &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
  g_assert_false (bc_tftp_parse_number ("18446744073709551616", &v));
  g_assert_false (bc_tftp_parse_number ("", &v));
  g_assert_false (bc_tftp_parse_number ("-1", &v));
  g_assert_false (bc_tftp_parse_number (" 1", &v));
  g_assert_false (bc_tftp_parse_number ("1x", &v));
  g_assert_false (bc_tftp_parse_number ("000000000000000000001", &v));
}

/* negotiate(request options) -> OACK text ("name=value,…"), blksize, windowsize. */
static const struct
{
  const char *name;
  const char *options[10];
  guint max_blksize, max_window;
  guint64 size;
  const char *oack;
  guint blksize, windowsize, timeout;
} negotiations[] = {
  { "nothing asked (tftp-hpa, curl without options)", { NULL }, 1468, 64, 100, "", 512, 1, 0 },
  { "tsize of an empty file left out (curl 7.88 rejects tsize 0)",
    { "tsize", "0", "blksize", "1432", NULL },
    1468,
    64,
    0,
    "blksize=1432",
    1432,
    1,
    0 },
  { "iPXE",
    { "blksize", "1432", "tsize", "0", NULL },
    1468,
    64,
    123456,
    "blksize=1432,tsize=123456",
    1432,
    1,
    0 },
  { "EDK2 (blksize, windowsize, tsize)",
    { "tsize", "0", "blksize", "1468", "windowsize", "4", NULL },
    1468,
    64,
    7,
    "tsize=7,blksize=1468,windowsize=4",
    1468,
    4,
    0 },
  { "blksize clamped to path MTU",
    { "blksize", "65464", NULL },
    1468,
    64,
    1,
    "blksize=1468",
    1468,
    1,
    0 },
  { "blksize 70000 answered with the limit",
    { "blksize", "70000", NULL },
    65464,
    64,
    1,
    "blksize=65464",
    65464,
    1,
    0 },
  { "blksize 0 ignored", { "blksize", "0", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "blksize 7 ignored", { "blksize", "7", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "blksize 8 ok", { "blksize", "8", NULL }, 1468, 64, 1, "blksize=8", 8, 1, 0 },
  { "blksize junk ignored", { "blksize", "12a", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "huge tsize in RRQ answered with the size",
    { "tsize", "99999999999999999999", NULL },
    1468,
    64,
    42,
    "tsize=42",
    512,
    1,
    0 },
  { "tsize nonzero answered with the size",
    { "tsize", "5", NULL },
    1468,
    64,
    42,
    "tsize=42",
    512,
    1,
    0 },
  { "timeout 1..255", { "timeout", "3", NULL }, 1468, 64, 1, "timeout=3", 512, 1, 3 },
  { "timeout 0 ignored", { "timeout", "0", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "timeout 256 ignored", { "timeout", "256", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "windowsize clamped",
    { "windowsize", "65535", NULL },
    1468,
    64,
    1,
    "windowsize=64",
    512,
    64,
    0 },
  { "windowsize 0 ignored", { "windowsize", "0", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "windowsize 65536 ignored", { "windowsize", "65536", NULL }, 1468, 64, 1, "", 512, 1, 0 },
  { "unknown options left out",
    { "multicast", "", "rollover", "0", "blksize", "1024", NULL },
    1468,
    64,
    1,
    "blksize=1024",
    1024,
    1,
    0 },
};

static void
test_negotiate (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (negotiations); i++)
    {
      g_autoptr (BcTftpPacket) rrq = bc_tftp_packet_new (BC_TFTP_OP_RRQ);
      g_auto (BcTftpNegotiated) n = { 0 };
      BcTftpLimits limits
          = { negotiations[i].max_blksize, negotiations[i].max_window, negotiations[i].size };
      g_autoptr (GString) oack = g_string_new ("");

      g_test_message ("%s", negotiations[i].name);
      rrq->filename = g_strdup ("f");
      rrq->mode = g_strdup ("octet");
      for (guint k = 0; negotiations[i].options[k] != NULL; k += 2)
        bc_tftp_packet_add_option (rrq, negotiations[i].options[k], negotiations[i].options[k + 1]);
      bc_tftp_negotiate (rrq, &limits, &n);
      for (guint k = 0; k < n.oack->len; k++)
        {
          const BcTftpOption *o = n.oack->pdata[k];
          g_string_append_printf (oack, "%s%s=%s", k ? "," : "", o->name, o->value);
        }
      g_assert_cmpstr (oack->str, ==, negotiations[i].oack);
      g_assert_cmpuint (n.blksize, ==, negotiations[i].blksize);
      g_assert_cmpuint (n.windowsize, ==, negotiations[i].windowsize);
      g_assert_cmpuint (n.timeout_s, ==, negotiations[i].timeout);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp-packet/parse/rrq-ipxe", test_rrq_ipxe);
  g_test_add_func ("/tftp-packet/parse/rrq-case-and-padding", test_rrq_case_and_padding);
  g_test_add_func ("/tftp-packet/parse/hostile", test_hostile);
  g_test_add_func ("/tftp-packet/parse/traversal-name-kept", test_traversal_is_not_the_codec_s_job);
  g_test_add_func ("/tftp-packet/parse/error-without-nul", test_error_without_nul);
  g_test_add_func ("/tftp-packet/parse/ack-data", test_ack_data);
  g_test_add_func ("/tftp-packet/build/roundtrip", test_build_roundtrip);
  g_test_add_func ("/tftp-packet/number", test_number);
  g_test_add_func ("/tftp-packet/negotiate", test_negotiate);
  return g_test_run ();
}
