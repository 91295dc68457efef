/* dhcpd.conf lexer and parser: tokens, the configurations ISC accepts, and golden
 * error messages for those it refuses (t/data/conf/NAME.conf + NAME.expected; run with
 * BC_REGENERATE=1 to rewrite the .expected files). Where ISC dhcpd is installed, each
 * file is also given to `dhcpd -t` and both must agree on accept/refuse. */
#include <glib/gstdio.h>
#include <string.h>

#include "server/conf/conf-lexer.h"
#include "server/conf/conf.h"

static char *
data_path (const char *name)
{
  return g_build_filename (BC_TEST_DATA, "conf", name, NULL);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *)a, *(char *const *)b);
}

/* The .conf files of t/data/conf, sorted. */
static GPtrArray *
conf_files (void)
{
  g_autofree char *dir = data_path (NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *n;

  g_assert_nonnull (d);
  while ((n = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (n, ".conf"))
      g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static char *
expected_path (const char *conf_name)
{
  g_autofree char *base = g_strndup (conf_name, strlen (conf_name) - strlen (".conf"));
  g_autofree char *name = g_strconcat (base, ".expected", NULL);
  return data_path (name);
}

static void
test_lexer_tokens (void)
{
  const char *text = "option ipxe.https code 20 = unsigned integer 8; # comment\n"
                     "if option arch != 00:07 { filename \"a\\\"b\\x41\\101\"; }\n";
  g_autoptr (GPtrArray) toks = bc_conf_lex (text, strlen (text));
  const struct
  {
    BcConfTokKind kind;
    const char *value;
    guint line, col;
  } want[] = {
    { BC_CONF_TOK_WORD, "option", 1, 1 },    { BC_CONF_TOK_WORD, "ipxe", 1, 8 },
    { BC_CONF_TOK_DOT, NULL, 1, 12 },        { BC_CONF_TOK_WORD, "https", 1, 13 },
    { BC_CONF_TOK_WORD, "code", 1, 19 },     { BC_CONF_TOK_WORD, "20", 1, 24 },
    { BC_CONF_TOK_EQUAL, NULL, 1, 27 },      { BC_CONF_TOK_WORD, "unsigned", 1, 29 },
    { BC_CONF_TOK_WORD, "integer", 1, 38 },  { BC_CONF_TOK_WORD, "8", 1, 46 },
    { BC_CONF_TOK_SEMI, NULL, 1, 47 },       { BC_CONF_TOK_WORD, "if", 2, 1 },
    { BC_CONF_TOK_WORD, "option", 2, 4 },    { BC_CONF_TOK_WORD, "arch", 2, 11 },
    { BC_CONF_TOK_NOT_EQUAL, NULL, 2, 16 },  { BC_CONF_TOK_WORD, "00", 2, 19 },
    { BC_CONF_TOK_COLON, NULL, 2, 21 },      { BC_CONF_TOK_WORD, "07", 2, 22 },
    { BC_CONF_TOK_LBRACE, NULL, 2, 25 },     { BC_CONF_TOK_WORD, "filename", 2, 27 },
    { BC_CONF_TOK_STRING, "a\"bAA", 2, 36 }, { BC_CONF_TOK_SEMI, NULL, 2, 50 },
    { BC_CONF_TOK_RBRACE, NULL, 2, 52 },     { BC_CONF_TOK_EOF, NULL, 3, 1 },
  };

  g_assert_cmpuint (toks->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < toks->len; i++)
    {
      BcConfToken *t = toks->pdata[i];
      g_assert_cmpint (t->kind, ==, want[i].kind);
      g_assert_cmpstr (want[i].value != NULL ? t->value : NULL, ==, want[i].value);
      g_assert_cmpuint (t->line, ==, want[i].line);
      g_assert_cmpuint (t->col, ==, want[i].col);
    }
}

static void
test_lexer_hostile (void)
{
  /* Unterminated string, stray bytes, NUL inside: INVALID tokens, never a crash. */
  static const char text[] = "filename \"abc\\\n\x01 ` \0 x";
  g_autoptr (GPtrArray) toks = bc_conf_lex (text, sizeof text - 1);
  guint invalid = 0;

  for (guint i = 0; i < toks->len; i++)
    if (((BcConfToken *)toks->pdata[i])->kind == BC_CONF_TOK_INVALID)
      invalid++;
  g_assert_cmpuint (invalid, ==, 1); /* the string swallows the rest */
  g_assert_cmpint (((BcConfToken *)toks->pdata[toks->len - 1])->kind, ==, BC_CONF_TOK_EOF);
  {
    static const char t2[] = "a ` b \x01";
    g_autoptr (GPtrArray) toks2 = bc_conf_lex (t2, sizeof t2 - 1);
    g_assert_cmpuint (toks2->len, ==, 5);
    g_assert_cmpint (((BcConfToken *)toks2->pdata[1])->kind, ==, BC_CONF_TOK_INVALID);
    g_assert_cmpint (((BcConfToken *)toks2->pdata[3])->kind, ==, BC_CONF_TOK_INVALID);
  }
}

/* Every .conf: refused with exactly the .expected message if there is one, else
 * accepted. */
static void
test_golden (void)
{
  g_autoptr (GPtrArray) names = conf_files ();
  gboolean regenerate = g_getenv ("BC_REGENERATE") != NULL;

  g_assert_cmpuint (names->len, >, 5);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = data_path (name);
      g_autofree char *exp_path = expected_path (name);
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;
      gsize len;
      g_autoptr (GError) error = NULL;
      g_autoptr (BcConf) conf = NULL;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      conf = bc_conf_parse (name, text, len, &error);
      if (regenerate && error != NULL)
        {
          g_autofree char *out = g_strconcat (error->message, "\n", NULL);
          g_assert_true (g_file_set_contents (exp_path, out, -1, NULL));
        }
      if (!g_file_get_contents (exp_path, &expected, NULL, NULL))
        {
          if (error != NULL)
            g_test_message ("%s: %s", name, error->message);
          g_assert_no_error (error);
          g_assert_nonnull (conf);
          continue;
        }
      g_assert_null (conf);
      g_assert_error (error, BC_CONF_ERROR, BC_CONF_ERROR_SYNTAX);
      g_strchomp (expected);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* The key example of the brief: the missing ';' is reported where it is missing. */
static void
test_missing_semicolon_location (void)
{
  g_autofree char *path = data_path ("seed000-naive.conf");
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConf) conf = NULL;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  conf = bc_conf_parse ("dhcpd.conf", text, len, &error);
  g_assert_null (conf);
  g_assert_true (g_str_has_prefix (
      error->message, "dhcpd.conf:10:37: expected ';' after range (statement began at 10:2)\n"
                      "    \trange 192.168.42.100 192.168.42.200\n"
                      "    \t                                   ^"));
  /* one error only: the parser goes on at next-server as ISC's user meant */
  g_assert_null (strstr (error->message + 1, "dhcpd.conf:"));
}

static void
test_declarations_in_registry (void)
{
  const char *text = "option space ipxe;\n"
                     "option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
                     "option ipxe.https code 20 = unsigned integer 8;\n"
                     "option ipxe.list code 21 = array of { unsigned integer 8, ip-address };\n"
                     "option arch code 93 = unsigned integer 16;\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConf) conf = bc_conf_parse ("dhcpd.conf", text, strlen (text), &error);
  const BcDhcpOptionRegistry *reg;
  const BcDhcpOptionDef *def;

  g_assert_no_error (error);
  reg = bc_conf_get_registry (conf);
  def = bc_dhcp_option_registry_lookup_name (reg, "dhcp", "ipxe-encap-opts");
  g_assert_nonnull (def);
  g_assert_cmpstr (def->format, ==, "Eipxe.");
  def = bc_dhcp_option_registry_lookup_name (reg, "ipxe", "https");
  g_assert_cmpstr (def->format, ==, "B");
  def = bc_dhcp_option_registry_lookup_name (reg, "ipxe", "list");
  g_assert_cmpstr (def->format, ==, "BIA");
  def = bc_dhcp_option_registry_lookup_code (reg, "dhcp", 93);
  g_assert_cmpstr (def->name, ==, "arch");
  g_assert_cmpstr (def->format, ==, "S");
}

static void
test_deep_nesting (void)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConf) conf = NULL;

  for (guint i = 0; i < 5000; i++)
    g_string_append (s, "if (((((");
  conf = bc_conf_parse ("dhcpd.conf", s->str, s->len, &error);
  g_assert_null (conf);
  g_assert_error (error, BC_CONF_ERROR, BC_CONF_ERROR_SYNTAX);
  g_string_truncate (s, 0);
  for (guint i = 0; i < 5000; i++)
    g_string_append (s, "group {");
  g_clear_error (&error);
  conf = bc_conf_parse ("dhcpd.conf", s->str, s->len, &error);
  g_assert_null (conf);
  g_assert_error (error, BC_CONF_ERROR, BC_CONF_ERROR_SYNTAX);
}

/* Real ISC dhcpd decides accept/refuse the same way for every test file. */
static void
test_isc_agrees (void)
{
  g_autoptr (GPtrArray) names = conf_files ();
  g_autofree char *dhcpd = g_find_program_in_path ("dhcpd");

  if (dhcpd == NULL && g_file_test ("/usr/sbin/dhcpd", G_FILE_TEST_IS_EXECUTABLE))
    dhcpd = g_strdup ("/usr/sbin/dhcpd");
  if (dhcpd == NULL)
    {
      g_test_skip ("ISC dhcpd is not installed (isc-dhcp-server / dhcp-server)");
      return;
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = data_path (name);
      g_autofree char *exp_path = expected_path (name);
      const char *argv[] = { dhcpd, "-t", "-q", "-cf", path, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = 0;
      g_autoptr (GError) error = NULL;
      gboolean isc_ok, ours_ok = !g_file_test (exp_path, G_FILE_TEST_EXISTS);

      g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &status, &error));
      isc_ok = g_spawn_check_wait_status (status, NULL);
      g_test_message ("%s: ISC %s, bootcheck %s", name, isc_ok ? "accepts" : "refuses",
                      ours_ok ? "accepts" : "refuses");
      if (isc_ok != ours_ok)
        g_test_message ("dhcpd says: %s", err);
      g_assert_cmpint (isc_ok, ==, ours_ok);
    }
}

/* One-construct snippets with the verdict `dhcpd -t` (ISC 4.4.3) gave for each when
 * this table was made; the test holds our parser to it, and real dhcpd too when it is
 * installed (so a different ISC version shows up as a failure, not silently). */
static const struct
{
  gboolean isc_accepts;
  const char *text;
} snippets[] = {
  { TRUE,
    "option space ipxe;\noption ipxe.https code 20 = unsigned integer 8;\noption ipxe.https 1;\n" },
  { FALSE, "filename undionly.kpxe;\n" },
  { FALSE, "next-server 192.168.42.1, 192.168.42.2;\n" },
  { TRUE, "subnet 192.168.42.0 netmask 255.255.255.0 { }\n" },
  { FALSE, "subnet 192.168.42.1 netmask 255.255.255.0 { }\n" },
  { FALSE, "subnet 192.168.42.0 netmask 255.255.0.255 { }\n" },
  { TRUE, "host h { hardware ethernet 52:54:00:9d:7d:60; fixed-address 192.168.42.10; }\n" },
  { TRUE, "host h { hardware ethernet 52:54:00:9d:7d; }\n" },
  { TRUE, "host h.example.com { }\n" },
  { FALSE, "host \"h\" { }\n" },
  { TRUE, "group { filename \"a\"; }\n" },
  { TRUE, "group g1 { }\n" },
  { TRUE, "class \"c\" { match if option user-class = \"iPXE\"; }\n" },
  { FALSE, "class c { match if option user-class = \"iPXE\"; }\n" },
  { FALSE,
    "class \"c\" { match if exists user-class; match if exists vendor-class-identifier; }\n" },
  { TRUE, "if exists user-class { } elsif exists vendor-class-identifier { } else { }\n" },
  { TRUE, "if exists user-class { } else if exists vendor-class-identifier { }\n" },
  { TRUE, "if (exists user-class) { }\n" },
  { TRUE, "if not exists user-class { }\n" },
  { FALSE, "if !exists user-class { }\n" },
  { TRUE, "if known { } \n" },
  { TRUE, "if static { }\n" },
  { TRUE, "if option user-class = 69:50:58:45 { }\n" },
  { TRUE, "if option user-class = \"iPXE\" or option user-class = \"gPXE\" and exists "
          "vendor-class-identifier { }\n" },
  { TRUE, "if substring(option vendor-class-identifier, 0, 9) = \"PXEClient\" { }\n" },
  { TRUE, "if suffix(option vendor-class-identifier, 3) = \"001\" { }\n" },
  { TRUE, "if concat(\"a\", \"b\", \"c\") = \"abc\" { }\n" },
  { TRUE, "if binary-to-ascii(16, 8, \":\", hardware) = \"1:52:54:0:9d:7d:60\" { }\n" },
  { TRUE, "if encode-int(7, 16) = 00:07 { }\n" },
  { TRUE, "if extract-int(option pxe-system-type, 16) = 7 { }\n" },
  { TRUE, "if pick-first-value(option user-class, \"none\") = \"none\" { }\n" },
  { TRUE, "if packet(0, 1) = 01 { }\n" },
  { TRUE, "if lcase(option user-class) = \"ipxe\" { }\n" },
  { TRUE, "if option user-class ~= \"^iP\" { }\n" },
  { TRUE, "if option user-class ~~ \"^ip\" { }\n" },
  { TRUE, "if hardware = 01:52:54:00:9d:7d:60 { }\n" },
  { TRUE, "option domain-name-servers 1.2.3.4, 5.6.7.8;\n" },
  { FALSE, "option routers 1.2.3.4 5.6.7.8;\n" },
  { TRUE, "option domain-name \"example.com\";\n" },
  { FALSE, "option domain-name example.com;\n" },
  { TRUE, "option host-name = concat(\"a\", \"b\");\n" },
  { TRUE, "option subnet-mask 255.255.255.0;\n" },
  { TRUE, "option ip-forwarding off;\n" },
  { FALSE, "option ip-forwarding 1;\n" },
  { TRUE, "option dhcp-client-identifier \"abc\";\n" },
  { TRUE, "option dhcp-client-identifier 01:02;\n" },
  { TRUE, "option vendor-class-identifier \"x\";\n" },
  { TRUE, "option pxe-system-type 7;\n" },
  { TRUE, "option user-class \"iPXE\";\n" },
  { FALSE, "option foo.bar 1;\n" },
  { TRUE, "option space foo;\noption foo.bar code 1 = unsigned integer 8;\noption enc code 222 = "
          "encapsulate foo;\noption foo.bar 1;\n" },
  { TRUE, "option x code 200 = ip6-address;\n" },
  { FALSE, "option x code 200 = unsigned integer 24;\n" },
  { FALSE, "option x code 200 = array of text;\n" },
  { FALSE, "option x code 200 = { text, unsigned integer 8 };\n" },
  { TRUE, "default-lease-time -1;\n" },
  { TRUE, "default-lease-time 0x10;\n" },
  { TRUE, "max-lease-time infinite;\n" },
  { TRUE, "not authoritative;\n" },
  { TRUE, "deny unknown-clients;\n" },
  { TRUE, "ignore unknown-clients;\n" },
  { FALSE, "allow known-clients;\n" },
  { TRUE, "deny booting;\n" },
  { TRUE, "ignore bootp;\n" },
  { FALSE, "allow members of \"x\";\n" },
  { FALSE, "subnet 10.0.0.0 netmask 255.0.0.0 { pool { allow members of \"x\"; range 10.0.0.1 "
           "10.0.0.2; } }\n" },
  { TRUE, "subnet 10.0.0.0 netmask 255.0.0.0 { pool { deny unknown-clients; allow known-clients; "
          "range 10.0.0.1; } }\n" },
  { TRUE, "subnet 10.0.0.0 netmask 255.0.0.0 { pool { allow all clients; allow dynamic bootp "
          "clients; range 10.0.0.1 10.0.0.2; } }\n" },
  { FALSE, "subnet 10.0.0.0 netmask 255.0.0.0 { pool { ignore unknown-clients; } }\n" },
  { TRUE, "subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.5 10.0.0.1; }\n" },
  { FALSE, "subnet 10.0.0.0 netmask 255.0.0.0 { range 11.0.0.5 11.0.0.9; }\n" },
  { TRUE, "shared-network \"x y\" { subnet 10.0.0.0 netmask 255.0.0.0 { } }\n" },
  { FALSE, "shared-network x { }\n" },
  { FALSE, "subclass \"c\" 01:02;\n" },
  { TRUE, "server-name \"boot\";\n" },
  { TRUE, "server-name boot;\n" },
  { TRUE, "next-server boot.example.com;\n" },
  { TRUE, "filename = concat(\"a\", \"b\");\n" },
  { FALSE, "if exists user-class { subnet 10.0.0.0 netmask 255.0.0.0 { } }\n" },
  { FALSE, "if exists user-class { host h { } }\n" },
  { TRUE, "host h { next-server 1.2.3.4; if known { filename \"x\"; } }\n" },
  { FALSE, "host h { range 10.0.0.1 10.0.0.2; }\n" },
  { TRUE, "class \"c\" { spawn with option agent.circuit-id; lease limit 4; }\n" },
  { TRUE, "on commit { set x = \"y\"; }\n" },
  { TRUE, "log (info, \"hello\");\n" },
  { FALSE, "option routers 1.2.3;\n" },
  { TRUE,
    "option routers gw.example.com;\noption domain-name-servers ns1.example.com, 192.168.42.1;\n" },
  { FALSE, "option routers 1.2.3.4.5;\n" },
  { FALSE, "hardware ethernet 01:02:03:04:05:06;\n" },
  { TRUE, "ping-check true;\nping-timeout 1;\none-lease-per-client on;\nuse-host-decl-names "
          "on;\nlocal-address 192.168.42.1;\nupdate-static-leases on;\nlog-facility local7;\n" },
  { FALSE, "if option arch = 00:07 { }\n" },
  { TRUE, "option arch code 93 = unsigned integer 16;\nif option arch = 7 { }\n" },
  { TRUE, "option arch code 93 = unsigned integer 16;\nif option arch = 00:07 { }\n" },
  { TRUE,
    "option client-arch code 93 = unsigned integer 16;\nif option client-arch = 00:07 { }\n" },
  { TRUE,
    "if option vendor-class-identifier = \"PXEClient\" and option pxe-system-type = 00:07 { }\n" },
  { TRUE, "if exists agent.circuit-id { }\n" },
  { FALSE, "if exists ipxe.https { }\n" },
  /* switch (dhcp-eval(5); common/parse.c parse_switch_statement, parse_case_statement) */
  { TRUE, "switch (option user-class) { case \"iPXE\": filename \"a\"; break; default: filename "
          "\"b\"; }\n" },
  { TRUE, "SWITCH (option user-class) { CASE \"iPXE\": BREAK; DEFAULT: filename \"b\"; }\n" },
  { TRUE, "switch(option user-class){case\"a\":break;}\n" },
  { FALSE, "switch option user-class { case \"iPXE\": filename \"a\"; }\n" },
  { FALSE, "switch () { }\n" },
  { FALSE, "switch (option user-class) filename \"x\";\n" },
  { FALSE, "switch (option user-class) { case \"a\"; }\n" },
  { FALSE, "switch (option user-class) { case : }\n" },
  { FALSE, "case \"a\": filename \"a\";\n" },
  { FALSE, "default: filename \"a\";\n" },
  { FALSE, "switch (option user-class) { if exists user-class { case \"a\": } }\n" },
  { FALSE, "switch (option user-class) { case \"a\": if known { default: } }\n" },
  { TRUE, "switch (option user-class) { if exists user-class { break; } }\n" },
  { TRUE, "break;\nfilename \"x\";\n" },
  { FALSE, "filename \"x\"; break\n" },
  /* Hex labels: the label's ':' is read as one more hex separator (parse_cshl). */
  { FALSE, "option arch code 93 = unsigned integer 16;\nswitch (option arch) { case 00:07: "
           "filename \"a\"; }\n" },
  { TRUE, "option arch code 93 = unsigned integer 16;\nswitch (option arch) { case (00:07): "
          "filename \"a\"; }\n" },
  { FALSE, "switch (option user-class) { case 7: filename \"a\"; }\n" },
  { FALSE, "switch (option user-class) { case ab: filename \"a\"; }\n" },
  { TRUE, "switch (option user-class) { case (7): filename \"a\"; }\n" },
  { FALSE, "switch (option user-class) { case 0x10: filename \"a\"; }\n" },
  /* Numeric switches: numbers are decimal NUMBER tokens (atoi). */
  { TRUE, "switch (extract-int (option dhcp-message-type, 8)) { case 1: case 3: filename \"a\"; "
          "}\n" },
  { TRUE, "switch (extract-int (option dhcp-message-type, 8)) { case 1 + 2: case 010: case -1: "
          "}\n" },
  { FALSE, "switch (extract-int (option dhcp-message-type, 8)) { case 00:07: }\n" },
  { FALSE, "switch (extract-int (option dhcp-message-type, 8)) { case 0x10: }\n" },
  /* ISC does not check a label's type against the switch, nor ask for constants. */
  { TRUE, "switch (extract-int (option dhcp-message-type, 8)) { case \"x\": }\n" },
  { TRUE, "switch (option user-class) { case option vendor-class-identifier: case exists "
          "user-class: case concat (\"a\", \"b\"): }\n" },
  { TRUE, "switch (exists user-class) { case 1: filename \"a\"; }\n" },
  { TRUE, "switch (option user-class) { default: default: case \"a\": case \"a\": break; }\n" },
  /* Where switch may stand: wherever if may. */
  { TRUE, "class \"c\" { match if exists user-class; switch (option user-class) { case \"a\": "
          "filename \"a\"; } }\n" },
  { TRUE, "subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1 10.0.0.2; switch (option "
          "user-class) { case \"a\": filename \"a\"; } } }\n" },
  { TRUE, "host h { hardware ethernet 52:54:00:00:00:01; switch (option user-class) { case \"a\": "
          "filename \"a\"; } }\n" },
  { TRUE, "if exists user-class { switch (option user-class) { case \"a\": switch (option "
          "user-class) { case \"b\": break; } } }\n" },
  { FALSE, "switch (option user-class) { case \"a\": subnet 10.0.0.0 netmask 255.0.0.0 { } }\n" },
  { FALSE, "switch (option user-class) { case \"a\": authoritative; }\n" },
  { TRUE, "switch (option user-class) { case \"a\": option routers 1.2.3.4; ddns-updates off; "
          "default-lease-time 10; }\n" },
  /* ISC 4.4 crashes when the label chosen is the last statement of its switch; dhcpd -t
   * runs the global scope once without a packet (dhcpd.c postconf_initialization). */
  { FALSE, "switch (option user-class) { default: }\n" },
  { FALSE, "switch (\"a\") { case \"a\": }\n" },
  { FALSE, "switch (7) { case 7: }\n" },
  { FALSE, "if known { } else { switch (option user-class) { case \"a\": break; default: } }\n" },
  { TRUE, "switch (\"a\") { case \"b\": }\n" },
  { TRUE, "switch (option user-class) { default: break; }\n" },
  { TRUE, "break;\nswitch (option user-class) { default: }\n" },
  { TRUE, "group { switch (option user-class) { default: } }\n" },
  { TRUE, "if not known { switch (option user-class) { default: } }\n" },
  /* Data arguments are read in ISC's data context: a number there is hex data. */
  { TRUE, "option host-name = 41;\n" },
  /* An operator's right side is read in its left side's context (parse_expression). */
  { TRUE, "if 1 = option ip-forwarding { }\n" },
  { TRUE, "if extract-int (option dhcp-message-type, 8) = 010 { }\n" },
  { FALSE, "if extract-int (option dhcp-message-type, 8) = 0x10 { }\n" },
  { FALSE, "if extract-int (option dhcp-message-type, 8) = \"x\" { }\n" },
  { FALSE, "if option host-name = extract-int (option dhcp-message-type, 8) { }\n" },
  { FALSE, "if 7 = extract-int (option dhcp-message-type, 8) { }\n" },
  { FALSE, "option arch code 93 = unsigned integer 16;\nif option arch = 0x7 { }\n" },
  { FALSE, "if exists user-class = exists user-class { }\n" },
  { TRUE, "if ab = ab { }\n" },
};

static void
test_snippets (void)
{
  g_autofree char *dhcpd = g_find_program_in_path ("dhcpd");
  g_autofree char *dir = NULL;

  if (dhcpd == NULL && g_file_test ("/usr/sbin/dhcpd", G_FILE_TEST_IS_EXECUTABLE))
    dhcpd = g_strdup ("/usr/sbin/dhcpd");
  if (dhcpd != NULL)
    dir = g_dir_make_tmp ("bc-conf-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (snippets); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BcConf) conf
          = bc_conf_parse ("snippet.conf", snippets[i].text, strlen (snippets[i].text), &error);

      if ((conf != NULL) != snippets[i].isc_accepts)
        g_test_message ("snippet %u: %s-> %s", i, snippets[i].text,
                        error != NULL ? error->message : "accepted");
      g_assert_cmpint (conf != NULL, ==, snippets[i].isc_accepts);
      if (dir != NULL)
        {
          g_autofree char *path = g_build_filename (dir, "snippet.conf", NULL);
          const char *argv[] = { dhcpd, "-t", "-q", "-cf", path, NULL };
          int status = 0;

          g_assert_true (g_file_set_contents (path, snippets[i].text, -1, NULL));
          g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL,
                                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                       NULL, NULL, NULL, NULL, &status, NULL));
          if (g_spawn_check_wait_status (status, NULL) != snippets[i].isc_accepts)
            g_test_message ("snippet %u: this dhcpd disagrees with the table: %s", i,
                            snippets[i].text);
          g_assert_cmpint (g_spawn_check_wait_status (status, NULL), ==, snippets[i].isc_accepts);
          g_unlink (path);
        }
    }
  if (dir != NULL)
    g_rmdir (dir);
}

/* ISC evaluates variables (set, define, defined (NAME)); bootserv does not, so a file
 * that reads one is refused, saying why, rather than evaluated without it. (ISC
 * accepts these, so they are not in the isc-agrees files.) */
static void
test_variables_refused (void)
{
  const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "set vendor = option vendor-class-identifier;\nif vendor = \"PXEClient\" { }\n",
      "dhcpd.conf:2:4: 'vendor' is a variable (set at 1:1): bootserv does not evaluate dhcpd.conf "
      "variables, so it cannot follow this expression as ISC would" },
    { "if defined (x) { }\n",
      "dhcpd.conf:1:4: defined (VARIABLE) is not supported: bootserv does not evaluate "
      "dhcpd.conf variables (set/define)" },
    { "define x = \"a\";\n",
      "dhcpd.conf:1:1: define is not supported: bootserv does not evaluate dhcpd.conf variables "
      "or functions" },
    { "if lookup (1) { }\n",
      "dhcpd.conf:1:4: expected an expression after if, found 'lookup (': calls of functions "
      "made with define are not supported" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BcConf) conf
          = bc_conf_parse ("dhcpd.conf", cases[i].text, strlen (cases[i].text), &error);
      g_assert_null (conf);
      g_assert_error (error, BC_CONF_ERROR, BC_CONF_ERROR_SYNTAX);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
  /* A set nobody reads has no effect on a reply: accepted, as by ISC. */
  {
    const char *text = "set vendor = option vendor-class-identifier;\nunset vendor;\n";
    g_autoptr (BcConf) conf = bc_conf_parse ("dhcpd.conf", text, strlen (text), NULL);
    g_assert_nonnull (conf);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conf-lexer/tokens", test_lexer_tokens);
  g_test_add_func ("/conf-lexer/hostile", test_lexer_hostile);
  g_test_add_func ("/conf-parser/golden", test_golden);
  g_test_add_func ("/conf-parser/missing-semicolon-location", test_missing_semicolon_location);
  g_test_add_func ("/conf-parser/declarations", test_declarations_in_registry);
  g_test_add_func ("/conf-parser/deep-nesting", test_deep_nesting);
  g_test_add_func ("/conf-parser/isc-agrees", test_isc_agrees);
  g_test_add_func ("/conf-parser/snippets", test_snippets);
  g_test_add_func ("/conf-parser/variables-refused", test_variables_refused);
  return g_test_run ();
}
