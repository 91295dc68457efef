/* The judge: feeds a run's timeline through a scenario's expectations, incrementally,
 * and produces the verdict. Pure: time comes from the events and from the caller's
 * @now_us arguments (microseconds since VM start, the timeline's clock).
 *
 * Use (the shell):
 *   judge = bc_judge_new (scenario);
 *   for each event, in time order:  bc_judge_feed (judge, ev);
 *                                    if (bc_judge_is_final (judge)) stop the run;
 *   when idle, wake up by bc_judge_next_deadline () and call bc_judge_tick (judge, now);
 *   at timeout / VM stopped / server exit: bc_judge_finish (judge, now, "timeout after 120 s");
 *   verdict = bc_judge_get_verdict (judge);  -> tap.h
 * For expect-config-error scenarios (no VM): bc_judge_feed_config_check () with the
 * server's --check output, then bc_judge_finish ().
 *
 * Rules:
 *  - Positive steps match in order, each after the previous match; one event satisfies
 *    at most one positive step. All positive steps matched -> PASS at once (the run
 *    can stop without waiting for the VM to stop).
 *  - `never` steps are armed once every step before them has matched; a hit -> FAIL
 *    at once. With `within S`, they disarm S seconds after arming.
 *  - `within S`: the awaited step fails (FAIL at once) when S seconds pass after the
 *    previous match (an event or a tick later than the deadline).
 *  - Loop detection (loop-detect.h) is always on: the same client with an unchanged
 *    fingerprint handed the same file loop-limit times -> FAIL at once naming the file,
 *    the fingerprint and bootserv's reason; unless a `loop FILE >= N` step names that
 *    file (glob), in which case that step matches when the count reaches N (and the
 *    loop-limit does not fail the run for that file).
 *  - [require] first-dhcp: the first client DHCP packet must meet the conds, else SKIP
 *    at once with the reason (the story needs another ROM than this host's).
 *  - bc_judge_finish: unmatched positive steps fail with diagnostics (the first
 *    one awaited gets the full block: last console lines, DHCP packets since the
 *    previous match, server reasons; the later ones "not reached").
 *  - Console steps also match a line joined to the previous one when that one was
 *    exactly 80 characters: iPXE breaks its output at 80 columns.
 *  - A SKIP verdict marks every step skipped, also those matched before it: a
 *    skipped run proves nothing, and TAP consumers must count it as skipped. */
#pragma once

#include <glib.h>

#include "harness/core/expect.h"
#include "harness/core/loop-detect.h"
#include "harness/core/scenario.h"
#include "harness/core/timeline.h"

G_BEGIN_DECLS

typedef enum
{
  BC_VERDICT_PENDING, /* not final yet */
  BC_VERDICT_PASS,
  BC_VERDICT_FAIL,
  BC_VERDICT_SKIP,
} BcVerdictKind;

typedef enum
{
  BC_STEP_PENDING, /* only while the verdict is PENDING */
  BC_STEP_PASSED,  /* positive step matched, or never step not hit */
  BC_STEP_FAILED,
  BC_STEP_SKIPPED, /* verdict SKIP */
} BcStepState;

#define BC_JUDGE_CONSOLE_TAIL 20

typedef struct
{
  const BcExpectStep *step; /* borrowed from the scenario's BcExpect */
  BcStepState state;
  gint64 t_us;   /* when it matched, or failed; G_MININT64 when neither */
  char *message; /* FAILED: one line why ("not seen before timeout after 120 s",
                    "seen at 12.30 s, forbidden by `never`", …); NULL otherwise */
  /* FAILED with diagnostics (the step that was awaited or the never step hit),
   * else empty. Each is a GPtrArray of char*, never NULL. */
  GPtrArray *console_tail;   /* the last console lines (<= BC_JUDGE_CONSOLE_TAIL) */
  GPtrArray *dhcp_lines;     /* decoded DHCP packets since the previous match, one line each */
  GPtrArray *server_reasons; /* bootserv decisions since the previous match: "text (trace …)" */
} BcStepResult;

typedef struct
{
  BcVerdictKind kind;
  char *summary;     /* one sentence: "all 8 steps matched in 7.52 s", "boot loop: …" */
  char *skip_reason; /* SKIP */
  gint64 end_us;     /* when the verdict became final */
  GPtrArray *steps;  /* of BcStepResult*, one per expect step, file order */
  BcLoopHit *loop;   /* the loop that stopped (or, if expected, satisfied) the run; or NULL */
} BcVerdict;

void bc_verdict_free (BcVerdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcVerdict, bc_verdict_free)
const char *bc_verdict_kind_name (BcVerdictKind kind); /* "pending", "pass", "fail", "skip" */

typedef struct _BcJudge BcJudge;

/* @sc is borrowed and must outlive the judge. */
BcJudge *bc_judge_new (const BcScenario *sc);
void bc_judge_free (BcJudge *judge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcJudge, bc_judge_free)

/* Feed one event (borrowed; the judge copies what it keeps). Events after the
 * verdict became final are ignored. Returns bc_judge_is_final(). */
gboolean bc_judge_feed (BcJudge *judge, const BcEvent *ev);

/* The server's --check output (for expect-config-error scenarios): every line is
 * matched against the `config-error` steps, in order. @refused: the server exited
 * non-zero. When !refused, config-error steps fail ("the server accepted dhcpd.conf"). */
gboolean bc_judge_feed_config_check (BcJudge *judge, const char *output, gboolean refused,
                                     gint64 now_us);

/* Time passes without events: applies `within` deadlines up to @now_us. */
gboolean bc_judge_tick (BcJudge *judge, gint64 now_us);

/* The earliest time at which a tick could change something (a `within` deadline),
 * or G_MAXINT64. */
gint64 bc_judge_next_deadline (const BcJudge *judge);

gboolean bc_judge_is_final (const BcJudge *judge);

/* End of run (@why: "timeout after 120 s", "VM stopped"): unmatched positive steps
 * fail with diagnostics, never steps not hit pass. Idempotent once final. */
void bc_judge_finish (BcJudge *judge, gint64 now_us, const char *why);

/* The shell decided to skip before or during the run (a required image is missing,
 * the host cannot run the firmware, …): SKIP verdict with @reason (say what to
 * install or provide). No effect once final. */
void bc_judge_skip (BcJudge *judge, gint64 now_us, const char *reason);

/* Borrowed, valid while the judge lives; kind PENDING until final. */
const BcVerdict *bc_judge_get_verdict (const BcJudge *judge);

/* The first client DHCP packet's fingerprint description, or NULL when none seen:
 * for the report's "which ROM did we boot" line. */
const char *bc_judge_get_first_fingerprint (const BcJudge *judge);

G_END_DECLS
