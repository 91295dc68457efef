/* dhcpd.conf syntax tree: what the parser produces and the evaluator walks.
 * Internal to server/conf (the public API is conf.h). */
#pragma once

#include <glib.h>

#include "server/conf/conf.h"

G_BEGIN_DECLS

/* The three expression types of dhcp-eval(5). */
typedef enum
{
  BC_CONF_TYPE_BOOLEAN,
  BC_CONF_TYPE_DATA,
  BC_CONF_TYPE_NUMERIC,
} BcConfType;

typedef enum
{
  /* boolean */
  BC_CONF_EXPR_EXISTS,    /* space, code, name */
  BC_CONF_EXPR_EQUAL,     /* a[0] = a[1] */
  BC_CONF_EXPR_NOT_EQUAL, /* a[0] != a[1] */
  BC_CONF_EXPR_REGEX,     /* a[0] ~= a[1] */
  BC_CONF_EXPR_IREGEX,    /* a[0] ~~ a[1] */
  BC_CONF_EXPR_AND,
  BC_CONF_EXPR_OR,
  BC_CONF_EXPR_NOT,    /* a[0] */
  BC_CONF_EXPR_KNOWN,  /* a host declaration matched the client */
  BC_CONF_EXPR_STATIC, /* the lease is a fixed-address one */
  /* data */
  BC_CONF_EXPR_OPTION,        /* the request's option space.name */
  BC_CONF_EXPR_CONFIG_OPTION, /* the value the config set so far */
  BC_CONF_EXPR_SUBSTRING,     /* a[0] data, a[1] offset, a[2] length */
  BC_CONF_EXPR_SUFFIX,        /* a[0] data, a[1] length */
  BC_CONF_EXPR_CONCAT,        /* a[0], a[1] */
  BC_CONF_EXPR_LCASE,
  BC_CONF_EXPR_UCASE,
  BC_CONF_EXPR_BINARY_TO_ASCII, /* a[0] base, a[1] width, a[2] separator, a[3] data */
  BC_CONF_EXPR_ENCODE_INT,      /* a[0] numeric, num = width 8/16/32 */
  BC_CONF_EXPR_REVERSE,         /* a[0] width, a[1] data */
  BC_CONF_EXPR_HARDWARE,        /* htype + chaddr */
  BC_CONF_EXPR_PACKET,          /* a[0] offset, a[1] length into the raw packet */
  BC_CONF_EXPR_PICK_FIRST,      /* list: first non-null */
  BC_CONF_EXPR_CONST_DATA,      /* data */
  BC_CONF_EXPR_HOST_DECL_NAME,
  BC_CONF_EXPR_LEASED_ADDRESS,
  BC_CONF_EXPR_FILENAME, /* the request's file field */
  BC_CONF_EXPR_SNAME,    /* the request's sname field */
  /* numeric */
  BC_CONF_EXPR_CONST_INT,   /* num */
  BC_CONF_EXPR_EXTRACT_INT, /* a[0] data, num = width 8/16/32 */
  BC_CONF_EXPR_ARITH,       /* a[0] op a[1]; op in num: '+', '-', '*', '/', '%', '&', '|', '^' */
} BcConfExprKind;

typedef struct _BcConfExpr BcConfExpr;
struct _BcConfExpr
{
  BcConfExprKind kind;
  BcConfExpr *a[4];
  GPtrArray *list; /* PICK_FIRST: BcConfExpr* */
  GBytes *data;    /* CONST_DATA */
  guint64 num;     /* CONST_INT, widths, ARITH operator */
  char *space;     /* EXISTS, OPTION, CONFIG_OPTION */
  char *name;
  guint code;
};

void bc_conf_expr_free (BcConfExpr *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConfExpr, bc_conf_expr_free)
BcConfType bc_conf_expr_type (const BcConfExpr *e);

typedef enum
{
  BC_CONF_STMT_IGNORED, /* accepted, no effect on a boot server (ddns-*, log-facility, …) */
  BC_CONF_STMT_OPTION_SPACE,
  BC_CONF_STMT_OPTION_DEFINE,
  BC_CONF_STMT_OPTION,         /* set: space, name, code, format; data or expr */
  BC_CONF_STMT_FILENAME,       /* data or expr */
  BC_CONF_STMT_SERVER_NAME,    /* data or expr */
  BC_CONF_STMT_NEXT_SERVER,    /* addr, or name (a hostname), or expr */
  BC_CONF_STMT_LEASE_TIME,     /* mode: 0 default, 1 max, 2 min; num */
  BC_CONF_STMT_AUTHORITATIVE,  /* flag */
  BC_CONF_STMT_ALLOW,          /* name: booting/bootp/unknown-clients/…; mode */
  BC_CONF_STMT_IF,             /* expr, body, else_body (an elsif is an IF alone in it) */
  BC_CONF_STMT_SUBNET,         /* addr, mask, body */
  BC_CONF_STMT_SHARED_NETWORK, /* name, body */
  BC_CONF_STMT_GROUP,          /* body */
  BC_CONF_STMT_HOST,           /* name, body */
  BC_CONF_STMT_POOL,           /* body */
  BC_CONF_STMT_CLASS,          /* name, body */
  BC_CONF_STMT_SUBCLASS,       /* name (class), data, body (may be NULL) */
  BC_CONF_STMT_RANGE,          /* addr, addr2, flag = dynamic-bootp */
  BC_CONF_STMT_HARDWARE,       /* data: htype then address */
  BC_CONF_STMT_FIXED_ADDRESS,  /* addrs (guint32), names (unresolved hostnames) */
  BC_CONF_STMT_MATCH_IF,       /* expr */
  BC_CONF_STMT_MATCH_DATA,     /* `match EXPR;` / `match option X;`: expr */
  BC_CONF_STMT_PERMIT,         /* pool: mode allow/deny; permit kind in num; name = class */
  BC_CONF_STMT_VENDOR_SPACE,   /* `vendor-option-space NAME;`: name's options go in 43 */
  BC_CONF_STMT_SWITCH,         /* expr, body: the case/default labels are statements in it */
  BC_CONF_STMT_CASE,           /* expr: a label; only directly in a SWITCH body */
  BC_CONF_STMT_DEFAULT,        /* `default:` label; only directly in a SWITCH body */
  BC_CONF_STMT_BREAK,          /* ends the statement list it is in (ISC execute.c) */
} BcConfStmtKind;

typedef enum
{
  BC_CONF_ALLOW,
  BC_CONF_DENY,
  BC_CONF_IGNORE,
} BcConfAllowMode;

typedef enum
{
  BC_CONF_PERMIT_KNOWN,
  BC_CONF_PERMIT_UNKNOWN,
  BC_CONF_PERMIT_ALL,
  BC_CONF_PERMIT_DYNAMIC_BOOTP,
  BC_CONF_PERMIT_CLASS,
  BC_CONF_PERMIT_AUTHENTICATED,
  BC_CONF_PERMIT_UNAUTHENTICATED,
  BC_CONF_PERMIT_AFTER,
} BcConfPermit;

typedef struct _BcConfStmt BcConfStmt;
struct _BcConfStmt
{
  BcConfStmtKind kind;
  BcConfLocation where; /* the statement's first token */
  char *text;           /* the source, whitespace collapsed, without ';' or body:
                           "if exists ipxe.https", "filename \"undionly.kpxe\"" */
  char *name;
  char *space;
  char *format;
  guint code;
  GBytes *data;
  BcConfExpr *expr;
  guint32 addr, addr2, mask; /* network order */
  gint64 num;
  int mode;
  gboolean flag;
  GArray *addrs;    /* guint32 */
  GPtrArray *names; /* char* */
  GPtrArray *body;  /* BcConfStmt* */
  GPtrArray *else_body;
};

void bc_conf_stmt_free (BcConfStmt *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConfStmt, bc_conf_stmt_free)

struct _BcConf
{
  char *filename;
  BcDhcpOptionRegistry *registry;
  GPtrArray *body; /* BcConfStmt*: the global scope */
};

/* ISC dhcpd runs the global scope once at start-up without a packet (server/dhcpd.c
 * postconf_initialization, "Now try to get the lease file name"). If that run reaches a
 * switch whose chosen case/default label is the last statement of the switch body,
 * ISC 4.4 dereferences the missing next statement (common/execute.c find_matching_case
 * -> executable_statement_reference (ep, s->next)) and crashes, so `dhcpd -t` fails.
 * Returns TRUE and the label's location then. Implemented in conf-eval.c. */
gboolean bc_conf_startup_crash (const BcConf *conf, BcConfLocation *ret_label);

G_END_DECLS
