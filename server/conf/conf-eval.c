/* dhcpd.conf evaluator: AST + request -> what ISC dhcpd 4.4 would put in the reply,
 * and the trace of why. Pure: no I/O, no clock.
 *
 * Semantics follow ISC's common/tree.c (expressions) and server/dhcp.c (scopes):
 *  - a data expression on a missing option is NULL; `=` is TRUE when both sides are
 *    equal or both NULL, FALSE when exactly one is NULL (tree.c expr_equal);
 *  - `and`/`or`/`not` propagate NULL the way tree.c does, and an `if` whose condition
 *    is NULL takes the else branch;
 *  - scopes run outermost first: global -> shared-network -> subnet -> pool -> classes
 *    -> host, so the innermost assignment wins. Class scopes run last-matched first
 *    (dhcp.c ack_lease: `for (i = packet->class_count; i > 0; i--)`), so among
 *    classes the first one matched wins. */
#include "server/conf/conf-ast.h"

#include <stdarg.h>
#include <string.h>

typedef struct
{
  char *space;
  guint code;
  GBytes *data;
  BcConfLocation where;
} SetOption;

static void
set_option_free (SetOption *o)
{
  g_free (o->space);
  g_bytes_unref (o->data);
  g_free (o);
}

/* A declaration found while walking the tree, with the blocks enclosing it
 * (outermost first, the declaration itself last; the global scope is implicit). */
typedef struct
{
  BcConfStmt *stmt;
  GPtrArray *chain; /* BcConfStmt*, borrowed */
} Decl;

static void
decl_free (Decl *d)
{
  g_ptr_array_unref (d->chain);
  g_free (d);
}

typedef struct
{
  const BcConf *conf;
  const BcDhcpMsg *req;
  const BcConfRequestContext *ctx;
  BcConfResult *res;
  gboolean known;
  gboolean is_static;
  const char *host_name;
  GPtrArray *set;           /* SetOption*, in the order first set */
  GHashTable *pkt_cache;    /* space -> GPtrArray of BcDhcpOption* (or NULL: absent) */
  const char *vendor_space; /* `vendor-option-space`, last executed wins */
  /* allow/deny state, last executed wins */
  int unknown_clients, bootp, booting; /* -1 unset, else BcConfAllowMode */
  gboolean no_packet; /* ISC's start-up run of the global scope (no packet at all) */
  gboolean crashed;   /* a switch chose a label with nothing after it: ISC crashes */
  BcConfLocation crash_where;
} Eval;

/* An evaluation of @conf for @req (ctx NULL: a request with no context); no
 * host, bootp or booting decision yet (-1). */
static void
eval_init (Eval *ev, const BcConf *conf, const BcDhcpMsg *req, const BcConfRequestContext *ctx,
           BcConfResult *res, GPtrArray *set, GHashTable *pkt_cache)
{
  static const BcConfRequestContext no_ctx = { 0 };

  *ev = (Eval){ .conf = conf,
                .req = req,
                .ctx = ctx != NULL ? ctx : &no_ctx,
                .res = res,
                .set = set,
                .pkt_cache = pkt_cache,
                .unknown_clients = -1,
                .bootp = -1,
                .booting = -1 };
}

static void trace (Eval *ev, const BcConfLocation *where, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);

static void
trace (Eval *ev, const BcConfLocation *where, const char *fmt, ...)
{
  BcConfTrace *t = g_new0 (BcConfTrace, 1);
  va_list ap;

  t->where = *where;
  va_start (ap, fmt);
  t->text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (ev->res->trace, t);
}

/* ------------------------------------------------------------------ options in the packet */

/* The option that carries @space's sub-options ("ipxe" -> dhcp 175), from the file's
 * `option … code N = encapsulate SPACE;` declarations. */
static gboolean
find_encapsulation (const BcDhcpOptionRegistry *reg, const char *space, const BcConf *conf,
                    char **ret_parent, guint *ret_code)
{
  /* The dhcp space first (175, 43), then every space the file declared. */
  g_autoptr (GPtrArray) spaces = g_ptr_array_new ();

  g_ptr_array_add (spaces, (gpointer) "dhcp");
  for (guint i = 0; i < conf->body->len; i++)
    {
      BcConfStmt *s = conf->body->pdata[i];
      if (s->kind == BC_CONF_STMT_OPTION_SPACE && strcmp (s->name, space) != 0)
        g_ptr_array_add (spaces, s->name);
    }
  for (guint i = 0; i < spaces->len; i++)
    for (guint code = 1; code < 255; code++)
      {
        const BcDhcpOptionDef *def
            = bc_dhcp_option_registry_lookup_code (reg, spaces->pdata[i], code);
        g_autofree char *enc = bc_dhcp_option_def_encapsulated_space (def);
        if (enc != NULL && strcmp (enc, space) == 0)
          {
            *ret_parent = g_strdup (spaces->pdata[i]);
            *ret_code = code;
            return TRUE;
          }
      }
  return FALSE;
}

static GBytes *get_packet_option (Eval *ev, const char *space, guint code, guint depth);

/* The sub-options of @space in the request, or NULL when its carrier is absent or
 * malformed (ISC then has no options in that space either). */
static GPtrArray *
get_packet_space (Eval *ev, const char *space, guint depth)
{
  GPtrArray *opts = NULL;
  g_autofree char *parent = NULL;
  guint code;

  if (g_hash_table_contains (ev->pkt_cache, space))
    return g_hash_table_lookup (ev->pkt_cache, space);
  if (depth < 4 && find_encapsulation (ev->conf->registry, space, ev->conf, &parent, &code))
    {
      GBytes *carrier = get_packet_option (ev, parent, code, depth + 1);
      if (carrier != NULL)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (carrier, &len);
          g_autoptr (GError) error = NULL;
          if (!bc_dhcp_options_parse_encapsulated (data, len, &opts, &error))
            opts = NULL;
        }
    }
  g_hash_table_insert (ev->pkt_cache, g_strdup (space), opts);
  return opts;
}

/* Borrowed; NULL when the request does not carry it. */
static GBytes *
get_packet_option (Eval *ev, const char *space, guint code, guint depth)
{
  GPtrArray *opts;

  if (strcmp (space, "dhcp") == 0)
    return bc_dhcp_msg_get_option (ev->req, (guint8)code);
  opts = get_packet_space (ev, space, depth);
  if (opts == NULL)
    return NULL;
  for (guint i = 0; i < opts->len; i++)
    {
      BcDhcpOption *o = opts->pdata[i];
      if (o->code == code)
        return o->data;
    }
  return NULL;
}

static SetOption *
find_set (Eval *ev, const char *space, guint code)
{
  for (guint i = 0; i < ev->set->len; i++)
    {
      SetOption *o = ev->set->pdata[i];
      if (o->code == code && strcmp (o->space, space) == 0)
        return o;
    }
  return NULL;
}

/* ------------------------------------------------------------------ expressions */

static GBytes *eval_data (Eval *ev, const BcConfExpr *e);
static gboolean eval_num (Eval *ev, const BcConfExpr *e, guint64 *ret);

/* Returns FALSE for NULL (ISC's status 0); *ret is the value otherwise. */
static gboolean
eval_bool (Eval *ev, const BcConfExpr *e, gboolean *ret)
{
  gboolean l = FALSE, r = FALSE, sl, sr;

  switch (e->kind)
    {
      case BC_CONF_EXPR_EXISTS:
        *ret = get_packet_option (ev, e->space, e->code, 0) != NULL;
        return TRUE;
      case BC_CONF_EXPR_KNOWN:
      case BC_CONF_EXPR_STATIC:
        /* tree.c: without a packet these are NULL, not false. */
        if (ev->no_packet)
          return FALSE;
        *ret = e->kind == BC_CONF_EXPR_KNOWN ? ev->known : ev->is_static;
        return TRUE;
      case BC_CONF_EXPR_EQUAL:
      case BC_CONF_EXPR_NOT_EQUAL:
        {
          gboolean eq;
          if (bc_conf_expr_type (e->a[0]) != bc_conf_expr_type (e->a[1]))
            {
              /* tree.c: values of different types are never equal. */
              *ret = e->kind == BC_CONF_EXPR_NOT_EQUAL;
              return TRUE;
            }
          switch (bc_conf_expr_type (e->a[0]))
            {
              case BC_CONF_TYPE_DATA:
                {
                  g_autoptr (GBytes) a = eval_data (ev, e->a[0]);
                  g_autoptr (GBytes) b = eval_data (ev, e->a[1]);
                  /* tree.c: both NULL compare equal, one NULL unequal. */
                  eq = (a == NULL && b == NULL) || (a != NULL && b != NULL && g_bytes_equal (a, b));
                  break;
                }
              case BC_CONF_TYPE_NUMERIC:
                {
                  guint64 a = 0, b = 0;
                  sl = eval_num (ev, e->a[0], &a);
                  sr = eval_num (ev, e->a[1], &b);
                  eq = (!sl && !sr) || (sl && sr && a == b);
                  break;
                }
              case BC_CONF_TYPE_BOOLEAN:
              default:
                sl = eval_bool (ev, e->a[0], &l);
                sr = eval_bool (ev, e->a[1], &r);
                eq = (!sl && !sr) || (sl && sr && !l == !r);
                break;
            }
          *ret = e->kind == BC_CONF_EXPR_EQUAL ? eq : !eq;
          return TRUE;
        }
      case BC_CONF_EXPR_REGEX:
      case BC_CONF_EXPR_IREGEX:
        {
          g_autoptr (GBytes) a = eval_data (ev, e->a[0]);
          g_autoptr (GBytes) b = eval_data (ev, e->a[1]);
          g_autofree char *subject = NULL;
          g_autofree char *pattern = NULL;
          g_autoptr (GRegex) re = NULL;

          *ret = FALSE;
          if (a == NULL || b == NULL)
            return FALSE;
          subject = g_strndup (g_bytes_get_data (a, NULL), g_bytes_get_size (a));
          pattern = g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
          re = g_regex_new (pattern,
                            G_REGEX_RAW | G_REGEX_NO_AUTO_CAPTURE
                                | (e->kind == BC_CONF_EXPR_IREGEX ? G_REGEX_CASELESS : 0),
                            0, NULL);
          if (re != NULL)
            *ret = g_regex_match (re, subject, 0, NULL);
          return TRUE;
        }
      case BC_CONF_EXPR_AND:
        /* tree.c expr_and: the right side only when the left is TRUE; NULL unless both
       * sides have a value. */
        sl = eval_bool (ev, e->a[0], &l);
        sr = FALSE;
        if (sl && l)
          sr = eval_bool (ev, e->a[1], &r);
        if (sl && sr)
          {
            *ret = l && r;
            return TRUE;
          }
        return FALSE;
      case BC_CONF_EXPR_OR:
        sl = eval_bool (ev, e->a[0], &l);
        sr = FALSE;
        if (!sl || !l)
          sr = eval_bool (ev, e->a[1], &r);
        if (sl || sr)
          {
            *ret = (sl && l) || (sr && r);
            return TRUE;
          }
        return FALSE;
      case BC_CONF_EXPR_NOT:
        if (!eval_bool (ev, e->a[0], &l))
          return FALSE;
        *ret = !l;
        return TRUE;
      default:
        return FALSE;
    }
}

static gboolean
eval_num (Eval *ev, const BcConfExpr *e, guint64 *ret)
{
  switch (e->kind)
    {
      case BC_CONF_EXPR_CONST_INT:
        *ret = e->num;
        return TRUE;
      case BC_CONF_EXPR_EXTRACT_INT:
        {
          g_autoptr (GBytes) d = eval_data (ev, e->a[0]);
          gsize w = e->num / 8, len;
          const guint8 *p;
          guint64 v = 0;

          if (d == NULL)
            return FALSE;
          p = g_bytes_get_data (d, &len);
          if (len < w)
            return FALSE;
          for (gsize i = 0; i < w; i++)
            v = (v << 8) | p[i];
          *ret = v;
          return TRUE;
        }
      case BC_CONF_EXPR_ARITH:
        {
          guint64 a, b;
          if (!eval_num (ev, e->a[0], &a) || !eval_num (ev, e->a[1], &b))
            return FALSE;
          switch ((char)e->num)
            {
              case '+':
                *ret = a + b;
                return TRUE;
              case '-':
                *ret = a - b;
                return TRUE;
              case '*':
                *ret = a * b;
                return TRUE;
              case '/':
                if (b == 0)
                  return FALSE;
                *ret = a / b;
                return TRUE;
              case '%':
                if (b == 0)
                  return FALSE;
                *ret = a % b;
                return TRUE;
              case '&':
                *ret = a & b;
                return TRUE;
              case '|':
                *ret = a | b;
                return TRUE;
              case '^':
                *ret = a ^ b;
                return TRUE;
              default:
                return FALSE;
            }
        }
      default:
        return FALSE;
    }
}

static GBytes *
bytes_from_array (GByteArray *a)
{
  return g_byte_array_free_to_bytes (a);
}

/* ISC binary_to_ascii(): each @width-bit number of @data in @base, lowercase digits,
 * joined by @sep. NULL for a width other than 8/16/32, a base outside 2..16, or data
 * that is not a whole number of numbers (tree.c). */
static GBytes *
binary_to_ascii (guint64 base, guint64 width, GBytes *sep, GBytes *data)
{
  static const char digits[] = "0123456789abcdef";
  gsize len, seplen, w;
  const guint8 *p = g_bytes_get_data (data, &len);
  const guint8 *sp = g_bytes_get_data (sep, &seplen);
  GByteArray *out;

  if ((width != 8 && width != 16 && width != 32) || base < 2 || base > 16)
    return NULL;
  w = width / 8;
  if (len % w != 0)
    return NULL;
  out = g_byte_array_new ();
  for (gsize i = 0; i < len; i += w)
    {
      guint32 v = 0;
      char buf[40];
      int n = 0;

      for (gsize k = 0; k < w; k++)
        v = (v << 8) | p[i + k];
      do
        {
          buf[n++] = digits[v % base];
          v /= (guint32)base;
        }
      while (v != 0);
      while (n > 0)
        {
          guint8 c = (guint8)buf[--n];
          g_byte_array_append (out, &c, 1);
        }
      if (i + w < len && seplen > 0)
        g_byte_array_append (out, sp, seplen);
    }
  return bytes_from_array (out);
}

/* (transfer full), NULL for ISC's NULL. */
static GBytes *
eval_data (Eval *ev, const BcConfExpr *e)
{
  switch (e->kind)
    {
      case BC_CONF_EXPR_CONST_DATA:
        return g_bytes_ref (e->data);
      case BC_CONF_EXPR_OPTION:
        {
          GBytes *b = get_packet_option (ev, e->space, e->code, 0);
          return b != NULL ? g_bytes_ref (b) : NULL;
        }
      case BC_CONF_EXPR_CONFIG_OPTION:
        {
          SetOption *o = find_set (ev, e->space, e->code);
          return o != NULL ? g_bytes_ref (o->data) : NULL;
        }
      case BC_CONF_EXPR_SUBSTRING:
        {
          g_autoptr (GBytes) d = eval_data (ev, e->a[0]);
          guint64 off, n;
          gsize len;

          if (d == NULL || !eval_num (ev, e->a[1], &off) || !eval_num (ev, e->a[2], &n))
            return NULL;
          len = g_bytes_get_size (d);
          /* tree.c: an offset past the end gives an empty string, not NULL. */
          if (off >= len)
            return g_bytes_new (NULL, 0);
          return g_bytes_new_from_bytes (d, off, MIN (n, len - off));
        }
      case BC_CONF_EXPR_SUFFIX:
        {
          g_autoptr (GBytes) d = eval_data (ev, e->a[0]);
          guint64 n;
          gsize len;

          if (d == NULL || !eval_num (ev, e->a[1], &n))
            return NULL;
          len = g_bytes_get_size (d);
          if (n >= len)
            return g_steal_pointer (&d);
          return g_bytes_new_from_bytes (d, len - n, n);
        }
      case BC_CONF_EXPR_CONCAT:
        {
          g_autoptr (GBytes) a = eval_data (ev, e->a[0]);
          g_autoptr (GBytes) b = eval_data (ev, e->a[1]);
          GByteArray *out;

          if (a == NULL || b == NULL)
            return NULL;
          out = g_byte_array_new ();
          g_byte_array_append (out, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
          g_byte_array_append (out, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
          return bytes_from_array (out);
        }
      case BC_CONF_EXPR_LCASE:
      case BC_CONF_EXPR_UCASE:
        {
          g_autoptr (GBytes) d = eval_data (ev, e->a[0]);
          GByteArray *out;
          gsize len;
          const guint8 *p;

          if (d == NULL)
            return NULL;
          p = g_bytes_get_data (d, &len);
          out = g_byte_array_sized_new ((guint)len);
          for (gsize i = 0; i < len; i++)
            {
              guint8 c = (guint8)(e->kind == BC_CONF_EXPR_LCASE ? g_ascii_tolower (p[i])
                                                                : g_ascii_toupper (p[i]));
              g_byte_array_append (out, &c, 1);
            }
          return bytes_from_array (out);
        }
      case BC_CONF_EXPR_BINARY_TO_ASCII:
        {
          guint64 base, width;
          g_autoptr (GBytes) sep = NULL;
          g_autoptr (GBytes) d = NULL;

          if (!eval_num (ev, e->a[0], &base) || !eval_num (ev, e->a[1], &width))
            return NULL;
          sep = eval_data (ev, e->a[2]);
          d = eval_data (ev, e->a[3]);
          if (sep == NULL || d == NULL)
            return NULL;
          return binary_to_ascii (base, width, sep, d);
        }
      case BC_CONF_EXPR_ENCODE_INT:
        {
          guint64 v;
          GByteArray *out;

          if (!eval_num (ev, e->a[0], &v))
            return NULL;
          out = g_byte_array_new ();
          for (guint i = (guint)(e->num / 8); i > 0; i--)
            {
              guint8 b = (guint8)(v >> (8 * (i - 1)));
              g_byte_array_append (out, &b, 1);
            }
          return bytes_from_array (out);
        }
      case BC_CONF_EXPR_REVERSE:
        {
          guint64 w;
          g_autoptr (GBytes) d = NULL;
          gsize len;
          const guint8 *p;
          GByteArray *out;

          if (!eval_num (ev, e->a[0], &w))
            return NULL;
          d = eval_data (ev, e->a[1]);
          if (d == NULL || w == 0)
            return NULL;
          p = g_bytes_get_data (d, &len);
          if (len % w != 0)
            return NULL;
          out = g_byte_array_sized_new ((guint)len);
          for (gsize i = len; i >= w; i -= w)
            g_byte_array_append (out, p + i - w, (guint)w);
          return bytes_from_array (out);
        }
      case BC_CONF_EXPR_HARDWARE:
        {
          GByteArray *out;
          guint8 htype = ev->req->htype;

          if (ev->no_packet || ev->req->hlen > sizeof ev->req->chaddr)
            return NULL;
          out = g_byte_array_new ();
          g_byte_array_append (out, &htype, 1);
          g_byte_array_append (out, ev->req->chaddr, ev->req->hlen);
          return bytes_from_array (out);
        }
      case BC_CONF_EXPR_PACKET:
        {
          guint64 off, n;
          g_autoptr (GBytes) raw = NULL;
          gsize len;

          if (ev->no_packet || !eval_num (ev, e->a[0], &off) || !eval_num (ev, e->a[1], &n))
            return NULL;
          /* The request as rebuilt from its parsed form: the same header and options,
         * not necessarily the same padding as on the wire. */
          raw = bc_dhcp_msg_build (ev->req, 65535, NULL);
          if (raw == NULL)
            return NULL;
          len = g_bytes_get_size (raw);
          if (off >= len)
            return NULL;
          return g_bytes_new_from_bytes (raw, off, MIN (n, len - off));
        }
      case BC_CONF_EXPR_PICK_FIRST:
        for (guint i = 0; i < e->list->len; i++)
          {
            GBytes *d = eval_data (ev, e->list->pdata[i]);
            if (d != NULL)
              return d;
          }
        return NULL;
      case BC_CONF_EXPR_HOST_DECL_NAME:
        return ev->host_name != NULL ? g_bytes_new (ev->host_name, strlen (ev->host_name)) : NULL;
      case BC_CONF_EXPR_LEASED_ADDRESS:
        if (!ev->res->has_fixed_address)
          return NULL;
        return g_bytes_new (&ev->res->fixed_address, 4);
      case BC_CONF_EXPR_FILENAME:
        if (ev->no_packet)
          return NULL;
        return ev->req->file[0] != '\0' ? g_bytes_new (ev->req->file, strlen (ev->req->file))
                                        : NULL;
      case BC_CONF_EXPR_SNAME:
        if (ev->no_packet)
          return NULL;
        return ev->req->sname[0] != '\0' ? g_bytes_new (ev->req->sname, strlen (ev->req->sname))
                                         : NULL;
      default:
        return NULL;
    }
}

/* ------------------------------------------------------------------ statements */

static char *
bytes_to_string (GBytes *b)
{
  return g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static gboolean exec_list (Eval *ev, GPtrArray *body, guint start, const BcConfStmt *owner);

static void
exec_body (Eval *ev, GPtrArray *body)
{
  exec_list (ev, body, 0, NULL);
}

static void
exec_if (Eval *ev, const BcConfStmt *s)
{
  gboolean value = FALSE;
  gboolean ok = eval_bool (ev, s->expr, &value);
  gboolean taken = ok && value;
  gboolean has_else = s->else_body != NULL;
  gboolean else_is_elsif
      = has_else && s->else_body->len == 1
        && ((BcConfStmt *)s->else_body->pdata[0])->kind == BC_CONF_STMT_IF
        && g_str_has_prefix (((BcConfStmt *)s->else_body->pdata[0])->text, "els");

  trace (ev, &s->where, "%s -> %s%s", s->text,
         taken ? "true"
         : ok  ? "false"
               : "false (null)",
         !taken && has_else && !else_is_elsif ? " (else taken)" : "");
  /* A break inside ends only this block: ISC's break returns from the innermost
   * execute_statements() call, the one running this branch (common/execute.c). */
  if (taken)
    exec_list (ev, s->body, 0, s);
  else if (has_else)
    exec_list (ev, s->else_body, 0, s);
}

/* "\"iPXE\"" for printable data, else 00:07. */
static char *
format_data (GBytes *d)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (d, &len);
  gboolean printable = len > 0;

  for (gsize i = 0; i < len && printable; i++)
    printable = g_ascii_isprint (p[i]) && p[i] != '"' && p[i] != '\\';
  if (printable)
    return g_strdup_printf ("\"%.*s\"", (int)len, (const char *)p);
  return len > 0 ? bc_dhcp_hex_colon (p, len) : g_strdup ("\"\"");
}

/* ISC common/execute.c switch_statement + find_matching_case: the switch expression is
 * evaluated once, as data when it is a data expression, else as a number. If it has a
 * value, each case label of the body (not those nested in an if) is evaluated in turn
 * and the first equal one is chosen; a label with no value (NULL) never matches, so a
 * switch on an option the client did not send goes to default. Otherwise the first
 * default label, wherever it stands. The body then runs from the statement after the
 * chosen label to its end or a break, stepping over later labels (fall-through). */
static void
exec_switch (Eval *ev, const BcConfStmt *s)
{
  gboolean is_data = bc_conf_expr_type (s->expr) == BC_CONF_TYPE_DATA;
  g_autoptr (GBytes) dv = NULL;
  g_autofree char *value = NULL;
  guint64 nv = 0;
  gboolean ok;
  const BcConfStmt *label = NULL;
  guint at = 0;

  if (is_data)
    ok = (dv = eval_data (ev, s->expr)) != NULL;
  else
    ok = eval_num (ev, s->expr, &nv);
  value = !ok       ? g_strdup ("null")
          : is_data ? format_data (dv)
                    : g_strdup_printf ("%" G_GUINT64_FORMAT, nv);

  for (guint i = 0; ok && label == NULL && i < s->body->len; i++)
    {
      const BcConfStmt *c = s->body->pdata[i];
      gboolean match = FALSE;

      if (c->kind != BC_CONF_STMT_CASE)
        continue;
      if (is_data)
        {
          g_autoptr (GBytes) cv = eval_data (ev, c->expr);
          match = cv != NULL && g_bytes_equal (cv, dv);
        }
      else
        {
          guint64 cn;
          match = eval_num (ev, c->expr, &cn) && cn == nv;
        }
      if (match)
        {
          label = c;
          at = i;
        }
    }
  for (guint i = 0; label == NULL && i < s->body->len; i++)
    if (((BcConfStmt *)s->body->pdata[i])->kind == BC_CONF_STMT_DEFAULT)
      {
        label = s->body->pdata[i];
        at = i;
      }
  if (label == NULL)
    {
      trace (ev, &s->where, "%s -> %s: no case matched and no default", s->text, value);
      return;
    }
  trace (ev, &s->where, "%s -> %s", s->text, value);
  if (label->kind == BC_CONF_STMT_CASE)
    trace (ev, &label->where, "%s -> taken", label->text);
  else
    trace (ev, &label->where, "default -> taken (%s)",
           ok ? "no case matched" : "the value is null");
  if (at + 1 == s->body->len)
    {
      /* find_matching_case: executable_statement_reference (ep, s->next, MDL) with
       * s->next NULL dereferences it: ISC 4.4 dies with SIGSEGV. */
      ev->crashed = TRUE;
      ev->crash_where = label->where;
      trace (ev, &label->where,
             "nothing follows this label: ISC dhcpd 4.4 crashes here (common/execute.c "
             "find_matching_case)");
      return;
    }
  exec_list (ev, s->body, at + 1, s);
}

static void
set_option (Eval *ev, const BcConfStmt *s, GBytes *data)
{
  SetOption *o = find_set (ev, s->space, s->code);

  if (o == NULL)
    {
      o = g_new0 (SetOption, 1);
      o->space = g_strdup (s->space);
      o->code = s->code;
      g_ptr_array_add (ev->set, o);
    }
  else
    g_bytes_unref (o->data);
  o->data = g_bytes_ref (data);
  o->where = s->where;
}

static void
exec_stmt (Eval *ev, const BcConfStmt *s)
{
  BcConfResult *res = ev->res;

  switch (s->kind)
    {
      case BC_CONF_STMT_IF:
        exec_if (ev, s);
        break;
      case BC_CONF_STMT_SWITCH:
        exec_switch (ev, s);
        break;
      case BC_CONF_STMT_OPTION:
        {
          g_autoptr (GBytes) d = NULL;
          if (s->names != NULL && s->names->len > 0)
            {
              /* bootserv does not resolve names in option values (ISC does, at load). */
              trace (ev, &s->where, "%s -> not sent: %s needs a DNS lookup", s->text,
                     (const char *)s->names->pdata[0]);
              break;
            }
          d = s->data != NULL ? g_bytes_ref (s->data) : eval_data (ev, s->expr);
          if (d == NULL)
            {
              trace (ev, &s->where, "%s -> null (not set)", s->text);
              break;
            }
          set_option (ev, s, d);
          if (s->expr != NULL)
            {
              g_autofree char *hex
                  = bc_dhcp_hex_colon (g_bytes_get_data (d, NULL), g_bytes_get_size (d));
              trace (ev, &s->where, "%s -> %s", s->text, hex);
            }
          else
            trace (ev, &s->where, "%s", s->text);
          break;
        }
      case BC_CONF_STMT_FILENAME:
      case BC_CONF_STMT_SERVER_NAME:
        {
          g_autoptr (GBytes) d = s->data != NULL ? g_bytes_ref (s->data) : eval_data (ev, s->expr);
          char **field = s->kind == BC_CONF_STMT_FILENAME ? &res->filename : &res->server_name;
          BcConfLocation *where
              = s->kind == BC_CONF_STMT_FILENAME ? &res->filename_where : &res->server_name_where;
          if (d == NULL)
            {
              trace (ev, &s->where, "%s -> null (not set)", s->text);
              break;
            }
          g_free (*field);
          *field = bytes_to_string (d);
          *where = s->where;
          if (s->expr != NULL)
            trace (ev, &s->where, "%s -> \"%s\"", s->text, *field);
          else
            trace (ev, &s->where, "%s", s->text);
          break;
        }
      case BC_CONF_STMT_NEXT_SERVER:
        if (s->expr != NULL)
          {
            g_autoptr (GBytes) d = eval_data (ev, s->expr);
            if (d == NULL || g_bytes_get_size (d) != 4)
              {
                trace (ev, &s->where, "%s -> not a 4-byte address (not set)", s->text);
                break;
              }
            memcpy (&res->next_server, g_bytes_get_data (d, NULL), 4);
            res->has_next_server = TRUE;
            g_clear_pointer (&res->next_server_name, g_free);
          }
        else if (s->name != NULL)
          {
            /* A host name: resolving it is the shell's job (ISC resolves it too). */
            res->has_next_server = FALSE;
            g_free (res->next_server_name);
            res->next_server_name = g_strdup (s->name);
          }
        else
          {
            res->next_server = s->addr;
            res->has_next_server = TRUE;
            g_clear_pointer (&res->next_server_name, g_free);
          }
        res->next_server_where = s->where;
        trace (ev, &s->where, "%s", s->text);
        break;
      case BC_CONF_STMT_LEASE_TIME:
        if (s->mode == 0)
          res->default_lease_time = s->num;
        else if (s->mode == 1)
          res->max_lease_time = s->num;
        else
          res->min_lease_time = s->num;
        break;
      case BC_CONF_STMT_AUTHORITATIVE:
        res->authoritative = s->flag;
        break;
      case BC_CONF_STMT_VENDOR_SPACE:
        ev->vendor_space = s->name;
        trace (ev, &s->where, "%s", s->text);
        break;
      case BC_CONF_STMT_ALLOW:
        if (strcmp (s->name, "unknown-clients") == 0)
          ev->unknown_clients = s->mode;
        else if (strcmp (s->name, "known-clients") == 0)
          ev->unknown_clients = -1;
        else if (strcmp (s->name, "bootp") == 0)
          ev->bootp = s->mode;
        else if (strcmp (s->name, "booting") == 0)
          ev->booting = s->mode;
        else
          break;
        trace (ev, &s->where, "%s", s->text);
        break;
      default:
        /* Declarations (subnet, host, class, range, …) are not executed in place;
       * ignored statements have no effect. */
        break;
    }
}

/* Runs @body from @start; @owner is the if or switch it belongs to, NULL for a scope.
 * Returns TRUE when a break ended it. As in ISC's execute_statements(), break ends the
 * statement list it stands in and nothing more: a switch's body, one branch of an if,
 * or the rest of a scope's statements. case and default labels do nothing when run. */
static gboolean
exec_list (Eval *ev, GPtrArray *body, guint start, const BcConfStmt *owner)
{
  if (body == NULL)
    return FALSE;
  for (guint i = start; i < body->len && !ev->crashed; i++)
    {
      const BcConfStmt *s = body->pdata[i];
      if (s->kind != BC_CONF_STMT_BREAK)
        {
          exec_stmt (ev, s);
          continue;
        }
      if (owner == NULL)
        {
          trace (ev, &s->where, "break -> skips the rest of this scope's statements");
          /* `authoritative` is not a statement ISC runs but a flag its parser sets on
           * the group (server/confpars.c parse_statement), so a break does not skip it. */
          for (guint k = i + 1; k < body->len; k++)
            if (((BcConfStmt *)body->pdata[k])->kind == BC_CONF_STMT_AUTHORITATIVE)
              ev->res->authoritative = ((BcConfStmt *)body->pdata[k])->flag;
        }
      else if (owner->kind == BC_CONF_STMT_SWITCH)
        trace (ev, &s->where, "break -> leaves the switch at %u:%u", owner->where.line,
               owner->where.col);
      else
        trace (ev, &s->where,
               "break -> ends only the block of the if at %u:%u (ISC: break leaves the "
               "innermost statement list)",
               owner->where.line, owner->where.col);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ declarations */

typedef struct
{
  GPtrArray *subnets; /* Decl* */
  GPtrArray *hosts;   /* Decl* */
  GPtrArray *classes; /* Decl* (CLASS and SUBCLASS) */
  GPtrArray *pools;   /* Decl*: POOL, and RANGE outside pools (an implicit pool) */
} Decls;

static void
collect (GPtrArray *body, GPtrArray *chain, Decls *d)
{
  for (guint i = 0; i < body->len; i++)
    {
      BcConfStmt *s = body->pdata[i];
      GPtrArray *target = NULL;

      switch (s->kind)
        {
          case BC_CONF_STMT_SUBNET:
            target = d->subnets;
            break;
          case BC_CONF_STMT_HOST:
            target = d->hosts;
            break;
          case BC_CONF_STMT_CLASS:
          case BC_CONF_STMT_SUBCLASS:
            target = d->classes;
            break;
          case BC_CONF_STMT_POOL:
            target = d->pools;
            break;
          case BC_CONF_STMT_RANGE:
            if (chain->len == 0
                || ((BcConfStmt *)chain->pdata[chain->len - 1])->kind != BC_CONF_STMT_POOL)
              target = d->pools;
            break;
          default:
            break;
        }
      if (target != NULL)
        {
          Decl *decl = g_new0 (Decl, 1);
          decl->stmt = s;
          decl->chain = g_ptr_array_copy (chain, NULL, NULL);
          g_ptr_array_add (decl->chain, s);
          g_ptr_array_add (target, decl);
        }
      if (s->body != NULL && s->kind != BC_CONF_STMT_IF)
        {
          g_ptr_array_add (chain, s);
          collect (s->body, chain, d);
          g_ptr_array_remove_index (chain, chain->len - 1);
        }
    }
}

static BcConfStmt *
chain_find (GPtrArray *chain, BcConfStmtKind kind)
{
  for (guint i = chain->len; i > 0; i--)
    {
      BcConfStmt *s = chain->pdata[i - 1];
      if (s->kind == kind)
        return s;
    }
  return NULL;
}

static gboolean
chain_has (GPtrArray *chain, BcConfStmt *s)
{
  for (guint i = 0; i < chain->len; i++)
    if (chain->pdata[i] == s)
      return TRUE;
  return FALSE;
}

/* Runs the blocks of @chain that are not in @limit, outermost first (ISC
 * execute_statements_in_scope with a limiting group). */
static void
exec_chain (Eval *ev, GPtrArray *chain, GPtrArray *limit)
{
  for (guint i = 0; i < chain->len; i++)
    {
      BcConfStmt *s = chain->pdata[i];
      if (limit != NULL && chain_has (limit, s))
        continue;
      if (s->kind == BC_CONF_STMT_RANGE)
        continue;
      exec_body (ev, s->body);
      if (limit != NULL)
        g_ptr_array_add (limit, s);
    }
}

static gboolean
in_subnet (guint32 addr, const BcConfStmt *subnet)
{
  return (addr & subnet->mask) == subnet->addr;
}

static BcConfStmt *
find_stmt (GPtrArray *body, BcConfStmtKind kind)
{
  if (body == NULL)
    return NULL;
  for (guint i = 0; i < body->len; i++)
    if (((BcConfStmt *)body->pdata[i])->kind == kind)
      return body->pdata[i];
  return NULL;
}

static gboolean
host_matches (Eval *ev, const BcConfStmt *host)
{
  GBytes *uid = bc_dhcp_msg_get_option (ev->req, BC_DHCP_OPTION_CLIENT_IDENTIFIER);

  for (guint i = 0; host->body != NULL && i < host->body->len; i++)
    {
      BcConfStmt *s = host->body->pdata[i];
      if (s->kind == BC_CONF_STMT_HARDWARE)
        {
          gsize len;
          const guint8 *hw = g_bytes_get_data (s->data, &len);
          if (len == (gsize)ev->req->hlen + 1 && hw[0] == ev->req->htype
              && ev->req->hlen <= sizeof ev->req->chaddr
              && memcmp (hw + 1, ev->req->chaddr, ev->req->hlen) == 0)
            return TRUE;
        }
      /* ISC matches `option dhcp-client-identifier` in a host against option 61. */
      if (s->kind == BC_CONF_STMT_OPTION && strcmp (s->space, "dhcp") == 0
          && s->code == BC_DHCP_OPTION_CLIENT_IDENTIFIER && s->data != NULL && uid != NULL
          && g_bytes_equal (s->data, uid))
        return TRUE;
    }
  return FALSE;
}

static gboolean
class_member (GPtrArray *matched, const char *name)
{
  for (guint i = 0; i < matched->len; i++)
    if (strcmp (((Decl *)matched->pdata[i])->stmt->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* ISC permitted(): does one permit apply to this client? */
static gboolean
permit_applies (Eval *ev, const BcConfStmt *permit, GPtrArray *matched)
{
  switch (permit->num)
    {
      case BC_CONF_PERMIT_KNOWN:
        return ev->known;
      case BC_CONF_PERMIT_UNKNOWN:
        return !ev->known;
      case BC_CONF_PERMIT_ALL:
        return TRUE;
      case BC_CONF_PERMIT_DYNAMIC_BOOTP:
        return bc_dhcp_msg_get_message_type (ev->req) == 0;
      case BC_CONF_PERMIT_CLASS:
        return class_member (matched, permit->name);
      case BC_CONF_PERMIT_AUTHENTICATED:
        return FALSE;
      case BC_CONF_PERMIT_UNAUTHENTICATED:
        return TRUE;
      case BC_CONF_PERMIT_AFTER:
      default:
        return TRUE;
    }
}

/* ISC: a pool with allow lines admits only clients one of them applies to; a deny
 * line that applies keeps the client out. */
static gboolean
pool_permits (Eval *ev, const BcConfStmt *pool, GPtrArray *matched)
{
  gboolean has_allow = FALSE, allowed = FALSE;

  if (pool->kind != BC_CONF_STMT_POOL)
    return TRUE;
  for (guint i = 0; i < pool->body->len; i++)
    {
      BcConfStmt *s = pool->body->pdata[i];
      if (s->kind != BC_CONF_STMT_PERMIT)
        continue;
      if (s->mode == BC_CONF_ALLOW)
        {
          has_allow = TRUE;
          if (permit_applies (ev, s, matched))
            allowed = TRUE;
        }
      else if (permit_applies (ev, s, matched))
        return FALSE;
    }
  return !has_allow || allowed;
}

static void
add_range (BcConfResult *res, const BcConfStmt *r)
{
  BcConfRange *range = g_new0 (BcConfRange, 1);
  range->start = r->addr;
  range->end = r->addr2;
  range->where = r->where;
  g_ptr_array_add (res->ranges, range);
}

static void
bc_conf_trace_free (BcConfTrace *t)
{
  g_free (t->text);
  g_free (t);
}

void
bc_conf_result_free (BcConfResult *res)
{
  if (res == NULL)
    return;
  g_free (res->shared_network);
  g_free (res->host);
  g_ptr_array_unref (res->ranges);
  g_ptr_array_unref (res->classes);
  g_free (res->filename);
  g_free (res->server_name);
  g_free (res->next_server_name);
  g_hash_table_unref (res->options);
  g_hash_table_unref (res->option_where);
  g_ptr_array_unref (res->trace);
  g_free (res);
}

static BcConfResult *
result_new (void)
{
  BcConfResult *res = g_new0 (BcConfResult, 1);

  res->ranges = g_ptr_array_new_with_free_func (g_free);
  res->classes = g_ptr_array_new_with_free_func (g_free);
  res->default_lease_time = res->max_lease_time = res->min_lease_time = -1;
  res->options
      = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_bytes_unref);
  res->option_where = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  res->trace = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_trace_free);
  return res;
}

static int
compare_set_code (gconstpointer a, gconstpointer b)
{
  const SetOption *x = *(SetOption *const *)a, *y = *(SetOption *const *)b;
  return (int)x->code - (int)y->code;
}

/* Pack options set in encapsulated spaces into their carrier (ipxe.* -> 175), inner
 * spaces first, then copy the dhcp space into the result. */
static void
pack_options (Eval *ev)
{
  BcConfResult *res = ev->res;

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr (GHashTable) spaces = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter it;
      gpointer key;

      for (guint i = 0; i < ev->set->len; i++)
        {
          SetOption *o = ev->set->pdata[i];
          if (strcmp (o->space, "dhcp") != 0)
            g_hash_table_add (spaces, o->space);
        }
      if (g_hash_table_size (spaces) == 0)
        break;
      g_hash_table_iter_init (&it, spaces);
      while (g_hash_table_iter_next (&it, &key, NULL))
        {
          g_autofree char *space = g_strdup (key);
          g_autofree char *parent = NULL;
          guint code;
          g_autoptr (GPtrArray) subs = g_ptr_array_new ();
          g_autoptr (GPtrArray) wire
              = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_dhcp_option_free);
          g_autoptr (GBytes) packed = NULL;
          BcConfLocation where = { 0 };
          SetOption *carrier;

          for (guint i = 0; i < ev->set->len; i++)
            if (strcmp (((SetOption *)ev->set->pdata[i])->space, space) == 0)
              g_ptr_array_add (subs, ev->set->pdata[i]);
          g_ptr_array_sort (subs, compare_set_code);
          if (ev->vendor_space != NULL && strcmp (space, ev->vendor_space) == 0)
            {
              /* ISC: vendor-option-space puts the space in option 43. */
              parent = g_strdup ("dhcp");
              code = BC_DHCP_OPTION_VENDOR_ENCAPSULATED;
            }
          if (parent == NULL
              && !find_encapsulation (ev->conf->registry, space, ev->conf, &parent, &code))
            {
              for (guint i = 0; i < subs->len; i++)
                {
                  SetOption *o = subs->pdata[i];
                  const BcDhcpOptionDef *def
                      = bc_dhcp_option_registry_lookup_code (ev->conf->registry, o->space, o->code);
                  g_autofree char *name
                      = def != NULL ? g_strdup (def->name) : g_strdup_printf ("%u", o->code);
                  trace (ev, &o->where,
                         "option %s.%s is not sent: no option is declared to encapsulate %s "
                         "(e.g. option %s-encap code N = encapsulate %s;)",
                         o->space, name, o->space, o->space, o->space);
                }
            }
          else
            {
              for (guint i = 0; i < subs->len; i++)
                {
                  SetOption *o = subs->pdata[i];
                  BcDhcpOption *w = g_new0 (BcDhcpOption, 1);
                  w->code = (guint8)o->code;
                  w->data = g_bytes_ref (o->data);
                  g_ptr_array_add (wire, w);
                  where = o->where;
                }
              packed = bc_dhcp_options_build_encapsulated (wire);
              carrier = find_set (ev, parent, code);
              if (carrier == NULL)
                {
                  carrier = g_new0 (SetOption, 1);
                  carrier->space = g_strdup (parent);
                  carrier->code = code;
                  carrier->data = g_bytes_ref (packed);
                  carrier->where = where;
                  g_ptr_array_add (ev->set, carrier);
                }
              else
                {
                  /* Explicit carrier data first, then the sub-options. */
                  GByteArray *cat = g_byte_array_new ();
                  g_byte_array_append (cat, g_bytes_get_data (carrier->data, NULL),
                                       g_bytes_get_size (carrier->data));
                  g_byte_array_append (cat, g_bytes_get_data (packed, NULL),
                                       g_bytes_get_size (packed));
                  g_bytes_unref (carrier->data);
                  carrier->data = g_byte_array_free_to_bytes (cat);
                }
            }
          for (guint i = ev->set->len; i > 0; i--)
            if (strcmp (((SetOption *)ev->set->pdata[i - 1])->space, space) == 0)
              g_ptr_array_remove_index (ev->set, i - 1);
        }
    }

  for (guint i = 0; i < ev->set->len; i++)
    {
      SetOption *o = ev->set->pdata[i];
      BcConfLocation *where;

      if (strcmp (o->space, "dhcp") != 0)
        continue;
      /* The policy owns these (RFC 2131 4.3.1). A configured dhcp-renewal-time or
       * dhcp-rebinding-time is passed on: ISC sends them when configured. */
      if (o->code == BC_DHCP_OPTION_MESSAGE_TYPE || o->code == BC_DHCP_OPTION_SERVER_IDENTIFIER
          || o->code == BC_DHCP_OPTION_LEASE_TIME)
        continue;
      g_hash_table_replace (res->options, GUINT_TO_POINTER (o->code), g_bytes_ref (o->data));
      where = g_new (BcConfLocation, 1);
      *where = o->where;
      g_hash_table_replace (res->option_where, GUINT_TO_POINTER (o->code), where);
    }
}

static void
ptr_array_unref0 (gpointer a)
{
  if (a != NULL)
    g_ptr_array_unref (a);
}

BcConfResult *
bc_conf_evaluate (const BcConf *conf, const BcDhcpMsg *request, const BcConfRequestContext *ctx,
                  GError **error)
{
  g_autoptr (BcConfResult) res = result_new ();
  Decls d = {
    g_ptr_array_new_with_free_func ((GDestroyNotify)decl_free),
    g_ptr_array_new_with_free_func ((GDestroyNotify)decl_free),
    g_ptr_array_new_with_free_func ((GDestroyNotify)decl_free),
    g_ptr_array_new_with_free_func ((GDestroyNotify)decl_free),
  };
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  g_autoptr (GPtrArray) matched = g_ptr_array_new ();     /* class Decl*, match order */
  g_autoptr (GPtrArray) matched_sub = g_ptr_array_new (); /* its subclass Decl* or NULL */
  g_autoptr (GPtrArray) limit = g_ptr_array_new ();
  g_autoptr (GPtrArray) set = g_ptr_array_new_with_free_func ((GDestroyNotify)set_option_free);
  g_autoptr (GHashTable) pkt_cache
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, ptr_array_unref0);
  Eval ev;
  Decl *subnet = NULL, *host = NULL, *pool = NULL;
  guint32 sel;

  g_return_val_if_fail (conf != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  eval_init (&ev, conf, request, ctx, res, set, pkt_cache);

  collect (conf->body, chain, &d);

  /* The subnet: by giaddr (relayed), else ciaddr, else the receiving interface;
   * the most specific one wins. */
  sel = request->giaddr != 0   ? request->giaddr
        : request->ciaddr != 0 ? request->ciaddr
                               : ev.ctx->local_addr;
  for (guint i = 0; i < d.subnets->len; i++)
    {
      Decl *s = d.subnets->pdata[i];
      if (in_subnet (sel, s->stmt)
          && (subnet == NULL
              || GUINT32_FROM_BE (s->stmt->mask) > GUINT32_FROM_BE (subnet->stmt->mask)))
        subnet = s;
    }

  /* The host: by hardware address or client identifier. A host with a fixed address
   * on this subnet is a static lease; otherwise the first host without one applies
   * (ISC find_hosts_by_haddr + the fixed_addr check in dhcp.c). */
  {
    Decl *dynamic_host = NULL;
    for (guint i = 0; i < d.hosts->len; i++)
      {
        Decl *h = d.hosts->pdata[i];
        BcConfStmt *fa;

        if (!host_matches (&ev, h->stmt))
          continue;
        ev.known = TRUE;
        fa = find_stmt (h->stmt->body, BC_CONF_STMT_FIXED_ADDRESS);
        if (fa == NULL)
          {
            if (dynamic_host == NULL)
              dynamic_host = h;
            continue;
          }
        for (guint k = 0; subnet != NULL && k < fa->addrs->len && host == NULL; k++)
          if (in_subnet (g_array_index (fa->addrs, guint32, k), subnet->stmt))
            {
              host = h;
              res->has_fixed_address = TRUE;
              res->fixed_address = g_array_index (fa->addrs, guint32, k);
              ev.is_static = TRUE;
            }
      }
    if (host == NULL)
      host = dynamic_host;
    if (host != NULL)
      {
        res->host = g_strdup (host->stmt->name);
        ev.host_name = host->stmt->name;
      }
  }

  /* Classes, in file order: `match if`, or `match DATA` against the subclasses. */
  for (guint i = 0; i < d.classes->len; i++)
    {
      Decl *c = d.classes->pdata[i];
      BcConfStmt *m;

      if (c->stmt->kind != BC_CONF_STMT_CLASS)
        continue;
      if ((m = find_stmt (c->stmt->body, BC_CONF_STMT_MATCH_IF)) != NULL)
        {
          gboolean v = FALSE, ok = eval_bool (&ev, m->expr, &v);
          trace (&ev, &m->where, "class \"%s\": %s -> %s", c->stmt->name, m->text,
                 ok && v ? "true" : "false");
          if (ok && v)
            {
              g_ptr_array_add (matched, c);
              g_ptr_array_add (matched_sub, NULL);
            }
        }
      else if ((m = find_stmt (c->stmt->body, BC_CONF_STMT_MATCH_DATA)) != NULL)
        {
          g_autoptr (GBytes) key = eval_data (&ev, m->expr);
          for (guint k = 0; key != NULL && k < d.classes->len; k++)
            {
              Decl *sc = d.classes->pdata[k];
              if (sc->stmt->kind == BC_CONF_STMT_SUBCLASS
                  && strcmp (sc->stmt->name, c->stmt->name) == 0
                  && g_bytes_equal (sc->stmt->data, key))
                {
                  trace (&ev, &sc->stmt->where, "class \"%s\": %s -> subclass matched",
                         c->stmt->name, m->text);
                  g_ptr_array_add (matched, c);
                  g_ptr_array_add (matched_sub, sc);
                  break;
                }
            }
        }
    }
  for (guint i = 0; i < matched->len; i++)
    {
      const char *name = ((Decl *)matched->pdata[i])->stmt->name;
      gboolean dup = FALSE;
      for (guint k = 0; k < res->classes->len; k++)
        dup = dup || strcmp (res->classes->pdata[k], name) == 0;
      if (!dup)
        g_ptr_array_add (res->classes, g_strdup (name));
    }

  /* Pools of the client's network segment whose permits admit it. */
  if (subnet != NULL)
    {
      BcConfStmt *shared = chain_find (subnet->chain, BC_CONF_STMT_SHARED_NETWORK);
      BcConfStmt *segment = shared != NULL ? shared : subnet->stmt;

      for (guint i = 0; i < d.pools->len; i++)
        {
          Decl *pl = d.pools->pdata[i];
          gboolean has_range = FALSE;

          if (!chain_has (pl->chain, segment) || !pool_permits (&ev, pl->stmt, matched))
            continue;
          if (pl->stmt->kind == BC_CONF_STMT_RANGE)
            {
              add_range (res, pl->stmt);
              has_range = TRUE;
            }
          else
            for (guint k = 0; k < pl->stmt->body->len; k++)
              if (((BcConfStmt *)pl->stmt->body->pdata[k])->kind == BC_CONF_STMT_RANGE)
                {
                  add_range (res, pl->stmt->body->pdata[k]);
                  has_range = TRUE;
                }
          if (has_range && pool == NULL && !ev.is_static)
            pool = pl;
        }
      /* With a shared network, the lease's subnet is the one its address is on. */
      if (pool != NULL && shared != NULL && res->ranges->len > 0)
        {
          guint32 first = ((BcConfRange *)res->ranges->pdata[0])->start;
          for (guint i = 0; i < d.subnets->len; i++)
            {
              Decl *s = d.subnets->pdata[i];
              if (chain_has (s->chain, shared) && in_subnet (first, s->stmt))
                {
                  subnet = s;
                  break;
                }
            }
        }

      res->has_subnet = TRUE;
      res->subnet_addr = subnet->stmt->addr;
      res->subnet_mask = subnet->stmt->mask;
      res->subnet_where = subnet->stmt->where;
      if (shared != NULL)
        res->shared_network = g_strdup (shared->name);
    }

  /* Run the scopes, outermost first. */
  exec_body (&ev, conf->body);
  if (subnet != NULL)
    exec_chain (&ev, subnet->chain, limit);
  if (pool != NULL)
    exec_chain (&ev, pool->chain, limit);
  for (guint i = matched->len; i > 0; i--)
    {
      Decl *c = matched->pdata[i - 1];
      Decl *sc = matched_sub->pdata[i - 1];
      g_autoptr (GPtrArray) class_limit = g_ptr_array_copy (limit, NULL, NULL);
      exec_chain (&ev, c->chain, class_limit);
      /* A subclass runs inside its class (ISC: its group's parent is the class's). */
      if (sc != NULL)
        exec_chain (&ev, sc->chain, class_limit);
    }
  if (host != NULL)
    exec_chain (&ev, host->chain, limit);
  if (ev.crashed)
    {
      g_autofree char *loc = bc_conf_location_format (&ev.crash_where);
      g_set_error (error, BC_CONF_ERROR, BC_CONF_ERROR_EVAL,
                   "%s: this client reaches a switch label with nothing after it, where ISC "
                   "dhcpd 4.4 crashes (common/execute.c find_matching_case): put a statement "
                   "such as break; after the label",
                   loc);
      g_ptr_array_unref (d.subnets);
      g_ptr_array_unref (d.hosts);
      g_ptr_array_unref (d.classes);
      g_ptr_array_unref (d.pools);
      return NULL;
    }

  res->ignore_booting = ev.booting == BC_CONF_DENY || ev.booting == BC_CONF_IGNORE;
  if (!ev.known && (ev.unknown_clients == BC_CONF_DENY || ev.unknown_clients == BC_CONF_IGNORE))
    res->ignore_client = TRUE;
  if (bc_dhcp_msg_get_message_type (request) == 0
      && (ev.bootp == BC_CONF_DENY || ev.bootp == BC_CONF_IGNORE))
    res->ignore_client = TRUE;

  pack_options (&ev);

  g_ptr_array_unref (d.subnets);
  g_ptr_array_unref (d.hosts);
  g_ptr_array_unref (d.classes);
  g_ptr_array_unref (d.pools);
  return g_steal_pointer (&res);
}

gboolean
bc_conf_startup_crash (const BcConf *conf, BcConfLocation *ret_label)
{
  g_autoptr (BcConfResult) res = result_new ();
  g_autoptr (BcDhcpMsg) none = bc_dhcp_msg_new ();
  g_autoptr (GPtrArray) set = g_ptr_array_new_with_free_func ((GDestroyNotify)set_option_free);
  g_autoptr (GHashTable) pkt_cache
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, ptr_array_unref0);
  Eval ev;

  eval_init (&ev, conf, none, NULL, res, set, pkt_cache);
  ev.no_packet = TRUE;
  exec_body (&ev, conf->body);
  if (ev.crashed)
    *ret_label = ev.crash_where;
  return ev.crashed;
}
