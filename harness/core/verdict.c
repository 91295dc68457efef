/* The judge: see verdict.h. */
#include "harness/core/verdict.h"

#include <string.h>

#include "server/proto/dhcp-fingerprint.h"

#define MAX_DHCP_LINES 40
#define MAX_SERVER_LINES 20

struct _BcJudge
{
  const BcScenario *sc;
  GPtrArray *steps; /* borrowed BcExpectStep* */
  BcVerdict verdict;

  guint cursor;         /* index of the awaited positive step (== steps->len: none left) */
  gint64 last_match_us; /* previous positive match, 0 = VM start */
  gint64 *armed_us;     /* per step: when a never step was armed, G_MININT64 = not yet */
  guint positive_total;

  GQueue console; /* char*, the last BC_JUDGE_CONSOLE_TAIL lines */
  GPtrArray *dhcp_lines;
  GPtrArray *server_lines;

  char *wrapped; /* the previous console line when it filled the 80 columns */
  BcLoopDetector *loops;
  gboolean seen_first_dhcp;
  char *first_fingerprint;
};

/* ---- verdict objects --------------------------------------------------------------- */

static void
step_result_free (BcStepResult *r)
{
  g_free (r->message);
  g_ptr_array_unref (r->console_tail);
  g_ptr_array_unref (r->dhcp_lines);
  g_ptr_array_unref (r->server_reasons);
  g_free (r);
}

static void
verdict_clear (BcVerdict *v)
{
  g_clear_pointer (&v->summary, g_free);
  g_clear_pointer (&v->skip_reason, g_free);
  g_clear_pointer (&v->steps, g_ptr_array_unref);
  g_clear_pointer (&v->loop, bc_loop_hit_free);
}

void
bc_verdict_free (BcVerdict *v)
{
  if (v == NULL)
    return;
  verdict_clear (v);
  g_free (v);
}

const char *
bc_verdict_kind_name (BcVerdictKind kind)
{
  switch (kind)
    {
      case BC_VERDICT_PENDING:
        return "pending";
      case BC_VERDICT_PASS:
        return "pass";
      case BC_VERDICT_FAIL:
        return "fail";
      case BC_VERDICT_SKIP:
        return "skip";
    }
  return "?";
}

/* ---- the judge --------------------------------------------------------------------- */

static gboolean
is_positive (const BcExpectStep *st)
{
  return !st->never;
}

static BcStepResult *
result (BcJudge *j, guint i)
{
  return j->verdict.steps->pdata[i];
}

/* Skip over never steps at the cursor, arming them at @t_us. */
static void
advance_cursor (BcJudge *j, gint64 t_us)
{
  while (j->cursor < j->steps->len && !is_positive (j->steps->pdata[j->cursor]))
    {
      j->armed_us[j->cursor] = t_us;
      j->cursor++;
    }
}

BcJudge *
bc_judge_new (const BcScenario *sc)
{
  BcJudge *j = g_new0 (BcJudge, 1);

  j->sc = sc;
  j->steps = sc->expect->steps;
  j->verdict.kind = BC_VERDICT_PENDING;
  j->verdict.end_us = G_MININT64;
  j->verdict.steps = g_ptr_array_new_with_free_func ((GDestroyNotify)step_result_free);
  j->armed_us = g_new (gint64, j->steps->len + 1);
  for (guint i = 0; i < j->steps->len; i++)
    {
      BcStepResult *r = g_new0 (BcStepResult, 1);
      r->step = j->steps->pdata[i];
      r->state = BC_STEP_PENDING;
      r->t_us = G_MININT64;
      r->console_tail = g_ptr_array_new_with_free_func (g_free);
      r->dhcp_lines = g_ptr_array_new_with_free_func (g_free);
      r->server_reasons = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (j->verdict.steps, r);
      j->armed_us[i] = G_MININT64;
      if (is_positive (r->step))
        j->positive_total++;
    }
  g_queue_init (&j->console);
  j->dhcp_lines = g_ptr_array_new_with_free_func (g_free);
  j->server_lines = g_ptr_array_new_with_free_func (g_free);
  j->loops = bc_loop_detector_new ();
  advance_cursor (j, 0);
  return j;
}

void
bc_judge_free (BcJudge *j)
{
  if (j == NULL)
    return;
  verdict_clear (&j->verdict);
  g_free (j->armed_us);
  g_queue_clear_full (&j->console, g_free);
  g_ptr_array_unref (j->dhcp_lines);
  g_ptr_array_unref (j->server_lines);
  bc_loop_detector_free (j->loops);
  g_free (j->first_fingerprint);
  g_free (j->wrapped);
  g_free (j);
}

gboolean
bc_judge_is_final (const BcJudge *j)
{
  return j->verdict.kind != BC_VERDICT_PENDING;
}

const BcVerdict *
bc_judge_get_verdict (const BcJudge *j)
{
  return &j->verdict;
}

const char *
bc_judge_get_first_fingerprint (const BcJudge *j)
{
  return j->first_fingerprint;
}

static void
push_capped (GPtrArray *a, char *s, guint cap)
{
  if (a->len >= cap)
    g_ptr_array_remove_index (a, 0);
  g_ptr_array_add (a, s);
}

static void
copy_strings (GPtrArray *dst, GPtrArray *src)
{
  for (guint i = 0; i < src->len; i++)
    g_ptr_array_add (dst, g_strdup (src->pdata[i]));
}

/* Attach the diagnostics gathered since the previous match to a failed step. */
static void
attach_diagnostics (BcJudge *j, BcStepResult *r)
{
  for (GList *l = j->console.head; l != NULL; l = l->next)
    g_ptr_array_add (r->console_tail, g_strdup (l->data));
  copy_strings (r->dhcp_lines, j->dhcp_lines);
  copy_strings (r->server_reasons, j->server_lines);
}

static char *
fmt_secs (gint64 t_us)
{
  return g_strdup_printf ("%.2f s", (double)t_us / G_USEC_PER_SEC);
}

/* Make the verdict final: pending never steps passed (not hit), pending positive
 * steps failed ("not reached") unless given a message already. */
static void
finalize (BcJudge *j, BcVerdictKind kind, gint64 t_us, char *summary)
{
  j->verdict.kind = kind;
  j->verdict.end_us = t_us;
  g_free (j->verdict.summary);
  j->verdict.summary = summary;
  for (guint i = 0; i < j->steps->len; i++)
    {
      BcStepResult *r = result (j, i);
      /* A skipped run proves nothing: steps matched before the skip was known (the
       * ROM's banner before its first DHCP request) are skipped too, so that a TAP
       * consumer counts the scenario as skipped, not passed. */
      if (kind == BC_VERDICT_SKIP)
        {
          r->state = BC_STEP_SKIPPED;
          continue;
        }
      if (r->state != BC_STEP_PENDING)
        continue;
      if (!is_positive (r->step))
        r->state = BC_STEP_PASSED;
      else
        {
          r->state = BC_STEP_FAILED;
          if (r->message == NULL)
            r->message = g_strdup ("not reached: an earlier step did not match");
        }
    }
}

/* The awaited step failed with @message (taken): diagnostics, verdict FAIL. */
static void
fail_awaited (BcJudge *j, gint64 t_us, char *message, char *summary)
{
  if (j->cursor < j->steps->len)
    {
      BcStepResult *r = result (j, j->cursor);
      r->state = BC_STEP_FAILED;
      r->t_us = t_us;
      r->message = message;
      attach_diagnostics (j, r);
    }
  else
    g_free (message);
  finalize (j, BC_VERDICT_FAIL, t_us, summary);
}

static gboolean
apply_deadline (BcJudge *j, gint64 now_us)
{
  const BcExpectStep *st;
  gint64 deadline;

  if (bc_judge_is_final (j) || j->cursor >= j->steps->len)
    return FALSE;
  st = j->steps->pdata[j->cursor];
  if (st->within_us == 0)
    return FALSE;
  deadline = j->last_match_us + st->within_us;
  if (now_us <= deadline)
    return FALSE;
  {
    g_autofree char *prev = fmt_secs (j->last_match_us);
    g_autofree char *dl = fmt_secs (deadline);
    fail_awaited (
        j, deadline,
        g_strdup_printf ("not seen within %.2f s of the previous match (at %s): "
                         "deadline %s passed",
                         (double)st->within_us / G_USEC_PER_SEC, prev, dl),
        g_strdup_printf ("step %u '%s' missed its deadline (%s)", j->cursor + 1, st->text, dl));
  }
  return TRUE;
}

gint64
bc_judge_next_deadline (const BcJudge *j)
{
  const BcExpectStep *st;

  if (bc_judge_is_final (j) || j->cursor >= j->steps->len)
    return G_MAXINT64;
  st = j->steps->pdata[j->cursor];
  return st->within_us ? j->last_match_us + st->within_us : G_MAXINT64;
}

gboolean
bc_judge_tick (BcJudge *j, gint64 now_us)
{
  apply_deadline (j, now_us);
  return bc_judge_is_final (j);
}

static char *
server_event_line (const BcEvent *ev)
{
  JsonObject *o, *reason = NULL;
  JsonNode *n;
  GString *s;
  const char *msg = NULL, *reply = NULL, *file = NULL, *text = NULL;

  if (ev->server == NULL || !JSON_NODE_HOLDS_OBJECT (ev->server))
    return NULL;
  o = json_node_get_object (ev->server);
  n = json_object_get_member (o, "type");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || g_strcmp0 (json_node_get_string (n), "dhcp") != 0)
    return NULL;
#define STR(obj, name)                                                                             \
  ((n = json_object_get_member ((obj), (name))) != NULL && JSON_NODE_HOLDS_VALUE (n)               \
           && json_node_get_value_type (n) == G_TYPE_STRING                                        \
       ? json_node_get_string (n)                                                                  \
       : NULL)
  msg = STR (o, "msg");
  reply = STR (o, "reply");
  file = STR (o, "file");
  n = json_object_get_member (o, "reason");
  if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
    reason = json_node_get_object (n);
  s = g_string_new (NULL);
  g_string_append_printf (s, "%.2f %s -> %s", (double)ev->t_us / G_USEC_PER_SEC, msg ? msg : "?",
                          reply ? reply : "no reply");
  if (file != NULL)
    g_string_append_printf (s, " file=%s", file);
  if (reason != NULL)
    {
      text = STR (reason, "text");
      if (text != NULL)
        g_string_append_printf (s, ": %s", text);
      if (STR (reason, "filename") != NULL)
        g_string_append_printf (s, " [filename from %s]", STR (reason, "filename"));
      n = json_object_get_member (reason, "trace");
      if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
        {
          JsonArray *a = json_node_get_array (n);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *e = json_array_get_element (a, i);
              if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
                g_string_append_printf (s, "%s%s", i ? "; " : " trace: ", json_node_get_string (e));
            }
        }
    }
#undef STR
  return g_string_free (s, FALSE);
}

static void
record_diagnostics (BcJudge *j, const BcEvent *ev)
{
  switch (ev->kind)
    {
      case BC_EVENT_CONSOLE:
        g_queue_push_tail (&j->console, g_strdup (ev->text ? ev->text : ""));
        while (j->console.length > BC_JUDGE_CONSOLE_TAIL)
          g_free (g_queue_pop_head (&j->console));
        break;
      case BC_EVENT_DHCP:
        if (ev->dhcp != NULL)
          {
            g_autofree char *sum = bc_event_dhcp_summary (ev->dhcp);
            push_capped (j->dhcp_lines,
                         g_strdup_printf ("%.2f %s", (double)ev->t_us / G_USEC_PER_SEC, sum),
                         MAX_DHCP_LINES);
          }
        break;
      case BC_EVENT_SERVER:
        {
          char *line = server_event_line (ev);
          if (line != NULL)
            push_capped (j->server_lines, line, MAX_SERVER_LINES);
        }
        break;
      default:
        break;
    }
}

static void
check_require (BcJudge *j, const BcEvent *ev)
{
  g_autoptr (BcDhcpFingerprint) fp = NULL;
  const BcExpectCond *failed = NULL;
  GPtrArray *conds = j->sc->require_first_dhcp;

  if (j->seen_first_dhcp || ev->kind != BC_EVENT_DHCP || ev->dhcp == NULL
      || ev->dhcp->op != BC_DHCP_OP_BOOTREQUEST)
    return;
  j->seen_first_dhcp = TRUE;
  fp = bc_dhcp_fingerprint_new (ev->dhcp);
  j->first_fingerprint = bc_dhcp_fingerprint_describe (fp);
  if (conds == NULL || conds->len == 0 || bc_expect_conds_match (conds, ev->dhcp, &failed))
    return;
  {
    g_autofree char *why = bc_expect_cond_explain (failed, ev->dhcp);
    g_autofree char *sum = bc_event_dhcp_summary (ev->dhcp);

    g_free (j->verdict.skip_reason);
    j->verdict.skip_reason = g_strdup_printf (
        "this host's firmware does not fit the story: the first DHCP request does not meet "
        "[require] first-dhcp = %s (%s; %s; fingerprint: %s)",
        j->sc->require_first_dhcp_text ? j->sc->require_first_dhcp_text : "", why, sum,
        j->first_fingerprint);
    finalize (j, BC_VERDICT_SKIP, ev->t_us, g_strdup (j->verdict.skip_reason));
  }
}

#define CONSOLE_COLUMNS 80

/* iPXE breaks its console output at 80 columns ("… Firmware -- http" / "://ipxe.org"):
 * a console step also matches the previous line, when it was exactly 80 characters,
 * joined with this one. */
static gboolean
step_matches (BcJudge *j, const BcExpectStep *st, const BcEvent *ev)
{
  if (bc_expect_step_match_event (st, ev))
    return TRUE;
  if (st->kind == BC_EXPECT_CONSOLE && ev->kind == BC_EVENT_CONSOLE && j->wrapped != NULL
      && ev->text != NULL)
    {
      g_autofree char *joined = g_strconcat (j->wrapped, ev->text, NULL);
      return g_regex_match (st->regex, joined, G_REGEX_MATCH_DEFAULT, NULL);
    }
  return FALSE;
}

static void
remember_wrap (BcJudge *j, const BcEvent *ev)
{
  if (ev->kind != BC_EVENT_CONSOLE)
    return;
  g_clear_pointer (&j->wrapped, g_free);
  if (ev->text != NULL && g_utf8_validate (ev->text, -1, NULL)
      && g_utf8_strlen (ev->text, -1) == CONSOLE_COLUMNS)
    j->wrapped = g_strdup (ev->text);
}

/* The never steps armed at @t: the first one @ev hits fails the run. */
static void
check_never (BcJudge *j, const BcEvent *ev)
{
  for (guint i = 0; i < j->cursor && i < j->steps->len; i++)
    {
      const BcExpectStep *st = j->steps->pdata[i];
      BcStepResult *r;

      if (is_positive (st) || j->armed_us[i] == G_MININT64)
        continue;
      if (st->within_us != 0 && ev->t_us > j->armed_us[i] + st->within_us)
        continue;
      if (!step_matches (j, st, ev))
        continue;
      r = result (j, i);
      r->state = BC_STEP_FAILED;
      r->t_us = ev->t_us;
      {
        g_autofree char *line = bc_event_format_line (ev);
        g_autofree char *at = fmt_secs (ev->t_us);
        g_strstrip (line);
        r->message = g_strdup_printf ("seen at %s, which `never` forbids: %s", at, line);
        attach_diagnostics (j, r);
        if (j->cursor < j->steps->len)
          {
            BcStepResult *aw = result (j, j->cursor);
            aw->message = g_strdup_printf ("not reached: the run stopped at %s (step %u, '%s', "
                                           "was hit)",
                                           at, i + 1, st->text);
          }
        finalize (j, BC_VERDICT_FAIL, ev->t_us,
                  g_strdup_printf ("forbidden step %u '%s' happened at %s", i + 1, st->text, at));
      }
      return;
    }
}

/* The why of a loop, for a loop that fails the run and for one the scenario expects:
 * which client, which file, how often, the unchanged fingerprint, the server's reason
 * (config line and branch). */
static char *
describe_loop (const BcLoopHit *hit, gint64 t_us)
{
  g_autofree char *first = fmt_secs (hit->first_us);
  g_autofree char *at = fmt_secs (t_us);

  return g_strdup_printf ("%s was handed '%s' %u times (%s to %s) with an unchanged DHCP "
                          "fingerprint (%s)%s%s",
                          hit->chaddr, hit->file, hit->count, first, at, hit->fingerprint_text,
                          hit->server_reason ? "; the server's reason: " : "",
                          hit->server_reason ? hit->server_reason : "");
}

static void
matched (BcJudge *j, gint64 t_us)
{
  BcStepResult *r = result (j, j->cursor);

  r->state = BC_STEP_PASSED;
  r->t_us = t_us;
  j->last_match_us = t_us;
  g_ptr_array_set_size (j->dhcp_lines, 0);
  g_ptr_array_set_size (j->server_lines, 0);
  j->cursor++;
  advance_cursor (j, t_us);
  if (j->cursor >= j->steps->len)
    {
      g_autofree char *at = fmt_secs (t_us);
      g_autofree char *loop_note = NULL;
      if (j->verdict.loop != NULL)
        {
          g_autofree char *why = describe_loop (j->verdict.loop, t_us);
          loop_note = g_strdup_printf (" (the expected boot loop: %s)", why);
        }
      finalize (j, BC_VERDICT_PASS, t_us,
                g_strdup_printf ("all %u steps matched in %s%s", j->positive_total, at,
                                 loop_note ? loop_note : ""));
    }
}

static const BcExpectStep *
loop_step_for (BcJudge *j, const char *file)
{
  for (guint i = 0; i < j->steps->len; i++)
    {
      const BcExpectStep *st = j->steps->pdata[i];
      if (st->kind == BC_EXPECT_LOOP && g_pattern_match_simple (st->file, file))
        return st;
    }
  return NULL;
}

static void
handle_loop_hit (BcJudge *j, BcLoopHit *hit_in, gint64 t_us)
{
  g_autoptr (BcLoopHit) hit = hit_in;
  const BcExpectStep *expected = loop_step_for (j, hit->file);

  if (expected != NULL)
    {
      const BcExpectStep *aw = j->cursor < j->steps->len ? j->steps->pdata[j->cursor] : NULL;
      if (aw != NULL && aw->kind == BC_EXPECT_LOOP && g_pattern_match_simple (aw->file, hit->file)
          && hit->count >= aw->count)
        {
          g_clear_pointer (&j->verdict.loop, bc_loop_hit_free);
          j->verdict.loop = g_steal_pointer (&hit);
          matched (j, t_us);
        }
      return;
    }
  if (hit->count < j->sc->loop_limit)
    return;
  {
    g_autofree char *why = describe_loop (hit, t_us);
    char *msg = g_strdup_printf ("boot loop: %s", why);
    char *summary = g_strdup_printf ("boot loop: %s handed '%s' %u times (loop-limit %u), "
                                     "fingerprint unchanged: %s",
                                     hit->chaddr, hit->file, hit->count, j->sc->loop_limit,
                                     hit->fingerprint_text);
    g_clear_pointer (&j->verdict.loop, bc_loop_hit_free);
    j->verdict.loop = g_steal_pointer (&hit);
    fail_awaited (j, t_us, msg, summary);
  }
}

gboolean
bc_judge_feed (BcJudge *j, const BcEvent *ev)
{
  if (bc_judge_is_final (j))
    return TRUE;
  if (apply_deadline (j, ev->t_us))
    return TRUE;

  record_diagnostics (j, ev);
  if (ev->kind == BC_EVENT_SERVER)
    bc_loop_detector_feed_server (j->loops, ev->server);
  check_require (j, ev);
  if (bc_judge_is_final (j))
    return TRUE;
  check_never (j, ev);
  if (bc_judge_is_final (j))
    return TRUE;

  if (j->cursor < j->steps->len && step_matches (j, j->steps->pdata[j->cursor], ev))
    {
      matched (j, ev->t_us);
      if (bc_judge_is_final (j))
        {
          remember_wrap (j, ev);
          return TRUE;
        }
    }
  remember_wrap (j, ev);

  if (ev->kind == BC_EVENT_DHCP && ev->dhcp != NULL)
    {
      BcLoopHit *hit = bc_loop_detector_feed_dhcp (j->loops, ev->dhcp, ev->t_us);
      if (hit != NULL)
        handle_loop_hit (j, hit, ev->t_us);
    }
  return bc_judge_is_final (j);
}

gboolean
bc_judge_feed_config_check (BcJudge *j, const char *output, gboolean refused, gint64 now_us)
{
  g_auto (GStrv) lines = g_strsplit (output ? output : "", "\n", -1);

  if (bc_judge_is_final (j))
    return TRUE;
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      push_capped (j->server_lines, g_strdup (lines[i]), MAX_SERVER_LINES);
  if (!refused)
    {
      fail_awaited (j, now_us,
                    g_strdup ("the server accepted dhcpd.conf (expected it to refuse it)"),
                    g_strdup ("the server accepted dhcpd.conf"));
      return TRUE;
    }
  for (guint i = 0; lines[i] != NULL && !bc_judge_is_final (j); i++)
    {
      const BcExpectStep *aw = j->cursor < j->steps->len ? j->steps->pdata[j->cursor] : NULL;
      if (aw != NULL && bc_expect_step_match_config_line (aw, lines[i]))
        matched (j, now_us);
    }
  return bc_judge_is_final (j);
}

void
bc_judge_finish (BcJudge *j, gint64 now_us, const char *why)
{
  if (bc_judge_is_final (j))
    return;
  if (apply_deadline (j, now_us))
    return;
  if (j->cursor >= j->steps->len)
    {
      g_autofree char *at = fmt_secs (now_us);
      finalize (
          j, BC_VERDICT_PASS, now_us,
          g_strdup_printf ("no forbidden step happened before the run ended (%s) at %s", why, at));
      return;
    }
  {
    const BcExpectStep *st = j->steps->pdata[j->cursor];
    g_autofree char *at = fmt_secs (now_us);
    fail_awaited (
        j, now_us, g_strdup_printf ("not seen before the run ended (%s) at %s", why, at),
        g_strdup_printf ("step %u '%s' did not happen (%s)", j->cursor + 1, st->text, why));
  }
}

void
bc_judge_skip (BcJudge *j, gint64 now_us, const char *reason)
{
  if (bc_judge_is_final (j))
    return;
  g_free (j->verdict.skip_reason);
  j->verdict.skip_reason = g_strdup (reason);
  finalize (j, BC_VERDICT_SKIP, now_us, g_strdup (reason));
}
