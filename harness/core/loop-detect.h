/* Boot-loop detection on what crossed the wire. Pure; state is this explicit struct.
 *
 * A loop is the same client (chaddr) with an unchanged DHCP fingerprint (the key of
 * bc_dhcp_fingerprint_new() on its latest DISCOVER/REQUEST) handed the same boot file
 * (file header or option 67 of an OFFER/ACK to that chaddr) again and again. One DHCP
 * session counts once: the OFFERs and the ACK that answer one DISCOVER and its
 * retransmissions (same xid, growing secs) are one hand-out. A DISCOVER after an
 * ACK, with another xid, or with secs starting over opens a new session (iPXE's xid
 * can repeat across restarts, so xid alone does not decide).
 * A changed fingerprint (a chainloaded iPXE sends other 175 sub-options, or the
 * broadcast flag) starts a separate count. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "server/proto/dhcp-msg.h"

G_BEGIN_DECLS

typedef struct
{
  char *chaddr;           /* "52:54:00:9d:7d:60" */
  char *file;             /* the boot file handed out */
  char *fingerprint_key;  /* bc_dhcp_fingerprint key */
  char *fingerprint_text; /* bc_dhcp_fingerprint_describe() */
  guint count;            /* hand-outs so far for (chaddr, key, file) */
  gint64 first_us, last_us;
  guint32 xid; /* of the latest hand-out */
  /* The server's reason for the latest hand-out, from a bootserv "dhcp" "decision"
   * event for that chaddr (xid when it matches): its "reason" "text" followed by the
   * "filename" location and the "trace" lines, one per line; NULL when no server event
   * was seen (e.g. ISC dhcpd). */
  char *server_reason;
} BcLoopHit;

void bc_loop_hit_free (BcLoopHit *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcLoopHit, bc_loop_hit_free)
BcLoopHit *bc_loop_hit_copy (const BcLoopHit *hit);

typedef struct _BcLoopDetector BcLoopDetector;

BcLoopDetector *bc_loop_detector_new (void);
void bc_loop_detector_free (BcLoopDetector *det);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcLoopDetector, bc_loop_detector_free)

/* Feed a DHCP message seen on the wire at @t_us. Returns a new BcLoopHit (owned by
 * the caller) when this message was a hand-out that was counted, else NULL. */
BcLoopHit *bc_loop_detector_feed_dhcp (BcLoopDetector *det, const BcDhcpMsg *msg, gint64 t_us);

/* Feed a bootserv JSON event (any type; only "dhcp" decisions are kept, as reasons). */
void bc_loop_detector_feed_server (BcLoopDetector *det, JsonNode *event);

G_END_DECLS
