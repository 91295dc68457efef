/* The judge on recorded timelines: order, never, within, [require] SKIP, boot loops. */
#include "judge-test.h"

static void
test_pass_seed000 (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  run_init (&r, "", seed000_expect);
  run_seed000_until_http (&r);
  g_assert_false (bc_judge_is_final (r.judge));
  /* the last step passes the run at once: no need to wait for the VM to stop */
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 7.52, "BOOTCHECK-OK")));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_PASS);
  g_assert_cmpstr (v->summary, ==, "all 7 steps matched in 7.52 s");
  g_assert_cmpint (run_step (&r, 0)->t_us, ==, 1300000);
  g_assert_cmpint (run_step (&r, 1)->t_us, ==, 2000000);
  g_assert_cmpint (run_step (&r, 2)->t_us, ==, 2020000);
  g_assert_cmpint (run_step (&r, 3)->t_us, ==, 3100000);
  g_assert_cmpint (run_step (&r, 4)->t_us, ==, 4000000);
  g_assert_cmpint (run_step (&r, 5)->state, ==, BC_STEP_PASSED); /* never: not hit */
  g_assert_cmpint (run_step (&r, 6)->t_us, ==, 4600000);
  g_assert_cmpint (run_step (&r, 7)->t_us, ==, 7520000);
  g_assert_nonnull (bc_judge_get_first_fingerprint (r.judge));
  g_assert_true (strstr (bc_judge_get_first_fingerprint (r.judge), "iscsi") != NULL);
  /* events after the verdict are ignored */
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_VM, 9, "crashed")));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  run_clear (&r);
}

static void
test_order (void)
{
  Run r = { 0 };

  run_init (&r, "", "console /A/\nconsole /B/\nconsole /B/\n");
  /* B before A does not count; one event matches one step only */
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1, "B")));
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 2, "A B")));
  g_assert_cmpint (run_step (&r, 0)->state, ==, BC_STEP_PASSED);
  g_assert_cmpint (run_step (&r, 1)->state, ==, BC_STEP_PENDING);
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 3, "B")));
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 4, "B")));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  run_clear (&r);
}

static void
test_never_hit (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  run_init (&r, "", seed000_expect);
  run_seed000_until_http (&r);
  /* the chainloaded iPXE fetching undionly.kpxe again is what `never` forbids */
  g_assert_true (run_feed (&r, test_tftp_event (5.0, BC_TFTP_PHASE_COMPLETE, "undionly.kpxe")));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpstr (v->summary, ==,
                   "forbidden step 6 'never    tftp undionly.kpxe' happened at 5.00 s");
  g_assert_cmpint (run_step (&r, 5)->state, ==, BC_STEP_FAILED);
  g_assert_cmpstr (run_step (&r, 5)->message, ==,
                   "seen at 5.00 s, which `never` forbids: 5.000 tftp     complete undionly.kpxe "
                   "0 bytes");
  g_assert_cmpint (run_step (&r, 7)->state, ==, BC_STEP_FAILED);
  g_assert_cmpstr (run_step (&r, 7)->message, ==,
                   "not reached: the run stopped at 5.00 s (step 6, 'never    tftp "
                   "undionly.kpxe', was hit)");
  run_clear (&r);
}

static void
test_never_armed_late (void)
{
  Run r = { 0 };

  /* before step 1 matched, the never step is not armed yet */
  run_init (&r, "", "console /A/\nnever console /X/ within 2\nconsole /B/\n");
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1, "X")));
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 2, "A")));
  /* armed at 2 s for 2 s: an X at 4.5 s is outside the window */
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 4.5, "X")));
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 5, "B")));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  run_clear (&r);

  run_init (&r, "", "console /A/\nnever console /X/ within 2\nconsole /B/\n");
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 2, "A")));
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 3.9, "X")));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  run_clear (&r);
}

static void
test_within (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  run_init (&r, "", "console /A/ within 5\nconsole /B/ within 2.5\n");
  g_assert_cmpint (bc_judge_next_deadline (r.judge), ==, 5000000);
  g_assert_false (bc_judge_tick (r.judge, 5000000)); /* exactly at the deadline is in time */
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 4, "A")));
  g_assert_cmpint (bc_judge_next_deadline (r.judge), ==, 6500000);
  g_assert_true (bc_judge_tick (r.judge, 6500001));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpstr (run_step (&r, 1)->message, ==,
                   "not seen within 2.50 s of the previous match (at 4.00 s): deadline 6.50 s "
                   "passed");
  g_assert_cmpint (bc_judge_next_deadline (r.judge), ==, G_MAXINT64);
  run_clear (&r);

  /* a late event also fails it, without a tick */
  run_init (&r, "", "console /A/ within 5\n");
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 6, "A")));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  run_clear (&r);
}

static void
test_timeout_diagnostics (void)
{
  Run r = { 0 };
  const BcStepResult *s;

  run_init (&r, "", "console /iPXE/\noffer file=undionly.kpxe\ntftp undionly.kpxe\n");
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u iPXE", i);
      run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 0.1 * i, line));
    }
  g_assert_false (
      run_exchange (&r, 3.0, 0x1234, FALSE, builtin_175, G_N_ELEMENTS (builtin_175), "pxelinux.0"));
  g_assert_false (bc_judge_is_final (r.judge));
  bc_judge_finish (r.judge, 120000000, "timeout after 120 s");
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpstr (bc_judge_get_verdict (r.judge)->summary, ==,
                   "step 2 'offer file=undionly.kpxe' did not happen (timeout after 120 s)");
  s = run_step (&r, 1);
  g_assert_cmpint (s->state, ==, BC_STEP_FAILED);
  g_assert_cmpstr (s->message, ==,
                   "not seen before the run ended (timeout after 120 s) at "
                   "120.00 s");
  g_assert_cmpuint (s->console_tail->len, ==, BC_JUDGE_CONSOLE_TAIL);
  g_assert_cmpstr (s->console_tail->pdata[0], ==, "line 5 iPXE");
  g_assert_cmpstr (s->console_tail->pdata[19], ==, "line 24 iPXE");
  /* the DHCP packets since step 1 matched (at 0 s) */
  g_assert_cmpuint (s->dhcp_lines->len, ==, 4);
  g_assert_true (g_str_has_prefix (s->dhcp_lines->pdata[1],
                                   "3.02 OFFER 52:54:00:9d:7d:60 xid 0x00001234 yiaddr "
                                   "192.168.42.100 siaddr 192.168.42.1 file=pxelinux.0"));
  g_assert_cmpuint (s->server_reasons->len, ==, 1);
  g_assert_cmpstr (s->server_reasons->pdata[0], ==,
                   "3.01 DISCOVER -> OFFER file=pxelinux.0: the client did not send ipxe.https "
                   "[filename from dhcpd.conf:21:3] trace: if exists ipxe.https -> false");
  s = run_step (&r, 2);
  g_assert_cmpstr (s->message, ==, "not reached: an earlier step did not match");
  g_assert_cmpuint (s->console_tail->len, ==, 0);
  run_clear (&r);
}

static void
test_require_skip (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  /* Fedora's built-in ROM has HTTPS: the chainload story cannot happen there */
  run_init (&r, "[require]\nfirst-dhcp = user-class=iPXE !175.20\n", seed000_expect);
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1.3,
                                                 "iPXE 1.21.1 -- Open Source Network Boot "
                                                 "Firmware -- https://ipxe.org")));
  g_assert_cmpint (run_step (&r, 0)->state, ==, BC_STEP_PASSED);
  g_assert_true (run_exchange (&r, 2.0, 0x99, FALSE, https_175, G_N_ELEMENTS (https_175),
                               "http://192.168.42.1/boot.ipxe"));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_SKIP);
  g_assert_true (g_str_has_prefix (
      v->skip_reason,
      "this host's firmware does not fit the story: the first DHCP request does not meet "
      "[require] first-dhcp = user-class=iPXE !175.20 ('!175.20' does not hold: 175.20 is "
      "present (1); DISCOVER 52:54:00:9d:7d:60 xid 0x00000099"));
  for (guint i = 0; i < v->steps->len; i++)
    g_assert_cmpint (run_step (&r, i)->state, ==, BC_STEP_SKIPPED);
  run_clear (&r);

  /* Debian's built-in ROM meets it */
  run_init (&r, "[require]\nfirst-dhcp = user-class=iPXE !175.20\n", seed000_expect);
  g_assert_false (run_exchange (&r, 2.0, 0x99, FALSE, builtin_175, G_N_ELEMENTS (builtin_175),
                                "undionly.kpxe"));
  g_assert_false (bc_judge_is_final (r.judge));
  run_clear (&r);
}

/* Seed 000's first dhcpd.conf: undionly.kpxe for everyone, so the chainloaded iPXE
 * (Debian's undionly: same 175 set, broadcast flag set) is handed itself again. */
static void
test_loop_detected (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  run_init (&r, "", seed000_expect);
  g_assert_false (run_exchange (&r, 2.0, 0x10, FALSE, builtin_175, G_N_ELEMENTS (builtin_175),
                                "undionly.kpxe"));
  g_assert_false (
      run_exchange (&r, 5.0, 0x11, TRUE, builtin_175, G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
  g_assert_false (
      run_exchange (&r, 8.0, 0x12, TRUE, builtin_175, G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
  g_assert_true (run_exchange (&r, 11.0, 0x13, TRUE, builtin_175, G_N_ELEMENTS (builtin_175),
                               "undionly.kpxe"));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_FAIL);
  g_assert_nonnull (v->loop);
  g_assert_cmpstr (v->loop->file, ==, "undionly.kpxe");
  g_assert_cmpstr (v->loop->chaddr, ==, "52:54:00:9d:7d:60");
  g_assert_cmpuint (v->loop->count, ==, 3);
  g_assert_cmpint (v->loop->first_us, ==, 5020000);
  g_assert_cmpint (v->end_us, ==, 11020000);
  g_assert_true (strstr (v->loop->fingerprint_text, "broadcast") != NULL);
  g_assert_cmpstr (v->loop->server_reason, ==,
                   "the client did not send ipxe.https\nfilename from dhcpd.conf:21:3\nif "
                   "exists ipxe.https -> false");
  g_assert_true (g_str_has_prefix (v->summary, "boot loop: 52:54:00:9d:7d:60 handed "
                                               "'undionly.kpxe' 3 times (loop-limit 3), "
                                               "fingerprint unchanged: "));
  /* the awaited step (the console banner never came here) carries the explanation */
  g_assert_cmpint (run_step (&r, 0)->state, ==, BC_STEP_FAILED);
  g_assert_true (g_str_has_prefix (run_step (&r, 0)->message,
                                   "boot loop: 52:54:00:9d:7d:60 was handed 'undionly.kpxe' 3 "
                                   "times (5.02 s to 11.02 s) with an unchanged DHCP "
                                   "fingerprint ("));
  g_assert_true (g_str_has_suffix (run_step (&r, 0)->message,
                                   "; the server's reason: the client did not send "
                                   "ipxe.https\nfilename from dhcpd.conf:21:3\nif exists "
                                   "ipxe.https -> false"));
  run_clear (&r);
}

static void
test_loop_fingerprint_changes (void)
{
  Run r = { 0 };

  /* same file, but every other exchange from another firmware stage: no loop */
  run_init (&r, "", "vm stopped\n");
  for (guint i = 0; i < 4; i++)
    {
      gboolean https = i % 2;
      g_assert_false (run_exchange (
          &r, 2.0 + 3 * i, 0x20 + i, https, https ? https_175 : builtin_175,
          https ? G_N_ELEMENTS (https_175) : G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
    }
  g_assert_false (bc_judge_is_final (r.judge));
  run_clear (&r);

  /* other files to the same stage: no loop either */
  run_init (&r, "", "vm stopped\n");
  g_assert_false (
      run_exchange (&r, 1, 0x30, FALSE, builtin_175, G_N_ELEMENTS (builtin_175), "a.kpxe"));
  g_assert_false (
      run_exchange (&r, 2, 0x31, FALSE, builtin_175, G_N_ELEMENTS (builtin_175), "b.kpxe"));
  g_assert_false (
      run_exchange (&r, 3, 0x32, FALSE, builtin_175, G_N_ELEMENTS (builtin_175), "a.kpxe"));
  g_assert_false (bc_judge_is_final (r.judge));
  run_clear (&r);
}

/* EDK2 retransmits its DISCOVER (same xid, growing secs) while it collects offers:
 * one session, one hand-out, however many OFFERs it got. */
static void
test_loop_retransmissions (void)
{
  Run r = { 0 };

  run_init (&r, "", "vm stopped\n");
  for (guint i = 0; i < 4; i++)
    {
      BcDhcpMsg *d = test_request (BC_DHCP_DISCOVER, 0x77, FALSE, NULL, NULL, 0);
      d->secs = 4 * i;
      g_assert_false (run_feed (&r, test_dhcp_event (1.0 + 4 * i, d)));
      g_assert_false (run_feed (
          &r, test_dhcp_event (1.1 + 4 * i, test_reply (BC_DHCP_OFFER, 0x77, "ipxe.efi"))));
    }
  g_assert_false (bc_judge_is_final (r.judge));
  /* the session ends with its ACK; a restarted client drawing the same xid (and
   * secs starting over) is counted again */
  run_feed (&r, test_dhcp_event (17.0, test_request (BC_DHCP_REQUEST, 0x77, FALSE, NULL, NULL, 0)));
  run_feed (&r, test_dhcp_event (17.1, test_reply (BC_DHCP_ACK, 0x77, "ipxe.efi")));
  for (guint i = 0; i < 2; i++)
    {
      run_feed (&r, test_dhcp_event (20.0 + i,
                                     test_request (BC_DHCP_DISCOVER, 0x77, FALSE, NULL, NULL, 0)));
      run_feed (&r, test_dhcp_event (20.1 + i, test_reply (BC_DHCP_OFFER, 0x77, "ipxe.efi")));
      run_feed (&r, test_dhcp_event (20.2 + i,
                                     test_request (BC_DHCP_REQUEST, 0x77, FALSE, NULL, NULL, 0)));
      run_feed (&r, test_dhcp_event (20.3 + i, test_reply (BC_DHCP_ACK, 0x77, "ipxe.efi")));
    }
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpuint (bc_judge_get_verdict (r.judge)->loop->count, ==, 3);
  run_clear (&r);
}

static void
test_loop_expected (void)
{
  Run r = { 0 };
  const BcVerdict *v;

  /* a story whose point is the loop: loop-limit does not fail it, the step passes */
  run_init (&r, "[run]\nloop-limit = 2\n", "offer file=undionly.kpxe\nloop undionly.kpxe >= 3\n");
  g_assert_false (
      run_exchange (&r, 2.0, 0x40, TRUE, builtin_175, G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
  g_assert_false (
      run_exchange (&r, 4.0, 0x41, TRUE, builtin_175, G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
  g_assert_true (
      run_exchange (&r, 6.0, 0x42, TRUE, builtin_175, G_N_ELEMENTS (builtin_175), "undionly.kpxe"));
  v = bc_judge_get_verdict (r.judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_PASS);
  g_assert_cmpint (run_step (&r, 1)->t_us, ==, 6020000);
  /* the verdict of an expected loop still says why: the unchanged fingerprint */
  g_test_message ("%s", v->summary);
  g_assert_nonnull (strstr (v->summary, "(the expected boot loop: 52:54:00:9d:7d:60 was handed "
                                        "'undionly.kpxe' 3 times (2.02 s to 6.02 s) with an "
                                        "unchanged DHCP fingerprint ("));
  g_assert_nonnull (strstr (v->summary, "ipxe.version=1.0.0"));
  run_clear (&r);
}

static void
test_config_check (void)
{
  Run r = { 0 };
  const char *out = "dhcpd.conf:10:3: expected ';' after range (statement began at 9:2)\n"
                    "    range 192.168.42.100 192.168.42.200\n"
                    "                                       ^\n";

  run_init (&r, "[server]\nexpect-config-error = true\n", "config-error 10:3\n");
  g_assert_true (bc_judge_feed_config_check (r.judge, out, TRUE, 0));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  run_clear (&r);

  run_init (&r, "[server]\nexpect-config-error = true\n", "config-error 11\n");
  g_assert_false (bc_judge_feed_config_check (r.judge, out, TRUE, 0));
  bc_judge_finish (r.judge, 0, "server exited");
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpuint (run_step (&r, 0)->server_reasons->len, ==, 3);
  run_clear (&r);

  run_init (&r, "[server]\nexpect-config-error = true\n", "config-error /expected/\n");
  g_assert_true (bc_judge_feed_config_check (r.judge, "", FALSE, 0));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_FAIL);
  g_assert_cmpstr (run_step (&r, 0)->message, ==,
                   "the server accepted dhcpd.conf (expected it to refuse it)");
  run_clear (&r);
}

static void
test_only_never (void)
{
  Run r = { 0 };

  run_init (&r, "", "never vm crashed\n");
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_VM, 1, "started")));
  bc_judge_finish (r.judge, 30000000, "VM stopped");
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  g_assert_cmpint (run_step (&r, 0)->state, ==, BC_STEP_PASSED);
  run_clear (&r);
}

/* The UEFI chain on A's fixtures: EDK2's PXE (arch 7, no user-class), then iPXE as
 * the EFI ROM and as ipxe.efi, which differ only in 175.27 (SRP). */
static void
test_fixtures_uefi (void)
{
  Run r = { 0 };

  run_init (&r, "[vm]\nfirmware = uefi\nrom = none\n",
            "dhcp discover arch=7 !user-class=* vendor-class=PXEClient:Arch:00007:*\n"
            "dhcp discover user-class=iPXE ipxe.efi !175.27\n"
            "dhcp discover user-class=iPXE 175.27 arch=7\n");
  g_assert_false (run_feed (&r, test_dhcp_event (3.7, test_load_dhcp ("edk2-discover.bin"))));
  g_assert_false (run_feed (&r, test_dhcp_event (9.0, test_load_dhcp ("ipxe-efi-discover.bin"))));
  g_assert_cmpint (run_step (&r, 1)->state, ==, BC_STEP_PENDING);
  g_assert_false (
      run_feed (&r, test_dhcp_event (9.5, test_load_dhcp ("ipxe-efi-rom-discover.bin"))));
  g_assert_true (run_feed (&r, test_dhcp_event (14.3, test_load_dhcp ("ipxe-efi-discover.bin"))));
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_PASS);
  g_assert_true (strstr (bc_judge_get_first_fingerprint (r.judge), "arch=7") != NULL);
  run_clear (&r);
}

/* iPXE breaks its banner at 80 columns: a regex over the break still matches, at the
 * time of the second half; an unbroken short line is not joined. */
static void
test_console_wrap (void)
{
  Run r = { 0 };

  run_init (&r, "", "console /Firmware -- http:\\/\\/ipxe\\.org/\nconsole /Xa/\n");
  g_assert_false (run_feed (
      &r, test_text_event (BC_EVENT_CONSOLE, 1.0,
                           "iPXE 1.0.0+git-20190125.36a4c85-5.1 -- Open Source Network Boot "
                           "Firmware -- http")));
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1.1, "://ipxe.org")));
  g_assert_cmpint (run_step (&r, 0)->t_us, ==, 1100000);
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 2, "X")));
  g_assert_false (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 3, "a")));
  g_assert_true (run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 4, "Xa")));
  run_clear (&r);
}

static void
test_shell_skip (void)
{
  Run r = { 0 };

  run_init (&r, "", seed000_expect);
  bc_judge_skip (r.judge, 0, "image ipxe-undionly-https not found: put it in images/local/");
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_SKIP);
  g_assert_cmpstr (bc_judge_get_verdict (r.judge)->skip_reason, ==,
                   "image ipxe-undionly-https not found: put it in images/local/");
  g_assert_cmpint (run_step (&r, 7)->state, ==, BC_STEP_SKIPPED);
  bc_judge_finish (r.judge, 5, "VM stopped"); /* no effect once final */
  g_assert_cmpint (bc_judge_get_verdict (r.judge)->kind, ==, BC_VERDICT_SKIP);
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/judge/pass/seed000", test_pass_seed000);
  g_test_add_func ("/judge/order", test_order);
  g_test_add_func ("/judge/never/hit", test_never_hit);
  g_test_add_func ("/judge/never/armed-late", test_never_armed_late);
  g_test_add_func ("/judge/within", test_within);
  g_test_add_func ("/judge/timeout-diagnostics", test_timeout_diagnostics);
  g_test_add_func ("/judge/require-skip", test_require_skip);
  g_test_add_func ("/judge/loop/detected", test_loop_detected);
  g_test_add_func ("/judge/loop/fingerprint-changes", test_loop_fingerprint_changes);
  g_test_add_func ("/judge/loop/expected", test_loop_expected);
  g_test_add_func ("/judge/loop/retransmissions", test_loop_retransmissions);
  g_test_add_func ("/judge/config-check", test_config_check);
  g_test_add_func ("/judge/only-never", test_only_never);
  g_test_add_func ("/judge/shell-skip", test_shell_skip);
  g_test_add_func ("/judge/console-wrap", test_console_wrap);
  g_test_add_func ("/judge/fixtures/uefi", test_fixtures_uefi);
  return g_test_run ();
}
