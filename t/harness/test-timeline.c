/* Timeline events: kind names, timeline.txt lines, DHCP summaries of real packets. */
#include "harness-test.h"

static void
test_format_line (void)
{
  g_autoptr (BcEvent) console = test_text_event (BC_EVENT_CONSOLE, 12.345, "iPXE 1.0.0+ -- Open");
  g_autoptr (BcEvent) vm = test_text_event (BC_EVENT_VM, -0.5, "started");
  g_autoptr (BcEvent) tftp = test_tftp_event (3, BC_TFTP_PHASE_COMPLETE, "undionly.kpxe");
  g_autoptr (BcEvent) http = test_http_event (4, "GET", "/boot.ipxe", 200);
  g_autoptr (BcEvent) server
      = test_server_event (5, "{\"type\":\"ra\",\"event\":\"advertisement\"}");
  g_autofree char *l1 = bc_event_format_line (console);
  g_autofree char *l2 = bc_event_format_line (vm);
  g_autofree char *l3 = NULL;
  g_autofree char *l4 = bc_event_format_line (http);
  g_autofree char *l5 = bc_event_format_line (server);

  tftp->tftp_bytes = 73440;
  l3 = bc_event_format_line (tftp);
  g_assert_cmpstr (l1, ==, "  12.345 console  iPXE 1.0.0+ -- Open");
  g_assert_cmpstr (l2, ==, "  -0.500 vm       started");
  g_assert_cmpstr (l3, ==, "   3.000 tftp     complete undionly.kpxe 73440 bytes");
  g_assert_cmpstr (l4, ==, "   4.000 http     GET /boot.ipxe 200");
  g_assert_cmpstr (l5, ==, "   5.000 server   {\"type\":\"ra\",\"event\":\"advertisement\"}");
  g_assert_cmpstr (bc_event_kind_name (BC_EVENT_DHCP), ==, "dhcp");
}

static void
test_dhcp_summary (void)
{
  g_autoptr (BcDhcpMsg) builtin = test_load_dhcp ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpMsg) joyent = test_load_dhcp ("seed000-joyent-discover.bin");
  g_autoptr (BcDhcpMsg) offer = test_load_dhcp ("seed000-isc-offer.bin");
  g_autoptr (BcDhcpMsg) edk2 = test_load_dhcp ("edk2-discover.bin");
  g_autofree char *s1 = bc_event_dhcp_summary (builtin);
  g_autofree char *s2 = bc_event_dhcp_summary (joyent);
  g_autofree char *s3 = bc_event_dhcp_summary (offer);
  g_autofree char *s4 = bc_event_dhcp_summary (edk2);

  g_assert_cmpstr (s1, ==,
                   "DISCOVER 52:54:00:9d:7d:60 xid 0x556ed510 "
                   "vendor-class=PXEClient:Arch:00000:UNDI:002001 user-class=iPXE arch=0 "
                   "175=[177,235,23,34,19,17,39,25,16,33,21,24,18]");
  g_assert_cmpstr (s2, ==,
                   "DISCOVER 52:54:00:9d:7d:60 xid 0xc4a6cf39 bcast "
                   "vendor-class=PXEClient:Arch:00000:UNDI:002001 user-class=iPXE arch=0 "
                   "97 175=[177,235,23,34,19,20,39,25,16,33,21,24,38]");
  g_assert_cmpstr (s3, ==,
                   "OFFER 52:54:00:9d:7d:60 xid 0x556ed510 yiaddr 192.168.42.100 "
                   "siaddr 192.168.42.1 file=undionly.kpxe");
  g_assert_true (g_str_has_prefix (s4, "DISCOVER "));
  g_assert_true (strstr (s4, " bcast vendor-class=PXEClient:Arch:00007:UNDI:003000 arch=7 97")
                 != NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timeline/format-line", test_format_line);
  g_test_add_func ("/timeline/dhcp-summary", test_dhcp_summary);
  return g_test_run ();
}
