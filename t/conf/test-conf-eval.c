/* dhcpd.conf evaluator: the seeds' configurations against the seeds' firmware, and
 * ISC's semantics for NULL, classes, hosts, pools and scope precedence. */
#include <stdio.h>
#include <string.h>

#include "server/conf/conf.h"
#include "t/conf/conf-requests.h"
#include "t/test-fixtures.h"

static BcConfResult *
eval (const BcConf *conf, ReqKind kind, guint8 mac_last)
{
  g_autoptr (BcDhcpMsg) req = req_new (kind, mac_last);
  BcConfRequestContext ctx = { bc_test_ip ("192.168.42.1"), FALSE };
  g_autoptr (GError) error = NULL;
  BcConfResult *res = bc_conf_evaluate (conf, req, &ctx, &error);

  g_assert_no_error (error);
  g_assert_nonnull (res);
  return res;
}

/* Does any trace line, as "file:line:col: text", equal @want? */
static gboolean
trace_has (const BcConfResult *res, const char *want)
{
  for (guint i = 0; i < res->trace->len; i++)
    {
      const BcConfTrace *t = res->trace->pdata[i];
      g_autofree char *loc = bc_conf_location_format (&t->where);
      g_autofree char *line = g_strdup_printf ("%s: %s", loc, t->text);
      if (g_strcmp0 (line, want) == 0)
        return TRUE;
    }
  for (guint i = 0; i < res->trace->len; i++)
    {
      const BcConfTrace *t = res->trace->pdata[i];
      g_autofree char *loc = bc_conf_location_format (&t->where);
      g_test_message ("trace: %s: %s", loc, t->text);
    }
  return FALSE;
}

static void
assert_option (const BcConfResult *res, guint code, const guint8 *want, gsize want_len)
{
  GBytes *b = g_hash_table_lookup (res->options, GUINT_TO_POINTER (code));
  g_assert_nonnull (b);
  g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), want, want_len);
}

static void
test_seed000_builtin (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "seed000-split.conf");
  g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_BUILTIN, 0x60);
  static const guint8 no_pxedhcp[] = { 176, 1, 1 };

  g_assert_true (res->has_subnet);
  g_assert_cmpuint (res->subnet_addr, ==, bc_test_ip ("192.168.42.0"));
  g_assert_cmpstr (res->filename, ==, "undionly.kpxe");
  g_assert_cmpuint (res->filename_where.line, ==, 20);
  g_assert_true (res->has_next_server);
  g_assert_cmpuint (res->next_server, ==, bc_test_ip ("192.168.42.1"));
  g_assert_true (res->authoritative);
  g_assert_cmpint (res->default_lease_time, ==, 600);
  g_assert_cmpint (res->max_lease_time, ==, 7200);
  g_assert_cmpuint (res->ranges->len, ==, 1);
  g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->start, ==,
                    bc_test_ip ("192.168.42.100"));
  g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->end, ==, bc_test_ip ("192.168.42.200"));
  /* ipxe.no-pxedhcp is packed into 175. */
  assert_option (res, 175, no_pxedhcp, sizeof no_pxedhcp);
  g_assert_true (
      trace_has (res, "seed000-split.conf:16:2: if exists ipxe.https -> false (else taken)"));
  g_assert_true (trace_has (res, "seed000-split.conf:20:3: filename \"undionly.kpxe\""));
  g_assert_true (trace_has (res, "seed000-split.conf:19:3: next-server 192.168.42.1"));
}

static void
test_seed000_joyent (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "seed000-split.conf");
  g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_JOYENT, 0x60);

  g_assert_cmpstr (res->filename, ==, "http://192.168.42.1/boot.ipxe");
  g_assert_false (res->has_next_server);
  g_assert_true (trace_has (res, "seed000-split.conf:16:2: if exists ipxe.https -> true"));
}

/* Without `option ipxe-encap-opts code 175 = encapsulate ipxe`, ISC does not look
 * inside 175, so `exists ipxe.https` is false even for Joyent's iPXE. */
static void
test_exists_needs_encapsulation (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "option space ipxe;\n"
      "option ipxe.https code 20 = unsigned integer 8;\n"
      "if exists ipxe.https { filename \"a\"; } else { filename \"b\"; }\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_JOYENT, 1);

  g_assert_cmpstr (res->filename, ==, "b");
  g_assert_false (res->has_subnet);
}

static void
test_seed003_userclass (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "seed003-userclass-declared.conf");
  const struct
  {
    ReqKind kind;
    const char *filename;
  } cases[] = {
    { REQ_IPXE_BUILTIN, "http://192.168.42.1/ipxe/boot.ipxe" },
    { REQ_IPXE_EFI, "http://192.168.42.1/ipxe/boot.ipxe" },
    { REQ_PXE_EFI64, "ipxe-x86_64.efi" },
    { REQ_PXE_EFI32, "ipxe-i386.efi" },
    { REQ_PXE_BIOS, "undionly.kpxe" },
    { REQ_PLAIN, "undionly.kpxe" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BcConfResult) res = eval (conf, cases[i].kind, 2);
      g_assert_cmpstr (res->filename, ==, cases[i].filename);
      g_assert_true (res->has_next_server);
    }
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_EFI64, 2);
    g_assert_true (trace_has (res, "seed003-userclass-declared.conf:7:1: if exists user-class and "
                                   "option user-class = \"iPXE\" -> false (null)"));
    g_assert_true (
        trace_has (res, "seed003-userclass-declared.conf:9:3: elsif option arch = 00:07 -> true"));
  }
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_BIOS, 2);
    g_assert_true (trace_has (
        res,
        "seed003-userclass-declared.conf:12:3: elsif option arch = 00:06 -> false (else taken)"));
  }
}

static void
test_seed003_version (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "seed003-version.conf");
  const struct
  {
    ReqKind kind;
    const char *filename;
  } cases[] = {
    { REQ_IPXE_1_21_1, "http://192.168.42.1/ipxe/boot.ipxe" },
    { REQ_IPXE_BUILTIN, "undionly-fixed.kpxe" },
    { REQ_IPXE_JOYENT, "undionly-fixed.kpxe" },
    { REQ_IPXE_EFI, "ipxe-x86_64-fixed.efi" },
    { REQ_PXE_EFI64, "ipxe-x86_64-fixed.efi" },
    { REQ_PXE_EFI32, "ipxe-i386-fixed.efi" },
    { REQ_PXE_BIOS, "undionly-fixed.kpxe" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BcConfResult) res = eval (conf, cases[i].kind, 3);
      g_assert_cmpstr (res->filename, ==, cases[i].filename);
    }
}

/* dhcp-eval(5) / tree.c: a missing option is NULL; `=` with one NULL side is false,
 * `!=` true; both NULL compare equal. */
static void
test_null_semantics (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "option space ipxe;\n"
      "option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
      "option ipxe.https code 20 = unsigned integer 8;\n"
      "option ipxe.bus-id code 177 = string;\n"
      "if option user-class = \"iPXE\" { option host-name \"eq\"; }\n"
      "if option user-class != \"iPXE\" { option domain-name \"ne\"; }\n"
      "if not (option user-class = \"iPXE\") { option root-path \"not\"; }\n"
      "if option ipxe.https = option ipxe.bus-id { option merit-dump \"nulls\"; }\n"
      "if substring (option user-class, 10, 2) = \"\" { option extensions-path \"empty\"; }\n"
      "if exists vendor-class-identifier or option user-class = \"x\" { option nis-domain \"or\"; "
      "}\n");
  g_autoptr (BcConfResult) plain = eval (conf, REQ_PLAIN, 4);
  g_autoptr (BcConfResult) ipxe = eval (conf, REQ_IPXE_BUILTIN, 4);

  /* plain: no user-class, no 175, no 60 */
  g_assert_false (g_hash_table_contains (plain->options, GUINT_TO_POINTER (12)));
  g_assert_true (g_hash_table_contains (plain->options, GUINT_TO_POINTER (15)));
  g_assert_true (g_hash_table_contains (plain->options, GUINT_TO_POINTER (17)));
  g_assert_true (g_hash_table_contains (plain->options, GUINT_TO_POINTER (14)));
  g_assert_false (g_hash_table_contains (plain->options, GUINT_TO_POINTER (18)));
  g_assert_false (g_hash_table_contains (plain->options, GUINT_TO_POINTER (40)));
  /* built-in iPXE: user-class iPXE, 175 without 20 but with 177 */
  g_assert_true (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (12)));
  g_assert_false (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (15)));
  g_assert_false (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (17)));
  g_assert_false (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (14)));
  /* substring past the end is "", not NULL */
  g_assert_true (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (18)));
  g_assert_true (g_hash_table_contains (ipxe->options, GUINT_TO_POINTER (40)));
}

static const char class_conf[]
    = "class \"pxeclients\" {\n"
      "  match if substring (option vendor-class-identifier, 0, 9) = \"PXEClient\";\n"
      "  filename \"class.0\";\n"
      "}\n"
      "class \"ipxe\" {\n"
      "  match if option user-class = \"iPXE\";\n"
      "  filename \"ipxe-class\";\n"
      "}\n"
      "filename \"global\";\n"
      "subnet 192.168.42.0 netmask 255.255.255.0 {\n"
      "  filename \"subnet\";\n"
      "  pool {\n"
      "    allow members of \"pxeclients\";\n"
      "    range 192.168.42.100 192.168.42.110;\n"
      "    filename \"pool\";\n"
      "  }\n"
      "  pool {\n"
      "    deny members of \"pxeclients\";\n"
      "    range 192.168.42.200 192.168.42.210;\n"
      "  }\n"
      "  host special {\n"
      "    hardware ethernet 52:54:00:9d:7d:99;\n"
      "    fixed-address 192.168.42.9;\n"
      "    filename \"host\";\n"
      "  }\n"
      "}\n";

static void
test_class_pool_host_precedence (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (class_conf);

  {
    /* BIOS PXE: member of pxeclients; pool 1; class beats pool beats subnet. */
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_BIOS, 5);
    g_assert_cmpuint (res->classes->len, ==, 1);
    g_assert_cmpstr (res->classes->pdata[0], ==, "pxeclients");
    g_assert_cmpuint (res->ranges->len, ==, 1);
    g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->start, ==,
                      bc_test_ip ("192.168.42.100"));
    g_assert_cmpstr (res->filename, ==, "class.0");
    g_assert_cmpuint (res->filename_where.line, ==, 3);
    g_assert_true (trace_has (res,
                              "dhcpd.conf:2:3: class \"pxeclients\": match if substring "
                              "(option vendor-class-identifier, 0, 9) = \"PXEClient\" -> true"));
    g_assert_null (res->host);
  }
  {
    /* iPXE matches both classes: ISC runs class scopes last-matched first, so the
     * first class in the file wins. */
    g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_BUILTIN, 5);
    g_assert_cmpuint (res->classes->len, ==, 2);
    g_assert_cmpstr (res->filename, ==, "class.0");
  }
  {
    /* A plain client: no class, pool 2 (deny pxeclients), subnet's filename. */
    g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 5);
    g_assert_cmpuint (res->classes->len, ==, 0);
    g_assert_cmpuint (res->ranges->len, ==, 1);
    g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->start, ==,
                      bc_test_ip ("192.168.42.200"));
    g_assert_cmpstr (res->filename, ==, "subnet");
  }
  {
    /* The host: fixed address, its filename beats the class's. */
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_BIOS, 0x99);
    g_assert_cmpstr (res->host, ==, "special");
    g_assert_true (res->has_fixed_address);
    g_assert_cmpuint (res->fixed_address, ==, bc_test_ip ("192.168.42.9"));
    g_assert_cmpstr (res->filename, ==, "host");
  }
}

static void
test_pool_filename (void)
{
  /* pool beats subnet when no class sets it */
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("class \"pxeclients\" { match if substring (option "
                                "vendor-class-identifier, 0, 9) = \"PXEClient\"; }\n"
                                "subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                "  filename \"subnet\";\n"
                                "  pool { allow members of \"pxeclients\"; range "
                                "192.168.42.100 192.168.42.110; filename \"pool\"; }\n"
                                "}\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_BIOS, 6);
  g_assert_cmpstr (res->filename, ==, "pool");
}

static void
test_known_unknown (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "deny unknown-clients;\n"
      "subnet 192.168.42.0 netmask 255.255.255.0 {\n"
      "  range 192.168.42.100 192.168.42.110;\n"
      "  if known { filename \"known\"; } else { filename \"unknown\"; }\n"
      "}\n"
      "host lab { hardware ethernet 52:54:00:9d:7d:07; }\n");
  g_autoptr (BcConfResult) k = eval (conf, REQ_PLAIN, 7);
  g_autoptr (BcConfResult) u = eval (conf, REQ_PLAIN, 8);

  g_assert_cmpstr (k->host, ==, "lab");
  g_assert_cmpstr (k->filename, ==, "known");
  g_assert_false (k->ignore_client);
  g_assert_null (u->host);
  g_assert_cmpstr (u->filename, ==, "unknown");
  g_assert_true (u->ignore_client);
}

static void
test_functions (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "option arch code 93 = unsigned integer 16;\n"
      "option space ipxe;\n"
      "option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
      "option ipxe.version code 235 = string;\n"
      "option x1 code 200 = string;\n"
      "option x2 code 201 = string;\n"
      "option x3 code 202 = string;\n"
      "option x4 code 203 = string;\n"
      "option x5 code 204 = string;\n"
      "option x6 code 205 = text;\n"
      "option x1 = encode-int (258, 16);\n"
      "if option arch = encode-int (7, 16) { option x2 = concat (\"efi\", \"-\", \"64\"); }\n"
      "option x3 = suffix (hardware, 2);\n"
      "option x4 = pick-first-value (option host-name, option user-class, \"none\");\n"
      "option x5 = binary-to-ascii (16, 8, \":\", substring (hardware, 1, 6));\n"
      "option x6 = binary-to-ascii (10, 8, \".\", option ipxe.version);\n"
      "if extract-int (option arch, 16) = 7 { filename \"seven\"; }\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_EFI, 0x0a);

  assert_option (res, 200, (const guint8 *)"\x01\x02", 2);
  assert_option (res, 201, (const guint8 *)"efi-64", 6);
  assert_option (res, 202, (const guint8 *)"\x7d\x0a", 2);
  assert_option (res, 203, (const guint8 *)"iPXE", 4);
  assert_option (res, 204, (const guint8 *)"52:54:0:9d:7d:a", 15);
  assert_option (res, 205, (const guint8 *)"1.0.0", 5);
  g_assert_cmpstr (res->filename, ==, "seven");
}

static void
test_option_values (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("option domain-name-servers 192.168.42.1, 192.168.42.2;\n"
                                "option routers 192.168.42.1;\n"
                                "option domain-search \"example.com\", \"lab\";\n"
                                "option foo code 200 = { unsigned integer 8, ip-address };\n"
                                "option foo 3 10.0.0.1;\n"
                                "option bar code 201 = boolean;\n"
                                "option bar on;\n"
                                "option baz code 202 = signed integer 16;\n"
                                "option baz -2;\n"
                                "option qux code 203 = string;\n"
                                "option qux 1:2:a;\n"
                                "option dhcp-lease-time 3600;\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 9);
  static const guint8 dns[] = { 192, 168, 42, 1, 192, 168, 42, 2 };
  static const guint8 search[]
      = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 3, 'l', 'a', 'b', 0 };
  static const guint8 foo[] = { 3, 10, 0, 0, 1 };

  assert_option (res, 6, dns, sizeof dns);
  assert_option (res, 119, search, sizeof search);
  assert_option (res, 200, foo, sizeof foo);
  assert_option (res, 201, (const guint8 *)"\x01", 1);
  assert_option (res, 202, (const guint8 *)"\xff\xfe", 2);
  assert_option (res, 203, (const guint8 *)"\x01\x02\x0a", 3);
  /* 51 belongs to the policy */
  g_assert_false (g_hash_table_contains (res->options, GUINT_TO_POINTER (51)));
  g_assert_nonnull (g_hash_table_lookup (res->option_where, GUINT_TO_POINTER (6)));
}

static void
test_subnet_selection (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "shared-network lab {\n"
      "  subnet 10.1.0.0 netmask 255.255.0.0 { filename \"wide\"; }\n"
      "  subnet 10.1.2.0 netmask 255.255.255.0 { filename \"narrow\"; }\n"
      "}\n"
      "subnet 192.168.42.0 netmask 255.255.255.0 { next-server tftp.example.com; }\n");
  g_autoptr (BcDhcpMsg) req = req_new (REQ_PLAIN, 1);
  BcConfRequestContext ctx = { bc_test_ip ("192.168.42.1"), FALSE };

  {
    g_autoptr (BcConfResult) res = bc_conf_evaluate (conf, req, &ctx, NULL);
    g_assert_true (res->has_subnet);
    g_assert_null (res->shared_network);
    g_assert_false (res->has_next_server);
    g_assert_cmpstr (res->next_server_name, ==, "tftp.example.com");
  }
  req->giaddr = bc_test_ip ("10.1.2.1"); /* relayed: giaddr wins over the interface */
  {
    g_autoptr (BcConfResult) res = bc_conf_evaluate (conf, req, &ctx, NULL);
    g_assert_cmpstr (res->shared_network, ==, "lab");
    g_assert_cmpstr (res->filename, ==, "narrow");
  }
  req->giaddr = 0;
  ctx.local_addr = bc_test_ip ("172.16.0.1");
  {
    g_autoptr (BcConfResult) res = bc_conf_evaluate (conf, req, &ctx, NULL);
    g_assert_false (res->has_subnet);
    g_assert_null (res->filename);
  }
}

static void
test_match_subclass (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (
      "class \"arch\" { match option pxe-system-type; filename \"class\"; }\n"
      "subclass \"arch\" 00:07 { filename \"efi64\"; }\n"
      "subclass \"arch\" 00:00;\n");
  g_autoptr (BcConfResult) efi = eval (conf, REQ_PXE_EFI64, 1);
  g_autoptr (BcConfResult) bios = eval (conf, REQ_PXE_BIOS, 1);
  g_autoptr (BcConfResult) plain = eval (conf, REQ_PLAIN, 1);

  g_assert_cmpstr (efi->filename, ==, "efi64");
  g_assert_cmpstr (bios->filename, ==, "class");
  g_assert_null (plain->filename);
}

/* The all-features file ISC accepts: host in a group, classes with subclasses, a
 * shared network with pools, encapsulated options. */
static void
test_features (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "features.conf");
  static const guint8 ipxe_175[] = { 176, 1, 1 };

  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_BUILTIN, 0x60);
    g_assert_cmpstr (res->host, ==, "vm1");
    g_assert_true (res->has_fixed_address);
    g_assert_cmpuint (res->fixed_address, ==, bc_test_ip ("192.168.42.10"));
    g_assert_cmpstr (res->shared_network, ==, "lab");
    /* known, arch 0: the last else builds the name from the MAC */
    g_assert_cmpstr (res->filename, ==, "host-52-54-0-9d-7d-60");
    /* the class sets next-server 192.168.42.1, the host's group a host name: the
     * host's scope runs last */
    g_assert_false (res->has_next_server);
    g_assert_cmpstr (res->next_server_name, ==, "boot.lab.example");
    g_assert_cmpstr (res->server_name, ==, "boot.lab.example");
    g_assert_cmpuint (res->classes->len, ==, 3);
    assert_option (res, 175, ipxe_175, sizeof ipxe_175);
    assert_option (res, 227, (const guint8 *)"bootcheck", 9);
    assert_option (res, 224, (const guint8 *)"\x01\xc0\xa8\x2a\x01", 5);
    assert_option (res, 225, (const guint8 *)"\x00\x01\x00\x02\x00\x03", 6);
    assert_option (res, 12, (const guint8 *)"vm1", 3);
    g_assert_cmpint (res->min_lease_time, ==, 60);
  }
  {
    /* unknown EFI PXE client: subclass 00:07 sets ipxe.efi; pool 1 (pxeclients) */
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_EFI64, 0x11);
    g_assert_null (res->host);
    g_assert_cmpstr (res->filename, ==, "ipxe.efi");
    g_assert_true (res->has_next_server);
    g_assert_cmpuint (res->ranges->len, ==, 1);
    g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->start, ==,
                      bc_test_ip ("192.168.42.100"));
  }
  {
    /* Joyent: https */
    g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_JOYENT, 0x12);
    g_assert_cmpstr (res->filename, ==, "http://192.168.42.1/boot.ipxe");
  }
  {
    /* a plain client is only in pool 2 */
    g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 0x13);
    g_assert_cmpuint (res->ranges->len, ==, 1);
    g_assert_cmpuint (((BcConfRange *)res->ranges->pdata[0])->start, ==,
                      bc_test_ip ("192.168.42.151"));
    g_assert_cmpstr (res->filename, ==, "undionly.kpxe");
  }
}

/* The seeds' configurations against DHCP requests captured from real firmware
 * (t/data/dhcp/, helper A's fixtures): the filename each one would be handed. */
static void
test_captured_requests (void)
{
  const struct
  {
    const char *conf, *packet, *filename;
  } cases[] = {
    { "seed000-split.conf", "seed000-builtin-discover.bin", "undionly.kpxe" },
    { "seed000-split.conf", "seed000-joyent-discover.bin", "http://192.168.42.1/boot.ipxe" },
    { "seed000-split.conf", "real-bios-builtin-discover.bin", "undionly.kpxe" },
    { "seed000-split.conf", "real-bios-undionly-discover.bin", "undionly.kpxe" },
    /* seed 000's config does not look at the architecture: EFI gets a BIOS binary */
    { "seed000-split.conf", "real-efi-builtin-discover.bin", "undionly.kpxe" },
    { "seed003-userclass-declared.conf", "real-bios-builtin-discover.bin",
      "http://192.168.42.1/ipxe/boot.ipxe" },
    { "seed003-userclass-declared.conf", "real-efi-edk2-pxe-discover.bin", "ipxe-x86_64.efi" },
    { "seed003-userclass-declared.conf", "edk2-discover.bin", "ipxe-x86_64.efi" },
    { "seed003-userclass-declared.conf", "real-efi-snponly-discover.bin",
      "http://192.168.42.1/ipxe/boot.ipxe" },
    { "seed003-version.conf", "real-bios-builtin-discover.bin", "undionly-fixed.kpxe" },
    { "seed003-version.conf", "real-efi-snponly-discover.bin", "ipxe-x86_64-fixed.efi" },
    { "seed003-version.conf", "real-efi-edk2-pxe-discover.bin", "ipxe-x86_64-fixed.efi" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (BC_TEST_DATA, "dhcp", cases[i].packet, NULL);
      g_autofree char *bytes = NULL;
      gsize len;
      g_autoptr (BcDhcpMsg) req = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", cases[i].conf);
      g_autoptr (BcConfResult) res = NULL;
      BcConfRequestContext ctx = { bc_test_ip ("192.168.42.1"), FALSE };

      g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
      g_assert_true (bc_dhcp_msg_parse ((const guint8 *)bytes, len, &req, &error));
      res = bc_conf_evaluate (conf, req, &ctx, &error);
      g_assert_no_error (error);
      g_test_message ("%s x %s -> %s", cases[i].conf, cases[i].packet, res->filename);
      g_assert_cmpstr (res->filename, ==, cases[i].filename);
    }
}

static void
test_host_by_client_identifier (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("host byuid {\n"
                                "  option dhcp-client-identifier 1:52:54:0:0:0:2;\n"
                                "  filename \"uid\";\n"
                                "}\n");
  g_autoptr (BcDhcpMsg) req = req_new (REQ_PLAIN, 0x77);
  static const guint8 uid[] = { 1, 0x52, 0x54, 0, 0, 0, 2 };
  BcConfRequestContext ctx = { 0, FALSE };
  g_autoptr (BcConfResult) before = bc_conf_evaluate (conf, req, &ctx, NULL);
  g_autoptr (BcConfResult) after = NULL;

  g_assert_null (before->host);
  bc_dhcp_msg_set_option (req, BC_DHCP_OPTION_CLIENT_IDENTIFIER, uid, sizeof uid);
  after = bc_conf_evaluate (conf, req, &ctx, NULL);
  g_assert_cmpstr (after->host, ==, "byuid");
  g_assert_cmpstr (after->filename, ==, "uid");
}

/* Sub-options of a space nothing encapsulates are not sent, and the trace says so. */
static void
test_unencapsulated_space (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("option space ipxe;\n"
                                "option ipxe.no-pxedhcp code 176 = unsigned integer 8;\n"
                                "option ipxe.no-pxedhcp 1;\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_BUILTIN, 1);

  g_assert_false (g_hash_table_contains (res->options, GUINT_TO_POINTER (175)));
  g_assert_true (
      trace_has (res, "dhcpd.conf:3:1: option ipxe.no-pxedhcp is not sent: no option is declared "
                      "to encapsulate ipxe (e.g. option ipxe-encap code N = encapsulate ipxe;)"));
}

/* vendor-option-space: the class's PXE options are packed into option 43. */
static void
test_vendor_option_space (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "pxe-vendor-space.conf");
  g_autoptr (BcConfResult) pxe = eval (conf, REQ_PXE_BIOS, 1);
  g_autoptr (BcConfResult) plain = eval (conf, REQ_PLAIN, 1);
  static const guint8 v43[] = { 1, 4, 0, 0, 0, 0, 6, 1, 3 };

  assert_option (pxe, 43, v43, sizeof v43);
  assert_option (pxe, 60, (const guint8 *)"PXEClient", 9);
  g_assert_cmpstr (pxe->filename, ==, "pxelinux.0");
  g_assert_false (g_hash_table_contains (plain->options, GUINT_TO_POINTER (43)));
  g_assert_false (g_hash_table_contains (plain->options, GUINT_TO_POINTER (60)));
}

/* ISC resolves host names in ip-address option values when it loads the file; the
 * pure core does not, and says so instead of sending a wrong address. */
static void
test_option_host_name (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text ("option routers gw.example.com;\n"
                                                    "option domain-name-servers 192.168.42.1;\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 1);

  g_assert_false (g_hash_table_contains (res->options, GUINT_TO_POINTER (3)));
  g_assert_true (g_hash_table_contains (res->options, GUINT_TO_POINTER (6)));
  g_assert_true (trace_has (res, "dhcpd.conf:1:1: option routers gw.example.com -> not sent: "
                                 "gw.example.com needs a DNS lookup"));
}

static void
test_allow_deny_lease_times (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("default-lease-time infinite;\n"
                                "max-lease-time -1;\n"
                                "ignore bootp;\n"
                                "if option user-class = \"iPXE\" { deny booting; }\n"
                                "not authoritative;\n");
  g_autoptr (BcConfResult) ipxe = eval (conf, REQ_IPXE_BUILTIN, 1);
  g_autoptr (BcConfResult) pxe = eval (conf, REQ_PXE_BIOS, 1);
  g_autoptr (BcDhcpMsg) bootp = req_new (REQ_PLAIN, 1);
  g_autoptr (BcConfResult) bres = NULL;

  g_assert_cmpint (ipxe->default_lease_time, ==, G_MAXUINT32);
  g_assert_cmpint (ipxe->max_lease_time, ==, G_MAXUINT32);
  g_assert_cmpint (ipxe->min_lease_time, ==, -1);
  g_assert_false (ipxe->authoritative);
  g_assert_true (ipxe->ignore_booting);
  g_assert_false (ipxe->ignore_client);
  g_assert_false (pxe->ignore_booting);
  /* a BOOTP request (no option 53) is ignored */
  bc_dhcp_msg_remove_option (bootp, BC_DHCP_OPTION_MESSAGE_TYPE);
  bres = bc_conf_evaluate (conf, bootp, NULL, NULL);
  g_assert_true (bres->ignore_client);
}

/* The option's value as a string, or NULL when the config did not set it. */
static char *
option_str (const BcConfResult *res, guint code)
{
  GBytes *b = g_hash_table_lookup (res->options, GUINT_TO_POINTER (code));
  return b != NULL ? g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b)) : NULL;
}

/* t/data/conf/switch.conf: a data switch on option arch with a nested one on
 * user-class, a numeric switch with fall-through, a switch in a class and one on the
 * vendor-class-identifier prefix, against the seeds' firmware. */
static void
test_switch_file (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("conf", "switch.conf");
  const struct
  {
    ReqKind kind;
    const char *filename;
    guint filename_line;
    const char *domain_name; /* 15 */
    gboolean dns;            /* 6 */
    const char *root_path;   /* 17: the class's switch */
    const char *tftp_server; /* 66: the global switch on the vendor-class prefix */
  } cases[] = {
    { REQ_IPXE_EFI, "http://192.168.42.1/efi.ipxe", 29, "efi", TRUE, "class-ipxe", "pxe" },
    { REQ_PXE_EFI64, "ipxe-x86_64.efi", 32, "efi", TRUE, NULL, "pxe" },
    /* 6 falls through the `case 7:` label into its statements. */
    { REQ_PXE_EFI32, "ipxe-i386.efi", 36, "efi", TRUE, NULL, "pxe" },
    /* The break inside the if ends the if block only: the filename after it runs. */
    { REQ_IPXE_BUILTIN, "undionly.kpxe", 44, NULL, TRUE, "class-ipxe", "pxe" },
    { REQ_PXE_BIOS, "undionly.kpxe", 44, NULL, TRUE, NULL, "pxe" },
    /* No arch: both switches have a NULL value and take default. */
    { REQ_PLAIN, "plain.0", 47, "no-arch", FALSE, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BcConfResult) res = eval (conf, cases[i].kind, 5);
      g_autofree char *dn = option_str (res, 15);
      g_autofree char *rp = option_str (res, 17);
      g_autofree char *tftp = option_str (res, 66);

      g_test_message ("client %u", i);
      g_assert_cmpstr (res->filename, ==, cases[i].filename);
      g_assert_cmpuint (res->filename_where.line, ==, cases[i].filename_line);
      g_assert_cmpstr (dn, ==, cases[i].domain_name);
      g_assert_cmpint (g_hash_table_contains (res->options, GUINT_TO_POINTER (6)), ==,
                       cases[i].dns);
      g_assert_cmpstr (rp, ==, cases[i].root_path);
      g_assert_cmpstr (tftp, ==, cases[i].tftp_server);
    }

  /* The branch taken, as the loop diagnosis shows it. */
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_EFI, 5);
    g_assert_true (trace_has (res, "switch.conf:8:3: switch (option user-class) -> \"iPXE\""));
    g_assert_true (trace_has (res, "switch.conf:9:5: case \"iPXE\" -> taken"));
    g_assert_true (trace_has (res, "switch.conf:25:3: switch (option arch) -> 00:07"));
    g_assert_true (trace_has (res, "switch.conf:26:5: case (00:07) -> taken"));
    g_assert_true (trace_has (res, "switch.conf:28:9: case \"iPXE\" -> taken"));
    g_assert_true (trace_has (res, "switch.conf:30:11: break -> leaves the switch at 27:7"));
    g_assert_true (trace_has (res, "switch.conf:34:7: break -> leaves the switch at 25:3"));
    g_assert_true (trace_has (res, "switch.conf:29:11: filename \"http://192.168.42.1/efi.ipxe\""));
    g_assert_true (
        trace_has (res, "switch.conf:49:3: switch (extract-int (option arch, 16)) -> 7"));
    g_assert_true (trace_has (res, "switch.conf:51:5: case 7 -> taken"));
  }
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_IPXE_BUILTIN, 5);
    g_assert_true (trace_has (res, "switch.conf:38:5: case (00:00) -> taken"));
    g_assert_true (trace_has (res, "switch.conf:42:9: break -> ends only the block of the if at "
                                   "39:7 (ISC: break leaves the innermost statement list)"));
    g_assert_true (trace_has (res, "switch.conf:45:7: break -> leaves the switch at 25:3"));
  }
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 5);
    g_assert_true (trace_has (res, "switch.conf:17:1: switch (substring (option "
                                   "vendor-class-identifier, 0, 9)) -> null: no case matched "
                                   "and no default"));
    g_assert_true (trace_has (res, "switch.conf:25:3: switch (option arch) -> null"));
    g_assert_true (trace_has (res, "switch.conf:46:5: default -> taken (the value is null)"));
    g_assert_true (trace_has (res, "switch.conf:56:5: default -> taken (the value is null)"));
  }
  {
    g_autoptr (BcConfResult) res = eval (conf, REQ_PXE_EFI32, 5);
    g_assert_true (
        trace_has (res, "switch.conf:49:3: switch (extract-int (option arch, 16)) -> 6"));
    g_assert_true (trace_has (res, "switch.conf:50:5: case 6 -> taken"));
  }
}

/* Evaluates @text for @kind and returns the filename set (or NULL). */
static char *
switch_filename (const char *text, ReqKind kind)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (text);
  g_autoptr (BcConfResult) res = eval (conf, kind, 6);
  return g_strdup (res->filename);
}

/* common/execute.c find_matching_case and execute_statements, one rule at a time. */
static void
test_switch_semantics (void)
{
  const struct
  {
    const char *what;
    const char *text;
    ReqKind kind;
    const char *filename;
  } cases[] = {
    { "the first equal case wins",
      "switch (option user-class) { case \"iPXE\": filename \"first\"; break; case \"iPXE\": "
      "filename \"second\"; }\n",
      REQ_IPXE_BUILTIN, "first" },
    { "default may come first; a case still wins",
      "switch (option user-class) { default: filename \"d\"; break; case \"iPXE\": filename "
      "\"i\"; }\n",
      REQ_IPXE_BUILTIN, "i" },
    { "default may come first",
      "switch (option user-class) { default: filename \"d\"; break; case \"iPXE\": filename "
      "\"i\"; }\n",
      REQ_PXE_BIOS, "d" },
    { "the first default wins",
      "switch (option user-class) { default: filename \"d1\"; break; default: filename \"d2\"; "
      "}\n",
      REQ_PLAIN, "d1" },
    { "fall-through runs past later labels, default included",
      "switch (option user-class) { case \"iPXE\": filename \"i\"; default: filename \"d\"; }\n",
      REQ_IPXE_BUILTIN, "d" },
    { "no case matched and no default: nothing runs",
      "filename \"before\"; switch (option user-class) { case \"gPXE\": filename \"g\"; }\n",
      REQ_IPXE_BUILTIN, "before" },
    { "a NULL label never matches, even a NULL value (unlike =)",
      "switch (option user-class) { case option host-name: filename \"nulls\"; break; default: "
      "filename \"d\"; }\n",
      REQ_PXE_BIOS, "d" },
    { "labels are any expression, evaluated when the switch runs",
      "switch (option user-class) { case concat (\"iP\", \"XE\"): filename \"concat\"; }\n",
      REQ_IPXE_BUILTIN, "concat" },
    { "the whole vendor-class-identifier",
      "switch (option vendor-class-identifier) { case \"PXEClient:Arch:00007:UNDI:003000\": "
      "filename \"edk2\"; break; case \"PXEClient:Arch:00000:UNDI:002001\": filename \"bios\"; }\n",
      REQ_PXE_EFI64, "edk2" },
    { "a number in a data label is hex data (ISC's data context)",
      "option arch code 93 = unsigned integer 16;\n"
      "switch (substring (option arch, 1, 1)) { case (7): filename \"07\"; }\n",
      REQ_PXE_EFI64, "07" },
    { "numeric switch: arithmetic on both sides",
      "option arch code 93 = unsigned integer 16;\n"
      "switch (extract-int (option arch, 16) + 1) { case 3 + 5: filename \"eight\"; }\n",
      REQ_PXE_EFI64, "eight" },
    { "numeric labels are decimal (atoi): 010 is ten",
      "option arch code 93 = unsigned integer 16;\n"
      "switch (extract-int (option arch, 16) + 3) { case 010: filename \"ten\"; break; case 8: "
      "filename \"octal\"; }\n",
      REQ_PXE_EFI64, "ten" },
    { "a data label in a numeric switch never matches",
      "option arch code 93 = unsigned integer 16;\n"
      "switch (extract-int (option arch, 16)) { case \"x\": filename \"x\"; break; default: "
      "filename \"d\"; }\n",
      REQ_PXE_EFI64, "d" },
    { "a boolean switch is numeric and NULL: default",
      "switch (exists user-class) { case 1: filename \"one\"; break; default: filename \"d\"; }\n",
      REQ_IPXE_BUILTIN, "d" },
    { "break at scope level skips the rest of the scope",
      "filename \"a\"; break; filename \"b\";\n", REQ_PLAIN, "a" },
    { "switch inside an if",
      "if exists user-class { switch (option user-class) { case \"iPXE\": filename \"in-if\"; } "
      "}\n",
      REQ_IPXE_BUILTIN, "in-if" },
    { "break in a nested switch leaves only the inner one",
      "switch (option user-class) { case \"iPXE\": switch (option user-class) { case \"iPXE\": "
      "filename \"inner\"; break; } filename \"outer\"; }\n",
      REQ_IPXE_BUILTIN, "outer" },
    { "switch in a class body",
      "class \"pxe\" { match if exists vendor-class-identifier; switch (option user-class) { "
      "case \"iPXE\": filename \"class-ipxe\"; break; default: filename \"class-pxe\"; } }\n",
      REQ_PXE_EFI64, "class-pxe" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *f = switch_filename (cases[i].text, cases[i].kind);
      g_test_message ("%s", cases[i].what);
      g_assert_cmpstr (f, ==, cases[i].filename);
    }
}

/* ISC 4.4 crashes when the label chosen is the last statement of its switch
 * (find_matching_case references the missing next statement): for a client that gets
 * there, evaluation fails with where, and other clients are served. */
static void
test_switch_crash (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                "  switch (option user-class) {\n"
                                "    case \"iPXE\": filename \"boot.ipxe\"; break;\n"
                                "    default:\n"
                                "  }\n"
                                "}\n");
  g_autoptr (BcDhcpMsg) req = req_new (REQ_PXE_BIOS, 7);
  BcConfRequestContext ctx = { bc_test_ip ("192.168.42.1"), FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConfResult) res = bc_conf_evaluate (conf, req, &ctx, &error);
  g_autoptr (BcConfResult) ipxe = eval (conf, REQ_IPXE_BUILTIN, 7);

  g_assert_null (res);
  g_assert_error (error, BC_CONF_ERROR, BC_CONF_ERROR_EVAL);
  g_assert_true (g_str_has_prefix (error->message, "dhcpd.conf:4:5: "));
  g_assert_nonnull (strstr (error->message, "ISC dhcpd 4.4 crashes"));
  g_assert_cmpstr (ipxe->filename, ==, "boot.ipxe");
}

/* ISC reads the right side of `=` in the left side's context: after a data expression
 * a number is hex data, so `option ipxe.https = 1` is true for an iPXE that sends
 * https = 1, and a number compared with a 16-bit option is one byte, never equal. */
static void
test_equal_number_context (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("option space ipxe;\n"
                                "option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
                                "option ipxe.https code 20 = unsigned integer 8;\n"
                                "option arch code 93 = unsigned integer 16;\n"
                                "if option ipxe.https = 1 { filename \"https\"; }\n"
                                "elsif option arch = 7 { filename \"never\"; }\n"
                                "elsif substring (option arch, 1, 1) = 7 { filename \"byte\"; }\n"
                                "else { filename \"other\"; }\n");
  g_autoptr (BcConfResult) joyent = eval (conf, REQ_IPXE_JOYENT, 9);
  g_autoptr (BcConfResult) builtin = eval (conf, REQ_IPXE_BUILTIN, 9);
  g_autoptr (BcConfResult) efi = eval (conf, REQ_PXE_EFI64, 9);

  g_assert_cmpstr (joyent->filename, ==, "https");
  g_assert_cmpstr (builtin->filename, ==, "other");
  g_assert_cmpstr (efi->filename, ==, "byte");
}

/* A break in a scope ends its statements, but `authoritative` is a flag ISC's parser
 * sets on the group (server/confpars.c), not a statement: a break does not skip it. */
static void
test_break_authoritative (void)
{
  g_autoptr (BcConf) conf
      = bc_test_conf_from_text ("subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                "  filename \"before\"; break; filename \"after\"; authoritative;\n"
                                "}\n");
  g_autoptr (BcConfResult) res = eval (conf, REQ_PLAIN, 8);

  g_assert_cmpstr (res->filename, ==, "before");
  g_assert_true (res->authoritative);
  g_assert_true (trace_has (res, "dhcpd.conf:2:22: break -> skips the rest of this scope's "
                                 "statements"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conf-eval/seed000/builtin-ipxe", test_seed000_builtin);
  g_test_add_func ("/conf-eval/seed000/joyent-ipxe", test_seed000_joyent);
  g_test_add_func ("/conf-eval/exists-needs-encapsulation", test_exists_needs_encapsulation);
  g_test_add_func ("/conf-eval/seed003/userclass", test_seed003_userclass);
  g_test_add_func ("/conf-eval/seed003/version", test_seed003_version);
  g_test_add_func ("/conf-eval/null-semantics", test_null_semantics);
  g_test_add_func ("/conf-eval/class-pool-host-precedence", test_class_pool_host_precedence);
  g_test_add_func ("/conf-eval/pool-filename", test_pool_filename);
  g_test_add_func ("/conf-eval/known-unknown", test_known_unknown);
  g_test_add_func ("/conf-eval/functions", test_functions);
  g_test_add_func ("/conf-eval/option-values", test_option_values);
  g_test_add_func ("/conf-eval/subnet-selection", test_subnet_selection);
  g_test_add_func ("/conf-eval/match-subclass", test_match_subclass);
  g_test_add_func ("/conf-eval/features", test_features);
  g_test_add_func ("/conf-eval/allow-deny-lease-times", test_allow_deny_lease_times);
  g_test_add_func ("/conf-eval/option-host-name", test_option_host_name);
  g_test_add_func ("/conf-eval/vendor-option-space", test_vendor_option_space);
  g_test_add_func ("/conf-eval/host-by-client-identifier", test_host_by_client_identifier);
  g_test_add_func ("/conf-eval/unencapsulated-space", test_unencapsulated_space);
  g_test_add_func ("/conf-eval/captured-requests", test_captured_requests);
  g_test_add_func ("/conf-eval/switch/file", test_switch_file);
  g_test_add_func ("/conf-eval/switch/semantics", test_switch_semantics);
  g_test_add_func ("/conf-eval/switch/crash", test_switch_crash);
  g_test_add_func ("/conf-eval/break-authoritative", test_break_authoritative);
  g_test_add_func ("/conf-eval/equal-number-context", test_equal_number_context);
  return g_test_run ();
}
