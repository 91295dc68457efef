/* The dhcpd.conf language: parse (lexer + recursive descent -> AST) and evaluate
 * (AST + request -> what ISC dhcpd would put in the reply, and why). Pure: the
 * caller reads the file; no I/O, no clock, no globals. ISC semantics: dhcpd.conf(5),
 * dhcp-eval(5), dhcp-options(5) of ISC DHCP 4.4. */
#pragma once

#include <glib.h>

#include "server/proto/dhcp-msg.h"
#include "server/proto/dhcp-option.h"

G_BEGIN_DECLS

#define BC_CONF_ERROR (bc_conf_error_quark ())
GQuark bc_conf_error_quark (void);

typedef enum
{
  BC_CONF_ERROR_SYNTAX, /* the message holds every error found, one block each */
  BC_CONF_ERROR_EVAL,   /* evaluation failed in a way ISC would refuse at runtime */
} BcConfError;

typedef struct _BcConf BcConf;

/* Where a decision came from: "dhcpd.conf:21:3". */
typedef struct
{
  const char *file; /* borrowed from the BcConf */
  guint line, col;
} BcConfLocation;

/* Parse a whole dhcpd.conf. @filename is used in messages only.
 * On error: NULL and BC_CONF_ERROR_SYNTAX whose message is every error, each as
 *   dhcpd.conf:10:40: expected ';' after range (statement began at 9:2)
 *       range 192.168.42.100 192.168.42.200
 *                                          ^
 * recovering at ';' / '}' to find more. Known-but-irrelevant statements (ddns-*,
 * log-facility, ping-check, …) are accepted and ignored; unknown ones are errors. */
BcConf *bc_conf_parse (const char *filename, const char *text, gsize len, GError **error);
void bc_conf_free (BcConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConf, bc_conf_free)

/* The registry after the file's `option space` / `option … code` declarations. */
const BcDhcpOptionRegistry *bc_conf_get_registry (const BcConf *conf);

/* Facts about the client that are not in the packet. */
typedef struct
{
  guint32 local_addr;    /* address of the interface the request came in on (net order):
                         selects the subnet/shared-network when giaddr and ciaddr are 0 */
  gboolean lease_exists; /* for ISC's `known`/pool permits; FALSE if unsure */
} BcConfRequestContext;

typedef struct
{
  guint32 start, end; /* inclusive, network order */
  BcConfLocation where;
} BcConfRange;

/* One line of the "why": "dhcpd.conf:21:2: if exists ipxe.https -> false",
 * "dhcpd.conf:24:3: filename \"undionly.kpxe\"". In evaluation order. */
typedef struct
{
  BcConfLocation where;
  char *text;
} BcConfTrace;

typedef struct
{
  /* Scope selection */
  gboolean has_subnet; /* FALSE: no subnet for this client: ISC ignores it */
  guint32 subnet_addr, subnet_mask;
  BcConfLocation subnet_where;
  char *shared_network; /* name or NULL */
  char *host;           /* matched host declaration name, or NULL */
  gboolean has_fixed_address;
  guint32 fixed_address;
  GPtrArray *ranges;  /* BcConfRange*: ranges this client may use (pools
                                     whose permits allow it), subnet order */
  GPtrArray *classes; /* char*: classes the client matched */

  /* Statement results, innermost scope winning (global < shared-network < subnet <
   * pool < class < host), each statement executed in file order inside its scope. */
  char *filename; /* NULL when not set */
  BcConfLocation filename_where;
  char *server_name; /* NULL when not set */
  BcConfLocation server_name_where;
  gboolean has_next_server;
  guint32 next_server;
  BcConfLocation next_server_where;
  gint64 default_lease_time, max_lease_time, min_lease_time; /* -1 when not set */
  gboolean authoritative;
  gboolean ignore_booting; /* `ignore booting;` / `deny booting;` */
  gboolean ignore_client;  /* `ignore unknown-clients` for an unknown one, `deny …` */
  /* Option values the config sets, dhcp space, code -> GBytes, already encoded for
   * the wire; encapsulating options (e.g. 175 = encapsulate ipxe) hold the packed
   * sub-options set in their space. Excludes 53/54/51 which the policy owns. */
  GHashTable *options;      /* GUINT_TO_POINTER(code) -> GBytes* */
  GHashTable *option_where; /* GUINT_TO_POINTER(code) -> BcConfLocation* */
  GPtrArray *trace;         /* BcConfTrace*: the branches taken and statements run */
  /* `next-server NAME;` with a host name rather than an address: ISC resolves it when
   * it builds the reply; so does the shell. has_next_server is FALSE then. */
  char *next_server_name;
} BcConfResult;

void bc_conf_result_free (BcConfResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConfResult, bc_conf_result_free)

/* Evaluate the configuration for one request (DISCOVER/REQUEST/INFORM …). Classes are
 * matched (`match if`, `match option`), conditionals evaluated with dhcp-eval(5)
 * semantics (a data expression on a missing option is NULL: `=` with it is false,
 * `exists` false), scopes applied innermost-last. Returns NULL + BC_CONF_ERROR_EVAL only
 * for things ISC itself refuses or dies on at run time (a switch label with nothing
 * after it, where ISC 4.4 crashes); a client with no subnet is not an error
 * (has_subnet FALSE).
 * ISC 4.4 details kept (common/tree.c, server/dhcp.c): `=` is TRUE when both sides are
 * NULL; `false and X` is NULL, and an `if` on NULL takes the else branch; class scopes
 * run last-matched first, so among classes the first one matched wins. @request is
 * borrowed; the result is (transfer full), its locations borrow @conf's file name. */
BcConfResult *bc_conf_evaluate (const BcConf *conf, const BcDhcpMsg *request,
                                const BcConfRequestContext *ctx, GError **error);

/* "dhcpd.conf:21:3" */
char *bc_conf_location_format (const BcConfLocation *where);

G_END_DECLS
