/* BOOTP/DHCPv4 codec: captured-style fixtures (t/data/dhcp/), hostile inputs, and
 * parse(build(x)) round trips. Every parse gets an exact-size heap copy so ASan sees
 * over-reads. */
#include <string.h>

#include "server/proto/dhcp-msg.h"
#include "t/test-fixtures.h"

static const guint8 cookie[4] = { 99, 130, 83, 99 };

/* A request header (op 1, Ethernet, 52:54:00:9d:7d:60) with optional sname/file bytes,
 * then @cookie_too and @opts. */
static GByteArray *
make_packet (const guint8 *opts, gsize opts_len, gboolean with_cookie, const guint8 *sname,
             gsize sname_len, const guint8 *file, gsize file_len)
{
  GByteArray *p = g_byte_array_new ();
  guint8 hdr[BC_DHCP_FIXED_LEN] = { 1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78 };
  static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x9d, 0x7d, 0x60 };

  memcpy (hdr + 28, mac, 6);
  g_assert_cmpuint (sname_len, <=, 64);
  g_assert_cmpuint (file_len, <=, 128);
  if (sname_len > 0)
    memcpy (hdr + 44, sname, sname_len);
  if (file_len > 0)
    memcpy (hdr + 108, file, file_len);
  g_byte_array_append (p, hdr, sizeof (hdr));
  if (with_cookie)
    g_byte_array_append (p, cookie, sizeof (cookie));
  if (opts_len > 0)
    g_byte_array_append (p, opts, (guint)opts_len);
  return p;
}

static void
assert_option (const BcDhcpMsg *msg, guint8 code, const guint8 *data, gsize len)
{
  GBytes *b = bc_dhcp_msg_get_option (msg, code);
  gsize got_len = 0;
  const guint8 *got;

  g_assert_nonnull (b);
  got = g_bytes_get_data (b, &got_len);
  g_assert_cmpmem (got, got_len, data, len);
}

static void
assert_codes (const BcDhcpMsg *msg, const guint8 *codes, gsize n)
{
  g_assert_cmpuint (msg->options->len, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpuint (((BcDhcpOption *)msg->options->pdata[i])->code, ==, codes[i]);
}

static void
assert_msg_equal (const BcDhcpMsg *a, const BcDhcpMsg *b)
{
  g_assert_cmpuint (a->op, ==, b->op);
  g_assert_cmpuint (a->htype, ==, b->htype);
  g_assert_cmpuint (a->hlen, ==, b->hlen);
  g_assert_cmpuint (a->hops, ==, b->hops);
  g_assert_cmpuint (a->xid, ==, b->xid);
  g_assert_cmpuint (a->secs, ==, b->secs);
  g_assert_cmpuint (a->flags, ==, b->flags);
  g_assert_cmpuint (a->ciaddr, ==, b->ciaddr);
  g_assert_cmpuint (a->yiaddr, ==, b->yiaddr);
  g_assert_cmpuint (a->siaddr, ==, b->siaddr);
  g_assert_cmpuint (a->giaddr, ==, b->giaddr);
  g_assert_cmpmem (a->chaddr, 16, b->chaddr, 16);
  g_assert_cmpstr (a->sname, ==, b->sname);
  g_assert_cmpstr (a->file, ==, b->file);
  g_assert_cmpint (a->has_magic, ==, b->has_magic);
  g_assert_cmpuint (a->options->len, ==, b->options->len);
  for (guint i = 0; i < a->options->len; i++)
    {
      const BcDhcpOption *oa = a->options->pdata[i], *ob = b->options->pdata[i];
      g_assert_cmpuint (oa->code, ==, ob->code);
      g_assert_true (g_bytes_equal (oa->data, ob->data));
    }
}

/* parse(build(msg)) == msg, at the given max size. */
static void
assert_round_trip (const BcDhcpMsg *msg, gsize max_len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) wire = bc_dhcp_msg_build (msg, max_len, &error);
  g_autoptr (BcDhcpMsg) back = NULL;
  gsize len = 0;
  const guint8 *data;

  g_assert_no_error (error);
  g_assert_nonnull (wire);
  data = g_bytes_get_data (wire, &len);
  g_assert_cmpuint (len, >=, BC_DHCP_MIN_LEN);
  g_assert_cmpuint (len, <=, (max_len < 576 ? 576 : max_len) - 28);
  g_assert_true (bc_test_dhcp_parse_copy (data, len, &back, &error));
  g_assert_no_error (error);
  assert_msg_equal (msg, back);
}

static const guint8 seed000_builtin_175[] = {
  177, 5,  1, 26, 244, 16, 65, 235, 3, 1, 0,  0, 23, 1,  1, 34, 1,  1, 19, 1,  1, 17, 1,
  1,   39, 1, 1,  25,  1,  1,  16,  1, 2, 33, 1, 1,  21, 1, 1,  24, 1, 1,  18, 1, 1,
};
static const guint8 seed000_joyent_97[]
    = { 0, 106, 152, 94, 124, 99, 214, 254, 64, 167, 134, 211, 7, 24, 58, 130, 83 };
static const guint8 ipxe_codes[] = { 53, 57, 93, 94, 60, 77, 55, 175, 61 };
static const guint8 ipxe_codes_uuid[] = { 53, 57, 93, 94, 60, 77, 55, 175, 61, 97 };

static void
test_fixture_seed000_builtin (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autofree char *chaddr = bc_dhcp_msg_format_chaddr (msg);
  static const guint8 client_id[] = { 1, 0x52, 0x54, 0x00, 0x9d, 0x7d, 0x60 };

  g_assert_cmpuint (msg->op, ==, BC_DHCP_OP_BOOTREQUEST);
  g_assert_cmphex (msg->xid, ==, 0x556ed510);
  g_assert_cmpuint (msg->secs, ==, 4);
  g_assert_cmphex (msg->flags, ==, 0);
  g_assert_cmpstr (chaddr, ==, "52:54:00:9d:7d:60");
  g_assert_true (msg->has_magic);
  g_assert_cmpstr (msg->file, ==, "");
  g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, BC_DHCP_DISCOVER);
  assert_codes (msg, ipxe_codes, G_N_ELEMENTS (ipxe_codes));
  assert_option (msg, 175, seed000_builtin_175, sizeof (seed000_builtin_175));
  assert_option (msg, 60, (const guint8 *)"PXEClient:Arch:00000:UNDI:002001", 32);
  assert_option (msg, 77, (const guint8 *)"iPXE", 4);
  assert_option (msg, 93, (const guint8[]){ 0, 0 }, 2);
  assert_option (msg, 94, (const guint8[]){ 1, 2, 1 }, 3);
  assert_option (msg, 57, (const guint8[]){ 0x05, 0xc0 }, 2);
  assert_option (msg, 61, client_id, sizeof (client_id));
  g_assert_null (bc_dhcp_msg_get_option (msg, 97));
  assert_round_trip (msg, 0);
}

static void
test_fixture_seed000_joyent (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("seed000-joyent-discover.bin");
  g_autoptr (GBytes) orig = bc_test_data_bytes ("dhcp", "seed000-joyent-discover.bin");
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmphex (msg->xid, ==, 0xc4a6cf39);
  g_assert_cmphex (msg->flags, ==, BC_DHCP_FLAG_BROADCAST);
  assert_codes (msg, ipxe_codes_uuid, G_N_ELEMENTS (ipxe_codes_uuid));
  assert_option (msg, 97, seed000_joyent_97, sizeof (seed000_joyent_97));
  /* tcpdump said length 397, and the rebuilt packet is byte for byte the same. */
  g_assert_cmpuint (g_bytes_get_size (orig), ==, 397);
  built = bc_dhcp_msg_build (msg, 1472, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (built, orig));
  assert_round_trip (msg, 0);
}

static void
test_fixture_edk2 (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("edk2-discover.bin");
  static const guint8 codes[] = { 53, 57, 55, 97, 94, 93, 60 };

  g_assert_cmphex (msg->flags, ==, BC_DHCP_FLAG_BROADCAST);
  assert_codes (msg, codes, G_N_ELEMENTS (codes));
  assert_option (msg, 93, (const guint8[]){ 0, 7 }, 2);
  assert_option (msg, 60, (const guint8 *)"PXEClient:Arch:00007:UNDI:003000", 32);
  g_assert_null (bc_dhcp_msg_get_option (msg, 77));
  g_assert_null (bc_dhcp_msg_get_option (msg, 175));
  assert_round_trip (msg, 0);
}

static void
test_fixture_ipxe_efi (void)
{
  g_autoptr (BcDhcpMsg) rom = bc_test_dhcp_fixture ("ipxe-efi-rom-discover.bin");
  g_autoptr (BcDhcpMsg) efi = bc_test_dhcp_fixture ("ipxe-efi-discover.bin");

  assert_codes (rom, ipxe_codes_uuid, G_N_ELEMENTS (ipxe_codes_uuid));
  assert_option (rom, 93, (const guint8[]){ 0, 7 }, 2);
  assert_option (rom, 94, (const guint8[]){ 1, 3, 10 }, 3);
  assert_option (rom, 77, (const guint8 *)"iPXE", 4);
  /* ipxe.efi = the ROM's 175 plus 27.1.1 (SRP). */
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (efi, 175)), ==,
                    g_bytes_get_size (bc_dhcp_msg_get_option (rom, 175)) + 3);
  assert_round_trip (rom, 0);
  assert_round_trip (efi, 0);
}

static void
test_fixture_offer (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("seed000-isc-offer.bin");
  const guint8 *siaddr = (const guint8 *)&msg->siaddr;
  const guint8 *yiaddr = (const guint8 *)&msg->yiaddr;

  g_assert_cmpuint (msg->op, ==, BC_DHCP_OP_BOOTREPLY);
  g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, BC_DHCP_OFFER);
  g_assert_cmpstr (msg->file, ==, "undionly.kpxe");
  g_assert_cmpmem (siaddr, 4, ((const guint8[]){ 192, 168, 42, 1 }), 4);
  g_assert_cmpmem (yiaddr, 4, ((const guint8[]){ 192, 168, 42, 100 }), 4);
  assert_option (msg, 51, (const guint8[]){ 0, 0, 2, 88 }, 4);
  assert_round_trip (msg, 0);
}

typedef struct
{
  const char *name;
  const guint8 *opts; /* after the cookie */
  gsize opts_len;
  int error_code; /* -1: parses */
} HostileCase;

#define B(...) (const guint8[]){ __VA_ARGS__ }, sizeof ((const guint8[]){ __VA_ARGS__ })

static void
test_hostile_options (void)
{
  const HostileCase cases[] = {
    { "length-past-end", B (53, 1, 1, 60, 10, 'a', 'b'), BC_DHCP_ERROR_TRUNCATED },
    { "length-byte-missing", B (53, 1, 1, 60), BC_DHCP_ERROR_TRUNCATED },
    { "length-255-past-end", B (53, 255, 1, 2, 3), BC_DHCP_ERROR_TRUNCATED },
    { "overload-two-bytes", B (52, 2, 1, 1, 255), BC_DHCP_ERROR_MALFORMED },
    { "overload-zero", B (52, 1, 0, 255), BC_DHCP_ERROR_MALFORMED },
    { "overload-four", B (52, 1, 4, 255), BC_DHCP_ERROR_MALFORMED },
    { "overload-empty", B (52, 0, 255), BC_DHCP_ERROR_MALFORMED },
    { "no-end", B (53, 1, 1, 12, 2, 'h', 'i'), -1 },
    { "zero-length", B (53, 1, 1, 77, 0, 255), -1 },
    { "only-pad", B (0, 0, 0, 0), -1 },
    { "only-end", B (255), -1 },
    { "garbage-after-end", B (53, 1, 3, 255, 60, 200, 1), -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GByteArray) p
          = make_packet (cases[i].opts, cases[i].opts_len, TRUE, NULL, 0, NULL, 0);
      g_autoptr (BcDhcpMsg) msg = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      g_test_message ("case %s", cases[i].name);
      ok = bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error);
      if (cases[i].error_code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_nonnull (msg);
        }
      else
        {
          g_assert_error (error, BC_DHCP_ERROR, cases[i].error_code);
          g_assert_false (ok);
          g_assert_null (msg);
        }
    }
}

static void
test_no_end_and_zero_length (void)
{
  g_autoptr (GByteArray) p
      = make_packet (B (53, 1, 1, 77, 0, 12, 2, 'h', 'i'), TRUE, NULL, 0, NULL, 0);
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  assert_codes (msg, (const guint8[]){ 53, 77, 12 }, 3);
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (msg, 77)), ==, 0);
  assert_option (msg, 12, (const guint8 *)"hi", 2);
  assert_round_trip (msg, 0);
}

static void
test_header_errors (void)
{
  g_autoptr (GByteArray) p = make_packet (B (53, 1, 1, 255), TRUE, NULL, 0, NULL, 0);
  static const gsize short_lens[] = { 0, 1, 4, 100, 235 };
  g_autoptr (GError) error = NULL;
  BcDhcpMsg *msg = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (short_lens); i++)
    {
      g_assert_false (bc_test_dhcp_parse_copy (p->data, short_lens[i], &msg, &error));
      g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED);
      g_assert_null (msg);
      g_clear_error (&error);
    }
  g_assert_false (bc_dhcp_msg_parse (NULL, 0, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* op 3 */
  p->data[0] = 3;
  g_assert_false (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MALFORMED);
  g_clear_error (&error);
  p->data[0] = 1;
  /* hlen 17 */
  p->data[2] = 17;
  g_assert_false (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MALFORMED);
  g_clear_error (&error);
  p->data[2] = 6;
  /* wrong cookie */
  p->data[BC_DHCP_FIXED_LEN] = 98;
  g_assert_false (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MAGIC);
  g_assert_null (msg);
}

/* RFC 951: no cookie; vendor area absent, short, or zeroed. */
static void
test_plain_bootp (void)
{
  static const gsize lens[] = { 236, 239, 300 };
  static const guint8 zeros[64] = { 0 };
  g_autoptr (GByteArray) p = make_packet (zeros, sizeof (zeros), FALSE, (const guint8 *)"srv", 3,
                                          (const guint8 *)"pxelinux.0", 10);

  for (gsize i = 0; i < G_N_ELEMENTS (lens); i++)
    {
      g_autoptr (BcDhcpMsg) msg = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) built = NULL;

      g_assert_true (bc_test_dhcp_parse_copy (p->data, lens[i], &msg, &error));
      g_assert_no_error (error);
      g_assert_false (msg->has_magic);
      g_assert_cmpuint (msg->options->len, ==, 0);
      g_assert_cmpstr (msg->sname, ==, "srv");
      g_assert_cmpstr (msg->file, ==, "pxelinux.0");
      g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, 0);
      built = bc_dhcp_msg_build (msg, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (built), ==, BC_DHCP_MIN_LEN);
      g_assert_cmpmem (g_bytes_get_data (built, NULL), BC_DHCP_FIXED_LEN, p->data,
                       BC_DHCP_FIXED_LEN);
      assert_round_trip (msg, 0);
    }
}

/* A file and sname of full length with no NUL are still NUL-terminated strings. */
static void
test_unterminated_fields (void)
{
  guint8 sname[64], file[128];
  g_autoptr (GByteArray) p = NULL;
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;

  memset (sname, 'S', sizeof (sname));
  memset (file, 'F', sizeof (file));
  p = make_packet (B (53, 1, 1, 255), TRUE, sname, sizeof (sname), file, sizeof (file));
  g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_cmpuint (strlen (msg->sname), ==, 64);
  g_assert_cmpuint (strlen (msg->file), ==, 128);
  assert_round_trip (msg, 0);
}

/* RFC 2132 9.3 + RFC 3396: options continue in file (1), sname (2) or both (3), and
 * instances of one code concatenate in the order options, file, sname. */
static void
test_overload (void)
{
  static const guint8 file_opts[] = { 67, 3, 'a', 'b', 'c', 12, 2, 'F', 'F', 255 };
  static const guint8 sname_opts[] = { 12, 2, 'S', 'S', 66, 1, 'x', 255 };

  for (guint which = 1; which <= 3; which++)
    {
      g_autoptr (GByteArray) p
          = make_packet ((const guint8[]){ 53, 1, 1, 12, 2, 'O', 'O', 52, 1, (guint8)which, 255 },
                         11, TRUE, sname_opts, sizeof (sname_opts), file_opts, sizeof (file_opts));
      g_autoptr (BcDhcpMsg) msg = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
      g_assert_no_error (error);
      g_assert_null (bc_dhcp_msg_get_option (msg, 52));
      if (which == 1)
        {
          assert_codes (msg, (const guint8[]){ 53, 12, 67 }, 3);
          assert_option (msg, 12, (const guint8 *)"OOFF", 4);
          g_assert_cmpstr (msg->file, ==, "");
          g_assert_cmpstr (msg->sname, !=, "");
        }
      else if (which == 2)
        {
          assert_codes (msg, (const guint8[]){ 53, 12, 66 }, 3);
          assert_option (msg, 12, (const guint8 *)"OOSS", 4);
          g_assert_cmpstr (msg->sname, ==, "");
          g_assert_cmpstr (msg->file, !=, "");
        }
      else
        {
          assert_codes (msg, (const guint8[]){ 53, 12, 67, 66 }, 4);
          assert_option (msg, 12, (const guint8 *)"OOFFSS", 6);
          g_assert_cmpstr (msg->sname, ==, "");
          g_assert_cmpstr (msg->file, ==, "");
        }
    }
}

/* 52 inside file/sname (pointing at each other, at itself) is ignored: each field is
 * read once, so no loop. */
static void
test_overload_loop (void)
{
  static const guint8 file_opts[] = { 52, 1, 3, 12, 1, 'F', 255 };
  static const guint8 sname_opts[] = { 52, 1, 3, 12, 1, 'S', 255 };
  g_autoptr (GByteArray) p = make_packet (B (53, 1, 1, 52, 1, 3, 255), TRUE, sname_opts,
                                          sizeof (sname_opts), file_opts, sizeof (file_opts));
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_no_error (error);
  assert_codes (msg, (const guint8[]){ 53, 12 }, 2);
  assert_option (msg, 12, (const guint8 *)"FS", 2);
}

/* Overload pointing at a file field that holds a path, not options: read as
 * options it is nonsense but in bounds ('p' = code 112, 'x' = 120 bytes). */
static void
test_overload_path (void)
{
  static const char path[] = "pxelinux.0";
  g_autoptr (GByteArray) p = make_packet (B (53, 1, 1, 52, 1, 1, 255), TRUE, NULL, 0,
                                          (const guint8 *)path, sizeof (path) - 1);
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (msg, 112)), ==, 120);
  g_assert_cmpstr (msg->file, ==, "");
}

/* Overload pointing at garbage whose lengths run past the field: the field ends at
 * its 128th byte even though the packet goes on (options follow in the packet). */
static void
test_overload_garbage (void)
{
  static const guint8 file[] = { 12, 200, 'x' };
  static const guint8 sname[] = { 12, 62 };
  g_autoptr (GByteArray) p
      = make_packet (B (53, 1, 1, 52, 1, 1, 255), TRUE, NULL, 0, file, sizeof (file));
  g_autoptr (GByteArray) q
      = make_packet (B (53, 1, 1, 52, 1, 2, 255), TRUE, sname, sizeof (sname), NULL, 0);
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED);
  g_assert_null (msg);
  g_clear_error (&error);
  /* 2 + 62 = 64: exactly fills sname. */
  g_assert_true (bc_test_dhcp_parse_copy (q->data, q->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (msg, 12)), ==, 62);
  g_clear_pointer (&msg, bc_dhcp_msg_free);
  q->data[44 + 1] = 63;
  g_assert_false (bc_test_dhcp_parse_copy (q->data, q->len, &msg, &error));
  g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED);
}

/* RFC 3396: a packet of nothing but instances of one code, up to UDP's limit. */
static void
test_huge_concatenation (void)
{
  g_autoptr (GByteArray) opts = g_byte_array_new ();
  g_autoptr (GByteArray) p = NULL;
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;
  guint8 chunk[257];
  guint n = 0;

  chunk[0] = 250;
  chunk[1] = 255;
  memset (chunk + 2, 0xab, 255);
  while (opts->len + sizeof (chunk) < 65000)
    {
      g_byte_array_append (opts, chunk, sizeof (chunk));
      n++;
    }
  p = make_packet (opts->data, opts->len, TRUE, NULL, 0, NULL, 0);
  g_assert_true (bc_test_dhcp_parse_copy (p->data, p->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msg->options->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (msg, 250)), ==, n * 255);

  /* Built back, it splits into 255-byte instances again: same wire bytes. */
  {
    g_autoptr (GBytes) built = bc_dhcp_msg_build (msg, 65535, &error);
    gsize len = 0;
    const guint8 *data;
    g_assert_no_error (error);
    data = g_bytes_get_data (built, &len);
    g_assert_cmpuint (len, ==, p->len + 1);
    g_assert_cmpmem (data, p->len, p->data, p->len);
    g_assert_cmpuint (data[p->len], ==, 255);
  }
  /* At the default size it cannot fit even with overload. */
  {
    g_autoptr (GBytes) built = bc_dhcp_msg_build (msg, 0, &error);
    g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TOO_BIG);
    g_assert_null (built);
  }
}

static BcDhcpMsg *
make_reply (void)
{
  BcDhcpMsg *msg = bc_dhcp_msg_new ();
  msg->op = BC_DHCP_OP_BOOTREPLY;
  msg->xid = 0xdeadbeef;
  msg->chaddr[0] = 0x52;
  bc_dhcp_msg_set_option (msg, 53, (const guint8[]){ 2 }, 1);
  return msg;
}

static void
test_build_split (void)
{
  g_autoptr (BcDhcpMsg) msg = make_reply ();
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  guint8 big[300];
  const guint8 *data;
  gsize len = 0;

  for (gsize i = 0; i < sizeof (big); i++)
    big[i] = (guint8)i;
  bc_dhcp_msg_set_option (msg, 43, big, sizeof (big));
  built = bc_dhcp_msg_build (msg, 0, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (built, &len);
  /* 53 (3 bytes), then 43 as 255 + 45 bytes, then END. */
  g_assert_cmpuint (len, ==, 240 + 3 + 257 + 47 + 1);
  g_assert_cmpuint (data[243], ==, 43);
  g_assert_cmpuint (data[244], ==, 255);
  g_assert_cmpuint (data[243 + 257], ==, 43);
  g_assert_cmpuint (data[243 + 258], ==, 45);
  g_assert_cmpuint (data[len - 1], ==, 255);
  assert_round_trip (msg, 0);
}

static void
test_build_pad_and_end (void)
{
  g_autoptr (BcDhcpMsg) msg = make_reply ();
  g_autoptr (GBytes) built = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *data;
  gsize len = 0;

  /* A 52 in the array is framing the builder owns: skipped. */
  bc_dhcp_msg_set_option (msg, 52, (const guint8[]){ 3 }, 1);
  built = bc_dhcp_msg_build (msg, 0, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (built, &len);
  g_assert_cmpuint (len, ==, BC_DHCP_MIN_LEN);
  g_assert_cmpmem (data + 236, 4, cookie, 4);
  g_assert_cmpmem (data + 240, 4, ((const guint8[]){ 53, 1, 2, 255 }), 4);
  for (gsize i = 244; i < len; i++)
    g_assert_cmpuint (data[i], ==, 0);
  g_assert_cmpuint (data[0], ==, 2);
  g_assert_cmpmem (data + 4, 4, ((const guint8[]){ 0xde, 0xad, 0xbe, 0xef }), 4);
}

/* Options that do not fit 576 spill into file, then sname, with 52 in the options
 * field; a named file or sname is never overwritten. */
static void
test_build_overload (void)
{
  guint8 value[200];

  memset (value, 'v', sizeof (value));
  for (int variant = 0; variant < 4; variant++)
    {
      g_autoptr (BcDhcpMsg) msg = make_reply ();
      g_autoptr (GBytes) built = NULL;
      g_autoptr (GError) error = NULL;
      gsize len = 0;
      const guint8 *data;

      /* 3 + 152 + 152 + 100 + 20 = 427 bytes of options; 576 - 28 - 240 - 1 = 307 fit
       * without overload, 304 + 127 + 63 with it. */
      bc_dhcp_msg_set_option (msg, 200, value, 150);
      bc_dhcp_msg_set_option (msg, 201, value, 150);
      bc_dhcp_msg_set_option (msg, 202, value, 98);
      bc_dhcp_msg_set_option (msg, 203, value, 18);
      if (variant == 0)
        bc_dhcp_msg_set_option (msg, 204, value, 40);
      if (variant == 1)
        g_strlcpy (msg->file, "undionly.kpxe", sizeof (msg->file));
      if (variant == 2)
        g_strlcpy (msg->sname, "boot", sizeof (msg->sname));
      if (variant == 3)
        {
          g_strlcpy (msg->file, "undionly.kpxe", sizeof (msg->file));
          g_strlcpy (msg->sname, "boot", sizeof (msg->sname));
        }
      g_test_message ("variant %d", variant);
      built = bc_dhcp_msg_build (msg, 0, &error);
      if (variant == 1 || variant == 3)
        {
          /* Without file, 202 fits nowhere (sname holds 63). */
          g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TOO_BIG);
          g_assert_null (built);
          continue;
        }
      g_assert_no_error (error);
      data = g_bytes_get_data (built, &len);
      g_assert_cmpuint (len, <=, 548);
      assert_round_trip (msg, 0);
      {
        /* 52 sits right before END in the options field: file (1), both (3). */
        gsize end = 240;
        while (data[end] != 255)
          end += data[end] == 0 ? 1 : 2 + data[end + 1];
        g_assert_cmpmem (data + end - 3, 3, ((const guint8[]){ 52, 1, variant == 0 ? 3 : 1 }), 3);
        /* 201 was split over the options field and file. */
        g_assert_cmpuint (data[108], ==, 201);
      }
    }
}

static void
test_build_max_len (void)
{
  g_autoptr (BcDhcpMsg) msg = make_reply ();
  guint8 value[255];
  g_autoptr (GError) error = NULL;

  memset (value, 1, sizeof (value));
  for (guint code = 200; code < 206; code++)
    bc_dhcp_msg_set_option (msg, (guint8)code, value, sizeof (value));
  /* 6 * 257 + 3 + 1 = 1546 bytes of options. */
  {
    g_autoptr (GBytes) b = bc_dhcp_msg_build (msg, 1500, &error);
    g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TOO_BIG);
    g_assert_null (b);
    g_clear_error (&error);
  }
  {
    g_autoptr (GBytes) b = bc_dhcp_msg_build (msg, 1814, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (b), ==, 240 + 1546);
  }
  /* Below RFC 2132's minimum the builder still allows 576. */
  {
    g_autoptr (BcDhcpMsg) small = make_reply ();
    g_autoptr (GBytes) b = bc_dhcp_msg_build (small, 100, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (b), ==, BC_DHCP_MIN_LEN);
  }
}

static void
test_get_set_remove (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_dhcp_msg_new ();
  g_autoptr (BcDhcpMsg) copy = NULL;

  g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, 0);
  bc_dhcp_msg_set_option (msg, 53, (const guint8[]){ 1 }, 1);
  bc_dhcp_msg_set_option (msg, 60, (const guint8 *)"PXEClient", 9);
  bc_dhcp_msg_set_option (msg, 77, NULL, 0);
  assert_codes (msg, (const guint8[]){ 53, 60, 77 }, 3);
  g_assert_cmpuint (g_bytes_get_size (bc_dhcp_msg_get_option (msg, 77)), ==, 0);
  /* Replace in place. */
  bc_dhcp_msg_set_option (msg, 53, (const guint8[]){ 3 }, 1);
  assert_codes (msg, (const guint8[]){ 53, 60, 77 }, 3);
  g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, BC_DHCP_REQUEST);

  copy = bc_dhcp_msg_copy (msg);
  bc_dhcp_msg_remove_option (msg, 60);
  bc_dhcp_msg_remove_option (msg, 99);
  assert_codes (msg, (const guint8[]){ 53, 77 }, 2);
  g_assert_null (bc_dhcp_msg_get_option (msg, 60));
  /* The copy is independent. */
  assert_codes (copy, (const guint8[]){ 53, 60, 77 }, 3);

  /* A message type that is not one byte counts as absent. */
  bc_dhcp_msg_set_option (msg, 53, (const guint8[]){ 1, 1 }, 2);
  g_assert_cmpuint (bc_dhcp_msg_get_message_type (msg), ==, 0);
}

static void
test_format_chaddr (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_dhcp_msg_new ();
  static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x9d, 0x7d, 0x60 };

  memcpy (msg->chaddr, mac, 6);
  {
    g_autofree char *s = bc_dhcp_msg_format_chaddr (msg);
    g_assert_cmpstr (s, ==, "52:54:00:9d:7d:60");
  }
  msg->hlen = 0;
  {
    g_autofree char *s = bc_dhcp_msg_format_chaddr (msg);
    g_assert_cmpstr (s, ==, "");
  }
  msg->htype = 32; /* InfiniBand-style, 16 bytes shown */
  msg->hlen = 16;
  memset (msg->chaddr, 0xff, 16);
  {
    g_autofree char *s = bc_dhcp_msg_format_chaddr (msg);
    g_assert_cmpuint (strlen (s), ==, 16 * 3 - 1);
  }
  /* Not reachable from parse (hlen > 16 is rejected), but never over-reads. */
  msg->hlen = 200;
  {
    g_autofree char *s = bc_dhcp_msg_format_chaddr (msg);
    g_assert_cmpuint (strlen (s), ==, 16 * 3 - 1);
  }
}

static void
test_encapsulated (void)
{
  g_autoptr (GPtrArray) subs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) built = NULL;
  g_autofree guint8 *copy = g_memdup2 (seed000_builtin_175, sizeof (seed000_builtin_175));
  static const guint8 codes[] = { 177, 235, 23, 34, 19, 17, 39, 25, 16, 33, 21, 24, 18 };

  g_assert_true (
      bc_dhcp_options_parse_encapsulated (copy, sizeof (seed000_builtin_175), &subs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (subs->len, ==, G_N_ELEMENTS (codes));
  for (guint i = 0; i < subs->len; i++)
    g_assert_cmpuint (((BcDhcpOption *)subs->pdata[i])->code, ==, codes[i]);
  {
    gsize len = 0;
    const guint8 *v = g_bytes_get_data (((BcDhcpOption *)subs->pdata[1])->data, &len);
    g_assert_cmpmem (v, len, ((const guint8[]){ 1, 0, 0 }), 3);
  }
  built = bc_dhcp_options_build_encapsulated (subs);
  g_assert_cmpmem (g_bytes_get_data (built, NULL), g_bytes_get_size (built), seed000_builtin_175,
                   sizeof (seed000_builtin_175));
}

static void
test_encapsulated_hostile (void)
{
  const struct
  {
    const guint8 *data;
    gsize len;
    gboolean ok;
    guint count;
  } cases[] = {
    { B (20, 1, 1), TRUE, 1 },
    { B (20, 2, 1), FALSE, 0 },
    { B (20), FALSE, 0 },
    { B (0, 0, 20, 1, 1, 255, 99, 99), TRUE, 1 }, /* pad, end, garbage after */
    { B (20, 0), TRUE, 1 },
    { B (20, 1, 1, 20, 1, 2), TRUE, 1 }, /* concatenated */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *copy = g_memdup2 (cases[i].data, cases[i].len);
      g_autoptr (GPtrArray) subs = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok = bc_dhcp_options_parse_encapsulated (copy, cases[i].len, &subs, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (subs->len, ==, cases[i].count);
        }
      else
        {
          g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED);
          g_assert_null (subs);
        }
    }
  {
    g_autoptr (GPtrArray) subs = NULL;
    g_assert_true (bc_dhcp_options_parse_encapsulated (NULL, 0, &subs, NULL));
    g_assert_cmpuint (subs->len, ==, 0);
  }
}

static void
test_encapsulated_split (void)
{
  g_autoptr (GPtrArray) subs = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_dhcp_option_free);
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GBytes) built = NULL;
  guint8 big[600];
  BcDhcpOption *o = g_new0 (BcDhcpOption, 1);

  memset (big, 7, sizeof (big));
  o->code = 91;
  o->data = g_bytes_new (big, sizeof (big));
  g_ptr_array_add (subs, o);
  built = bc_dhcp_options_build_encapsulated (subs);
  g_assert_cmpuint (g_bytes_get_size (built), ==, 600 + 3 * 2);
  g_assert_true (bc_dhcp_options_parse_encapsulated (g_bytes_get_data (built, NULL),
                                                     g_bytes_get_size (built), &back, NULL));
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_true (g_bytes_equal (((BcDhcpOption *)back->pdata[0])->data, o->data));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp-msg/fixture/seed000-builtin", test_fixture_seed000_builtin);
  g_test_add_func ("/dhcp-msg/fixture/seed000-joyent", test_fixture_seed000_joyent);
  g_test_add_func ("/dhcp-msg/fixture/edk2", test_fixture_edk2);
  g_test_add_func ("/dhcp-msg/fixture/ipxe-efi", test_fixture_ipxe_efi);
  g_test_add_func ("/dhcp-msg/fixture/isc-offer", test_fixture_offer);
  g_test_add_func ("/dhcp-msg/parse/hostile-options", test_hostile_options);
  g_test_add_func ("/dhcp-msg/parse/no-end-zero-length", test_no_end_and_zero_length);
  g_test_add_func ("/dhcp-msg/parse/header-errors", test_header_errors);
  g_test_add_func ("/dhcp-msg/parse/plain-bootp", test_plain_bootp);
  g_test_add_func ("/dhcp-msg/parse/unterminated-fields", test_unterminated_fields);
  g_test_add_func ("/dhcp-msg/parse/overload", test_overload);
  g_test_add_func ("/dhcp-msg/parse/overload-loop", test_overload_loop);
  g_test_add_func ("/dhcp-msg/parse/overload-path", test_overload_path);
  g_test_add_func ("/dhcp-msg/parse/overload-garbage", test_overload_garbage);
  g_test_add_func ("/dhcp-msg/parse/huge-concatenation", test_huge_concatenation);
  g_test_add_func ("/dhcp-msg/build/split", test_build_split);
  g_test_add_func ("/dhcp-msg/build/pad-and-end", test_build_pad_and_end);
  g_test_add_func ("/dhcp-msg/build/overload", test_build_overload);
  g_test_add_func ("/dhcp-msg/build/max-len", test_build_max_len);
  g_test_add_func ("/dhcp-msg/options/get-set-remove", test_get_set_remove);
  g_test_add_func ("/dhcp-msg/chaddr", test_format_chaddr);
  g_test_add_func ("/dhcp-msg/encapsulated/seed000", test_encapsulated);
  g_test_add_func ("/dhcp-msg/encapsulated/hostile", test_encapsulated_hostile);
  g_test_add_func ("/dhcp-msg/encapsulated/split", test_encapsulated_split);
  return g_test_run ();
}
