/* Fuzz target: hostile bytes -> bc_dhcp_msg_parse -> bc_dhcp_policy_handle (a config
 * with classes, a host, iPXE encapsulation, if/elsif) -> bc_dhcp_msg_build of the reply.
 * The request is handled twice on the same lease database (a retransmission), then as
 * a REQUEST for what was offered, so lease state paths run too. */
#include <stdint.h>
#include <string.h>

#include "server/policy/dhcp-policy.h"

static const char conf_text[]
    = "authoritative;\n"
      "default-lease-time 600;\n"
      "option space ipxe;\n"
      "option ipxe-encap-opts code 175 = encapsulate ipxe;\n"
      "option ipxe.https code 20 = unsigned integer 8;\n"
      "option ipxe.no-pxedhcp code 176 = unsigned integer 8;\n"
      "option ipxe.version code 235 = string;\n"
      "option arch code 93 = unsigned integer 16;\n"
      "class \"pxe\" { match if substring (option vendor-class-identifier, 0, 9) = \"PXEClient\";\n"
      "  option vendor-class-identifier \"PXEClient\"; }\n"
      "subnet 192.168.42.0 netmask 255.255.255.0 {\n"
      "  range 192.168.42.100 192.168.42.102;\n"
      "  option ipxe.no-pxedhcp 1;\n"
      "  option routers 192.168.42.1;\n"
      "  if exists ipxe.https { filename \"http://192.168.42.1/boot.ipxe\"; }\n"
      "  elsif exists ipxe.version and binary-to-ascii (10, 8, \".\", option ipxe.version) = "
      "\"1.21.1\" {\n"
      "    filename \"new\"; }\n"
      "  elsif option arch = 00:07 { filename \"ipxe.efi\"; }\n"
      "  else { next-server 192.168.42.1; filename \"undionly.kpxe\"; }\n"
      "}\n"
      "host h { hardware ethernet 52:54:00:00:00:01; fixed-address 192.168.42.10; }\n";

static void
run (const BcConf *conf, BcLeaseDb *leases, const BcDhcpMsg *msg, gint64 now)
{
  BcDhcpPolicyContext ctx = { 0 };
  g_autoptr (BcDhcpDecision) d = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (JsonNode) reason = NULL;
  g_autofree char *dest = NULL;

  ctx.server_addr = GUINT32_TO_BE (0xc0a82a01);
  ctx.interface_addr = ctx.server_addr;
  ctx.now = now;
  d = bc_dhcp_policy_handle (conf, leases, msg, &ctx, NULL);
  if (d == NULL)
    return;
  reason = bc_dhcp_decision_reason_to_json (d);
  dest = bc_dhcp_decision_format_dest (d);
  if (d->reply != NULL)
    out = bc_dhcp_msg_build (d->reply, d->max_len, NULL);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static BcConf *conf;
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autofree char *saved = NULL;
  g_autoptr (BcLeaseDb) reloaded = bc_lease_db_new ();
  guint8 req = BC_DHCP_REQUEST;

  if (conf == NULL)
    conf = bc_conf_parse ("fuzz.conf", conf_text, sizeof conf_text - 1, NULL);
  g_assert (conf != NULL);
  if (!bc_dhcp_msg_parse (data, size, &msg, NULL))
    return 0;
  run (conf, leases, msg, 1700000000);
  run (conf, leases, msg, 1700000001);
  bc_dhcp_msg_set_option (msg, BC_DHCP_OPTION_MESSAGE_TYPE, &req, 1);
  run (conf, leases, msg, 1700000002);
  saved = bc_lease_db_to_data (leases);
  g_assert (bc_lease_db_load_data (reloaded, saved, NULL));
  return 0;
}
