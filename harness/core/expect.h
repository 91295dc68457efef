/* The `expect` language: a scenario's ordered expectations, one step per line.
 * Pure: text in, BcExpect out; events in, match/no match out.
 *
 *   # comment (a '#' that starts a word; inside /regex/ it is literal)
 *   console /REGEX/[i]              a console line matches (GRegex, PCRE; flag i = caseless;
 *                                   write '/' inside the regex as '\/'; the judge also
 *                                   tries a line joined to the previous one when iPXE
 *                                   broke it at 80 columns, see verdict.h)
 *   dhcp discover|request|inform|decline|release|any [CONDS]
 *                                   a client packet on the wire (BOOTREQUEST, op 1)
 *   offer|ack|nak [CONDS]           a server reply on the wire (BOOTREPLY, op 2)
 *   tftp FILE [request|complete|error]
 *                                   an RRQ for FILE, and (default) its transfer completed
 *   http METHOD PATH [STATUS]       request + response on the wire. METHOD may be `*`.
 *                                   STATUS: a number, `any`; default: any 2xx
 *   vm started|rebooted|stopped|crashed
 *   config-error /REGEX/[i]         a line of the server's --check output matches
 *   config-error LINE[:COL]         the server refused dhcpd.conf at LINE (and COL)
 *   loop FILE >= N                  the same client with an unchanged DHCP fingerprint
 *                                   (bc_dhcp_fingerprint key) was handed FILE N times
 *
 * CONDS (DHCP steps and [require] first-dhcp), all must hold; `!` before any cond negates it:
 *   file=V           boot file: the `file` header field, else option 67
 *   next-server=IP   siaddr            yiaddr=IP      your address
 *   sname=V          sname field, else option 66
 *   user-class=V     option 77 as text (iPXE sends a bare string, not RFC 3004)
 *   vendor-class=V   option 60 as text
 *   arch=N           option 93 (RFC 4578), decimal
 *   chaddr=MAC       case-insensitive
 *   broadcast=0|1    the BOOTP broadcast flag
 *   ipxe.version=V   175.235 as "1.0.0"
 *   ipxe.NAME[=V]    a sub-option of 175 named in the wellknown "ipxe" space (ipxe.https)
 *   NAME[=V]         an option of the "dhcp" space by ISC name (vendor-class-identifier)
 *   N[=V]            option N present (with value V)
 *   N.M[=V]          sub-option M of encapsulating option N (175.20 = iPXE https)
 * Text values (file, sname, user-class, vendor-class, ipxe.version) are globs: `*` and
 * `?` are wildcards, otherwise the match is exact (vendor-class=PXEClient:Arch:00007*).
 * Option values V are compared with the option's rendering in ISC notation (text
 * unquoted, integers decimal, addresses dotted) and, failing that, with its colon-hex
 * bytes (93=00:07), both as globs.
 *
 * Modifiers:
 *   never STEP       STEP must not happen from the moment every step written before it
 *                    has matched until the run ends (first line: the whole run). A never
 *                    step is not waited for; it is `ok` unless hit. The run ends when
 *                    the last positive step matches, so `never` after the last positive
 *                    step can never fire: write it earlier.
 *   STEP within S    STEP must match within S seconds (decimal) of the previous positive
 *                    match (of t=0, VM start, for the first step). With `never`: the
 *                    window in which STEP is forbidden is those S seconds.
 *
 * Errors (domain BC_EXPECT_ERROR) hold every problem found, each as
 *   expect:3:9: unknown field 'usr-class' (expected one of file, next-server, …)
 *     dhcp discover usr-class=iPXE
 *                   ^
 */
#pragma once

#include <glib.h>

#include "harness/core/timeline.h"
#include "server/proto/dhcp-msg.h"
#include "server/proto/dhcp-option.h"

G_BEGIN_DECLS

#define BC_EXPECT_ERROR (bc_expect_error_quark ())
GQuark bc_expect_error_quark (void);

typedef enum
{
  BC_EXPECT_ERROR_SYNTAX, /* the message lists every error, one block each */
} BcExpectError;

typedef enum
{
  BC_EXPECT_CONSOLE,
  BC_EXPECT_DHCP,
  BC_EXPECT_TFTP,
  BC_EXPECT_HTTP,
  BC_EXPECT_VM,
  BC_EXPECT_CONFIG_ERROR,
  BC_EXPECT_LOOP,
} BcExpectKind;

typedef enum
{
  BC_EXPECT_FIELD_FILE,
  BC_EXPECT_FIELD_NEXT_SERVER,
  BC_EXPECT_FIELD_SNAME,
  BC_EXPECT_FIELD_YIADDR,
  BC_EXPECT_FIELD_USER_CLASS,
  BC_EXPECT_FIELD_VENDOR_CLASS,
  BC_EXPECT_FIELD_ARCH,
  BC_EXPECT_FIELD_CHADDR,
  BC_EXPECT_FIELD_BROADCAST,
  BC_EXPECT_FIELD_IPXE_VERSION,
  BC_EXPECT_FIELD_OPTION, /* code (and sub when sub >= 0) */
} BcExpectField;

typedef struct
{
  char *text; /* as written, "!175.20" */
  gboolean negate;
  BcExpectField field;
  guint code;   /* OPTION: the dhcp-space code */
  gint sub;     /* OPTION: sub-option code inside @code, or -1 */
  char *format; /* OPTION: ISC format of the (sub-)option when known, else NULL */
  char *value;  /* NULL: a presence test */
} BcExpectCond;

typedef struct
{
  BcExpectKind kind;
  guint line;       /* 1-based line in the expect file */
  char *text;       /* the step as written, comment stripped: "tftp undionly.kpxe" */
  gboolean never;   /* `never STEP` */
  gint64 within_us; /* `within S`, 0 when absent */

  GRegex *regex; /* CONSOLE, CONFIG_ERROR (/regex/ form) */

  /* DHCP */
  guint8 op;        /* BC_DHCP_OP_BOOTREQUEST or BC_DHCP_OP_BOOTREPLY */
  guint msg_type;   /* BcDhcpMessageType, 0 = any */
  GPtrArray *conds; /* of BcExpectCond*, never NULL */

  /* TFTP (file, phase), LOOP (file, count) */
  char *file; /* a glob */
  BcTftpPhase tftp_phase;
  guint count;

  /* HTTP: method NULL = any; status_min..status_max inclusive */
  char *method, *path;
  guint status_min, status_max;

  /* VM: "started", "rebooted", "stopped", "crashed" */
  char *vm_word;

  /* CONFIG_ERROR LINE[:COL] form: conf_line > 0; conf_col 0 = any column */
  guint conf_line, conf_col;
} BcExpectStep;

typedef struct
{
  GPtrArray *steps; /* of BcExpectStep*, file order, never NULL */
} BcExpect;

/* Parse an expect file. @filename is used in messages only ("expect"). @registry
 * resolves option names (pass bc_dhcp_option_registry_new_wellknown()); it is not
 * kept. Returns NULL and BC_EXPECT_ERROR_SYNTAX listing every error on failure.
 * An empty file (no steps) is valid. Owned by the caller. */
BcExpect *bc_expect_parse (const char *filename, const char *text, gsize len,
                           const BcDhcpOptionRegistry *registry, GError **error);
void bc_expect_free (BcExpect *expect);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcExpect, bc_expect_free)

void bc_expect_step_free (BcExpectStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcExpectStep, bc_expect_step_free)
void bc_expect_cond_free (BcExpectCond *cond);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcExpectCond, bc_expect_cond_free)

/* Parse a list of CONDS alone (for scenario.ini's [require] first-dhcp). Error
 * positions are reported as @filename:@line:COL with @col_offset added to columns.
 * Returns a GPtrArray of BcExpectCond* (possibly empty) or NULL + BC_EXPECT_ERROR. */
GPtrArray *bc_expect_parse_conds (const char *filename, guint line, guint col_offset,
                                  const char *text, const BcDhcpOptionRegistry *registry,
                                  GError **error);

/* TRUE when every cond holds for @msg. On FALSE, *ret_failed (optional) is set to the
 * first cond that did not hold (borrowed from @conds). */
gboolean bc_expect_conds_match (GPtrArray *conds, const BcDhcpMsg *msg,
                                const BcExpectCond **ret_failed);

/* Does @ev satisfy @step (ignoring never/within, which are the judge's business)?
 * LOOP and CONFIG_ERROR steps never match events (see verdict.h). */
gboolean bc_expect_step_match_event (const BcExpectStep *step, const BcEvent *ev);

/* Does a line of `bootserv --check` / `dhcpd -t` output satisfy a CONFIG_ERROR step?
 * The LINE[:COL] form looks for "NAME:LINE:COL:" or "NAME:LINE:" or ISC's
 * "line LINE:" in the text. */
gboolean bc_expect_step_match_config_line (const BcExpectStep *step, const char *line);

/* "Option 175.20 present" style human text for why a cond failed: newly allocated. */
char *bc_expect_cond_explain (const BcExpectCond *cond, const BcDhcpMsg *msg);

G_END_DECLS
