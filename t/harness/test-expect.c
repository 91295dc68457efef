/* The expect language: parsing (good and bad, exact messages) and matching. */
#include "harness-test.h"

#include "harness/core/expect.h"

static BcExpect *
parse (const char *text, GError **error)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  return bc_expect_parse ("expect", text, strlen (text), reg, error);
}

static BcExpectStep *
step (BcExpect *e, guint i)
{
  g_assert_cmpuint (i, <, e->steps->len);
  return e->steps->pdata[i];
}

static void
test_parse_seed000 (void)
{
  const char *text = "# seed 000: built-in iPXE -> Joyent undionly -> boot.ipxe\n"
                     "console  /iPXE .* Open Source Network Boot Firmware/   # banner\n"
                     "dhcp     discover user-class=iPXE !175.20\n"
                     "offer    file=undionly.kpxe next-server=192.168.42.1\n"
                     "\n"
                     "tftp     undionly.kpxe\n"
                     "console  /joyent/i within 30\n"
                     "dhcp     discover 175.20 ipxe.https=1\n"
                     "never    tftp undionly.kpxe within 10.5\n"
                     "http     GET /boot.ipxe 200\r\n"
                     "console  /BOOTCHECK-OK \\/ #1/\n"
                     "vm rebooted\n"
                     "loop undionly.kpxe >= 4\n"
                     "http * /kernel*\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BcExpect) e = parse (text, &error);
  BcExpectStep *s;
  BcExpectCond *c;

  g_assert_no_error (error);
  g_assert_cmpuint (e->steps->len, ==, 12);

  s = step (e, 0);
  g_assert_cmpint (s->kind, ==, BC_EXPECT_CONSOLE);
  g_assert_cmpuint (s->line, ==, 2);
  g_assert_cmpstr (s->text, ==, "console  /iPXE .* Open Source Network Boot Firmware/");
  g_assert_true (
      g_regex_match (s->regex, "iPXE 1.0.0+ -- Open Source Network Boot Firmware", 0, NULL));

  s = step (e, 1);
  g_assert_cmpint (s->kind, ==, BC_EXPECT_DHCP);
  g_assert_cmpuint (s->op, ==, BC_DHCP_OP_BOOTREQUEST);
  g_assert_cmpuint (s->msg_type, ==, BC_DHCP_DISCOVER);
  g_assert_cmpuint (s->conds->len, ==, 2);
  c = s->conds->pdata[0];
  g_assert_cmpint (c->field, ==, BC_EXPECT_FIELD_USER_CLASS);
  g_assert_cmpstr (c->value, ==, "iPXE");
  c = s->conds->pdata[1];
  g_assert_true (c->negate);
  g_assert_cmpint (c->field, ==, BC_EXPECT_FIELD_OPTION);
  g_assert_cmpuint (c->code, ==, 175);
  g_assert_cmpint (c->sub, ==, 20);
  g_assert_null (c->value);

  s = step (e, 2);
  g_assert_cmpuint (s->op, ==, BC_DHCP_OP_BOOTREPLY);
  g_assert_cmpuint (s->msg_type, ==, BC_DHCP_OFFER);

  s = step (e, 3);
  g_assert_cmpint (s->kind, ==, BC_EXPECT_TFTP);
  g_assert_cmpstr (s->file, ==, "undionly.kpxe");
  g_assert_cmpint (s->tftp_phase, ==, BC_TFTP_PHASE_COMPLETE);

  s = step (e, 4);
  g_assert_cmpint (s->within_us, ==, 30 * G_USEC_PER_SEC);
  g_assert_true (g_regex_match (s->regex, "Joyent iPXE", 0, NULL));

  s = step (e, 5);
  c = s->conds->pdata[1];
  g_assert_cmpuint (c->code, ==, 175);
  g_assert_cmpint (c->sub, ==, 20);
  g_assert_cmpstr (c->value, ==, "1");

  s = step (e, 6);
  g_assert_true (s->never);
  g_assert_cmpint (s->within_us, ==, 10500000);
  g_assert_cmpstr (s->text, ==, "never    tftp undionly.kpxe within 10.5");

  s = step (e, 7);
  g_assert_cmpint (s->kind, ==, BC_EXPECT_HTTP);
  g_assert_cmpstr (s->method, ==, "GET");
  g_assert_cmpstr (s->path, ==, "/boot.ipxe");
  g_assert_cmpuint (s->status_min, ==, 200);
  g_assert_cmpuint (s->status_max, ==, 200);

  s = step (e, 8);
  g_assert_true (g_regex_match (s->regex, "BOOTCHECK-OK / #1", 0, NULL));

  s = step (e, 9);
  g_assert_cmpstr (s->vm_word, ==, "rebooted");

  s = step (e, 10);
  g_assert_cmpint (s->kind, ==, BC_EXPECT_LOOP);
  g_assert_cmpuint (s->count, ==, 4);

  s = step (e, 11);
  g_assert_null (s->method);
  g_assert_cmpuint (s->status_min, ==, 200);
  g_assert_cmpuint (s->status_max, ==, 299);
}

static void
test_parse_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcExpect) e = parse ("# nothing\n\n   \n", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (e->steps->len, ==, 0);
}

static const struct
{
  const char *text;
  const char *message;
} bad_cases[] = {
  { "dhcp discover usr-class=iPXE\n",
    "expect:1:15: unknown field 'usr-class' (expected one of file, next-server, sname, yiaddr, "
    "user-class, vendor-class, arch, chaddr, broadcast, ipxe.version, ipxe.NAME, an option "
    "name, N, N.M)\n"
    "  dhcp discover usr-class=iPXE\n"
    "                ^" },
  { "console iPXE\n", "expect:1:9: expected /REGEX/ after console, got 'iPXE'\n"
                      "  console iPXE\n"
                      "          ^" },
  { "console /iPXE\n", "expect:1:9: unterminated regex (expected a closing '/')\n"
                       "  console /iPXE\n"
                       "          ^" },
  { "console /a(/\n", NULL /* GRegex's own wording: checked by prefix below */ },
  { "console /x/q\n", "expect:1:9: unknown regex flag 'q' (expected i)\n"
                      "  console /x/q\n"
                      "          ^" },
  { "dhcp offer file=a\n",
    "expect:1:6: 'offer' is a server reply: write it as a step of its own ('offer …')\n"
    "  dhcp offer file=a\n"
    "       ^" },
  { "dhcp solicit\n", "expect:1:6: unknown DHCP message type 'solicit' (expected one of "
                      "discover, request, inform, decline, release, any)\n"
                      "  dhcp solicit\n"
                      "       ^" },
  { "offer arch=x86\n", "expect:1:12: arch 'x86' is not a number 0..65535 (RFC 4578: 0 BIOS, "
                        "7 x86-64 EFI)\n"
                        "  offer arch=x86\n"
                        "             ^" },
  { "offer next-server=192.168.42\n",
    "expect:1:19: '192.168.42' is not an IPv4 address (expected A.B.C.D)\n"
    "  offer next-server=192.168.42\n"
    "                    ^" },
  { "ack file\n", "expect:1:5: 'file' needs a value (file=VALUE)\n"
                  "  ack file\n"
                  "      ^" },
  { "ack file=\n", "expect:1:10: expected a value after '=' in 'file='\n"
                   "  ack file=\n"
                   "           ^" },
  { "dhcp any 300\n", "expect:1:10: option code '300' is not 1..254\n"
                      "  dhcp any 300\n"
                      "           ^" },
  { "dhcp any ipxe.teapot\n", "expect:1:10: unknown option 'teapot' in space 'ipxe'\n"
                              "  dhcp any ipxe.teapot\n"
                              "           ^" },
  { "dhcp any broadcast=2\n", "expect:1:20: broadcast '2' is not 0 or 1\n"
                              "  dhcp any broadcast=2\n"
                              "                     ^" },
  { "tftp\n", "expect:1:5: expected a file name after tftp\n"
              "  tftp\n"
              "      ^" },
  { "tftp a.efi done\n", "expect:1:12: unknown tftp outcome 'done' (expected complete, error "
                         "or request)\n"
                         "  tftp a.efi done\n"
                         "             ^" },
  { "http get /x\n", "expect:1:6: 'get' is not an HTTP method (GET, HEAD, … or *)\n"
                     "  http get /x\n"
                     "       ^" },
  { "http GET /x 2000\n", "expect:1:13: '2000' is not an HTTP status (100..999 or any)\n"
                          "  http GET /x 2000\n"
                          "              ^" },
  { "vm exploded\n", "expect:1:4: expected one of started, rebooted, stopped, crashed after vm\n"
                     "  vm exploded\n"
                     "     ^" },
  { "loop undionly.kpxe > 3\n", "expect:1:20: expected loop FILE >= N\n"
                                "  loop undionly.kpxe > 3\n"
                                "                     ^" },
  { "loop undionly.kpxe >= 1\n", "expect:1:23: loop count '1' is not a number 2..1000\n"
                                 "  loop undionly.kpxe >= 1\n"
                                 "                        ^" },
  { "never\n", "expect:1:6: expected a step after never\n"
               "  never\n"
               "       ^" },
  { "tftp x within soon\n",
    "expect:1:15: 'soon' is not a number of seconds (within S, 0 < S <= 86400)\n"
    "  tftp x within soon\n"
    "                ^" },
  { "never loop x >= 3\n", "expect:1:1: never loop …: loops are always detected (loop-limit in "
                           "scenario.ini)\n"
                           "  never loop x >= 3\n"
                           "  ^" },
  { "config-error abc\n", "expect:1:14: expected /REGEX/ or LINE[:COL], got 'abc'\n"
                          "  config-error abc\n"
                          "               ^" },
  { "  reboot\n", "expect:1:3: unknown step 'reboot' (expected one of console, dhcp, offer, ack, "
                  "nak, tftp, http, vm, config-error, loop, never)\n"
                  "    reboot\n"
                  "    ^" },
  /* every error is reported, not just the first */
  { "vm started\nfoo\n\tdhcp discover !usr-class\n",
    "expect:2:1: unknown step 'foo' (expected one of console, dhcp, offer, ack, nak, tftp, "
    "http, vm, config-error, loop, never)\n"
    "  foo\n"
    "  ^\n"
    "expect:3:17: unknown field 'usr-class' (expected one of file, next-server, sname, yiaddr, "
    "user-class, vendor-class, arch, chaddr, broadcast, ipxe.version, ipxe.NAME, an option "
    "name, N, N.M)\n"
    "  \tdhcp discover !usr-class\n"
    "  \t               ^" },
  { "vm started\n\xff\n", "expect: not valid UTF-8" },
};

static void
test_parse_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BcExpect) e = parse (bad_cases[i].text, &error);

      g_autofree char *shown = g_strescape (bad_cases[i].text, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, shown);
      g_assert_null (e);
      g_assert_error (error, BC_EXPECT_ERROR, BC_EXPECT_ERROR_SYNTAX);
      if (bad_cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, bad_cases[i].message);
      else
        g_assert_true (g_str_has_prefix (error->message, "expect:1:9: bad regex: "));
    }
}

static void
test_parse_nul (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BcExpect) e = bc_expect_parse ("expect", "vm started\0x", 12, reg, &error);

  g_assert_null (e);
  g_assert_cmpstr (error->message, ==, "expect: contains a NUL byte (not a text file)");
}

static void
test_parse_conds_offset (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) conds
      = bc_expect_parse_conds ("scenario.ini", 7, 13, "!175.20 bogus", reg, &error);

  g_assert_null (conds);
  g_assert_cmpstr (error->message, ==,
                   "scenario.ini:7:22: unknown field 'bogus' (expected one of file, next-server, "
                   "sname, yiaddr, user-class, vendor-class, arch, chaddr, broadcast, "
                   "ipxe.version, ipxe.NAME, an option name, N, N.M)\n"
                   "  !175.20 bogus\n"
                   "          ^\n");
}

/* Conds against the seed 000 DISCOVERs reconstructed from the field report. */
static const struct
{
  const char *conds;
  gboolean builtin, joyent;
} cond_cases[] = {
  { "user-class=iPXE", TRUE, TRUE },
  { "user-class=gPXE", FALSE, FALSE },
  { "!user-class=gPXE", TRUE, TRUE },
  { "!175.20", TRUE, FALSE },
  { "175.20", FALSE, TRUE },
  { "175.20=1", FALSE, TRUE },
  { "175.20=01", FALSE, TRUE }, /* colon-hex of the raw bytes */
  { "ipxe.https", FALSE, TRUE },
  { "ipxe.https=1", FALSE, TRUE },
  { "ipxe.iscsi", TRUE, FALSE },
  { "175.17", TRUE, FALSE },
  { "ipxe.version=1.0.0", TRUE, TRUE },
  { "ipxe.version=1.21.*", FALSE, FALSE },
  { "arch=0", TRUE, TRUE },
  { "arch=7", FALSE, FALSE },
  { "93=00:00", TRUE, TRUE },
  { "broadcast=1", FALSE, TRUE },
  { "broadcast=0", TRUE, FALSE },
  { "chaddr=52:54:00:9D:7D:60", TRUE, TRUE },
  { "chaddr=52:54:00:*", TRUE, TRUE },
  { "97", FALSE, TRUE },
  { "!97", TRUE, FALSE },
  { "vendor-class=PXEClient:Arch:00000*", TRUE, TRUE },
  { "vendor-class=PXEClient", FALSE, FALSE },
  { "vendor-class-identifier=PXEClient:Arch:00000:UNDI:002001", TRUE, TRUE },
  { "user-class=iPXE 175 !175.20 arch=0", TRUE, FALSE },
  { "file=*", FALSE, FALSE },
  { "yiaddr=0.0.0.0", TRUE, TRUE },
};

static void
test_match_conds (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (BcDhcpMsg) builtin = test_load_dhcp ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpMsg) joyent = test_load_dhcp ("seed000-joyent-discover.bin");

  for (gsize i = 0; i < G_N_ELEMENTS (cond_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) conds
          = bc_expect_parse_conds ("t", 1, 0, cond_cases[i].conds, reg, &error);

      g_test_message ("conds: %s", cond_cases[i].conds);
      g_assert_no_error (error);
      g_assert_cmpint (bc_expect_conds_match (conds, builtin, NULL), ==, cond_cases[i].builtin);
      g_assert_cmpint (bc_expect_conds_match (conds, joyent, NULL), ==, cond_cases[i].joyent);
    }
}

static void
test_match_explain (void)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (BcDhcpMsg) joyent = test_load_dhcp ("seed000-joyent-discover.bin");
  g_autoptr (GPtrArray) conds
      = bc_expect_parse_conds ("t", 1, 0, "user-class=iPXE !175.20 97", reg, NULL);
  const BcExpectCond *failed = NULL;
  g_autofree char *why = NULL;

  g_assert_false (bc_expect_conds_match (conds, joyent, &failed));
  g_assert_cmpstr (failed->text, ==, "!175.20");
  why = bc_expect_cond_explain (failed, joyent);
  g_assert_cmpstr (why, ==, "'!175.20' does not hold: 175.20 is present (1)");
}

static void
test_match_events (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcExpect) e = parse ("console /open source/i\n"
                                  "offer file=undionly.kpxe\n"
                                  "tftp undionly.kpxe\n"
                                  "tftp *.efi error\n"
                                  "http GET /boot.ipxe\n"
                                  "http * /boot.ipxe 404\n"
                                  "vm stopped\n"
                                  "dhcp any\n",
                                  &error);
  g_autoptr (BcEvent) console = test_text_event (BC_EVENT_CONSOLE, 1, "iPXE -- Open Source");
  g_autoptr (BcEvent) offer = test_dhcp_event (2, test_load_dhcp ("seed000-isc-offer.bin"));
  g_autoptr (BcEvent) discover
      = test_dhcp_event (2, test_load_dhcp ("seed000-builtin-discover.bin"));
  g_autoptr (BcEvent) rrq = test_tftp_event (3, BC_TFTP_PHASE_REQUEST, "undionly.kpxe");
  g_autoptr (BcEvent) done = test_tftp_event (3, BC_TFTP_PHASE_COMPLETE, "/undionly.kpxe");
  g_autoptr (BcEvent) efi_err = test_tftp_event (3, BC_TFTP_PHASE_ERROR, "ipxe.efi");
  g_autoptr (BcEvent) get200 = test_http_event (4, "GET", "/boot.ipxe", 200);
  g_autoptr (BcEvent) get404 = test_http_event (4, "GET", "/boot.ipxe", 404);
  g_autoptr (BcEvent) stopped = test_text_event (BC_EVENT_VM, 5, "stopped");

  g_assert_no_error (error);
  g_assert_true (bc_expect_step_match_event (step (e, 0), console));
  g_assert_false (bc_expect_step_match_event (step (e, 0), stopped));
  g_assert_true (bc_expect_step_match_event (step (e, 1), offer));
  g_assert_false (bc_expect_step_match_event (step (e, 1), discover));
  g_assert_false (bc_expect_step_match_event (step (e, 2), rrq));
  g_assert_true (bc_expect_step_match_event (step (e, 2), done));
  g_assert_true (bc_expect_step_match_event (step (e, 3), efi_err));
  g_assert_false (bc_expect_step_match_event (step (e, 3), done));
  g_assert_true (bc_expect_step_match_event (step (e, 4), get200));
  g_assert_false (bc_expect_step_match_event (step (e, 4), get404));
  g_assert_true (bc_expect_step_match_event (step (e, 5), get404));
  g_assert_true (bc_expect_step_match_event (step (e, 6), stopped));
  g_assert_true (bc_expect_step_match_event (step (e, 7), discover));
  g_assert_false (bc_expect_step_match_event (step (e, 7), offer));
}

static void
test_match_config_line (void)
{
  g_autoptr (BcExpect) e = parse ("config-error 12\n"
                                  "config-error 12:40\n"
                                  "config-error /expected ';'/\n",
                                  NULL);

  g_assert_true (bc_expect_step_match_config_line (
      step (e, 0), "dhcpd.conf:12:40: expected ';' after range (statement began at 12:2)"));
  g_assert_false (bc_expect_step_match_config_line (step (e, 0), "dhcpd.conf:3:12: oops"));
  g_assert_true (bc_expect_step_match_config_line (
      step (e, 0), "/etc/dhcp/dhcpd.conf line 12: semicolon expected."));
  g_assert_true (bc_expect_step_match_config_line (step (e, 1), "dhcpd.conf:12:40: x"));
  g_assert_false (bc_expect_step_match_config_line (step (e, 1), "dhcpd.conf:12:4: x"));
  g_assert_false (bc_expect_step_match_config_line (step (e, 1), "dhcpd.conf line 12: x"));
  g_assert_true (bc_expect_step_match_config_line (step (e, 2), "dhcpd.conf:1:1: expected ';'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/expect/parse/seed000", test_parse_seed000);
  g_test_add_func ("/expect/parse/empty", test_parse_empty);
  g_test_add_func ("/expect/parse/bad", test_parse_bad);
  g_test_add_func ("/expect/parse/nul", test_parse_nul);
  g_test_add_func ("/expect/parse/conds-offset", test_parse_conds_offset);
  g_test_add_func ("/expect/match/conds", test_match_conds);
  g_test_add_func ("/expect/match/explain", test_match_explain);
  g_test_add_func ("/expect/match/events", test_match_events);
  g_test_add_func ("/expect/match/config-line", test_match_config_line);
  return g_test_run ();
}
