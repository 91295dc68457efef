/* Fuzz the expect language: parse, then match every step against a DHCP DISCOVER and
 * a few events, and the conds parser on the same text. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "harness/core/expect.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (BcExpect) expect = NULL;
  g_autoptr (GPtrArray) conds = NULL;
  g_autoptr (BcDhcpMsg) msg = bc_dhcp_msg_new ();
  g_autoptr (BcEvent) console = bc_event_new (BC_EVENT_CONSOLE, 0, "iPXE -- Open Source");
  g_autoptr (BcEvent) dhcp = bc_event_new (BC_EVENT_DHCP, 0, NULL);
  g_autofree char *text = NULL;
  static const guint8 encap[] = { 235, 3, 1, 0, 0, 20, 1, 1, 17, 1 /* truncated */ };
  const guint8 type = BC_DHCP_DISCOVER;

  if (size > 64 * 1024)
    return 0;
  msg->op = BC_DHCP_OP_BOOTREQUEST;
  msg->htype = 1;
  msg->hlen = 6;
  msg->has_magic = TRUE;
  bc_dhcp_msg_set_option (msg, BC_DHCP_OPTION_MESSAGE_TYPE, &type, 1);
  bc_dhcp_msg_set_option (msg, BC_DHCP_OPTION_USER_CLASS, (const guint8 *)"iPXE", 4);
  bc_dhcp_msg_set_option (msg, BC_DHCP_OPTION_CLIENT_ARCH, (const guint8 *)"\0", 1);
  bc_dhcp_msg_set_option (msg, BC_DHCP_OPTION_IPXE_ENCAP, encap, sizeof encap);
  dhcp->dhcp = bc_dhcp_msg_copy (msg);

  expect = bc_expect_parse ("expect", (const char *)data, size, reg, NULL);
  if (expect != NULL)
    for (guint i = 0; i < expect->steps->len; i++)
      {
        const BcExpectStep *st = expect->steps->pdata[i];
        bc_expect_step_match_event (st, console);
        bc_expect_step_match_event (st, dhcp);
        bc_expect_step_match_config_line (st, "dhcpd.conf:12:40: expected ';'");
        if (st->conds != NULL)
          {
            const BcExpectCond *failed = NULL;
            if (!bc_expect_conds_match (st->conds, msg, &failed))
              g_free (bc_expect_cond_explain (failed, msg));
          }
      }

  text = g_strndup ((const char *)data, size);
  if (strlen (text) == size && g_utf8_validate (text, -1, NULL) && strchr (text, '\n') == NULL)
    {
      conds = bc_expect_parse_conds ("scenario.ini", 1, 13, text, reg, NULL);
      if (conds != NULL)
        bc_expect_conds_match (conds, msg, NULL);
    }
  return 0;
}
