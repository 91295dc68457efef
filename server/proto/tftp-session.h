/* One TFTP read transfer as a pure state machine: events in (a packet from the
 * client, a timer tick), with the time as a parameter; what to send out. The shell
 * (server/io/tftp-server.c) owns the socket, the file and the timer: it reads the
 * blocks the output names and sends them, and calls tick at the deadline.
 *
 * Rules it keeps:
 * - RFC 1350 lock-step (windowsize 1) or RFC 7440 windows: send a window, wait for
 *   the ACK of its last block; an ACK of an earlier block starts the next window
 *   right after it.
 * - RFC 1123 §4.2.3.1 (Sorcerer's Apprentice): a duplicate ACK never makes a DATA
 *   packet go out again in lock-step; with windows, one duplicate ACK of the window
 *   base may restart the window once (RFC 7440 §4: the receiver ACKs the last block
 *   it got in order), never twice from the same base.
 * - On a timeout with windows, two windows go out from the first unacknowledged
 *   block (see tick): a client that has them all gets new blocks to ACK.
 * - Retransmission on timeout with exponential backoff (RFC 6298-style adaptive
 *   timeout from ACK round trips, Karn's rule: no sample from a retransmitted
 *   window), capped by the RFC 2349 timeout when the client asked for one; give
 *   up after max_retries timeouts in a row without progress.
 * - Block numbers roll over from 65535 to 0 (what tftp-hpa, iPXE and EDK2 expect for
 *   files over 32 MiB at blksize 512); internally blocks are 64-bit. */
#pragma once

#include <glib.h>

#include "server/proto/tftp-packet.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 initial_rto_us; /* before the first round-trip sample */
  gint64 min_rto_us;
  gint64 max_rto_us; /* backoff cap */
  guint max_retries; /* timeouts in a row without progress before giving up */
} BcTftpTiming;

/* 1 s first, 100 ms .. 4 s, 6 retries (≈ 15–25 s without any answer). */
void bc_tftp_timing_init_default (BcTftpTiming *timing);

typedef enum
{
  BC_TFTP_SESSION_WAIT_OACK_ACK, /* OACK sent, waiting for ACK 0 */
  BC_TFTP_SESSION_SENDING,       /* DATA windows in flight */
  BC_TFTP_SESSION_DONE,          /* the last block was acknowledged */
  BC_TFTP_SESSION_FAILED,        /* timed out, or the client sent ERROR */
} BcTftpSessionState;

/* What the shell must send now, in this order: @control (OACK) if not NULL, then DATA
 * blocks first_block .. first_block + count - 1 (count <= 2 * windowsize) (1-based, 64-bit; see
 * bc_tftp_session_get_block for where each lives in the file). */
typedef struct
{
  GBytes *control;
  guint64 first_block; /* 0: no DATA */
  guint count;
  gboolean retransmit; /* TRUE when this resends something already sent */
} BcTftpOutput;

void bc_tftp_output_clear (BcTftpOutput *out);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BcTftpOutput, bc_tftp_output_clear)

typedef struct _BcTftpSession BcTftpSession;

/* A transfer of @file_size bytes with the parameters @negotiated decided. @out gets
 * the OACK (when @negotiated has options to acknowledge) or the first window. */
BcTftpSession *bc_tftp_session_new (const BcTftpNegotiated *negotiated, guint64 file_size,
                                    const BcTftpTiming *timing, gint64 now_us, BcTftpOutput *out);
void bc_tftp_session_free (BcTftpSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTftpSession, bc_tftp_session_free)

/* A packet from the client's address and port. ACKs move the transfer; ERROR ends
 * it (FAILED, get_failure says why); anything else is ignored (a malformed packet
 * from our own peer is not worth ending a boot for). Returns the new state. */
BcTftpSessionState bc_tftp_session_receive (BcTftpSession *session, const guint8 *data, gsize len,
                                            gint64 now_us, BcTftpOutput *out);
/* Call at (or after) get_deadline: retransmits or gives up. Harmless when early. */
BcTftpSessionState bc_tftp_session_tick (BcTftpSession *session, gint64 now_us, BcTftpOutput *out);

BcTftpSessionState bc_tftp_session_get_state (const BcTftpSession *session);
/* When tick must be called next (monotonic µs); G_MAXINT64 once DONE or FAILED. */
gint64 bc_tftp_session_get_deadline (const BcTftpSession *session);
/* Where block @index (1-based) is: file offset, payload length, wire block number. */
void bc_tftp_session_get_block (const BcTftpSession *session, guint64 index, guint64 *ret_offset,
                                guint *ret_len, guint16 *ret_wire_block);
guint bc_tftp_session_get_blksize (const BcTftpSession *session);
guint64 bc_tftp_session_get_total_blocks (const BcTftpSession *session);
/* DATA packets sent more than once (timeouts and window restarts). */
guint64 bc_tftp_session_get_retransmits (const BcTftpSession *session);
/* File bytes the client acknowledged. */
guint64 bc_tftp_session_get_bytes_acked (const BcTftpSession *session);
/* Why it FAILED ("timeout after 6 retransmissions", "client error 8: …"), or NULL. */
const char *bc_tftp_session_get_failure (const BcTftpSession *session);
/* The current retransmission timeout (µs), for tests and logs. */
gint64 bc_tftp_session_get_rto (const BcTftpSession *session);

G_END_DECLS
