/* The TFTP session state machine, with injected time: lock-step, OACK, windows,
 * duplicate ACKs, rollover, retransmission backoff and give-up. */
#include <glib.h>

#include "server/proto/tftp-session.h"

#define MS 1000

static BcTftpTiming
timing (void)
{
  BcTftpTiming t;
  bc_tftp_timing_init_default (&t);
  return t;
}

static BcTftpSession *
start (guint blksize, guint windowsize, guint timeout_s, gboolean oack, guint64 size,
       BcTftpOutput *out)
{
  BcTftpNegotiated n = { blksize, windowsize, timeout_s, g_ptr_array_new_with_free_func (NULL) };
  BcTftpTiming t = timing ();
  BcTftpSession *s;
  static BcTftpOption opt = { (char *)"blksize", (char *)"512" };

  if (oack)
    g_ptr_array_add (n.oack, &opt);
  s = bc_tftp_session_new (&n, size, &t, 0, out);
  g_ptr_array_unref (n.oack);
  return s;
}

static BcTftpSessionState
ack (BcTftpSession *s, guint16 block, gint64 now, BcTftpOutput *out)
{
  guint8 p[4] = { 0, 4, block >> 8, block & 0xff };
  return bc_tftp_session_receive (s, p, sizeof p, now, out);
}

static void
test_lockstep (void)
{
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, FALSE, 1024, &out);
  guint64 off;
  guint len;
  guint16 wire;

  /* No options: DATA 1 at once. 1024 bytes = two full blocks + an empty third. */
  g_assert_null (out.control);
  g_assert_cmpuint (out.first_block, ==, 1);
  g_assert_cmpuint (out.count, ==, 1);
  g_assert_cmpuint (bc_tftp_session_get_total_blocks (s), ==, 3);
  bc_tftp_session_get_block (s, 3, &off, &len, &wire);
  g_assert_cmpuint (off, ==, 1024);
  g_assert_cmpuint (len, ==, 0);

  g_assert_cmpint (ack (s, 1, 1 * MS, &out), ==, BC_TFTP_SESSION_SENDING);
  g_assert_cmpuint (out.first_block, ==, 2);
  g_assert_cmpint (ack (s, 2, 2 * MS, &out), ==, BC_TFTP_SESSION_SENDING);
  g_assert_cmpuint (out.first_block, ==, 3);
  g_assert_cmpint (ack (s, 3, 3 * MS, &out), ==, BC_TFTP_SESSION_DONE);
  g_assert_cmpuint (out.count, ==, 0);
  g_assert_cmpuint (bc_tftp_session_get_bytes_acked (s), ==, 1024);
  g_assert_cmpuint (bc_tftp_session_get_retransmits (s), ==, 0);
  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, G_MAXINT64);
}

static void
test_duplicate_ack_ignored (void)
{
  /* RFC 1123 §4.2.3.1: a duplicate ACK must not resend DATA (Sorcerer's Apprentice). */
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, FALSE, 5000, &out);

  ack (s, 1, 1 * MS, &out);
  g_assert_cmpuint (out.first_block, ==, 2);
  ack (s, 1, 2 * MS, &out);
  g_assert_cmpuint (out.count, ==, 0);
  ack (s, 0, 3 * MS, &out); /* stale */
  g_assert_cmpuint (out.count, ==, 0);
  ack (s, 9, 3 * MS, &out); /* from the future */
  g_assert_cmpuint (out.count, ==, 0);
  ack (s, 2, 4 * MS, &out);
  g_assert_cmpuint (out.first_block, ==, 3);
  g_assert_cmpuint (bc_tftp_session_get_retransmits (s), ==, 0);
}

static void
test_oack (void)
{
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, TRUE, 10, &out);
  const guint8 *d;
  gsize len;

  g_assert_nonnull (out.control);
  d = g_bytes_get_data (out.control, &len);
  g_assert_cmpmem (d, len, "\0\6blksize\000512\0", 14);
  g_assert_cmpuint (out.count, ==, 0);
  g_assert_cmpint (bc_tftp_session_get_state (s), ==, BC_TFTP_SESSION_WAIT_OACK_ACK);
  ack (s, 1, 1 * MS, &out); /* not the ACK 0 expected */
  g_assert_cmpuint (out.count, ==, 0);
  /* No answer: OACK again after the initial timeout (1 s). */
  bc_tftp_session_tick (s, 500 * MS, &out);
  g_assert_null (out.control);
  bc_tftp_session_tick (s, 1000 * MS, &out);
  g_assert_nonnull (out.control);
  g_assert_true (out.retransmit);
  g_assert_cmpint (ack (s, 0, 1001 * MS, &out), ==, BC_TFTP_SESSION_SENDING);
  g_assert_cmpuint (out.first_block, ==, 1);
  g_assert_cmpint (ack (s, 1, 1002 * MS, &out), ==, BC_TFTP_SESSION_DONE);
}

static void
test_client_error (void)
{
  /* A client refusing the OACK answers ERROR 8 (RFC 2347). */
  static const guint8 err[] = "\0\5\0\010blksize refused";
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, TRUE, 10, &out);

  g_assert_cmpint (bc_tftp_session_receive (s, err, sizeof err, 5, &out), ==,
                   BC_TFTP_SESSION_FAILED);
  g_assert_cmpstr (bc_tftp_session_get_failure (s), ==, "client error 8: blksize refused");
}

static void
test_rollover (void)
{
  /* 70000 blocks of 8 bytes: block numbers wrap 65535 -> 0 and the transfer goes on. */
  g_auto (BcTftpOutput) out = { 0 };
  guint64 total_blocks = 70000;
  g_autoptr (BcTftpSession) s = start (8, 1, 0, FALSE, (total_blocks - 1) * 8 + 3, &out);
  gint64 now = 0;

  for (guint64 i = 1; i < total_blocks; i++)
    {
      guint64 off;
      guint len;
      guint16 wire;

      g_assert_cmpuint (out.first_block, ==, i);
      bc_tftp_session_get_block (s, i, &off, &len, &wire);
      g_assert_cmpuint (wire, ==, (guint16)(i & 0xffff));
      if (i == 65536)
        g_assert_cmpuint (wire, ==, 0);
      g_assert_cmpint (ack (s, wire, now += 10, &out), ==, BC_TFTP_SESSION_SENDING);
    }
  g_assert_cmpuint (out.first_block, ==, total_blocks);
  g_assert_cmpint (ack (s, (guint16)total_blocks, now += 10, &out), ==, BC_TFTP_SESSION_DONE);
  g_assert_cmpuint (bc_tftp_session_get_bytes_acked (s), ==, (total_blocks - 1) * 8 + 3);
}

static void
test_backoff_and_give_up (void)
{
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, FALSE, 100000, &out);
  BcTftpTiming t = timing ();
  gint64 now = 0, prev_rto = 0;
  guint resends = 0;

  /* Before any round trip: 1 s, doubling, capped at 4 s. */
  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, t.initial_rto_us);
  for (;;)
    {
      gint64 deadline = bc_tftp_session_get_deadline (s);
      gint64 rto = deadline - now;
      BcTftpSessionState st;

      if (deadline == G_MAXINT64)
        break;
      g_assert_cmpint (rto, >=, prev_rto);
      g_assert_cmpint (rto, <=, t.max_rto_us);
      prev_rto = rto;
      /* Early ticks do nothing. */
      bc_tftp_session_tick (s, deadline - 1, &out);
      g_assert_cmpuint (out.count, ==, 0);
      now = deadline;
      st = bc_tftp_session_tick (s, now, &out);
      if (st == BC_TFTP_SESSION_FAILED)
        break;
      g_assert_cmpuint (out.first_block, ==, 1);
      g_assert_true (out.retransmit);
      resends++;
    }
  g_assert_cmpuint (resends, ==, t.max_retries);
  g_assert_cmpint (bc_tftp_session_get_state (s), ==, BC_TFTP_SESSION_FAILED);
  g_assert_nonnull (bc_tftp_session_get_failure (s));
  g_assert_cmpuint (bc_tftp_session_get_retransmits (s), ==, t.max_retries);
  /* 1 + 2 + 4 + 4 + 4 + 4 + 4 s */
  g_assert_cmpint (now, ==, 23 * G_USEC_PER_SEC);
}

static void
test_adaptive_rto (void)
{
  /* Fast round trips bring the timeout down to the floor; progress resets backoff. */
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 0, FALSE, 512 * 100, &out);
  BcTftpTiming t = timing ();
  gint64 now = 0;

  for (guint16 b = 1; b <= 20; b++)
    ack (s, b, now += 50, &out);
  g_assert_cmpint (bc_tftp_session_get_rto (s), ==, t.min_rto_us);
  /* A loss: resend after the floor, then twice that. */
  bc_tftp_session_tick (s, now + t.min_rto_us, &out);
  g_assert_cmpuint (out.first_block, ==, 21);
  now += t.min_rto_us;
  g_assert_cmpint (bc_tftp_session_get_deadline (s) - now, ==, 2 * t.min_rto_us);
  ack (s, 21, now + 10, &out);
  g_assert_cmpuint (out.first_block, ==, 22);
  g_assert_cmpint (bc_tftp_session_get_rto (s), ==, t.min_rto_us);
}

static void
test_negotiated_timeout (void)
{
  /* RFC 2349 timeout 3 s: our timeout adapts below it, and backoff stops at it. */
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 1, 3, FALSE, 10000, &out);

  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, 1 * G_USEC_PER_SEC);
  bc_tftp_session_tick (s, 1 * G_USEC_PER_SEC, &out);
  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, 3 * G_USEC_PER_SEC);
  bc_tftp_session_tick (s, 3 * G_USEC_PER_SEC, &out);
  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, 6 * G_USEC_PER_SEC);
  bc_tftp_session_tick (s, 6 * G_USEC_PER_SEC, &out);
  g_assert_cmpint (bc_tftp_session_get_deadline (s), ==, 9 * G_USEC_PER_SEC);
}

static void
test_window (void)
{
  /* RFC 7440: windows of 4; 20 blocks of 512 + an empty 21st. */
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 4, 0, TRUE, 512 * 20, &out);

  ack (s, 0, 10, &out);
  g_assert_cmpuint (out.first_block, ==, 1);
  g_assert_cmpuint (out.count, ==, 4);
  ack (s, 4, 20, &out);
  g_assert_cmpuint (out.first_block, ==, 5);
  g_assert_cmpuint (out.count, ==, 4);
  g_assert_false (out.retransmit);

  /* Block 7 lost: the client ACKs 6; the window restarts at 7 — once. */
  ack (s, 6, 30, &out);
  g_assert_cmpuint (out.first_block, ==, 7);
  g_assert_cmpuint (out.count, ==, 4);
  g_assert_true (out.retransmit);
  g_assert_cmpuint (bc_tftp_session_get_retransmits (s), ==, 2); /* 7 and 8 again */
  ack (s, 6, 31, &out); /* the client's ACK for the old block 8 */
  g_assert_cmpuint (out.count, ==, 0);
  ack (s, 6, 32, &out);
  g_assert_cmpuint (out.count, ==, 0);

  /* The first block of a window lost: a duplicate of the base restarts once. */
  ack (s, 10, 40, &out);
  g_assert_cmpuint (out.first_block, ==, 11);
  ack (s, 10, 50, &out);
  g_assert_cmpuint (out.first_block, ==, 11);
  g_assert_true (out.retransmit);
  ack (s, 10, 51, &out);
  g_assert_cmpuint (out.count, ==, 0);

  ack (s, 14, 60, &out);
  g_assert_cmpuint (out.first_block, ==, 15);
  ack (s, 18, 70, &out);
  g_assert_cmpuint (out.first_block, ==, 19);
  g_assert_cmpuint (out.count, ==, 3); /* 19, 20, and the empty 21 */
  g_assert_cmpint (ack (s, 21, 80, &out), ==, BC_TFTP_SESSION_DONE);
}

static void
test_window_timeout (void)
{
  g_auto (BcTftpOutput) out = { 0 };
  g_autoptr (BcTftpSession) s = start (512, 8, 0, FALSE, 512 * 100, &out);

  g_assert_cmpuint (out.count, ==, 8);
  ack (s, 3, 100, &out); /* partial: restart at 4 */
  g_assert_cmpuint (out.first_block, ==, 4);
  /* A timeout sends two windows from the first unacknowledged block. */
  bc_tftp_session_tick (s, bc_tftp_session_get_deadline (s), &out);
  g_assert_cmpuint (out.first_block, ==, 4);
  g_assert_cmpuint (out.count, ==, 16);
  g_assert_true (out.retransmit);
  /* The client had 4..11 (only its ACK was lost): it ACKs 19 after the new ones. */
  ack (s, 19, bc_tftp_session_get_deadline (s) - 1, &out);
  g_assert_cmpuint (out.first_block, ==, 20);
  g_assert_cmpuint (out.count, ==, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp-session/lockstep", test_lockstep);
  g_test_add_func ("/tftp-session/duplicate-ack-ignored", test_duplicate_ack_ignored);
  g_test_add_func ("/tftp-session/oack", test_oack);
  g_test_add_func ("/tftp-session/client-error", test_client_error);
  g_test_add_func ("/tftp-session/rollover", test_rollover);
  g_test_add_func ("/tftp-session/backoff-and-give-up", test_backoff_and_give_up);
  g_test_add_func ("/tftp-session/adaptive-rto", test_adaptive_rto);
  g_test_add_func ("/tftp-session/negotiated-timeout", test_negotiated_timeout);
  g_test_add_func ("/tftp-session/window", test_window);
  g_test_add_func ("/tftp-session/window-timeout", test_window_timeout);
  return g_test_run ();
}
