/* TAP output of verdicts against golden files t/data/harness/NAME.tap (libvirt style:
 * BC_REGENERATE=1 rewrites them; review the diff before committing). */
#include "judge-test.h"

#include "harness/core/tap.h"

#include "t/test-golden.h"

static void
check_golden (const char *name, const char *actual)
{
  bc_test_check_golden ("harness", name, actual);
}

static const BcTapInfo info = {
  .scenario = "seed000-https-split",
  .accel = "tcg (kvm probe: iPXE hung at \"starting execution\")",
  .rom = "/usr/lib/ipxe/qemu/pxe-virtio.rom (iPXE 1.0.0, no https)",
  .extra = "artifacts: /tmp/bootcheck-1/artifacts\nconsole.log timeline.txt capture.pcap",
};

static void
test_pass (void)
{
  Run r = { 0 };
  g_autofree char *tap = NULL;

  run_init (&r, "", seed000_expect);
  run_seed000_until_http (&r);
  run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 7.52, "BOOTCHECK-OK"));
  tap = bc_tap_format (bc_judge_get_verdict (r.judge), &info);
  check_golden ("pass.tap", tap);
  run_clear (&r);
}

static void
test_timeout (void)
{
  Run r = { 0 };
  g_autofree char *tap = NULL;

  run_init (&r, "", seed000_expect);
  run_feed (&r, test_text_event (BC_EVENT_VM, 0, "started"));
  run_feed (&r,
            test_text_event (BC_EVENT_CONSOLE, 1.2, "SeaBIOS (version 1.16.2-debian-1.16.2-1)"));
  run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1.3, "Booting from ROM..."));
  run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 1.4,
                                 "iPXE 1.0.0+ -- Open Source Network Boot "
                                 "Firmware -- http://ipxe.org"));
  run_exchange (&r, 2.0, 0x556ed510, FALSE, builtin_175, G_N_ELEMENTS (builtin_175),
                "undionly.kpxe");
  run_feed (&r, test_tftp_event (2.5, BC_TFTP_PHASE_REQUEST, "undionly.kpxe"));
  run_feed (&r, test_text_event (BC_EVENT_CONSOLE, 2.6,
                                 "tftp://192.168.42.1/undionly.kpxe... "
                                 "No such file (\"quoted\" \\ #hash)"));
  bc_judge_finish (r.judge, 120000000, "timeout after 120 s");
  tap = bc_tap_format (bc_judge_get_verdict (r.judge), &info);
  check_golden ("timeout.tap", tap);
  run_clear (&r);
}

static void
test_loop (void)
{
  Run r = { 0 };
  g_autofree char *tap = NULL;

  run_init (&r, "", seed000_expect);
  for (guint i = 0; i < 4 && !bc_judge_is_final (r.judge); i++)
    run_exchange (&r, 2.0 + 3 * i, 0x10 + i, i > 0, builtin_175, G_N_ELEMENTS (builtin_175),
                  "undionly.kpxe");
  tap = bc_tap_format (bc_judge_get_verdict (r.judge), NULL);
  check_golden ("loop.tap", tap);
  run_clear (&r);
}

static void
test_skip (void)
{
  Run r = { 0 };
  g_autofree char *tap = NULL;

  run_init (&r, "[require]\nfirst-dhcp = !175.20\n", seed000_expect);
  run_exchange (&r, 2.0, 0x99, FALSE, https_175, G_N_ELEMENTS (https_175),
                "http://192.168.42.1/boot.ipxe");
  tap = bc_tap_format (bc_judge_get_verdict (r.judge), &info);
  check_golden ("skip.tap", tap);
  run_clear (&r);
}

static void
test_yaml_quote (void)
{
  g_autofree char *q = bc_tap_yaml_quote ("a\"b\\c\nd\x01");

  g_assert_cmpstr (q, ==, "\"a\\\"b\\\\c\\nd\\x01\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tap/pass", test_pass);
  g_test_add_func ("/tap/timeout", test_timeout);
  g_test_add_func ("/tap/loop", test_loop);
  g_test_add_func ("/tap/skip", test_skip);
  g_test_add_func ("/tap/yaml-quote", test_yaml_quote);
  return g_test_run ();
}
