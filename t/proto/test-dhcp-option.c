/* The option table: ISC's names and formats, wellknown additions, dhcpd.conf-style
 * declarations, and ISC-like value rendering. */
#include "server/proto/dhcp-option.h"

#include <string.h>

typedef struct
{
  const char *space;
  guint code;
  const char *name;
  const char *format;
} Expected;

/* Checked against ISC dhcpd 4.4 common/tables.c and dhcp-options(5). */
static const Expected isc_expected[] = {
  { "dhcp", 1, "subnet-mask", "I" },
  { "dhcp", 2, "time-offset", "l" },
  { "dhcp", 3, "routers", "IA" },
  { "dhcp", 6, "domain-name-servers", "IA" },
  { "dhcp", 7, "log-servers", "IA" },
  { "dhcp", 12, "host-name", "t" },
  { "dhcp", 15, "domain-name", "t" },
  { "dhcp", 26, "interface-mtu", "S" },
  { "dhcp", 28, "broadcast-address", "I" },
  { "dhcp", 42, "ntp-servers", "IA" },
  { "dhcp", 43, "vendor-encapsulated-options", "X" },
  { "dhcp", 50, "dhcp-requested-address", "I" },
  { "dhcp", 51, "dhcp-lease-time", "L" },
  { "dhcp", 52, "dhcp-option-overload", "B" },
  { "dhcp", 53, "dhcp-message-type", "B" },
  { "dhcp", 54, "dhcp-server-identifier", "I" },
  { "dhcp", 55, "dhcp-parameter-request-list", "BA" },
  { "dhcp", 56, "dhcp-message", "t" },
  { "dhcp", 57, "dhcp-max-message-size", "S" },
  { "dhcp", 58, "dhcp-renewal-time", "L" },
  { "dhcp", 59, "dhcp-rebinding-time", "L" },
  { "dhcp", 60, "vendor-class-identifier", "X" },
  { "dhcp", 61, "dhcp-client-identifier", "X" },
  { "dhcp", 66, "tftp-server-name", "t" },
  { "dhcp", 67, "bootfile-name", "t" },
  { "dhcp", 77, "user-class", "t" },
  { "dhcp", 82, "relay-agent-information", "Eagent." },
  { "dhcp", 93, "pxe-system-type", "SA" },
  { "dhcp", 94, "pxe-interface-id", "BBB" },
  { "dhcp", 97, "pxe-client-id", "BX" },
  { "dhcp", 119, "domain-search", "Dc" },
  { "agent", 1, "circuit-id", "X" },
  { "agent", 2, "remote-id", "X" },
};

static void
test_isc_table (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_isc ();

  for (gsize i = 0; i < G_N_ELEMENTS (isc_expected); i++)
    {
      const Expected *e = &isc_expected[i];
      const BcDhcpOptionDef *by_code = bc_dhcp_option_registry_lookup_code (reg, e->space, e->code);
      const BcDhcpOptionDef *by_name = bc_dhcp_option_registry_lookup_name (reg, e->space, e->name);

      g_assert_nonnull (by_code);
      g_assert_true (by_code == by_name);
      g_assert_cmpstr (by_code->name, ==, e->name);
      g_assert_cmpstr (by_code->format, ==, e->format);
      g_assert_cmpstr (by_code->space, ==, e->space);
      g_assert_cmpuint (by_code->code, ==, e->code);
    }

  /* ISC predefines neither iPXE's nor PXE's space: a dhcpd.conf must declare them. */
  g_assert_false (bc_dhcp_option_registry_has_space (reg, "ipxe"));
  g_assert_false (bc_dhcp_option_registry_has_space (reg, "pxe"));
  g_assert_null (bc_dhcp_option_registry_lookup_code (reg, "dhcp", 175));
  g_assert_null (bc_dhcp_option_registry_lookup_name (reg, "ipxe", "https"));
  g_assert_null (bc_dhcp_option_registry_lookup_name (reg, "dhcp", "no-such-option"));
  g_assert_null (bc_dhcp_option_registry_lookup_name (reg, "nope", "routers"));
  g_assert_true (bc_dhcp_option_registry_has_space (reg, "dhcp"));
  g_assert_true (bc_dhcp_option_registry_has_space (reg, "agent"));
}

/* A sample, not a copy of the table: the entries dhcpd.conf files in the field and
 * the seeds name (ipxe.org/howto/dhcpd, iPXE include/ipxe/dhcp.h and features.h). The
 * whole table is checked for consistency below. */
static const Expected wellknown_expected[] = {
  { "dhcp", 43, "vendor-encapsulated-options", "Epxe." },
  { "dhcp", 175, "ipxe-encap-opts", "Eipxe." },
  { "pxe", 6, "discovery-control", "B" },
  { "ipxe", 1, "priority", "b" },
  { "ipxe", 17, "iscsi", "B" },
  { "ipxe", 20, "https", "B" },
  { "ipxe", 38, "vlan", "B" },
  { "ipxe", 176, "no-pxedhcp", "B" },
  { "ipxe", 177, "bus-id", "X" },
  { "ipxe", 235, "version", "X" },
};

/* Every definition of @space is found again by its name, and no two share a name. */
static void
assert_space_consistent (const BcDhcpOptionRegistry *reg, const char *space)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint code = 0; code < 256; code++)
    {
      const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, space, code);

      if (def == NULL)
        continue;
      g_assert_cmpstr (def->space, ==, space);
      g_assert_cmpuint (def->code, ==, code);
      g_assert_true (def == bc_dhcp_option_registry_lookup_name (reg, space, def->name));
      g_assert_true (g_hash_table_add (names, (gpointer)def->name));
      g_assert_cmpuint (strlen (def->format), >, 0);
    }
  g_assert_cmpuint (g_hash_table_size (names), >, 0);
}

static void
test_wellknown_table (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();

  for (gsize i = 0; i < G_N_ELEMENTS (wellknown_expected); i++)
    {
      const Expected *e = &wellknown_expected[i];
      const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, e->space, e->code);

      g_assert_nonnull (def);
      g_assert_cmpstr (def->name, ==, e->name);
      g_assert_cmpstr (def->format, ==, e->format);
      g_assert_true (def == bc_dhcp_option_registry_lookup_name (reg, e->space, e->name));
    }
  for (const char *const *sp = (const char *const[]){ "dhcp", "agent", "pxe", "ipxe", NULL }; *sp;
       sp++)
    assert_space_consistent (reg, *sp);
  /* The ISC set is all there too. */
  for (gsize i = 0; i < G_N_ELEMENTS (isc_expected); i++)
    if (isc_expected[i].code != 43)
      g_assert_nonnull (
          bc_dhcp_option_registry_lookup_name (reg, isc_expected[i].space, isc_expected[i].name));
}

static void
test_encapsulated_space (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autofree char *ipxe = NULL;
  g_autofree char *agent = NULL;
  BcDhcpOptionDef empty = { "dhcp", 43, "x", "E." };

  ipxe = bc_dhcp_option_def_encapsulated_space (
      bc_dhcp_option_registry_lookup_code (reg, "dhcp", 175));
  g_assert_cmpstr (ipxe, ==, "ipxe");
  agent = bc_dhcp_option_def_encapsulated_space (
      bc_dhcp_option_registry_lookup_code (reg, "dhcp", 82));
  g_assert_cmpstr (agent, ==, "agent");
  g_assert_null (
      bc_dhcp_option_def_encapsulated_space (bc_dhcp_option_registry_lookup_code (reg, "dhcp", 3)));
  g_assert_null (bc_dhcp_option_def_encapsulated_space (&empty));
  g_assert_null (bc_dhcp_option_def_encapsulated_space (NULL));
}

/* Seed 000's dhcpd.conf: option space ipxe; ipxe-encap-opts code 175 = encapsulate ipxe;
 * ipxe.https code 20 = unsigned integer 8. */
static void
test_define_seed000 (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_isc ();
  g_autoptr (GError) error = NULL;
  const BcDhcpOptionDef *def;

  g_assert_false (bc_dhcp_option_registry_define (reg, "ipxe", "https", 20, "B", &error));
  g_assert_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_NO_SPACE);
  g_clear_error (&error);

  g_assert_true (bc_dhcp_option_registry_add_space (reg, "ipxe", &error));
  g_assert_no_error (error);
  /* Declaring it again is fine (ISC). */
  g_assert_true (bc_dhcp_option_registry_add_space (reg, "ipxe", &error));
  g_assert_true (
      bc_dhcp_option_registry_define (reg, "dhcp", "ipxe-encap-opts", 175, "Eipxe.", &error));
  g_assert_true (bc_dhcp_option_registry_define (reg, "ipxe", "https", 20, "B", &error));
  g_assert_no_error (error);

  def = bc_dhcp_option_registry_lookup_name (reg, "ipxe", "https");
  g_assert_nonnull (def);
  g_assert_cmpuint (def->code, ==, 20);
  g_assert_true (def == bc_dhcp_option_registry_lookup_code (reg, "ipxe", 20));
  g_assert_null (bc_dhcp_option_registry_lookup_name (reg, "ipxe", "http"));
  g_assert_cmpstr (bc_dhcp_option_registry_lookup_code (reg, "dhcp", 175)->name, ==,
                   "ipxe-encap-opts");
}

/* Seed 003: `option arch code 93 = unsigned integer 16;` renames 93 for decoding; the
 * ISC name stays usable. A redefined name replaces the old definition; borrowed
 * pointers to the old one stay valid. */
static void
test_define_replace (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_isc ();
  g_autoptr (GError) error = NULL;
  const BcDhcpOptionDef *old = bc_dhcp_option_registry_lookup_code (reg, "dhcp", 93);
  const BcDhcpOptionDef *def;

  g_assert_true (bc_dhcp_option_registry_define (reg, "dhcp", "arch", 93, "S", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (bc_dhcp_option_registry_lookup_code (reg, "dhcp", 93)->name, ==, "arch");
  g_assert_nonnull (bc_dhcp_option_registry_lookup_name (reg, "dhcp", "pxe-system-type"));
  g_assert_cmpstr (old->name, ==, "pxe-system-type");

  /* Same name, new code and format. */
  g_assert_true (bc_dhcp_option_registry_define (reg, "dhcp", "arch", 200, "t", &error));
  def = bc_dhcp_option_registry_lookup_name (reg, "dhcp", "arch");
  g_assert_cmpuint (def->code, ==, 200);
  g_assert_cmpstr (def->format, ==, "t");
  g_assert_true (bc_dhcp_option_registry_lookup_code (reg, "dhcp", 200) == def);
}

static void
test_define_invalid (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_isc ();
  static const struct
  {
    const char *name;
    guint code;
    const char *format;
  } bad[] = {
    { "x", 0, "B" },     { "x", 255, "B" },    { "x", 256, "B" },   { "", 200, "B" },
    { "a b", 200, "B" }, { "x", 200, "Q" },    { "x", 200, "tB" },  { "x", 200, "A" },
    { "x", 200, "BAB" }, { "x", 200, "Efoo" }, { "x", 200, "E.x" }, { "x", 200, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (bc_dhcp_option_registry_define (reg, "dhcp", bad[i].name, bad[i].code,
                                                      bad[i].format, &error));
      g_assert_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID);
    }
  {
    g_autoptr (GError) error = NULL;
    g_assert_false (bc_dhcp_option_registry_add_space (reg, "bad space", &error));
    g_assert_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID);
  }
  /* Formats dhcpd.conf declarations produce are accepted. */
  {
    static const char *const good[]
        = { "I",   "IA", "Ia", "BA", "SA",     "BBB", "BX", "t", "X", "fIa",
            "fto", "Dc", "D",  "d",  "Eipxe.", "Z",   "b",  "s", "l", "6" };
    for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
      {
        g_autoptr (GError) error = NULL;
        g_assert_true (bc_dhcp_option_registry_define (reg, "dhcp", "y", 201, good[i], &error));
        g_assert_no_error (error);
      }
  }
}

static void
test_copy (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_isc ();
  g_autoptr (BcDhcpOptionRegistry) copy = NULL;

  g_assert_true (bc_dhcp_option_registry_add_space (reg, "ipxe", NULL));
  g_assert_true (bc_dhcp_option_registry_define (reg, "ipxe", "https", 20, "B", NULL));
  g_assert_true (bc_dhcp_option_registry_define (reg, "dhcp", "arch", 93, "S", NULL));
  copy = bc_dhcp_option_registry_copy (reg);

  g_assert_true (bc_dhcp_option_registry_has_space (copy, "ipxe"));
  g_assert_cmpuint (bc_dhcp_option_registry_lookup_name (copy, "ipxe", "https")->code, ==, 20);
  g_assert_cmpstr (bc_dhcp_option_registry_lookup_code (copy, "dhcp", 93)->name, ==, "arch");

  /* Independent afterwards. */
  g_assert_true (bc_dhcp_option_registry_define (copy, "ipxe", "http", 19, "B", NULL));
  g_assert_null (bc_dhcp_option_registry_lookup_name (reg, "ipxe", "http"));
  g_assert_true (bc_dhcp_option_registry_add_space (copy, "foo", NULL));
  g_assert_false (bc_dhcp_option_registry_has_space (reg, "foo"));
}

typedef struct
{
  const char *format;
  const guint8 *data;
  gsize len;
  const char *expected;
} FormatCase;

#define B(...) (const guint8[]){ __VA_ARGS__ }, sizeof ((const guint8[]){ __VA_ARGS__ })

static void
test_format_value (void)
{
  static const guint8 none[1] = { 0 };
  const FormatCase cases[] = {
    { "I", B (255, 255, 255, 0), "255.255.255.0" },
    { "IA", B (192, 168, 42, 1, 10, 0, 0, 1), "192.168.42.1,10.0.0.1" },
    { "Ia", B (192, 168, 42, 1, 10, 0, 0, 1), "192.168.42.1,10.0.0.1" },
    { "L", B (0, 0, 2, 88), "600" },
    { "L", B (0xff, 0xff, 0xff, 0xff), "4294967295" },
    { "l", B (0xff, 0xff, 0xff, 0xff), "-1" },
    { "S", B (0x02, 0x40), "576" },
    { "s", B (0xff, 0xfe), "-2" },
    { "B", B (1), "1" },
    { "b", B (0xff), "-1" },
    { "f", B (1), "true" },
    { "f", B (0), "false" },
    { "BA", B (1, 3, 6, 12, 15, 175), "1,3,6,12,15,175" },
    { "SA", B (0, 7), "7" },
    { "BBB", B (1, 3, 10), "1 3 10" },
    { "IIA", B (10, 0, 0, 0, 255, 0, 0, 0, 10, 1, 0, 0, 255, 255, 0, 0),
      "10.0.0.0 255.0.0.0,10.1.0.0 255.255.0.0" },
    { "t", B ('i', 'P', 'X', 'E'), "\"iPXE\"" },
    { "t", B ('a', '"', 'b', '\\', 1), "\"a\\\"b\\\\\\001\"" },
    { "X", B ('i', 'P', 'X', 'E'), "\"iPXE\"" },
    { "X", B (1, 0x1a, 0xf4), "01:1a:f4" },
    { "BX", B (0, 0x6a, 0x98), "0 6a:98" },
    { "Dc",
      B (7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 3, 'l', 'a', 'b', 0xc0, 0),
      "\"example.com\", \"lab.example.com\"" },
    { "fto", B (1, 'a'), "true \"a\"" },
    /* Does not fit: colon-hex. */
    { "I", B (1, 2, 3), "01:02:03" },
    { "IA", B (1, 2, 3, 4, 5), "01:02:03:04:05" },
    { "S", B (1), "01" },
    { "BBB", B (1, 2, 3, 4), "01:02:03:04" },
    { "Dc", B (3, 'c', 'o', 'm', 0xc0, 9), "03:63:6f:6d:c0:09" }, /* forward pointer */
    { "Dc", B (0xc0, 0), "c0:00" },                               /* self loop */
    { "Eipxe.", B (20, 1, 1), "14:01:01" },
    { "I", none, 0, "" },
    { "t", none, 0, "\"\"" },
    { "X", none, 0, "" },
    { NULL, B (1, 2), "01:02" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BcDhcpOptionDef def = { "dhcp", 200, "test", cases[i].format };
      g_autofree guint8 *copy = g_memdup2 (cases[i].data, cases[i].len);
      g_autofree char *s
          = bc_dhcp_option_format_value (cases[i].format ? &def : NULL, copy, cases[i].len);
      g_test_message ("format %s case %zu", cases[i].format, i);
      g_assert_cmpstr (s, ==, cases[i].expected);
    }
}

static void
test_hex_colon (void)
{
  g_autofree char *a = bc_dhcp_hex_colon ((const guint8 *)"\x01\x1a\xf4", 3);
  g_autofree char *b = bc_dhcp_hex_colon (NULL, 0);
  g_assert_cmpstr (a, ==, "01:1a:f4");
  g_assert_cmpstr (b, ==, "");
}

static void
test_message_type_name (void)
{
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_DISCOVER), ==, "DISCOVER");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_OFFER), ==, "OFFER");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_REQUEST), ==, "REQUEST");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_DECLINE), ==, "DECLINE");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_ACK), ==, "ACK");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_NAK), ==, "NAK");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_RELEASE), ==, "RELEASE");
  g_assert_cmpstr (bc_dhcp_message_type_name (BC_DHCP_INFORM), ==, "INFORM");
  g_assert_null (bc_dhcp_message_type_name (0));
  g_assert_null (bc_dhcp_message_type_name (200));
  g_assert_null (bc_dhcp_message_type_name (G_MAXUINT));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp-option/isc-table", test_isc_table);
  g_test_add_func ("/dhcp-option/wellknown-table", test_wellknown_table);
  g_test_add_func ("/dhcp-option/encapsulated-space", test_encapsulated_space);
  g_test_add_func ("/dhcp-option/define/seed000", test_define_seed000);
  g_test_add_func ("/dhcp-option/define/replace", test_define_replace);
  g_test_add_func ("/dhcp-option/define/invalid", test_define_invalid);
  g_test_add_func ("/dhcp-option/copy", test_copy);
  g_test_add_func ("/dhcp-option/format-value", test_format_value);
  g_test_add_func ("/dhcp-option/hex-colon", test_hex_colon);
  g_test_add_func ("/dhcp-option/message-type-name", test_message_type_name);
  return g_test_run ();
}
