/* A TFTP read transfer as a pure state machine. See tftp-session.h for the rules. */
#include "server/proto/tftp-session.h"

struct _BcTftpSession
{
  BcTftpSessionState state;
  BcTftpTiming timing;
  guint blksize, windowsize;
  /* > 0: the RFC 2349 timeout the client asked for. It is the client's own
   * retransmission interval; ours adapts below it (curl asks for 6 s: waiting that
   * long on every lost packet would make a lossy link crawl, and a DATA sent early
   * costs the client only a duplicate it ignores). It caps our backoff. */
  gint64 fixed_rto_us;
  guint64 file_size;
  guint64 total_blocks;
  GBytes *oack; /* kept for retransmission */

  guint64 acked;        /* highest block the client acknowledged (0: none) */
  guint64 sent_upto;    /* last block of the window in flight */
  guint64 restarted_at; /* window restarted by a duplicate ACK of this base (G_MAXUINT64: none) */
  gboolean window_resent;
  gint64 window_sent_us;
  gint64 deadline_us;
  guint retries; /* timeouts in a row without progress */

  gboolean have_rtt;
  gint64 srtt_us, rttvar_us;

  guint64 retransmits;
  char *failure;
};

void
bc_tftp_timing_init_default (BcTftpTiming *timing)
{
  timing->initial_rto_us = G_USEC_PER_SEC;
  timing->min_rto_us = 100 * 1000;
  timing->max_rto_us = 4 * G_USEC_PER_SEC;
  timing->max_retries = 6;
}

void
bc_tftp_output_clear (BcTftpOutput *out)
{
  g_clear_pointer (&out->control, g_bytes_unref);
  out->first_block = 0;
  out->count = 0;
  out->retransmit = FALSE;
}

/* The base timeout before backoff: the negotiated one, or RFC 6298's
 * SRTT + 4 RTTVAR clamped to [min, max]. */
static gint64
base_rto (const BcTftpSession *s)
{
  gint64 rto;

  if (!s->have_rtt)
    rto = s->timing.initial_rto_us;
  else
    rto = CLAMP (s->srtt_us + MAX (4 * s->rttvar_us, 1000), s->timing.min_rto_us,
                 s->timing.max_rto_us);
  return s->fixed_rto_us > 0 ? MIN (rto, s->fixed_rto_us) : rto;
}

gint64
bc_tftp_session_get_rto (const BcTftpSession *s)
{
  gint64 rto = base_rto (s);
  gint64 cap = s->fixed_rto_us > 0 ? s->fixed_rto_us : s->timing.max_rto_us;

  /* Exponential backoff up to the cap: our own, or the negotiated RFC 2349 timeout. */
  for (guint i = 0; i < s->retries && rto < cap; i++)
    rto *= 2;
  return MIN (rto, MAX (cap, base_rto (s)));
}

static void
rtt_sample (BcTftpSession *s, gint64 r)
{
  if (r < 0)
    r = 0;
  if (!s->have_rtt)
    {
      s->srtt_us = r;
      s->rttvar_us = r / 2;
      s->have_rtt = TRUE;
      return;
    }
  s->rttvar_us = (3 * s->rttvar_us + ABS (s->srtt_us - r)) / 4;
  s->srtt_us = (7 * s->srtt_us + r) / 8;
}

static void
send_blocks (BcTftpSession *s, guint64 first, guint count, gboolean resend, gint64 now_us,
             BcTftpOutput *out)
{
  guint64 last = MIN (first + count - 1, s->total_blocks);

  out->first_block = first;
  out->count = (guint)(last - first + 1);
  /* Anything at or below what was already sent goes out a second time. */
  if (first <= s->sent_upto)
    {
      guint64 again = MIN (last, s->sent_upto) - first + 1;
      s->retransmits += again;
      out->retransmit = TRUE;
      resend = TRUE;
    }
  s->sent_upto = last;
  s->window_resent = resend;
  s->window_sent_us = now_us;
  s->deadline_us = now_us + bc_tftp_session_get_rto (s);
}

static void
send_window (BcTftpSession *s, guint64 first, gboolean resend, gint64 now_us, BcTftpOutput *out)
{
  send_blocks (s, first, s->windowsize, resend, now_us, out);
}

BcTftpSession *
bc_tftp_session_new (const BcTftpNegotiated *negotiated, guint64 file_size,
                     const BcTftpTiming *timing, gint64 now_us, BcTftpOutput *out)
{
  BcTftpSession *s = g_new0 (BcTftpSession, 1);

  bc_tftp_output_clear (out);
  s->timing = *timing;
  s->blksize = MAX (negotiated->blksize, BC_TFTP_MIN_BLKSIZE);
  s->windowsize = MAX (negotiated->windowsize, 1);
  s->fixed_rto_us = (gint64)negotiated->timeout_s * G_USEC_PER_SEC;
  s->file_size = file_size;
  /* The last block is shorter than blksize, possibly empty (RFC 1350 §6). */
  s->total_blocks = file_size / s->blksize + 1;
  s->restarted_at = G_MAXUINT64;

  if (negotiated->oack != NULL && negotiated->oack->len > 0)
    {
      g_autoptr (BcTftpPacket) p = bc_tftp_packet_new (BC_TFTP_OP_OACK);
      for (guint i = 0; i < negotiated->oack->len; i++)
        {
          const BcTftpOption *o = negotiated->oack->pdata[i];
          bc_tftp_packet_add_option (p, o->name, o->value);
        }
      s->oack = bc_tftp_packet_build (p);
      s->state = BC_TFTP_SESSION_WAIT_OACK_ACK;
      out->control = g_bytes_ref (s->oack);
      s->window_sent_us = now_us;
      s->deadline_us = now_us + bc_tftp_session_get_rto (s);
    }
  else
    {
      s->state = BC_TFTP_SESSION_SENDING;
      send_window (s, 1, FALSE, now_us, out);
    }
  return s;
}

void
bc_tftp_session_free (BcTftpSession *session)
{
  if (session == NULL)
    return;
  g_clear_pointer (&session->oack, g_bytes_unref);
  g_free (session->failure);
  g_free (session);
}

static void
fail (BcTftpSession *s, char *why)
{
  s->state = BC_TFTP_SESSION_FAILED;
  g_free (s->failure);
  s->failure = why;
  s->deadline_us = G_MAXINT64;
}

/* The 64-bit block an ACK's 16-bit number means: the highest one not above the last
 * block sent whose low 16 bits match (block numbers roll over 65535 -> 0). */
static guint64
unwrap_block (guint64 sent_upto, guint16 wire)
{
  return sent_upto - (guint16)((guint16)sent_upto - wire);
}

static void
on_ack (BcTftpSession *s, guint16 wire, gint64 now_us, BcTftpOutput *out)
{
  guint64 ack;

  if (s->state == BC_TFTP_SESSION_WAIT_OACK_ACK)
    {
      /* RFC 2347: the client confirms the OACK with ACK 0. */
      if (wire != 0)
        return;
      if (!s->window_resent)
        rtt_sample (s, now_us - s->window_sent_us);
      s->state = BC_TFTP_SESSION_SENDING;
      s->retries = 0;
      send_window (s, 1, FALSE, now_us, out);
      return;
    }

  ack = unwrap_block (s->sent_upto, wire);
  if (ack > s->sent_upto || ack + 65536 <= s->sent_upto || ack < s->acked)
    return; /* stale (an earlier window) or nonsense */

  if (ack == s->acked)
    {
      /* A duplicate. Lock-step: never answer it (Sorcerer's Apprentice). Windows:
       * the client says which block it is missing; restart once from this base. */
      if (s->windowsize == 1 || s->restarted_at == ack || s->sent_upto == ack)
        return;
      s->restarted_at = ack;
      send_window (s, ack + 1, TRUE, now_us, out);
      return;
    }

  /* Progress. */
  if (ack == s->sent_upto && !s->window_resent)
    rtt_sample (s, now_us - s->window_sent_us);
  s->acked = ack;
  s->retries = 0;
  if (ack == s->total_blocks)
    {
      s->state = BC_TFTP_SESSION_DONE;
      s->deadline_us = G_MAXINT64;
      return;
    }
  if (ack < s->sent_upto)
    {
      /* A partial window: the rest (or some of it) was lost. Resend from here once;
       * further duplicates of this ACK (one per out-of-order block) are ignored. */
      s->restarted_at = ack;
      send_window (s, ack + 1, TRUE, now_us, out);
      return;
    }
  send_window (s, ack + 1, FALSE, now_us, out);
}

BcTftpSessionState
bc_tftp_session_receive (BcTftpSession *s, const guint8 *data, gsize len, gint64 now_us,
                         BcTftpOutput *out)
{
  guint16 block;

  bc_tftp_output_clear (out);
  if (s->state == BC_TFTP_SESSION_DONE || s->state == BC_TFTP_SESSION_FAILED)
    return s->state;

  if (bc_tftp_packet_peek_ack (data, len, &block))
    {
      on_ack (s, block, now_us, out);
      return s->state;
    }
  if (len >= 4 && data[0] == 0 && data[1] == BC_TFTP_OP_ERROR)
    {
      g_autoptr (BcTftpPacket) p = NULL;
      if (bc_tftp_packet_parse (data, len, &p, NULL))
        fail (s, g_strdup_printf ("client error %u: %s", p->error_code, p->error_message));
      return s->state;
    }
  return s->state;
}

BcTftpSessionState
bc_tftp_session_tick (BcTftpSession *s, gint64 now_us, BcTftpOutput *out)
{
  bc_tftp_output_clear (out);
  if (s->state == BC_TFTP_SESSION_DONE || s->state == BC_TFTP_SESSION_FAILED)
    return s->state;
  if (now_us < s->deadline_us)
    return s->state;

  if (s->retries >= s->timing.max_retries)
    {
      /* A client whose last ACK was lost has the whole file and is gone: say so, as
       * this is the common way for a good transfer to end without a "complete". */
      if (s->state == BC_TFTP_SESSION_SENDING && s->sent_upto == s->total_blocks)
        fail (s, g_strdup_printf ("timeout: the final ACK never came after %u retransmissions "
                                  "(every block was sent; the client may have the file)",
                                  s->retries));
      else
        fail (s, g_strdup_printf ("timeout: no answer after %u retransmissions", s->retries));
      return s->state;
    }
  s->retries++;
  if (s->state == BC_TFTP_SESSION_WAIT_OACK_ACK)
    {
      out->control = g_bytes_ref (s->oack);
      out->retransmit = TRUE;
      s->retransmits++;
      s->window_resent = TRUE;
      s->window_sent_us = now_us;
      s->deadline_us = now_us + bc_tftp_session_get_rto (s);
      return s->state;
    }
  if (s->windowsize == 1)
    {
      send_window (s, s->acked + 1, TRUE, now_us, out);
      return s->state;
    }
  /* Windows: the window again, and the next one after it. When only the ACK that
   * closed the window was lost, the client has every block we would resend, and
   * atftp 0.8 (RFC 7440 client) answers duplicates with nothing, not even after its
   * own timeout: only new blocks make it ACK again. When blocks were lost, the
   * client ACKs the last one it has in order and the window restarts there. */
  s->restarted_at = G_MAXUINT64;
  send_blocks (s, s->acked + 1, 2 * s->windowsize, TRUE, now_us, out);
  return s->state;
}

BcTftpSessionState
bc_tftp_session_get_state (const BcTftpSession *s)
{
  return s->state;
}

gint64
bc_tftp_session_get_deadline (const BcTftpSession *s)
{
  if (s->state == BC_TFTP_SESSION_DONE || s->state == BC_TFTP_SESSION_FAILED)
    return G_MAXINT64;
  return s->deadline_us;
}

void
bc_tftp_session_get_block (const BcTftpSession *s, guint64 index, guint64 *ret_offset,
                           guint *ret_len, guint16 *ret_wire_block)
{
  guint64 offset = (index - 1) * s->blksize;

  *ret_offset = offset;
  *ret_len = offset >= s->file_size ? 0 : (guint)MIN ((guint64)s->blksize, s->file_size - offset);
  *ret_wire_block = (guint16)index;
}

guint
bc_tftp_session_get_blksize (const BcTftpSession *s)
{
  return s->blksize;
}

guint64
bc_tftp_session_get_total_blocks (const BcTftpSession *s)
{
  return s->total_blocks;
}

guint64
bc_tftp_session_get_retransmits (const BcTftpSession *s)
{
  return s->retransmits;
}

guint64
bc_tftp_session_get_bytes_acked (const BcTftpSession *s)
{
  return MIN (s->acked * s->blksize, s->file_size);
}

const char *
bc_tftp_session_get_failure (const BcTftpSession *s)
{
  return s->failure;
}
