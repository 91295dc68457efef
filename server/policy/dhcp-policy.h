/* DHCP policy: request + dhcpd.conf + leases -> the reply to send, where to send it,
 * and why. Pure: it never sends, never reads a clock (now is in the context), and all
 * state is the BcLeaseDb passed in. The shell (server/io/dhcp-server.c) sends what
 * the decision says and logs the reason.
 *
 * Behaviour follows RFC 2131 and, where the RFC leaves a choice, ISC dhcpd 4.4 as
 * measured on this machine (t/server/test-compare-isc.sh):
 *  - addresses: a host's fixed-address, else the client's current lease, else the
 *    address it asks for (option 50) when free, else the lowest free one of its ranges;
 *  - options: 53, 54, 51, then the options the config sets that the client's parameter
 *    request list (55) names, in that order, then 1 (subnet mask) for DISCOVER and
 *    REQUEST; without a 55, every option the config sets. No 58/59 unless configured
 *    (ISC 4.4 sends neither by itself), no 60 unless configured, no 67/66 from
 *    `filename`/`server-name` (those fill the file/sname fields);
 *  - siaddr is `next-server` (0.0.0.0 when not set).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "server/conf/conf.h"
#include "server/policy/lease-db.h"
#include "server/proto/dhcp-msg.h"

G_BEGIN_DECLS

typedef struct
{
  guint32 server_addr;    /* option 54 and our identity in REQUESTs (network order) */
  guint32 interface_addr; /* the receiving interface's address: selects the subnet */
  gint64 now;             /* seconds, wall clock (lease starts/ends) */
  gint64 offer_hold;      /* seconds an OFFERed address stays reserved; 0 = 120 */
} BcDhcpPolicyContext;

/* RFC 2131 4.1: where a server reply goes. */
typedef enum
{
  BC_DHCP_DEST_NONE,      /* no reply */
  BC_DHCP_DEST_RELAY,     /* giaddr, UDP port 67 */
  BC_DHCP_DEST_UNICAST,   /* ciaddr, UDP port 68 */
  BC_DHCP_DEST_BROADCAST, /* 255.255.255.255, UDP port 68 */
  BC_DHCP_DEST_CHADDR,    /* yiaddr, UDP port 68, link-layer unicast to chaddr (the
                             client has no address yet and did not set the broadcast
                             flag: iPXE's native drivers) */
} BcDhcpDestKind;

typedef struct
{
  guint request_type; /* option 53 of the request, 0 for none */
  BcDhcpMsg *reply;   /* NULL: ignored (see reason) or no reply due (DECLINE/RELEASE) */
  guint reply_type;   /* BC_DHCP_OFFER/ACK/NAK, 0 without reply */
  BcDhcpDestKind dest;
  guint32 dest_addr; /* network order; 255.255.255.255 for broadcast */
  guint16 dest_port;
  guint8 dest_hwaddr[16]; /* for BC_DHCP_DEST_CHADDR: chaddr */
  guint dest_hwlen;
  gsize max_len;      /* for bc_dhcp_msg_build: the client's option 57, or 0 */
  char *reason;       /* one human sentence */
  BcConfResult *conf; /* evaluation result (trace, locations), NULL when not evaluated */
  gboolean leases_changed;
} BcDhcpDecision;

void bc_dhcp_decision_free (BcDhcpDecision *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpDecision, bc_dhcp_decision_free)

/* Decide what to do with @request. Updates @leases (offers, bindings, releases).
 * Returns a decision — also for requests that are ignored (reply NULL, reason says
 * why: wrong op, no option 53, no subnet, no free address, another server chosen, …).
 * Returns NULL with BC_CONF_ERROR only when the configuration cannot be evaluated
 * for this request (bc_conf_evaluate failed). */
BcDhcpDecision *bc_dhcp_policy_handle (const BcConf *conf, BcLeaseDb *leases,
                                       const BcDhcpMsg *request, const BcDhcpPolicyContext *ctx,
                                       GError **error);

/* The event-log "reason" object (server/io/event-log.h): {"subnet":"dhcpd.conf:9:1",
 * "filename":…, "next-server":…, "trace":[…], "text":…}. */
JsonNode *bc_dhcp_decision_reason_to_json (const BcDhcpDecision *decision);

/* "255.255.255.255:68", "192.168.42.100:68 via 52:54:00:9d:7d:60", … */
char *bc_dhcp_decision_format_dest (const BcDhcpDecision *decision);

G_END_DECLS
