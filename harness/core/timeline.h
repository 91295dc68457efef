/* The timeline: every event of a run from four sources on one clock (microseconds
 * since VM start, CLOCK_MONOTONIC). Pure data; the shell (console follower, capture,
 * server event reader, libvirt lifecycle) produces events, the expect engine consumes
 * them. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "server/proto/dhcp-msg.h"

G_BEGIN_DECLS

typedef enum
{
  BC_EVENT_CONSOLE, /* a line of serial text, ANSI and control sequences stripped */
  BC_EVENT_DHCP,    /* a DHCP packet seen on the wire (capture) */
  BC_EVENT_TFTP,    /* a TFTP transfer seen on the wire: request, then complete/error */
  BC_EVENT_HTTP,    /* an HTTP request/response seen on the wire */
  BC_EVENT_SERVER,  /* a bootserv JSON event (decisions and their reasons) */
  BC_EVENT_VM,      /* libvirt lifecycle: "started", "rebooted", "stopped", "crashed" */
} BcEventKind;

typedef enum
{
  BC_TFTP_PHASE_REQUEST,  /* RRQ seen */
  BC_TFTP_PHASE_COMPLETE, /* last DATA (short block) acknowledged */
  BC_TFTP_PHASE_ERROR,    /* ERROR packet from either side */
} BcTftpPhase;

typedef struct
{
  BcEventKind kind;
  gint64 t_us; /* since VM start; negative before it */

  /* CONSOLE: the line. VM: the lifecycle word. Others: a one-line summary for
   * timeline.txt ("DHCP DISCOVER 52:54:00:… xid 0x… user-class=iPXE …"). */
  char *text;

  /* DHCP */
  BcDhcpMsg *dhcp;            /* owned; direction from dhcp->op (1 client, 2 server) */
  guint32 src_addr, dst_addr; /* network order; DHCP, and TFTP/HTTP as client -> server */
  guint16 src_port, dst_port; /* host order; 0 when unknown */

  /* TFTP */
  BcTftpPhase tftp_phase;
  char *tftp_file;
  guint64 tftp_bytes; /* COMPLETE: payload bytes transferred */
  char *tftp_error;   /* ERROR: message */

  /* HTTP (request and response are one event once the status is seen;
   * http_status is 0 while only the request was seen) */
  char *http_method, *http_path;
  guint http_status;

  /* SERVER: the parsed JSON object (owned) */
  JsonNode *server;
} BcEvent;

BcEvent *bc_event_new (BcEventKind kind, gint64 t_us, const char *text);
void bc_event_free (BcEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcEvent, bc_event_free)

/* One line for timeline.txt: "  12.345 console  iPXE 1.0.0+ -- Open Source …". */
char *bc_event_format_line (const BcEvent *ev);

const char *bc_event_kind_name (BcEventKind kind);

/* One-line summary of a DHCP packet for timelines and diagnostics:
 *   "DISCOVER 52:54:00:9d:7d:60 xid 0x556ed510 bcast vendor-class=PXEClient:… user-class=iPXE
 *    arch=0 175=[16,17,19,…]"
 *   "OFFER 52:54:00:9d:7d:60 xid 0x556ed510 yiaddr 192.168.42.100 siaddr 192.168.42.1
 *    file=undionly.kpxe"
 * Newly allocated. */
char *bc_event_dhcp_summary (const BcDhcpMsg *msg);

G_END_DECLS
