/* Fuzz the TFTP codec, negotiation and session state machine (all pure):
 * parse any bytes; what parses must build and parse back to the same packet; a RRQ
 * is negotiated against limits taken from the input, and the rest of the input
 * drives a session as a sequence of ACKs, ERRORs and timer ticks, checking that
 * what it asks to send always lies inside the file. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "server/proto/tftp-packet.h"
#include "server/proto/tftp-session.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_output (const BcTftpSession *s, const BcTftpOutput *out)
{
  guint64 total = bc_tftp_session_get_total_blocks (s);

  if (out->count == 0)
    return;
  g_assert_cmpuint (out->first_block, >=, 1);
  g_assert_cmpuint (out->first_block + out->count - 1, <=, total);
}

static void
drive_session (const BcTftpPacket *rrq, const guint8 *data, gsize size)
{
  BcTftpLimits limits = { 8 + (size > 0 ? data[0] * 16 : 1460), 1 + (size > 1 ? data[1] % 16 : 0),
                          size > 2 ? (guint64)data[2] * 37 : 0 };
  g_auto (BcTftpNegotiated) n = { 0 };
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = NULL;
  BcTftpTiming timing;
  gint64 now = 0;

  bc_tftp_timing_init_default (&timing);
  bc_tftp_negotiate (rrq, &limits, &n);
  g_assert_cmpuint (n.blksize, >=, 8);
  g_assert_cmpuint (n.blksize, <=, MAX (limits.max_blksize, 512));
  g_assert_cmpuint (n.windowsize, >=, 1);
  g_assert_cmpuint (n.windowsize, <=, limits.max_windowsize);
  s = bc_tftp_session_new (&n, limits.file_size, &timing, now, &out);
  check_output (s, &out);
  for (gsize i = 3; i + 2 < size; i += 3)
    {
      guint8 ack[4] = { 0, BC_TFTP_OP_ACK, data[i + 1], data[i + 2] };
      BcTftpSessionState st;

      switch (data[i] % 4)
        {
          case 0: /* tick at the deadline */
            now = MAX (now, bc_tftp_session_get_deadline (s) == G_MAXINT64
                                ? now
                                : bc_tftp_session_get_deadline (s));
            st = bc_tftp_session_tick (s, now, &out);
            break;
          case 1: /* an ACK, small block numbers (the ones that matter) */
            ack[2] = 0;
            G_GNUC_FALLTHROUGH;
          case 2: /* an ACK, any block number */
            now += data[i];
            st = bc_tftp_session_receive (s, ack, sizeof ack, now, &out);
            break;
          default: /* the raw bytes as a packet */
            st = bc_tftp_session_receive (s, data + i, 3, now, &out);
            break;
        }
      check_output (s, &out);
      g_assert_cmpuint (bc_tftp_session_get_bytes_acked (s), <=, limits.file_size);
      if (st == BC_TFTP_SESSION_DONE)
        g_assert_cmpuint (bc_tftp_session_get_bytes_acked (s), ==, limits.file_size);
      if (st == BC_TFTP_SESSION_DONE || st == BC_TFTP_SESSION_FAILED)
        break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BcTftpPacket) p = NULL;
  g_autoptr (BcTftpPacket) q = NULL;
  g_autoptr (GBytes) built = NULL;
  guint16 block;

  (void)bc_tftp_packet_peek_ack (data, size, &block);
  if (!bc_tftp_packet_parse (data, size, &p, NULL))
    return 0;
  built = bc_tftp_packet_build (p);
  g_assert_true (
      bc_tftp_packet_parse (g_bytes_get_data (built, NULL), g_bytes_get_size (built), &q, NULL));
  g_assert_cmpint (p->opcode, ==, q->opcode);
  g_assert_cmpuint (p->options->len, ==, q->options->len);
  if (p->opcode == BC_TFTP_OP_RRQ)
    {
      g_assert_cmpstr (p->filename, ==, q->filename);
      drive_session (p, data, size);
    }
  return 0;
}
