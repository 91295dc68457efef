/* bootserv's event log: one JSON object per line (json-glib), written as each
 * decision or transfer happens, flushed at once so a harness can follow it.
 *
 * Every object has:
 *   "type":    "dhcp" | "tftp" | "http" | "ra" | "server"
 *   "mono_us": g_get_monotonic_time() when it happened (CLOCK_MONOTONIC is shared
 *              by the whole host: the harness puts it on its own timeline)
 *   "time":    ISO 8601 wall-clock time
 * and per type (absent fields omitted):
 *   dhcp:   "event":"decision"|"dropped", "xid":"0x…", "chaddr", "msg":"DISCOVER", "reply":"OFFER"|
 *           "ACK"|"NAK"|null, "fingerprint":{…bc_dhcp_fingerprint_to_json…}, "yiaddr",
 *           "siaddr", "file", "sname", "options":{"54":"192.168.42.1",…},
 *           "reason":{"subnet":"dhcpd.conf:9:1", "filename":"dhcpd.conf:21:3",
 *           "next-server":"dhcpd.conf:20:3", "trace":["dhcpd.conf:17:2: if exists ipxe.https -> false", …],
 *           "text": one sentence}, "error" (for dropped)
 *   tftp:   "event":"request"|"oack"|"complete"|"error", "client":"ip:port", "file",
 *           "options":{"blksize":"1432",…}, "bytes", "ms", "retransmits", "error", "code",
 *           and on "request" also "mode":"octet", "opcode":"RRQ"|"WRQ"
 *   http:   "method", "path", "status", "bytes", "ms", "client", "user_agent"
 *   ra:     "event":"advertisement", "to"
 *   server: "event":"ready"|"stopping"|"error", "message", "interface", "address"
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _BcEventLog BcEventLog;

/* @path: a file (appended, created), "-" for stdout, or NULL for no log. */
BcEventLog *bc_event_log_open (const char *path, GError **error);
/* Takes a fd (closed by free), e.g. one the harness passed down. */
BcEventLog *bc_event_log_new_for_fd (int fd);
void bc_event_log_free (BcEventLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcEventLog, bc_event_log_free)

/* Starts an object with "type", "mono_us" and "time" filled in; add members, then
 * pass it to bc_event_log_emit, which ends the object, writes one line and flushes. */
JsonBuilder *bc_event_log_begin (const char *type);
void bc_event_log_emit (BcEventLog *log, JsonBuilder *builder);

/* For a hot path that serialises its own object (the HTTP server, once per request):
 * bc_event_log_enabled says whether anything would be written (@log not NULL and
 * with a fd), so the caller can skip building the line; bc_event_log_write_line
 * writes @line, one whole JSON object with "type", "mono_us" and "time" as
 * bc_event_log_begin makes them, ending in '\n', with one write() like
 * bc_event_log_emit. */
gboolean bc_event_log_enabled (BcEventLog *log);
void bc_event_log_write_line (BcEventLog *log, const char *line, gsize len);

G_END_DECLS
