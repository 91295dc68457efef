/* Decoding captured frames into timeline events. Pure: bytes + a timestamp in (the
 * run's clock, µs since VM start, converted by the shell), events out. State (TFTP
 * transfers, HTTP connections) is this explicit struct.
 *
 * Understood: Ethernet II (and one 802.1Q tag) carrying IPv4 (unfragmented or the
 * first fragment's UDP/TCP header only), then
 *  - DHCP: UDP port 67 or 68 on either side, parsed by bc_dhcp_msg_parse -> one
 *    BC_EVENT_DHCP (msg owned by the event). Malformed: dropped, counted, g_debug.
 *  - TFTP (RFC 1350/2347/2348): an RRQ to UDP 69 -> BC_EVENT_TFTP REQUEST; the
 *    transfer is then tracked by (client addr:port, server addr) — the server answers
 *    from a new port (RFC 1350 TID) — DATA blocks (blksize from the OACK, default 512;
 *    block numbers may roll over past 65535), the final short block and its ACK ->
 *    COMPLETE with tftp_bytes; an ERROR from either side -> ERROR with tftp_error.
 *  - HTTP/1.x over TCP to port 80 or @http_port: a request line at the start of a
 *    client segment is remembered per connection; the status line of the server's
 *    next segment on that connection -> one BC_EVENT_HTTP (method, path, status).
 *    Requests split across segments or pipelined are best effort.
 * Everything else (ARP, IPv6 router advertisements, …) is ignored. Events carry
 * src_addr/dst_addr/src_port/dst_port of the packet (TFTP/HTTP: client -> server). */
#pragma once

#include <glib.h>

#include "harness/core/timeline.h"

G_BEGIN_DECLS

typedef struct _BcCaptureDecoder BcCaptureDecoder;

/* @http_port: the HTTP server's port besides 80 (0 or 80 for only 80). */
BcCaptureDecoder *bc_capture_decoder_new (guint16 http_port);
void bc_capture_decoder_free (BcCaptureDecoder *dec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcCaptureDecoder, bc_capture_decoder_free)

/* Decode one Ethernet frame (a pcap record's bytes; @len is the captured length)
 * seen at @t_us. Returns a GPtrArray of new BcEvent* (owned, with a free function;
 * empty when the frame carries nothing of interest). Never fails: malformed frames
 * are dropped and counted. */
GPtrArray *bc_capture_decoder_feed (BcCaptureDecoder *dec, const guint8 *frame, gsize len,
                                    gint64 t_us);

/* DHCP/TFTP/HTTP packets that looked like ours but did not parse. */
guint bc_capture_decoder_get_malformed (const BcCaptureDecoder *dec);

G_END_DECLS
