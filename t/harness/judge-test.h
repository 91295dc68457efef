/* Recorded timelines for the judge and TAP tests: built in code, so each test says
 * exactly what crossed the wire. */
#pragma once

#include "harness-test.h"

#include "harness/core/scenario.h"
#include "harness/core/verdict.h"

/* iPXE 175 feature sets (include/ipxe/dhcp.h): the built-in Debian/QEMU ROM (no 20
 * https, 17 iscsi) and an HTTPS-capable chainloaded one (20). */
static const guint8 builtin_175[] = { 16, 17, 19, 21, 23, 24, 25, 33, 34, 39 };
static const guint8 https_175[] = { 16, 19, 20, 21, 23, 24, 25, 33, 34, 38, 39 };

typedef struct
{
  BcScenario *sc;
  BcJudge *judge;
} Run;

static inline void
run_clear (Run *r)
{
  g_clear_pointer (&r->judge, bc_judge_free);
  g_clear_pointer (&r->sc, bc_scenario_free);
}

static inline void
run_init (Run *r, const char *ini, const char *expect)
{
  g_autoptr (GError) error = NULL;

  r->sc = bc_scenario_parse_data (ini, strlen (ini), expect, strlen (expect), &error);
  g_assert_no_error (error);
  r->judge = bc_judge_new (r->sc);
}

/* Feeds the event (taken); returns bc_judge_feed's answer. */
static inline gboolean
run_feed (Run *r, BcEvent *ev)
{
  gboolean final = bc_judge_feed (r->judge, ev);
  bc_event_free (ev);
  return final;
}

static inline const BcStepResult *
run_step (Run *r, guint i)
{
  const BcVerdict *v = bc_judge_get_verdict (r->judge);
  g_assert_cmpuint (i, <, v->steps->len);
  return v->steps->pdata[i];
}

static const char seed000_expect[] = "console  /iPXE .* Open Source Network Boot Firmware/\n"
                                     "dhcp     discover user-class=iPXE !175.20\n"
                                     "offer    file=undionly.kpxe\n"
                                     "tftp     undionly.kpxe\n"
                                     "dhcp     discover 175.20\n"
                                     "never    tftp undionly.kpxe\n"
                                     "http     GET /boot.ipxe 200\n"
                                     "console  /BOOTCHECK-OK/\n";

static inline char *
decision_json (const char *msg, const char *reply, guint32 xid, const char *file, const char *text,
               const char *trace)
{
  return g_strdup_printf (
      "{\"type\":\"dhcp\",\"event\":\"decision\",\"chaddr\":\"52:54:00:9d:7d:60\","
      "\"xid\":\"0x%08x\",\"msg\":\"%s\",\"reply\":\"%s\",\"file\":\"%s\","
      "\"reason\":{\"filename\":\"dhcpd.conf:21:3\",\"trace\":[\"%s\"],"
      "\"text\":\"%s\"}}",
      xid, msg, reply, file, trace, text);
}

/* One DHCP exchange: DISCOVER, bootserv's decision, OFFER, REQUEST, ACK, from t. */
static inline gboolean
run_exchange (Run *r, double t, guint32 xid, gboolean broadcast, const guint8 *codes, gsize n,
              const char *file)
{
  g_autofree char *json = decision_json (
      "DISCOVER", "OFFER", xid, file,
      codes == https_175 ? "the client sent ipxe.https" : "the client did not send ipxe.https",
      codes == https_175 ? "if exists ipxe.https -> true" : "if exists ipxe.https -> false");

  if (run_feed (r, test_dhcp_event (
                       t, test_request (BC_DHCP_DISCOVER, xid, broadcast, "iPXE", codes, n))))
    return TRUE;
  if (run_feed (r, test_server_event (t + 0.01, json)))
    return TRUE;
  if (run_feed (r, test_dhcp_event (t + 0.02, test_reply (BC_DHCP_OFFER, xid, file))))
    return TRUE;
  if (run_feed (r, test_dhcp_event (
                       t + 0.03, test_request (BC_DHCP_REQUEST, xid, broadcast, "iPXE", codes, n))))
    return TRUE;
  return run_feed (r, test_dhcp_event (t + 0.04, test_reply (BC_DHCP_ACK, xid, file)));
}

/* The seed 000 story as it should go, up to (not including) the final console line. */
static inline void
run_seed000_until_http (Run *r)
{
  g_assert_false (run_feed (r, test_text_event (BC_EVENT_VM, 0, "started")));
  g_assert_false (run_feed (
      r, test_text_event (BC_EVENT_CONSOLE, 1.2, "iPXE (PCI 00:03.0) starting execution...ok")));
  g_assert_false (run_feed (
      r, test_text_event (BC_EVENT_CONSOLE, 1.3,
                          "iPXE 1.0.0+git-20190125.36a4c85-5.1 -- Open Source Network Boot "
                          "Firmware -- http://ipxe.org")));
  g_assert_false (run_exchange (r, 2.0, 0x556ed510, FALSE, builtin_175, G_N_ELEMENTS (builtin_175),
                                "undionly.kpxe"));
  g_assert_false (run_feed (r, test_tftp_event (2.5, BC_TFTP_PHASE_REQUEST, "undionly.kpxe")));
  g_assert_false (run_feed (r, test_tftp_event (3.1, BC_TFTP_PHASE_COMPLETE, "undionly.kpxe")));
  g_assert_false (run_feed (r, test_text_event (BC_EVENT_CONSOLE, 3.5,
                                                "iPXE 1.21.1 -- Open Source Network Boot "
                                                "Firmware -- https://ipxe.org")));
  g_assert_false (run_exchange (r, 4.0, 0xc4a6cf39, TRUE, https_175, G_N_ELEMENTS (https_175),
                                "http://192.168.42.1/boot.ipxe"));
  g_assert_false (run_feed (r, test_http_event (4.6, "GET", "/boot.ipxe", 200)));
}
