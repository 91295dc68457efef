/* dhcpd.conf recursive-descent parser: tokens -> AST (conf-ast.h).
 *
 * One function per production, the production as its first comment. The grammar and
 * what is accepted follow ISC DHCP 4.4 (server/confpars.c, common/parse.c): checked
 * against `dhcpd -t` for every construct below. The parser has no side effects; the
 * option registry it fills from `option space` / `option … code` declarations is part
 * of its result, as in ISC, where a declaration must come before its use.
 *
 * Errors are Lua-like (STYLE.md): file:line:col, what was expected, where the
 * statement began, the source line and a caret. A missing ';' is reported at the end
 * of the statement, not at the next line's first token as ISC does. Recovery at ';'
 * and '}' finds several errors per run. */
#include "server/conf/conf-ast.h"
#include "server/conf/conf-lexer.h"

#include <stdarg.h>
#include <string.h>

typedef enum
{
  SCOPE_GLOBAL = 1 << 0,
  SCOPE_SHARED = 1 << 1,
  SCOPE_SUBNET = 1 << 2,
  SCOPE_POOL = 1 << 3,
  SCOPE_GROUP = 1 << 4,
  SCOPE_HOST = 1 << 5,
  SCOPE_CLASS = 1 << 6,
  SCOPE_IF = 1 << 7,     /* inside if/elsif/else: executable statements only */
  SCOPE_SWITCH = 1 << 8, /* directly in a switch body: executable statements and labels */
} Scope;

#define SCOPE_ANY 0x1ff
#define SCOPE_DECL (SCOPE_ANY & ~(SCOPE_IF | SCOPE_SWITCH))

/* ISC's expression contexts (common/parse.c parse_non_binary) as far as they change how
 * a number is read: in a numeric context (and the switch expression's data-or-numeric
 * one) a decimal NUMBER token is an integer, read with atoi(); in every other context
 * (data, boolean: CTX_ANY) a number-like token starts a colon-separated hex list, so
 * `7` there is the byte 07. An operator's right side is read in its left side's context
 * (parse_expression: context = expression_context (lhs)). */
typedef enum
{
  CTX_ANY,
  CTX_DATA,
  CTX_NUMERIC,
  CTX_DATA_OR_NUMERIC,
} ExprCtx;

typedef struct
{
  const char *filename;
  const char *text;
  gsize len;
  GPtrArray *toks;
  guint pos;
  GString *errors;
  guint n_errors;
  BcDhcpOptionRegistry *reg;
  BcDhcpOptionRegistry *wellknown; /* for "declare it first, e.g. …" hints */
  guint stmt_line, stmt_col;       /* where the statement being parsed began */
  guint depth;
  /* The first '}' whose indentation does not match its block (see parse_block). */
  guint suspect_line, suspect_col, suspect_open_line, suspect_open_col;
  const char *suspect_what;
  gboolean eof_reported;
  GHashTable *classes;    /* names of the classes declared so far */
  GPtrArray *value_names; /* host names met in the ip-address values being parsed */
  ExprCtx ctx;            /* of the expression being parsed */
  ExprCtx case_ctx;       /* of the labels of the innermost switch (DATA or NUMERIC) */
  GHashTable *variables;  /* lower-case name -> "line:col" of a `set`/`unset` of it */
} Parser;

/* Deeper nesting than this is refused (the fuzzer would otherwise blow the stack). */
#define MAX_DEPTH 64

static BcConfToken *
peek (Parser *p)
{
  return p->toks->pdata[p->pos];
}

static BcConfToken *
peek_at (Parser *p, guint n)
{
  guint i = MIN (p->pos + n, p->toks->len - 1);
  return p->toks->pdata[i];
}

static BcConfToken *
next (Parser *p)
{
  BcConfToken *t = peek (p);
  if (t->kind != BC_CONF_TOK_EOF)
    p->pos++;
  return t;
}

/* The last token consumed (the first token when nothing was). */
static BcConfToken *
prev (Parser *p)
{
  return p->toks->pdata[p->pos > 0 ? p->pos - 1 : 0];
}

static gboolean
tok_is (const BcConfToken *t, BcConfTokKind kind)
{
  return t->kind == kind;
}

/* ISC keywords are case-insensitive (conflex.c intern()). */
static gboolean
tok_is_word (const BcConfToken *t, const char *word)
{
  return t->kind == BC_CONF_TOK_WORD && g_ascii_strcasecmp (t->value, word) == 0;
}

static gboolean
accept (Parser *p, BcConfTokKind kind)
{
  if (!tok_is (peek (p), kind))
    return FALSE;
  next (p);
  return TRUE;
}

static gboolean
accept_word (Parser *p, const char *word)
{
  if (!tok_is_word (peek (p), word))
    return FALSE;
  next (p);
  return TRUE;
}

static char *
describe_tok (const BcConfToken *t)
{
  switch (t->kind)
    {
      case BC_CONF_TOK_WORD:
        return g_strdup_printf ("'%s'", t->value);
      case BC_CONF_TOK_STRING:
        return g_strdup_printf ("\"%s\"", t->value);
      case BC_CONF_TOK_INVALID:
        return g_strdup (t->value);
      default:
        return g_strdup (bc_conf_tokens[t->kind].describe);
    }
}

/* The text of line @line (1-based), without its newline. */
static void
source_line (Parser *p, guint line, const char **ret_start, gsize *ret_len)
{
  const char *s = p->text, *end = p->text + p->len;
  guint l = 1;

  while (l < line && s < end)
    {
      const char *nl = memchr (s, '\n', end - s);
      if (nl == NULL)
        {
          s = end;
          break;
        }
      s = nl + 1;
      l++;
    }
  {
    const char *nl = memchr (s, '\n', end - s);
    *ret_start = s;
    *ret_len = (nl != NULL ? nl : end) - s;
  }
}

/* Column of the first non-blank character of @line (tabs count one, as everywhere). */
static guint
line_indent (Parser *p, guint line)
{
  const char *ls;
  gsize ll, i = 0;

  source_line (p, line, &ls, &ll);
  while (i < ll && (ls[i] == ' ' || ls[i] == '\t'))
    i++;
  return (guint)i + 1;
}

static void G_GNUC_PRINTF (4, 5) error_at (Parser *p, guint line, guint col, const char *fmt, ...)
{
  va_list ap;
  const char *ls;
  gsize ll;

  if (p->n_errors > 0)
    g_string_append_c (p->errors, '\n');
  p->n_errors++;
  g_string_append_printf (p->errors, "%s:%u:%u: ", p->filename, line, col);
  va_start (ap, fmt);
  g_string_append_vprintf (p->errors, fmt, ap);
  va_end (ap);
  if (p->stmt_line != 0 && (p->stmt_line != line || p->stmt_col != col))
    g_string_append_printf (p->errors, " (statement began at %u:%u)", p->stmt_line, p->stmt_col);
  g_string_append (p->errors, "\n    ");
  source_line (p, line, &ls, &ll);
  for (gsize i = 0; i < ll; i++)
    g_string_append_c (p->errors, g_ascii_isprint (ls[i]) || ls[i] == '\t' ? ls[i] : '?');
  g_string_append (p->errors, "\n    ");
  /* Copy tabs so the caret lines up whatever the tab width. */
  for (gsize i = 0; i + 1 < col && i < ll; i++)
    g_string_append_c (p->errors, ls[i] == '\t' ? '\t' : ' ');
  for (gsize i = ll; i + 1 < col; i++)
    g_string_append_c (p->errors, ' ');
  g_string_append_c (p->errors, '^');
}

#define error_tok(p, t, ...) error_at ((p), (t)->line, (t)->col, __VA_ARGS__)

/* "expected X after WHAT": at the unexpected token when it is on the same line as the
 * previous one, else right after the previous token (a missing ';' belongs to the end
 * of its statement, not the next line). */
static void
error_expected (Parser *p, const char *what, const char *after)
{
  BcConfToken *t = peek (p), *pt = prev (p);
  g_autofree char *found = describe_tok (t);

  if (t->kind == BC_CONF_TOK_INVALID)
    error_tok (p, t, "%s", t->value);
  else if (p->pos > 0 && t->line > pt->end_line)
    error_at (p, pt->end_line, pt->end_col, "expected %s after %s", what, after);
  else
    error_tok (p, t, "expected %s after %s, found %s", what, after, found);
}

static gboolean
expect (Parser *p, BcConfTokKind kind, const char *after)
{
  if (accept (p, kind))
    return TRUE;
  error_expected (p, bc_conf_tokens[kind].describe, after);
  return FALSE;
}

/* Statements end with ';'. When the ';' is missing at the end of a line, report it
 * there and go on as if it were present (the next line is a statement of its own). */
static gboolean
expect_semi (Parser *p, const char *after, gboolean *ret_soft)
{
  BcConfToken *t = peek (p);

  *ret_soft = FALSE;
  if (accept (p, BC_CONF_TOK_SEMI))
    return TRUE;
  error_expected (p, "';'", after);
  if (p->pos > 0 && t->line > prev (p)->end_line)
    *ret_soft = TRUE;
  return FALSE;
}

/* The source of tokens [first, last] with each run of blanks/comments as one space. */
static char *
text_of (Parser *p, guint first, guint last)
{
  GString *s = g_string_new (NULL);

  for (guint i = first; i <= last && i < p->toks->len; i++)
    {
      BcConfToken *t = p->toks->pdata[i];
      if (t->kind == BC_CONF_TOK_EOF)
        break;
      if (i > first
          && ((BcConfToken *)p->toks->pdata[i - 1])->offset
                     + ((BcConfToken *)p->toks->pdata[i - 1])->len
                 != t->offset)
        g_string_append_c (s, ' ');
      g_string_append_len (s, p->text + t->offset, t->len);
    }
  return g_string_free (s, FALSE);
}

static BcConfStmt *
stmt_new (Parser *p, BcConfStmtKind kind, const BcConfToken *first)
{
  BcConfStmt *s = g_new0 (BcConfStmt, 1);
  s->kind = kind;
  s->where.file = p->filename;
  s->where.line = first->line;
  s->where.col = first->col;
  return s;
}

/* Skip the rest of a bad statement: through its ';', or through its { … } block, or
 * up to (not including) the '}' that closes the enclosing block. */
static void
skip_statement (Parser *p)
{
  guint depth = 0;

  for (;;)
    {
      BcConfToken *t = peek (p);
      switch (t->kind)
        {
          case BC_CONF_TOK_EOF:
            return;
          case BC_CONF_TOK_SEMI:
            next (p);
            if (depth == 0)
              return;
            break;
          case BC_CONF_TOK_LBRACE:
            depth++;
            next (p);
            break;
          case BC_CONF_TOK_RBRACE:
            if (depth == 0)
              return;
            next (p);
            if (--depth == 0)
              return;
            break;
          default:
            next (p);
        }
    }
}

/* ------------------------------------------------------------------ numbers, names */

/* ISC convert_num() with base 0: 0x… hex, 0… octal, else decimal; '-' for signed. */
static gboolean
parse_integer_text (const char *s, gint64 *ret)
{
  gboolean neg = FALSE;
  guint base = 10;
  guint64 v = 0;

  if (*s == '-')
    {
      neg = TRUE;
      s++;
    }
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
      base = 16;
      s += 2;
    }
  else if (s[0] == '0' && s[1] != '\0')
    {
      base = 8;
      s++;
    }
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    {
      int d = g_ascii_xdigit_value (*s);
      if (d < 0 || (guint)d >= base)
        return FALSE;
      v = v * base + (guint)d;
      if (v > G_MAXUINT32 + (guint64)1)
        return FALSE;
    }
  *ret = neg ? -(gint64)v : (gint64)v;
  return TRUE;
}

static gboolean
word_is_integer (const BcConfToken *t)
{
  gint64 v;
  return t->kind == BC_CONF_TOK_WORD && parse_integer_text (t->value, &v);
}

/* number := WORD (decimal, 0x hex or 0 octal) within [min, max] */
static gboolean
parse_number (Parser *p, gint64 min, gint64 max, const char *after, gint64 *ret)
{
  BcConfToken *t = peek (p);
  gint64 v;

  if (t->kind != BC_CONF_TOK_WORD || !parse_integer_text (t->value, &v))
    {
      error_expected (p, "a number", after);
      return FALSE;
    }
  if (v < min || v > max)
    {
      error_tok (p, t, "%s is out of range for %s (%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")",
                 t->value, after, min, max);
      next (p);
      return FALSE;
    }
  next (p);
  *ret = v;
  return TRUE;
}

static gboolean
word_is_decimal_octet (const BcConfToken *t, guint *ret)
{
  guint v = 0;

  if (t->kind != BC_CONF_TOK_WORD || t->value_len == 0 || t->value_len > 3)
    return FALSE;
  for (const char *s = t->value; *s != '\0'; s++)
    {
      if (!g_ascii_isdigit (*s))
        return FALSE;
      v = v * 10 + (guint)(*s - '0');
    }
  if (v > 255)
    return FALSE;
  *ret = v;
  return TRUE;
}

static gboolean
looks_like_ip_addr (Parser *p)
{
  guint o;
  for (guint i = 0; i < 4; i++)
    {
      if (!word_is_decimal_octet (peek_at (p, 2 * i), &o))
        return FALSE;
      if (i < 3 && !tok_is (peek_at (p, 2 * i + 1), BC_CONF_TOK_DOT))
        return FALSE;
    }
  return TRUE;
}

/* ip-addr := OCTET "." OCTET "." OCTET "." OCTET */
static gboolean
parse_ip_addr (Parser *p, const char *after, guint32 *ret)
{
  guint8 b[4];
  guint o = 0;

  if (!looks_like_ip_addr (p))
    {
      error_expected (p, "an IPv4 address", after);
      return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    {
      word_is_decimal_octet (next (p), &o);
      b[i] = (guint8)o;
      if (i < 3)
        next (p);
    }
  memcpy (ret, b, 4);
  return TRUE;
}

/* host-name := WORD ("." WORD)* */
static char *
parse_host_name (Parser *p, const char *after)
{
  GString *s;

  if (!tok_is (peek (p), BC_CONF_TOK_WORD))
    {
      error_expected (p, "a host name", after);
      return NULL;
    }
  s = g_string_new (next (p)->value);
  while (tok_is (peek (p), BC_CONF_TOK_DOT) && tok_is (peek_at (p, 1), BC_CONF_TOK_WORD))
    {
      next (p);
      g_string_append_printf (s, ".%s", next (p)->value);
    }
  return g_string_free (s, FALSE);
}

/* ip-addr-or-hostname := ip-addr | host-name */
static gboolean
parse_ip_addr_or_hostname (Parser *p, const char *after, guint32 *ret_addr, char **ret_name)
{
  if (looks_like_ip_addr (p))
    {
      *ret_name = NULL;
      return parse_ip_addr (p, after, ret_addr);
    }
  *ret_name = parse_host_name (p, after);
  return *ret_name != NULL;
}

static gboolean
word_is_hex_byte (const BcConfToken *t, guint8 *ret)
{
  if (t->kind != BC_CONF_TOK_WORD || t->value_len == 0 || t->value_len > 2
      || !g_ascii_isxdigit (t->value[0]) || (t->value_len == 2 && !g_ascii_isxdigit (t->value[1])))
    return FALSE;
  *ret = (guint8)strtoul (t->value, NULL, 16);
  return TRUE;
}

static gboolean
word_is_hex_byte_text (const BcConfToken *t)
{
  guint8 b;
  return word_is_hex_byte (t, &b);
}

/* ISC's lexer NUMBER: decimal digits, optionally after '-' (common/conflex.c
 * read_number); "0x10" and "0a" are NUMBER_OR_NAME. */
static gboolean
word_is_decimal (const BcConfToken *t)
{
  const char *s = t->value;

  if (t->kind != BC_CONF_TOK_WORD)
    return FALSE;
  if (*s == '-')
    s++;
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* The value ISC gives a NUMBER in a numeric context: atoi() (common/parse.c
 * parse_non_binary), so "010" is ten, not octal, and it wraps at int, then widens to
 * the unsigned long ISC computes with. */
static guint64
isc_atoi (const char *s)
{
  gint64 v = g_ascii_strtoll (s, NULL, 10);
  return (guint64)(gint64)(gint32)(guint32)v;
}

/* colon-hex := HEXBYTE (":" HEXBYTE)* */
static GBytes *
parse_colon_hex (Parser *p, const char *after)
{
  GByteArray *buf = g_byte_array_new ();
  guint8 b;

  do
    {
      if (!word_is_hex_byte (peek (p), &b))
        {
          error_expected (p, "a hex byte (like 0a)", after);
          g_byte_array_unref (buf);
          return NULL;
        }
      next (p);
      g_byte_array_append (buf, &b, 1);
    }
  while (accept (p, BC_CONF_TOK_COLON));
  return g_byte_array_free_to_bytes (buf);
}

/* string-or-hex := STRING | colon-hex */
static GBytes *
parse_string_or_hex (Parser *p, const char *after)
{
  if (tok_is (peek (p), BC_CONF_TOK_STRING))
    {
      BcConfToken *t = next (p);
      return g_bytes_new (t->value, t->value_len);
    }
  return parse_colon_hex (p, after);
}

/* ------------------------------------------------------------------ option names */

/* Hints for options people use without declaring them (seed 003's `arch`). */
static const struct
{
  const char *name;
  const char *declaration;
} undeclared_hints[] = {
  { "arch", "option arch code 93 = unsigned integer 16;" },
  { "client-arch", "option client-arch code 93 = unsigned integer 16;" },
  { "client-system-arch", "option client-system-arch code 93 = unsigned integer 16;" },
};

static char *format_to_type (const char *format);

static void
report_unknown_option (Parser *p, const BcConfToken *at, const char *space, const char *name,
                       gboolean qualified)
{
  g_autofree char *full = qualified ? g_strdup_printf ("%s.%s", space, name) : g_strdup (name);
  const BcDhcpOptionDef *wk = bc_dhcp_option_registry_lookup_name (p->wellknown, space, name);

  if (!bc_dhcp_option_registry_has_space (p->reg, space))
    {
      if (wk != NULL)
        {
          g_autofree char *type = format_to_type (wk->format);
          error_tok (p, at,
                     "unknown option space %s: declare it first, e.g. option space %s; "
                     "option %s code %u = %s;",
                     space, space, full, wk->code, type);
        }
      else
        error_tok (p, at, "unknown option space %s: declare it first with option space %s;", space,
                   space);
      return;
    }
  if (wk != NULL)
    {
      g_autofree char *type = format_to_type (wk->format);
      error_tok (p, at, "unknown option %s: declare it first, e.g. option %s code %u = %s;", full,
                 full, wk->code, type);
      return;
    }
  if (g_strcmp0 (space, "dhcp") == 0)
    for (guint i = 0; i < G_N_ELEMENTS (undeclared_hints); i++)
      if (g_strcmp0 (undeclared_hints[i].name, name) == 0)
        {
          error_tok (p, at, "unknown option %s: declare it first, e.g. %s", full,
                     undeclared_hints[i].declaration);
          return;
        }
  error_tok (p, at, "unknown option %s: declare it first with option %s code N = TYPE;", full,
             full);
}

/* option-name := WORD | WORD "." WORD
 * An unqualified name is in the dhcp space. Resolving it is the caller's job. */
static gboolean
parse_option_name (Parser *p, const char *after, char **ret_space, char **ret_name,
                   gboolean *ret_qualified)
{
  BcConfToken *first = peek (p);

  if (!tok_is (first, BC_CONF_TOK_WORD))
    {
      error_expected (p, "an option name", after);
      return FALSE;
    }
  next (p);
  if (tok_is (peek (p), BC_CONF_TOK_DOT) && tok_is (peek_at (p, 1), BC_CONF_TOK_WORD))
    {
      next (p);
      *ret_space = g_strdup (first->value);
      *ret_name = g_strdup (next (p)->value);
      *ret_qualified = TRUE;
    }
  else
    {
      *ret_space = g_strdup ("dhcp");
      *ret_name = g_strdup (first->value);
      *ret_qualified = FALSE;
    }
  return TRUE;
}

/* option-name, which must be defined: an unknown name is an error, as in ISC. */
static const BcDhcpOptionDef *
parse_known_option_name (Parser *p, const char *after, char **ret_space, char **ret_name)
{
  BcConfToken *first = peek (p);
  g_autofree char *space = NULL;
  g_autofree char *name = NULL;
  gboolean qualified;
  const BcDhcpOptionDef *def;

  if (!parse_option_name (p, after, &space, &name, &qualified))
    return NULL;
  def = bc_dhcp_option_registry_lookup_name (p->reg, space, name);
  if (def == NULL)
    {
      report_unknown_option (p, first, space, name, qualified);
      return NULL;
    }
  *ret_space = g_steal_pointer (&space);
  *ret_name = g_steal_pointer (&name);
  return def;
}

/* ------------------------------------------------------------------ option types */

static const struct
{
  char fmt;
  const char *type;
} format_types[] = {
  { 'I', "ip-address" },
  { 'L', "unsigned integer 32" },
  { 'l', "signed integer 32" },
  { 'S', "unsigned integer 16" },
  { 's', "signed integer 16" },
  { 'B', "unsigned integer 8" },
  { 'b', "signed integer 8" },
  { 'f', "boolean" },
  { 't', "text" },
  { 'X', "string" },
  { 'd', "domain-name" },
  { 'D', "domain-list" },
  { '6', "ip6-address" },
  { 'Z', "zerolen" },
};

/* ISC format string -> dhcpd.conf type text, for hints. */
static char *
format_to_type (const char *format)
{
  GString *s = g_string_new (NULL);
  gsize n = strlen (format);
  gboolean array = n > 0 && (format[n - 1] == 'A' || format[n - 1] == 'a');
  guint atoms = 0;

  if (format[0] == 'E')
    {
      const char *dot = strchr (format, '.');
      g_string_append_printf (s, "encapsulate %.*s", (int)(dot ? dot - format - 1 : (long)n - 1),
                              format + 1);
      return g_string_free (s, FALSE);
    }
  for (gsize i = 0; i < n; i++)
    if (format[i] != 'A' && format[i] != 'a' && format[i] != 'c' && format[i] != 'o')
      atoms++;
  if (array)
    g_string_append (s, "array of ");
  if (atoms > 1)
    g_string_append (s, "{ ");
  for (gsize i = 0, k = 0; i < n; i++)
    for (guint j = 0; j < G_N_ELEMENTS (format_types); j++)
      if (format_types[j].fmt == format[i])
        {
          g_string_append_printf (s, "%s%s", k++ > 0 ? ", " : "", format_types[j].type);
          break;
        }
  if (atoms > 1)
    g_string_append (s, " }");
  return g_string_free (s, FALSE);
}

/* simple-type := ("unsigned" | "signed")? "integer" (8|16|32) | "ip-address"
 *              | "ip6-address" | "string" | "text" | "boolean" | "domain-name"
 *              | "domain-list" "compressed"? | "zerolen" */
static gboolean
parse_simple_type (Parser *p, GString *fmt)
{
  BcConfToken *t = peek (p);
  gboolean is_signed = TRUE;

  if (accept_word (p, "unsigned"))
    is_signed = FALSE;
  else
    accept_word (p, "signed");
  if (accept_word (p, "integer"))
    {
      gint64 w;
      if (!parse_number (p, 8, 32, "integer", &w))
        return FALSE;
      if (w != 8 && w != 16 && w != 32)
        {
          error_tok (p, prev (p), "integer width must be 8, 16 or 32");
          return FALSE;
        }
      g_string_append_c (fmt, w == 8    ? (is_signed ? 'b' : 'B')
                              : w == 16 ? (is_signed ? 's' : 'S')
                                        : (is_signed ? 'l' : 'L'));
      return TRUE;
    }
  if (t != peek (p))
    {
      error_expected (p, "'integer'", t->value);
      return FALSE;
    }
  for (guint j = 0; j < G_N_ELEMENTS (format_types); j++)
    if (format_types[j].fmt != 'L' && format_types[j].fmt != 'l' && format_types[j].fmt != 'S'
        && format_types[j].fmt != 's' && format_types[j].fmt != 'B' && format_types[j].fmt != 'b'
        && tok_is_word (t, format_types[j].type))
      {
        next (p);
        g_string_append_c (fmt, format_types[j].fmt);
        if (format_types[j].fmt == 'D' && accept_word (p, "compressed"))
          g_string_append_c (fmt, 'c');
        return TRUE;
      }
  error_expected (p, "an option type (unsigned integer 8, ip-address, string, text, …)", "'='");
  return FALSE;
}

/* option-type := "encapsulate" WORD
 *              | "array" "of" (simple-type | record)
 *              | simple-type | record
 * record := "{" simple-type ("," simple-type)* "}" */
static char *
parse_option_type (Parser *p)
{
  g_autoptr (GString) fmt = g_string_new (NULL);
  gboolean array = FALSE;

  if (accept_word (p, "encapsulate"))
    {
      if (!tok_is (peek (p), BC_CONF_TOK_WORD))
        {
          error_expected (p, "an option space name", "encapsulate");
          return NULL;
        }
      g_string_append_printf (fmt, "E%s.", next (p)->value);
      return g_string_free (g_steal_pointer (&fmt), FALSE);
    }
  if (accept_word (p, "array"))
    {
      if (!accept_word (p, "of"))
        {
          error_expected (p, "'of'", "array");
          return NULL;
        }
      array = TRUE;
    }
  if (accept (p, BC_CONF_TOK_LBRACE))
    {
      do
        if (!parse_simple_type (p, fmt))
          return NULL;
      while (accept (p, BC_CONF_TOK_COMMA));
      if (!expect (p, BC_CONF_TOK_RBRACE, "the record's types"))
        return NULL;
    }
  else if (!parse_simple_type (p, fmt))
    return NULL;
  if (array)
    g_string_append_c (fmt, 'A');
  return g_string_free (g_steal_pointer (&fmt), FALSE);
}

/* ------------------------------------------------------------------ option values */

static void
put_be (GByteArray *buf, guint64 v, guint width)
{
  for (guint i = width; i > 0; i--)
    {
      guint8 b = (guint8)(v >> (8 * (i - 1)));
      g_byte_array_append (buf, &b, 1);
    }
}

/* ISC's integer formats (common/tables.c): range and wire width. */
typedef struct
{
  char format;
  gint64 min, max;
  guint width;
} IntFormat;

static const IntFormat int_formats[] = {
  { 'L', 0, G_MAXUINT32, 4 }, { 'l', G_MININT32, G_MAXINT32, 4 },
  { 'S', 0, G_MAXUINT16, 2 }, { 's', G_MININT16, G_MAXINT16, 2 },
  { 'B', 0, G_MAXUINT8, 1 },  { 'b', G_MININT8, G_MAXINT8, 1 },
};

static const IntFormat *
int_format (char f)
{
  for (gsize i = 0; i < G_N_ELEMENTS (int_formats); i++)
    if (int_formats[i].format == f)
      return &int_formats[i];
  g_assert_not_reached ();
}

/* RFC 1035 3.1 labels, uncompressed. */
static gboolean
append_domain (Parser *p, const BcConfToken *at, GByteArray *buf, const char *name)
{
  g_auto (GStrv) labels = g_strsplit (name, ".", -1);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize n = strlen (labels[i]);
      guint8 len = (guint8)n;
      if (n == 0)
        continue;
      if (n > 63)
        {
          error_tok (p, at, "domain label longer than 63 characters");
          return FALSE;
        }
      g_byte_array_append (buf, &len, 1);
      g_byte_array_append (buf, (const guint8 *)labels[i], n);
    }
  g_byte_array_append (buf, (const guint8 *)"", 1);
  return TRUE;
}

/* atom-value := number | ip-addr | boolean | STRING | colon-hex | domain …, by format */
static gboolean
parse_atom_value (Parser *p, char f, const char *after, GByteArray *buf)
{
  BcConfToken *t = peek (p);
  gint64 v;
  guint32 addr;

  switch (f)
    {
      case 'I':
        /* ISC takes a host name here too and resolves it with DNS when it loads the
         * file. The pure core does not resolve: the name is kept, and the evaluator
         * reports the option as not sent. */
        if (!looks_like_ip_addr (p) && tok_is (t, BC_CONF_TOK_WORD) && !word_is_integer (t)
            && p->value_names != NULL)
          {
            g_ptr_array_add (p->value_names, parse_host_name (p, after));
            addr = 0;
          }
        else if (!parse_ip_addr (p, after, &addr))
          return FALSE;
        g_byte_array_append (buf, (const guint8 *)&addr, 4);
        return TRUE;
      case 'L':
      case 'l':
      case 'S':
      case 's':
      case 'B':
      case 'b':
        {
          const IntFormat *fmt = int_format (f);
          if (!parse_number (p, fmt->min, fmt->max, after, &v))
            return FALSE;
          put_be (buf, (guint64)v, fmt->width);
          return TRUE;
        }
      case 'f':
        {
          /* ISC parse_option_token: true/on, false/off, ignore (2). */
          guint8 b;
          if (tok_is_word (t, "true") || tok_is_word (t, "on"))
            b = 1;
          else if (tok_is_word (t, "false") || tok_is_word (t, "off"))
            b = 0;
          else if (tok_is_word (t, "ignore"))
            b = 2;
          else
            {
              error_expected (p, "true or false", after);
              return FALSE;
            }
          next (p);
          g_byte_array_append (buf, &b, 1);
          return TRUE;
        }
      case 't':
      case 'd':
        if (t->kind == BC_CONF_TOK_STRING)
          {
            next (p);
            g_byte_array_append (buf, (const guint8 *)t->value, t->value_len);
            return TRUE;
          }
        if (f == 'd' && t->kind == BC_CONF_TOK_WORD)
          {
            g_autofree char *name = parse_host_name (p, after);
            g_byte_array_append (buf, (const guint8 *)name, strlen (name));
            return TRUE;
          }
        error_expected (p, "a quoted string", after);
        return FALSE;
      case 'X':
      case 'E':
        {
          g_autoptr (GBytes) b = parse_string_or_hex (p, after);
          if (b == NULL)
            return FALSE;
          g_byte_array_append (buf, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
          return TRUE;
        }
      case 'D':
        do
          {
            BcConfToken *at = peek (p);
            if (!tok_is (at, BC_CONF_TOK_STRING))
              {
                error_expected (p, "a quoted domain name", after);
                return FALSE;
              }
            next (p);
            if (!append_domain (p, at, buf, at->value))
              return FALSE;
          }
        while (accept (p, BC_CONF_TOK_COMMA));
        return TRUE;
      case 'Z':
        return TRUE;
      default:
        error_tok (p, t, "option values of this type (format '%c') are not supported", f);
        return FALSE;
    }
}

/* option-value := record ("," record)*  when the format is an array, else record
 * record := atom-value+   (one per atom of the format, blank-separated as in ISC) */
static GBytes *
parse_option_value (Parser *p, const BcDhcpOptionDef *def, const char *after)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  const char *f = def->format;
  gsize n = strlen (f);
  gboolean array = n > 0 && (f[n - 1] == 'A' || f[n - 1] == 'a');

  if (f[0] == 'E')
    {
      g_autoptr (GBytes) b = parse_string_or_hex (p, after);
      return g_steal_pointer (&b);
    }
  for (;;)
    {
      for (gsize i = 0; i < n; i++)
        {
          char c = f[i];
          if (c == 'A' || c == 'a' || c == 'o' || c == 'c')
            continue;
          /* Trailing 'o' makes the last atom optional. */
          if (i + 1 < n && f[i + 1] == 'o' && tok_is (peek (p), BC_CONF_TOK_SEMI))
            break;
          if (!parse_atom_value (p, c, after, buf))
            return NULL;
        }
      if (!array || !accept (p, BC_CONF_TOK_COMMA))
        break;
    }
  if (array && (tok_is (peek (p), BC_CONF_TOK_WORD) || tok_is (peek (p), BC_CONF_TOK_STRING))
      && peek (p)->line == prev (p)->end_line)
    {
      error_at (p, prev (p)->end_line, prev (p)->end_col,
                "expected ',' between the values of %s (a list)", after);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* ------------------------------------------------------------------ expressions */

static BcConfExpr *parse_expression (Parser *p, const char *after);

static BcConfExpr *
expr_new (BcConfExprKind kind)
{
  BcConfExpr *e = g_new0 (BcConfExpr, 1);
  e->kind = kind;
  return e;
}

static const char *
type_name (BcConfType t)
{
  return t == BC_CONF_TYPE_BOOLEAN ? "boolean" : t == BC_CONF_TYPE_DATA ? "data" : "numeric";
}

/* typed-expression := expression, of type @want */
static BcConfExpr *
parse_typed (Parser *p, BcConfType want, const char *after)
{
  BcConfToken *start = peek (p);
  ExprCtx saved = p->ctx;
  g_autoptr (BcConfExpr) e = NULL;

  /* ISC parses data and numeric arguments in their own context (parse_data_expression,
   * parse_numeric_expression); booleans keep the lookahead rule. */
  p->ctx = want == BC_CONF_TYPE_DATA      ? CTX_DATA
           : want == BC_CONF_TYPE_NUMERIC ? CTX_NUMERIC
                                          : CTX_ANY;
  e = parse_expression (p, after);
  p->ctx = saved;
  if (e == NULL)
    return NULL;
  if (bc_conf_expr_type (e) != want)
    {
      error_tok (p, start, "expected a %s expression after %s, found a %s expression",
                 type_name (want), after, type_name (bc_conf_expr_type (e)));
      return NULL;
    }
  return g_steal_pointer (&e);
}

/* call-args := "(" typed-expression ("," typed-expression)* ")"  (types per function) */
static gboolean
parse_call (Parser *p, const char *fn, const BcConfType *types, guint n, BcConfExpr *e)
{
  if (!expect (p, BC_CONF_TOK_LPAREN, fn))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (i > 0 && !expect (p, BC_CONF_TOK_COMMA, fn))
        return FALSE;
      e->a[i] = parse_typed (p, types[i], fn);
      if (e->a[i] == NULL)
        return FALSE;
    }
  return expect (p, BC_CONF_TOK_RPAREN, fn);
}

/* width := "8" | "16" | "32" */
static gboolean
parse_width (Parser *p, const char *fn, guint64 *ret)
{
  gint64 w;
  if (!parse_number (p, 8, 32, fn, &w))
    return FALSE;
  if (w != 8 && w != 16 && w != 32)
    {
      error_tok (p, prev (p), "%s: width must be 8, 16 or 32", fn);
      return FALSE;
    }
  *ret = (guint64)w;
  return TRUE;
}

/* dhcp-eval(5) functions with a fixed argument list: name, node, argument types. */
typedef struct
{
  const char *name;
  BcConfExprKind kind;
  guint n;
  BcConfType types[4];
} FixedCall;

#define D_ BC_CONF_TYPE_DATA
#define N_ BC_CONF_TYPE_NUMERIC
static const FixedCall fixed_calls[] = {
  { "substring", BC_CONF_EXPR_SUBSTRING, 3, { D_, N_, N_ } },
  { "suffix", BC_CONF_EXPR_SUFFIX, 2, { D_, N_ } },
  { "lcase", BC_CONF_EXPR_LCASE, 1, { D_ } },
  { "ucase", BC_CONF_EXPR_UCASE, 1, { D_ } },
  { "packet", BC_CONF_EXPR_PACKET, 2, { N_, N_ } },
  { "reverse", BC_CONF_EXPR_REVERSE, 2, { N_, D_ } },
  { "binary-to-ascii", BC_CONF_EXPR_BINARY_TO_ASCII, 4, { N_, N_, D_, D_ } },
};
#undef D_
#undef N_

static const FixedCall *
fixed_call_for (const BcConfToken *t)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fixed_calls); i++)
    if (tok_is_word (t, fixed_calls[i].name))
      return &fixed_calls[i];
  return NULL;
}

/* "line:col" of a set/unset of the variable @t names (ISC: names are case-insensitive,
 * common/tree.c find_binding), or NULL. */
static const char *
variable_set_at (Parser *p, const BcConfToken *t)
{
  g_autofree char *name = g_ascii_strdown (t->value, -1);
  return g_hash_table_lookup (p->variables, name);
}

/* define-statement := "define" WORD ("=" expression | "(" args ")" "{" … "}") ";"
 * Refused: ISC binds a function (or, for `define NAME = expr`, a value it then cannot
 * read back: common/execute.c define_statement), and bootserv evaluates neither. */
static BcConfStmt *
parse_define (Parser *p, Scope scope, guint first)
{
  p->stmt_line = 0;
  error_tok (p, peek (p),
             "define is not supported: bootserv does not evaluate dhcpd.conf variables or "
             "functions");
  next (p);
  return NULL;
}

/* primary := "(" expression ")" | "not" primary | "exists" option-name | "known"
 *          | "static" | "option" option-name | "config-option" option-name
 *          | "substring" "(" data "," num "," num ")" | "suffix" "(" data "," num ")"
 *          | "lcase" "(" data ")" | "ucase" "(" data ")"
 *          | "concat" "(" data ("," data)+ ")"
 *          | "binary-to-ascii" "(" num "," num "," data "," data ")"
 *          | "encode-int" "(" num "," width ")" | "extract-int" "(" data "," width ")"
 *          | "reverse" "(" num "," data ")" | "pick-first-value" "(" data ("," data)* ")"
 *          | "packet" "(" num "," num ")" | "hardware" | "host-decl-name"
 *          | "leased-address" | "filename" | "server-name"
 *          | STRING | colon-hex | NUMBER */
static BcConfExpr *
parse_primary (Parser *p, const char *after)
{
  BcConfToken *t = peek (p);
  g_autoptr (BcConfExpr) e = NULL;
  const FixedCall *call;

  if (++p->depth > MAX_DEPTH)
    {
      error_tok (p, t, "expression nested too deeply");
      p->depth--;
      return NULL;
    }

  if (accept (p, BC_CONF_TOK_LPAREN))
    {
      e = parse_expression (p, "'('");
      if (e != NULL && !expect (p, BC_CONF_TOK_RPAREN, "the parenthesised expression"))
        g_clear_pointer (&e, bc_conf_expr_free);
    }
  else if (t->kind == BC_CONF_TOK_STRING)
    {
      next (p);
      e = expr_new (BC_CONF_EXPR_CONST_DATA);
      e->data = g_bytes_new (t->value, t->value_len);
    }
  else if ((p->ctx == CTX_NUMERIC || p->ctx == CTX_DATA_OR_NUMERIC) && word_is_decimal (t))
    {
      next (p);
      e = expr_new (BC_CONF_EXPR_CONST_INT);
      e->num = isc_atoi (t->value);
    }
  else if (word_is_integer (t) || word_is_hex_byte_text (t)
           || (t->kind == BC_CONF_TOK_WORD && tok_is (peek_at (p, 1), BC_CONF_TOK_COLON)))
    {
      GBytes *b = parse_colon_hex (p, after);
      if (b != NULL)
        {
          e = expr_new (BC_CONF_EXPR_CONST_DATA);
          e->data = b;
        }
    }
  else if (accept_word (p, "not"))
    {
      g_autoptr (BcConfExpr) inner = parse_primary (p, "not");
      if (inner != NULL && bc_conf_expr_type (inner) != BC_CONF_TYPE_BOOLEAN)
        error_tok (p, t, "'not' needs a boolean expression");
      else if (inner != NULL)
        {
          e = expr_new (BC_CONF_EXPR_NOT);
          e->a[0] = g_steal_pointer (&inner);
        }
    }
  else if (accept_word (p, "exists") || accept_word (p, "option")
           || accept_word (p, "config-option"))
    {
      g_autofree char *space = NULL;
      g_autofree char *name = NULL;
      const BcDhcpOptionDef *def = parse_known_option_name (p, t->value, &space, &name);
      if (def != NULL)
        {
          e = expr_new (tok_is_word (t, "exists")   ? BC_CONF_EXPR_EXISTS
                        : tok_is_word (t, "option") ? BC_CONF_EXPR_OPTION
                                                    : BC_CONF_EXPR_CONFIG_OPTION);
          e->space = g_steal_pointer (&space);
          e->name = g_steal_pointer (&name);
          e->code = def->code;
        }
    }
  else if (accept_word (p, "known"))
    e = expr_new (BC_CONF_EXPR_KNOWN);
  else if (accept_word (p, "static"))
    e = expr_new (BC_CONF_EXPR_STATIC);
  else if (accept_word (p, "hardware"))
    e = expr_new (BC_CONF_EXPR_HARDWARE);
  else if (accept_word (p, "host-decl-name"))
    e = expr_new (BC_CONF_EXPR_HOST_DECL_NAME);
  else if (accept_word (p, "leased-address"))
    e = expr_new (BC_CONF_EXPR_LEASED_ADDRESS);
  else if (accept_word (p, "filename"))
    e = expr_new (BC_CONF_EXPR_FILENAME);
  else if (accept_word (p, "server-name"))
    e = expr_new (BC_CONF_EXPR_SNAME);
  else if ((call = fixed_call_for (t)) != NULL)
    {
      next (p);
      e = expr_new (call->kind);
      if (!parse_call (p, t->value, call->types, call->n, e))
        g_clear_pointer (&e, bc_conf_expr_free);
    }
  else if (accept_word (p, "encode-int") || accept_word (p, "extract-int"))
    {
      gboolean enc = tok_is_word (t, "encode-int");
      e = expr_new (enc ? BC_CONF_EXPR_ENCODE_INT : BC_CONF_EXPR_EXTRACT_INT);
      if (!expect (p, BC_CONF_TOK_LPAREN, t->value)
          || (e->a[0] = parse_typed (p, enc ? BC_CONF_TYPE_NUMERIC : BC_CONF_TYPE_DATA, t->value))
                 == NULL
          || !expect (p, BC_CONF_TOK_COMMA, t->value) || !parse_width (p, t->value, &e->num)
          || !expect (p, BC_CONF_TOK_RPAREN, t->value))
        g_clear_pointer (&e, bc_conf_expr_free);
    }
  else if (accept_word (p, "concat") || accept_word (p, "pick-first-value"))
    {
      gboolean concat = tok_is_word (t, "concat");
      g_autoptr (GPtrArray) args
          = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_expr_free);
      gboolean ok = expect (p, BC_CONF_TOK_LPAREN, t->value);

      while (ok)
        {
          BcConfExpr *a = parse_typed (p, BC_CONF_TYPE_DATA, t->value);
          if (a == NULL)
            ok = FALSE;
          else
            g_ptr_array_add (args, a);
          if (ok && !accept (p, BC_CONF_TOK_COMMA))
            break;
        }
      if (ok)
        ok = expect (p, BC_CONF_TOK_RPAREN, t->value);
      if (ok && concat && args->len < 2)
        {
          error_tok (p, t, "concat needs at least two arguments");
          ok = FALSE;
        }
      if (ok && concat)
        {
          /* concat(a, b, c) is concat(concat(a, b), c), as ISC builds it. */
          e = g_ptr_array_steal_index (args, 0);
          while (args->len > 0)
            {
              BcConfExpr *c = expr_new (BC_CONF_EXPR_CONCAT);
              c->a[0] = e;
              c->a[1] = g_ptr_array_steal_index (args, 0);
              e = c;
            }
        }
      else if (ok)
        {
          e = expr_new (BC_CONF_EXPR_PICK_FIRST);
          e->list = g_steal_pointer (&args);
        }
    }
  else if (tok_is_word (t, "defined") && tok_is (peek_at (p, 1), BC_CONF_TOK_LPAREN))
    error_tok (p, t,
               "defined (VARIABLE) is not supported: bootserv does not evaluate dhcpd.conf "
               "variables (set/define)");
  else if (t->kind == BC_CONF_TOK_WORD && tok_is (peek_at (p, 1), BC_CONF_TOK_LPAREN))
    error_tok (p, t,
               "expected an expression after %s, found '%s (': calls of functions made with "
               "define are not supported",
               after, t->value);
  else if (t->kind == BC_CONF_TOK_WORD && variable_set_at (p, t) != NULL)
    error_tok (p, t,
               "'%s' is a variable (set at %s): bootserv does not evaluate dhcpd.conf variables, "
               "so it cannot follow this expression as ISC would",
               t->value, variable_set_at (p, t));
  else
    error_expected (p, "an expression", after);

  p->depth--;
  return g_steal_pointer (&e);
}

static gboolean
is_additive (const BcConfToken *t)
{
  return t->kind == BC_CONF_TOK_PLUS
         || (t->kind == BC_CONF_TOK_WORD && g_strcmp0 (t->value, "-") == 0);
}

/* term := primary (("*" | "/" | "%" | "&" | "|" | "^") primary)* */
static BcConfExpr *
parse_term (Parser *p, const char *after)
{
  g_autoptr (BcConfExpr) left = parse_primary (p, after);

  while (left != NULL)
    {
      BcConfToken *op = peek (p);
      char c;
      BcConfExpr *e;

      switch (op->kind)
        {
          case BC_CONF_TOK_STAR:
            c = '*';
            break;
          case BC_CONF_TOK_SLASH:
            c = '/';
            break;
          case BC_CONF_TOK_PERCENT:
            c = '%';
            break;
          case BC_CONF_TOK_AMPERSAND:
            c = '&';
            break;
          case BC_CONF_TOK_PIPE:
            c = '|';
            break;
          case BC_CONF_TOK_CARET:
            c = '^';
            break;
          default:
            return g_steal_pointer (&left);
        }
      next (p);
      e = expr_new (BC_CONF_EXPR_ARITH);
      e->num = (guint64)c;
      e->a[0] = g_steal_pointer (&left);
      e->a[1] = parse_typed (p, BC_CONF_TYPE_NUMERIC, bc_conf_tokens[op->kind].describe);
      if (bc_conf_expr_type (e->a[0]) != BC_CONF_TYPE_NUMERIC || e->a[1] == NULL)
        {
          if (e->a[1] != NULL)
            error_tok (p, op, "arithmetic needs numeric expressions");
          bc_conf_expr_free (e);
          return NULL;
        }
      left = e;
    }
  return NULL;
}

/* sum := term (("+" | "-") term)* */
static BcConfExpr *
parse_sum (Parser *p, const char *after)
{
  g_autoptr (BcConfExpr) left = parse_term (p, after);

  while (left != NULL && is_additive (peek (p)))
    {
      BcConfToken *op = next (p);
      BcConfExpr *e = expr_new (BC_CONF_EXPR_ARITH);
      e->num = (guint64)(op->kind == BC_CONF_TOK_PLUS ? '+' : '-');
      e->a[0] = g_steal_pointer (&left);
      {
        /* The left side's context (numeric when it is valid): `x - 1` subtracts one. */
        ExprCtx saved = p->ctx;
        p->ctx = bc_conf_expr_type (e->a[0]) == BC_CONF_TYPE_NUMERIC ? CTX_NUMERIC : CTX_ANY;
        e->a[1] = parse_term (p, "'+'");
        p->ctx = saved;
      }
      if (e->a[1] == NULL || bc_conf_expr_type (e->a[0]) != BC_CONF_TYPE_NUMERIC
          || bc_conf_expr_type (e->a[1]) != BC_CONF_TYPE_NUMERIC)
        {
          if (e->a[1] != NULL)
            error_tok (p, op, "arithmetic needs numeric expressions");
          bc_conf_expr_free (e);
          return NULL;
        }
      left = e;
    }
  return g_steal_pointer (&left);
}

/* comparison := sum (("=" | "!=" | "~=" | "~~") sum)? */
static BcConfExpr *
parse_comparison (Parser *p, const char *after)
{
  g_autoptr (BcConfExpr) left = parse_sum (p, after);
  BcConfToken *op = peek (p);
  BcConfExprKind kind;
  BcConfExpr *e;

  if (left == NULL)
    return NULL;
  switch (op->kind)
    {
      case BC_CONF_TOK_EQUAL:
        kind = BC_CONF_EXPR_EQUAL;
        break;
      case BC_CONF_TOK_NOT_EQUAL:
        kind = BC_CONF_EXPR_NOT_EQUAL;
        break;
      case BC_CONF_TOK_REGEX:
        kind = BC_CONF_EXPR_REGEX;
        break;
      case BC_CONF_TOK_IREGEX:
        kind = BC_CONF_EXPR_IREGEX;
        break;
      default:
        return g_steal_pointer (&left);
    }
  next (p);
  e = expr_new (kind);
  e->a[0] = g_steal_pointer (&left);
  {
    /* ISC reads the right side in the left side's context: after a data expression a
     * number is hex data, so `option ipxe.https = 1` compares the option with 01 and is
     * true when iPXE sends https = 1; after a numeric one it is an integer. */
    ExprCtx saved = p->ctx;
    BcConfType lt = bc_conf_expr_type (e->a[0]);
    p->ctx = lt == BC_CONF_TYPE_DATA      ? CTX_DATA
             : lt == BC_CONF_TYPE_NUMERIC ? CTX_NUMERIC
                                          : CTX_ANY;
    e->a[1] = parse_sum (p, bc_conf_tokens[op->kind].describe);
    p->ctx = saved;
  }
  if (e->a[1] == NULL)
    {
      bc_conf_expr_free (e);
      return NULL;
    }
  /* ISC refuses operands of different types ("illegal expression relating different
   * types"); `option arch = 7` is not one: the 7 is read as data (see above). */
  if (bc_conf_expr_type (e->a[0]) != bc_conf_expr_type (e->a[1])
      || bc_conf_expr_type (e->a[1]) == BC_CONF_TYPE_BOOLEAN /* "expecting data/numeric" */
      || ((kind == BC_CONF_EXPR_REGEX || kind == BC_CONF_EXPR_IREGEX)
          && (bc_conf_expr_type (e->a[0]) != BC_CONF_TYPE_DATA
              || bc_conf_expr_type (e->a[1]) != BC_CONF_TYPE_DATA)))
    {
      error_tok (p, op, "%s compares a %s expression with a %s expression",
                 bc_conf_tokens[op->kind].describe, type_name (bc_conf_expr_type (e->a[0])),
                 type_name (bc_conf_expr_type (e->a[1])));
      bc_conf_expr_free (e);
      return NULL;
    }
  return e;
}

/* expression := comparison (("and" | "or") comparison)*
 * ISC 4.4 gives `and` and `or` the same precedence, left to right (tree.c op_val). */
static BcConfExpr *
parse_expression (Parser *p, const char *after)
{
  g_autoptr (BcConfExpr) left = parse_comparison (p, after);

  while (left != NULL && (tok_is_word (peek (p), "and") || tok_is_word (peek (p), "or")))
    {
      BcConfToken *op = next (p);
      BcConfExpr *e = expr_new (tok_is_word (op, "and") ? BC_CONF_EXPR_AND : BC_CONF_EXPR_OR);
      e->a[0] = g_steal_pointer (&left);
      e->a[1] = parse_comparison (p, op->value);
      if (e->a[1] == NULL)
        {
          bc_conf_expr_free (e);
          return NULL;
        }
      if (bc_conf_expr_type (e->a[0]) != BC_CONF_TYPE_BOOLEAN
          || bc_conf_expr_type (e->a[1]) != BC_CONF_TYPE_BOOLEAN)
        {
          error_tok (p, op, "'%s' needs boolean expressions on both sides", op->value);
          bc_conf_expr_free (e);
          return NULL;
        }
      left = e;
    }
  return g_steal_pointer (&left);
}

/* ------------------------------------------------------------------ statements */

static GPtrArray *parse_block (Parser *p, Scope scope, const char *what,
                               const BcConfToken *open_at);
static BcConfStmt *parse_statement (Parser *p, Scope scope);

typedef BcConfStmt *(*StmtParser) (Parser *p, Scope scope, guint first);

/* Finishes a simple statement: its text, then ';'. Frees it and returns NULL on a hard
 * error (recovery follows); on a missing ';' at the end of a line keeps it. */
static BcConfStmt *
finish_simple (Parser *p, BcConfStmt *s, guint first, const char *after)
{
  gboolean soft;

  s->text = text_of (p, first, p->pos - 1);
  if (!expect_semi (p, after, &soft) && !soft)
    {
      bc_conf_stmt_free (s);
      return NULL;
    }
  return s;
}

/* Parses a `{ … }` body into @s; the statement's text ends before the '{'. */
static BcConfStmt *
finish_block (Parser *p, BcConfStmt *s, guint first, Scope scope, const char *what)
{
  BcConfToken *open = peek (p);

  s->text = text_of (p, first, p->pos - 1);
  if (!tok_is (open, BC_CONF_TOK_LBRACE))
    {
      error_expected (p, "'{'", what);
      bc_conf_stmt_free (s);
      return NULL;
    }
  next (p);
  s->body = parse_block (p, scope, what, open);
  return s;
}

/* ignored-statement := WORD anything* (";" | block) */
static BcConfStmt *
parse_ignored (Parser *p, Scope scope, guint first)
{
  BcConfStmt *s = stmt_new (p, BC_CONF_STMT_IGNORED, peek (p));
  BcConfToken *kw = next (p);

  s->name = g_strdup (kw->value);
  /* set/unset have no effect here as long as nothing reads the variable, and reading
   * one is refused (parse_primary); remember the name to say so there. */
  if ((tok_is_word (kw, "set") || tok_is_word (kw, "unset")) && tok_is (peek (p), BC_CONF_TOK_WORD))
    g_hash_table_insert (p->variables, g_ascii_strdown (peek (p)->value, -1),
                         g_strdup_printf ("%u:%u", kw->line, kw->col));
  skip_statement (p);
  s->text = text_of (p, first, p->pos - 1);
  return s;
}

/* option-statement := "option" "space" WORD space-param* ";"
 *                   | "option" option-name "code" NUMBER "=" option-type ";"
 *                   | "option" option-name "=" data-expression ";"
 *                   | "option" option-name option-value ";"
 * space-param := ("code" | "length") "width" NUMBER | "hash" "size" NUMBER */
static BcConfStmt *
parse_option_statement (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  BcConfToken *name_tok;
  g_autoptr (BcConfStmt) s = NULL;
  g_autofree char *space = NULL;
  g_autofree char *name = NULL;
  gboolean qualified;
  const BcDhcpOptionDef *def;

  if (tok_is_word (peek (p), "space") && tok_is (peek_at (p, 1), BC_CONF_TOK_WORD))
    {
      g_autoptr (GError) error = NULL;
      next (p);
      name_tok = next (p);
      s = stmt_new (p, BC_CONF_STMT_OPTION_SPACE, kw);
      s->name = g_strdup (name_tok->value);
      while (tok_is_word (peek (p), "code") || tok_is_word (peek (p), "length")
             || tok_is_word (peek (p), "hash"))
        {
          gint64 v;
          BcConfToken *param = next (p);
          gboolean hash = tok_is_word (param, "hash");
          if (!accept_word (p, hash ? "size" : "width"))
            {
              error_expected (p, hash ? "'size'" : "'width'", param->value);
              return NULL;
            }
          if (!parse_number (p, hash ? 1 : 1, hash ? 65535 : 4, param->value, &v))
            return NULL;
          /* Only 1-byte codes and lengths are RFC 2132 encapsulation (iPXE's 175,
           * PXE's 43); wider ones are ISC extensions for other vendors. */
          if (!hash && v != 1)
            {
              error_tok (p, prev (p), "only %s width 1 is supported", param->value);
              return NULL;
            }
        }
      if (!bc_dhcp_option_registry_add_space (p->reg, s->name, &error))
        {
          error_tok (p, name_tok, "%s", error->message);
          return NULL;
        }
      return finish_simple (p, g_steal_pointer (&s), first, "option space");
    }

  name_tok = peek (p);
  if (!parse_option_name (p, "option", &space, &name, &qualified))
    return NULL;

  if (tok_is_word (peek (p), "code"))
    {
      gint64 code;
      g_autofree char *format = NULL;
      g_autoptr (GError) error = NULL;

      next (p);
      if (!parse_number (p, 1, 254, "code", &code))
        return NULL;
      if (!expect (p, BC_CONF_TOK_EQUAL, "the option code"))
        return NULL;
      format = parse_option_type (p);
      if (format == NULL)
        return NULL;
      if (!bc_dhcp_option_registry_has_space (p->reg, space))
        {
          error_tok (p, name_tok, "unknown option space %s: declare it first with option space %s;",
                     space, space);
          return NULL;
        }
      if (!bc_dhcp_option_registry_define (p->reg, space, name, (guint)code, format, &error))
        {
          error_tok (p, name_tok, "%s", error->message);
          return NULL;
        }
      s = stmt_new (p, BC_CONF_STMT_OPTION_DEFINE, kw);
      s->space = g_steal_pointer (&space);
      s->name = g_steal_pointer (&name);
      s->code = (guint)code;
      s->format = g_steal_pointer (&format);
      return finish_simple (p, g_steal_pointer (&s), first, "the option definition");
    }

  /* A value: the option must be known now. */
  def = bc_dhcp_option_registry_lookup_name (p->reg, space, name);
  if (def == NULL)
    {
      report_unknown_option (p, name_tok, space, name, qualified);
      return NULL;
    }
  s = stmt_new (p, BC_CONF_STMT_OPTION, kw);
  s->space = g_steal_pointer (&space);
  s->name = g_steal_pointer (&name);
  s->code = def->code;
  s->format = g_strdup (def->format);
  if (accept (p, BC_CONF_TOK_EQUAL))
    {
      s->expr = parse_typed (p, BC_CONF_TYPE_DATA, "'='");
      if (s->expr == NULL)
        return NULL;
    }
  else
    {
      g_autofree char *after = g_strdup_printf ("option %s", def->name);
      if (tok_is (peek (p), BC_CONF_TOK_SEMI) && strcmp (def->format, "Z") != 0)
        {
          error_expected (p, "a value", after);
          return NULL;
        }
      s->names = g_ptr_array_new_with_free_func (g_free);
      p->value_names = s->names;
      s->data = parse_option_value (p, def, after);
      p->value_names = NULL;
      if (s->data == NULL)
        return NULL;
    }
  return finish_simple (p, g_steal_pointer (&s), first, "the option value");
}

/* filename-statement := ("filename" | "server-name") (STRING | "=" data-expression) ";" */
static BcConfStmt *
parse_string_statement (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (
      p, tok_is_word (kw, "filename") ? BC_CONF_STMT_FILENAME : BC_CONF_STMT_SERVER_NAME, kw);

  if (accept (p, BC_CONF_TOK_EQUAL))
    {
      s->expr = parse_typed (p, BC_CONF_TYPE_DATA, "'='");
      if (s->expr == NULL)
        return NULL;
    }
  else if (tok_is (peek (p), BC_CONF_TOK_STRING))
    {
      BcConfToken *t = next (p);
      s->data = g_bytes_new (t->value, t->value_len);
    }
  else
    {
      /* ISC takes an unquoted host name for server-name, not for filename. */
      if (s->kind == BC_CONF_STMT_SERVER_NAME && tok_is (peek (p), BC_CONF_TOK_WORD))
        {
          g_autofree char *name = parse_host_name (p, kw->value);
          s->data = g_bytes_new (name, strlen (name));
          return finish_simple (p, g_steal_pointer (&s), first, kw->value);
        }
      error_expected (p, "a quoted string", kw->value);
      return NULL;
    }
  return finish_simple (p, g_steal_pointer (&s), first, kw->value);
}

/* next-server-statement := "next-server" (ip-addr-or-hostname | "=" data-expression) ";" */
static BcConfStmt *
parse_next_server (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_NEXT_SERVER, kw);

  if (accept (p, BC_CONF_TOK_EQUAL))
    {
      s->expr = parse_typed (p, BC_CONF_TYPE_DATA, "'='");
      if (s->expr == NULL)
        return NULL;
    }
  else if (!parse_ip_addr_or_hostname (p, "next-server", &s->addr, &s->name))
    return NULL;
  return finish_simple (p, g_steal_pointer (&s), first, "next-server");
}

/* lease-time-statement := ("default-lease-time" | "max-lease-time" | "min-lease-time")
 *                         NUMBER ";" */
static BcConfStmt *
parse_lease_time (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_LEASE_TIME, kw);

  s->mode = tok_is_word (kw, "default-lease-time") ? 0 : tok_is_word (kw, "max-lease-time") ? 1 : 2;
  /* ISC: "infinite", and -1, are the all-ones lease time of RFC 2131 3.3. */
  if (accept_word (p, "infinite"))
    s->num = G_MAXUINT32;
  else if (!parse_number (p, -1, G_MAXUINT32, kw->value, &s->num))
    return NULL;
  if (s->num == -1)
    s->num = G_MAXUINT32;
  return finish_simple (p, g_steal_pointer (&s), first, kw->value);
}

/* authoritative-statement := "not"? "authoritative" ";" */
static BcConfStmt *
parse_authoritative (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_AUTHORITATIVE, kw);

  s->flag = TRUE;
  if (tok_is_word (kw, "not"))
    {
      if (!accept_word (p, "authoritative"))
        {
          error_expected (p, "'authoritative'", "not");
          return NULL;
        }
      s->flag = FALSE;
    }
  return finish_simple (p, g_steal_pointer (&s), first, "authoritative");
}

/* permit := "known-clients" | "unknown-clients" | "known" "clients" | "unknown" "clients"
 *         | "all" "clients" | "dynamic" "bootp" "clients" | "members" "of" STRING
 *         | "authenticated" "clients" | "unauthenticated" "clients" | "after" anything */
static gboolean
parse_permit (Parser *p, BcConfStmt *s)
{
  BcConfToken *t = peek (p);

  if (accept_word (p, "known-clients"))
    s->num = BC_CONF_PERMIT_KNOWN;
  else if (accept_word (p, "unknown-clients"))
    s->num = BC_CONF_PERMIT_UNKNOWN;
  else if (accept_word (p, "known") || accept_word (p, "unknown") || accept_word (p, "all")
           || accept_word (p, "authenticated") || accept_word (p, "unauthenticated"))
    {
      s->num = tok_is_word (t, "known")           ? BC_CONF_PERMIT_KNOWN
               : tok_is_word (t, "unknown")       ? BC_CONF_PERMIT_UNKNOWN
               : tok_is_word (t, "all")           ? BC_CONF_PERMIT_ALL
               : tok_is_word (t, "authenticated") ? BC_CONF_PERMIT_AUTHENTICATED
                                                  : BC_CONF_PERMIT_UNAUTHENTICATED;
      if (!accept_word (p, "clients"))
        {
          error_expected (p, "'clients'", t->value);
          return FALSE;
        }
    }
  else if (accept_word (p, "dynamic"))
    {
      s->num = BC_CONF_PERMIT_DYNAMIC_BOOTP;
      if (!accept_word (p, "bootp") || !accept_word (p, "clients"))
        {
          error_expected (p, "'bootp clients'", "dynamic");
          return FALSE;
        }
    }
  else if (accept_word (p, "members"))
    {
      s->num = BC_CONF_PERMIT_CLASS;
      if (!accept_word (p, "of"))
        {
          error_expected (p, "'of'", "members");
          return FALSE;
        }
      if (!tok_is (peek (p), BC_CONF_TOK_STRING))
        {
          error_expected (p, "a quoted class name", "members of");
          return FALSE;
        }
      s->name = g_strdup (next (p)->value);
      if (!g_hash_table_contains (p->classes, s->name))
        {
          error_tok (p, prev (p), "no class named \"%s\": declare it before the pool", s->name);
          return FALSE;
        }
    }
  else if (accept_word (p, "after"))
    {
      s->num = BC_CONF_PERMIT_AFTER;
      while (!tok_is (peek (p), BC_CONF_TOK_SEMI) && !tok_is (peek (p), BC_CONF_TOK_EOF)
             && !tok_is (peek (p), BC_CONF_TOK_RBRACE))
        next (p);
    }
  else
    {
      error_expected (p, "a permit (known-clients, unknown-clients, members of \"class\", …)",
                      s->mode == BC_CONF_ALLOW ? "allow" : "deny");
      return FALSE;
    }
  return TRUE;
}

/* The allow/deny/ignore flags of dhcpd.conf(5) "ALLOW AND DENY". */
static const char *const allow_flags[] = {
  "unknown-clients", "bootp", "booting", "duplicates", "declines", "client-updates", "leasequery",
};

/* allow-statement := ("allow" | "deny" | "ignore") flag ";"   outside pools
 *                  | ("allow" | "deny") permit ";"              inside pools */
static BcConfStmt *
parse_allow (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  BcConfToken *what = peek (p);
  g_autoptr (BcConfStmt) s = NULL;
  int mode = tok_is_word (kw, "allow")  ? BC_CONF_ALLOW
             : tok_is_word (kw, "deny") ? BC_CONF_DENY
                                        : BC_CONF_IGNORE;

  if (scope == SCOPE_POOL && mode != BC_CONF_IGNORE)
    {
      s = stmt_new (p, BC_CONF_STMT_PERMIT, kw);
      s->mode = mode;
      if (!parse_permit (p, s))
        return NULL;
      return finish_simple (p, g_steal_pointer (&s), first, kw->value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (allow_flags); i++)
    if (tok_is_word (what, allow_flags[i]))
      {
        next (p);
        s = stmt_new (p, BC_CONF_STMT_ALLOW, kw);
        s->mode = mode;
        s->name = g_ascii_strdown (what->value, -1);
        return finish_simple (p, g_steal_pointer (&s), first, kw->value);
      }
  error_expected (p, "unknown-clients, bootp, booting, duplicates, declines or client-updates",
                  kw->value);
  return NULL;
}

/* if-statement := "if" boolean-expression block else-part?
 * else-part := ("elsif" | "else" "if") boolean-expression block else-part?
 *            | "else" block */
static BcConfStmt *
parse_if (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_IF, kw);
  BcConfToken *open;
  gboolean paren;

  /* ISC parse_if_statement: a '(' right after if/elsif opens the whole condition, so
   * `if (a) or (b) {` is refused there ("left brace expected"); so here. */
  paren = accept (p, BC_CONF_TOK_LPAREN);
  if (paren)
    {
      s->expr = parse_typed (p, BC_CONF_TYPE_BOOLEAN, kw->value);
      if (s->expr != NULL && !expect (p, BC_CONF_TOK_RPAREN, "the condition"))
        g_clear_pointer (&s->expr, bc_conf_expr_free);
    }
  else
    s->expr = parse_typed (p, BC_CONF_TYPE_BOOLEAN, kw->value);
  if (s->expr == NULL)
    {
      /* Keep the if/elsif/else chain together: skip the bad condition to its '{' and
       * parse the blocks (for their errors); the error already fails the parse. */
      while (!tok_is (peek (p), BC_CONF_TOK_LBRACE))
        if (tok_is (peek (p), BC_CONF_TOK_SEMI) || tok_is (peek (p), BC_CONF_TOK_RBRACE)
            || tok_is (peek (p), BC_CONF_TOK_EOF))
          return NULL;
        else
          next (p);
    }
  s->text = text_of (p, first, p->pos - 1);
  open = peek (p);
  if (!accept (p, BC_CONF_TOK_LBRACE))
    {
      if (paren && (tok_is_word (open, "and") || tok_is_word (open, "or")))
        error_tok (p, open,
                   "expected '{' after the condition, found '%s': as in ISC, a '(' right after "
                   "%s holds the whole condition; write %s ((…) %s (…))",
                   open->value, kw->value, kw->value, open->value);
      else
        error_expected (p, "'{'", "the condition");
      /* Go on at the block so the elsif/else that follow still belong to this if. */
      while (!tok_is (peek (p), BC_CONF_TOK_LBRACE))
        if (tok_is (peek (p), BC_CONF_TOK_SEMI) || tok_is (peek (p), BC_CONF_TOK_RBRACE)
            || tok_is (peek (p), BC_CONF_TOK_EOF))
          return NULL;
        else
          next (p);
      open = next (p);
    }
  s->body = parse_block (p, SCOPE_IF, kw->value, open);

  if (tok_is_word (peek (p), "elsif")
      || (tok_is_word (peek (p), "else") && tok_is_word (peek_at (p, 1), "if")))
    {
      guint efirst = p->pos;
      BcConfStmt *elif;
      guint save_line = p->stmt_line, save_col = p->stmt_col;

      if (tok_is_word (peek (p), "else"))
        next (p);
      p->stmt_line = peek (p)->line;
      p->stmt_col = peek (p)->col;
      elif = parse_if (p, scope, efirst);
      p->stmt_line = save_line;
      p->stmt_col = save_col;
      s->else_body = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_stmt_free);
      if (elif == NULL)
        return NULL;
      /* Location and text of the elsif itself. */
      g_ptr_array_add (s->else_body, elif);
    }
  else if (tok_is_word (peek (p), "else"))
    {
      BcConfToken *else_tok = next (p);
      open = peek (p);
      if (!accept (p, BC_CONF_TOK_LBRACE))
        {
          error_expected (p, "'{'", "else");
          return NULL;
        }
      s->else_body = parse_block (p, SCOPE_IF, else_tok->value, open);
    }
  return g_steal_pointer (&s);
}

/* switch-statement := "switch" "(" expression ")" "{" switch-body "}"
 * switch-body := (statement | case-label | default-label)*
 *
 * dhcp-eval(5) "switch (data-expression) { case data-expression: statements …
 * default: statements }", and the same with numeric expressions. As in ISC
 * (common/parse.c parse_switch_statement): the parentheses are required; the expression
 * is read in the data-or-numeric context; a data expression makes the labels data, any
 * other type (numeric, or even boolean, which ISC accepts) makes them numeric. Labels
 * stay statements of the body, as in ISC's statement list, so fall-through is just
 * running on past them. */
static BcConfStmt *
parse_switch (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_SWITCH, kw);
  BcConfToken *open;
  ExprCtx saved_ctx = p->ctx, saved_case = p->case_ctx;

  if (!expect (p, BC_CONF_TOK_LPAREN, "switch (ISC requires the parentheses)"))
    return NULL;
  p->ctx = CTX_DATA_OR_NUMERIC;
  s->expr = parse_expression (p, "switch (");
  p->ctx = saved_ctx;
  if (s->expr == NULL)
    return NULL;
  if (!expect (p, BC_CONF_TOK_RPAREN, "the switch expression"))
    return NULL;
  s->text = text_of (p, first, p->pos - 1);
  open = peek (p);
  if (!accept (p, BC_CONF_TOK_LBRACE))
    {
      error_expected (p, "'{'", "the switch expression");
      return NULL;
    }
  p->case_ctx = bc_conf_expr_type (s->expr) == BC_CONF_TYPE_DATA ? CTX_DATA : CTX_NUMERIC;
  s->body = parse_block (p, SCOPE_SWITCH, kw->value, open);
  p->case_ctx = saved_case;
  return g_steal_pointer (&s);
}

/* Where a data switch's label is colon-separated hex followed by the label's ':', ISC
 * (common/parse.c parse_cshl) takes that ':' as one more separator and wants another
 * hex byte: `case 00:07:` is refused by dhcpd. Returns TRUE when the label at the
 * current position has this shape, with the hex value's last token (relative). */
static gboolean
hex_label_swallows_colon (Parser *p, guint *ret_last)
{
  guint i = 0;

  if (!word_is_integer (peek (p)) && !word_is_hex_byte_text (peek (p)))
    return FALSE;
  while (tok_is (peek_at (p, i + 1), BC_CONF_TOK_COLON)
         && (word_is_integer (peek_at (p, i + 2)) || word_is_hex_byte_text (peek_at (p, i + 2))))
    i += 2;
  *ret_last = i;
  return tok_is (peek_at (p, i + 1), BC_CONF_TOK_COLON);
}

/* case-label := "case" expression ":"
 * ISC (parse_case_statement) reads the expression in the switch's context and does not
 * check its type: `case "x":` in a numeric switch, or a boolean label, is accepted and
 * simply never matches. Any expression is allowed, not only constants: ISC evaluates
 * each label when the switch runs (common/execute.c find_matching_case). */
static BcConfStmt *
parse_case (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_CASE, kw);
  ExprCtx saved_ctx = p->ctx;
  guint last;

  if (p->case_ctx == CTX_DATA && hex_label_swallows_colon (p, &last))
    {
      g_autofree char *value = text_of (p, p->pos, p->pos + last);
      error_tok (p, peek_at (p, last + 1),
                 "ISC reads this ':' as part of the hex value %s and then wants another hex "
                 "byte, so it cannot end the case label: write case (%s):",
                 value, value);
      return NULL;
    }
  p->ctx = p->case_ctx;
  s->expr = parse_expression (p, "case");
  p->ctx = saved_ctx;
  if (s->expr == NULL)
    return NULL;
  s->text = text_of (p, first, p->pos - 1);
  if (!expect (p, BC_CONF_TOK_COLON, "the case value"))
    return NULL;
  return g_steal_pointer (&s);
}

/* default-label := "default" ":"
 * ISC: `default` followed by anything else is the default-option statement, which
 * bootserv does not implement. */
static BcConfStmt *
parse_default (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = peek (p);
  g_autoptr (BcConfStmt) s = NULL;

  if (!tok_is (peek_at (p, 1), BC_CONF_TOK_COLON))
    {
      p->stmt_line = 0;
      error_tok (p, kw,
                 "the default-option statement (default OPTION VALUE;) is not supported: "
                 "use option OPTION VALUE;");
      return NULL;
    }
  if (scope != SCOPE_SWITCH)
    {
      p->stmt_line = 0;
      error_tok (p, kw,
                 "'default:' outside a switch body (ISC: switch default statement in inappropriate "
                 "scope)");
      next (p);
      next (p);
      return NULL;
    }
  next (p);
  s = stmt_new (p, BC_CONF_STMT_DEFAULT, kw);
  s->text = g_strdup ("default");
  next (p);
  return g_steal_pointer (&s);
}

/* break-statement := "break" ";"   (allowed wherever if is, as in ISC) */
static BcConfStmt *
parse_break (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  return finish_simple (p, stmt_new (p, BC_CONF_STMT_BREAK, kw), first, kw->value);
}

/* ISC: "bad range, address … not in subnet …". */
static void
check_ranges_in_subnet (Parser *p, const BcConfStmt *subnet, GPtrArray *body)
{
  for (guint i = 0; body != NULL && i < body->len; i++)
    {
      BcConfStmt *r = body->pdata[i];
      if (r->kind == BC_CONF_STMT_POOL)
        check_ranges_in_subnet (p, subnet, r->body);
      if (r->kind != BC_CONF_STMT_RANGE)
        continue;
      if ((r->addr & subnet->mask) != subnet->addr || (r->addr2 & subnet->mask) != subnet->addr)
        {
          p->stmt_line = 0;
          error_at (p, r->where.line, r->where.col, "%s is not inside subnet %s", r->text,
                    subnet->text);
        }
    }
}

/* subnet-declaration := "subnet" ip-addr "netmask" ip-addr block */
static BcConfStmt *
parse_subnet (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_SUBNET, kw);

  if (!parse_ip_addr (p, "subnet", &s->addr))
    return NULL;
  if (!accept_word (p, "netmask"))
    {
      error_expected (p, "'netmask'", "the subnet address");
      return NULL;
    }
  if (!parse_ip_addr (p, "netmask", &s->mask))
    return NULL;
  {
    guint32 m = GUINT32_FROM_BE (s->mask);
    if (((~m) & ((~m) + 1)) != 0)
      {
        error_tok (p, prev (p), "netmask is not a contiguous prefix");
        return NULL;
      }
    if ((s->addr & ~s->mask) != 0)
      {
        BcConfToken *at = p->toks->pdata[first + 1];
        error_tok (p, at,
                   "subnet address has host bits set for this netmask (ISC: bad subnet number/mask "
                   "combination)");
        return NULL;
      }
  }
  s = finish_block (p, g_steal_pointer (&s), first, SCOPE_SUBNET, "subnet");
  if (s != NULL)
    check_ranges_in_subnet (p, s, s->body);
  return g_steal_pointer (&s);
}

/* name := WORD | STRING */
static char *
parse_decl_name (Parser *p, const char *after, gboolean dotted)
{
  if (tok_is (peek (p), BC_CONF_TOK_STRING))
    return g_strdup (next (p)->value);
  if (dotted)
    return parse_host_name (p, after);
  if (tok_is (peek (p), BC_CONF_TOK_WORD))
    return g_strdup (next (p)->value);
  error_expected (p, "a name", after);
  return NULL;
}

static gboolean
body_has (GPtrArray *body, BcConfStmtKind kind)
{
  for (guint i = 0; body != NULL && i < body->len; i++)
    if (((BcConfStmt *)body->pdata[i])->kind == kind)
      return TRUE;
  return FALSE;
}

/* class-name := STRING   (ISC refuses an unquoted class name) */
static char *
parse_class_name (Parser *p, const char *after)
{
  if (tok_is (peek (p), BC_CONF_TOK_STRING))
    return g_strdup (next (p)->value);
  error_expected (p, "a quoted class name", after);
  return NULL;
}

/* shared-network-declaration := "shared-network" name block */
static BcConfStmt *
parse_shared_network (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_SHARED_NETWORK, kw);

  s->name = parse_decl_name (p, "shared-network", TRUE);
  if (s->name == NULL)
    return NULL;
  s = finish_block (p, g_steal_pointer (&s), first, SCOPE_SHARED, "shared-network");
  if (s != NULL && !body_has (s->body, BC_CONF_STMT_SUBNET))
    {
      p->stmt_line = 0;
      error_at (p, s->where.line, s->where.col,
                "shared-network %s declares no subnet (ISC: empty shared-network decl)", s->name);
    }
  return g_steal_pointer (&s);
}

/* group-declaration := "group" name? block */
static BcConfStmt *
parse_group (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_GROUP, kw);

  if (!tok_is (peek (p), BC_CONF_TOK_LBRACE))
    s->name = parse_decl_name (p, "group", FALSE);
  return finish_block (p, g_steal_pointer (&s), first, SCOPE_GROUP, "group");
}

/* host-declaration := "host" name block */
static BcConfStmt *
parse_host (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_HOST, kw);

  /* ISC: a host name is an unquoted (dotted) name. */
  s->name = parse_host_name (p, "host");
  if (s->name == NULL)
    return NULL;
  return finish_block (p, g_steal_pointer (&s), first, SCOPE_HOST, "host");
}

/* pool-declaration := "pool" block */
static BcConfStmt *
parse_pool (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_POOL, kw);

  s = finish_block (p, g_steal_pointer (&s), first, SCOPE_POOL, "pool");
  if (s != NULL && !body_has (s->body, BC_CONF_STMT_RANGE))
    {
      p->stmt_line = 0;
      error_at (p, s->where.line, s->where.col,
                "pool has no range (ISC: pool declaration with no address range)");
    }
  return g_steal_pointer (&s);
}

/* class-declaration := "class" name block */
static BcConfStmt *
parse_class (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_CLASS, kw);
  guint matches = 0;

  s->name = parse_class_name (p, "class");
  if (s->name == NULL)
    return NULL;
  g_hash_table_add (p->classes, g_strdup (s->name));
  s = finish_block (p, g_steal_pointer (&s), first, SCOPE_CLASS, "class");
  for (guint i = 0; s != NULL && i < s->body->len; i++)
    {
      BcConfStmt *m = s->body->pdata[i];
      if ((m->kind == BC_CONF_STMT_MATCH_IF || m->kind == BC_CONF_STMT_MATCH_DATA)
          && ++matches == 2)
        {
          p->stmt_line = 0;
          error_at (p, m->where.line, m->where.col,
                    "class \"%s\" already has a match statement: a class may have only one",
                    s->name);
        }
    }
  return g_steal_pointer (&s);
}

/* subclass-declaration := "subclass" name (STRING | colon-hex) (block | ";") */
static BcConfStmt *
parse_subclass (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_SUBCLASS, kw);

  s->name = parse_class_name (p, "subclass");
  if (s->name == NULL)
    return NULL;
  if (!g_hash_table_contains (p->classes, s->name))
    {
      error_tok (p, prev (p), "no class named \"%s\": declare the class before its subclasses",
                 s->name);
      return NULL;
    }
  s->data = parse_string_or_hex (p, "the subclass name");
  if (s->data == NULL)
    return NULL;
  if (tok_is (peek (p), BC_CONF_TOK_LBRACE))
    return finish_block (p, g_steal_pointer (&s), first, SCOPE_CLASS, "subclass");
  return finish_simple (p, g_steal_pointer (&s), first, "subclass");
}

/* range-declaration := "range" "dynamic-bootp"? ip-addr ip-addr? ";" */
static BcConfStmt *
parse_range (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_RANGE, kw);

  s->flag = accept_word (p, "dynamic-bootp");
  if (!parse_ip_addr (p, "range", &s->addr))
    return NULL;
  s->addr2 = s->addr;
  if (looks_like_ip_addr (p) && peek (p)->line == prev (p)->end_line)
    parse_ip_addr (p, "range", &s->addr2);
  if (GUINT32_FROM_BE (s->addr2) < GUINT32_FROM_BE (s->addr))
    {
      guint32 tmp = s->addr;
      s->addr = s->addr2;
      s->addr2 = tmp;
    }
  return finish_simple (p, g_steal_pointer (&s), first, "range");
}

/* hardware-statement := "hardware" ("ethernet" | "token-ring" | "fddi" | "infiniband")
 *                       colon-hex ";" */
static BcConfStmt *
parse_hardware (Parser *p, Scope scope, guint first)
{
  static const struct
  {
    const char *name;
    guint8 htype;
  } types[] = { { "ethernet", 1 }, { "token-ring", 6 }, { "fddi", 8 }, { "infiniband", 32 } };
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_HARDWARE, kw);
  g_autoptr (GBytes) addr = NULL;
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  gint htype = -1;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (accept_word (p, types[i].name))
      htype = types[i].htype;
  if (htype < 0)
    {
      error_expected (p, "a hardware type (ethernet, token-ring, fddi, infiniband)", "hardware");
      return NULL;
    }
  addr = parse_colon_hex (p, "the hardware type");
  if (addr == NULL)
    return NULL;
  if (g_bytes_get_size (addr) > 16)
    {
      error_tok (p, prev (p), "hardware address longer than 16 bytes");
      return NULL;
    }
  {
    guint8 h = (guint8)htype;
    g_byte_array_append (buf, &h, 1);
    g_byte_array_append (buf, g_bytes_get_data (addr, NULL), g_bytes_get_size (addr));
  }
  s->data = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
  return finish_simple (p, g_steal_pointer (&s), first, "the hardware address");
}

/* fixed-address-statement := "fixed-address" ip-addr-or-hostname ("," ip-addr-or-hostname)* ";" */
static BcConfStmt *
parse_fixed_address (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_FIXED_ADDRESS, kw);

  s->addrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->names = g_ptr_array_new_with_free_func (g_free);
  do
    {
      guint32 a;
      char *name = NULL;
      if (!parse_ip_addr_or_hostname (p, "fixed-address", &a, &name))
        return NULL;
      if (name != NULL)
        g_ptr_array_add (s->names, name);
      else
        g_array_append_val (s->addrs, a);
    }
  while (accept (p, BC_CONF_TOK_COMMA));
  return finish_simple (p, g_steal_pointer (&s), first, "fixed-address");
}

/* match-statement := "match" "if" boolean-expression ";"
 *                  | "match" data-expression ";"   (with subclasses) */
static BcConfStmt *
parse_match (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = NULL;

  if (accept_word (p, "if"))
    {
      s = stmt_new (p, BC_CONF_STMT_MATCH_IF, kw);
      s->expr = parse_typed (p, BC_CONF_TYPE_BOOLEAN, "match if");
    }
  else
    {
      s = stmt_new (p, BC_CONF_STMT_MATCH_DATA, kw);
      s->expr = parse_typed (p, BC_CONF_TYPE_DATA, "match");
    }
  if (s->expr == NULL)
    return NULL;
  return finish_simple (p, g_steal_pointer (&s), first, "the match expression");
}

/* vendor-option-space-statement := "vendor-option-space" WORD ";"
 * ISC: option 43 then carries the options set in that space (PXE menus); the space
 * need not be declared yet. */
static BcConfStmt *
parse_vendor_option_space (Parser *p, Scope scope, guint first)
{
  BcConfToken *kw = next (p);
  g_autoptr (BcConfStmt) s = stmt_new (p, BC_CONF_STMT_VENDOR_SPACE, kw);

  if (!tok_is (peek (p), BC_CONF_TOK_WORD))
    {
      error_expected (p, "an option space name", kw->value);
      return NULL;
    }
  s->name = g_strdup (next (p)->value);
  return finish_simple (p, g_steal_pointer (&s), first, kw->value);
}

/* include-statement := "include" STRING ";" — refused: the parser reads no files. */
static BcConfStmt *
parse_include (Parser *p, Scope scope, guint first)
{
  error_tok (p, peek (p), "include is not supported: put the included file's statements inline");
  next (p);
  return NULL;
}

/* The statement table: keyword -> production, and where it may appear. */
static const struct
{
  const char *keyword;
  StmtParser parse;
  guint scopes;
} statements[] = {
  { "option", parse_option_statement, SCOPE_ANY },
  { "filename", parse_string_statement, SCOPE_ANY },
  { "server-name", parse_string_statement, SCOPE_ANY },
  { "next-server", parse_next_server, SCOPE_ANY },
  { "default-lease-time", parse_lease_time, SCOPE_ANY },
  { "max-lease-time", parse_lease_time, SCOPE_ANY },
  { "min-lease-time", parse_lease_time, SCOPE_ANY },
  { "authoritative", parse_authoritative, SCOPE_DECL },
  { "not", parse_authoritative, SCOPE_DECL },
  { "allow", parse_allow, SCOPE_ANY },
  { "deny", parse_allow, SCOPE_ANY },
  { "ignore", parse_allow, SCOPE_ANY },
  { "if", parse_if, SCOPE_ANY },
  { "switch", parse_switch, SCOPE_ANY },
  { "case", parse_case, SCOPE_SWITCH },
  { "default", parse_default, SCOPE_ANY },
  { "break", parse_break, SCOPE_ANY },
  { "define", parse_define, SCOPE_ANY },
  { "subnet", parse_subnet, SCOPE_GLOBAL | SCOPE_SHARED | SCOPE_GROUP },
  { "shared-network", parse_shared_network, SCOPE_GLOBAL | SCOPE_GROUP },
  { "group", parse_group, SCOPE_GLOBAL | SCOPE_SHARED | SCOPE_SUBNET | SCOPE_GROUP },
  { "host", parse_host, SCOPE_GLOBAL | SCOPE_SHARED | SCOPE_SUBNET | SCOPE_GROUP },
  { "pool", parse_pool, SCOPE_SHARED | SCOPE_SUBNET },
  { "class", parse_class, SCOPE_GLOBAL | SCOPE_GROUP },
  { "subclass", parse_subclass, SCOPE_GLOBAL | SCOPE_GROUP },
  { "range", parse_range, SCOPE_SUBNET | SCOPE_POOL | SCOPE_SHARED },
  { "hardware", parse_hardware, SCOPE_HOST },
  { "fixed-address", parse_fixed_address, SCOPE_HOST },
  { "match", parse_match, SCOPE_CLASS },
  { "include", parse_include, SCOPE_ANY },
  { "vendor-option-space", parse_vendor_option_space, SCOPE_ANY },
};

/* Server parameters a boot server has no use for: accepted, no effect (ISC accepts
 * them; refusing them would refuse real configurations). */
static const char *const ignored_statements[] = {
  "ddns-update-style",
  "ddns-updates",
  "ddns-domainname",
  "ddns-rev-domainname",
  "ddns-hostname",
  "ddns-ttl",
  "ddns-local-address4",
  "ddns-local-address6",
  "ddns-other-guard-is-dynamic",
  "ddns-guard-id-must-match",
  "ddns-dual-stack-mixed-mode",
  "update-optimization",
  "update-conflict-detection",
  "update-static-leases",
  "do-forward-updates",
  "log-facility",
  "ping-check",
  "ping-timeout",
  "ping-timeout-ms",
  "ping-cltt-secs",
  "one-lease-per-client",
  "use-host-decl-names",
  "use-lease-addr-for-default-route",
  "local-address",
  "local-address6",
  "local-port",
  "remote-port",
  "omapi-port",
  "omapi-key",
  "lease-file-name",
  "pid-file-name",
  "dhcpv6-lease-file-name",
  "dhcpv6-pid-file-name",
  "db-time-format",
  "always-broadcast",
  "always-reply-rfc1048",
  "boot-unknown-clients",
  "get-lease-hostnames",
  "stash-agent-options",
  "dynamic-bootp-lease-cutoff",
  "dynamic-bootp-lease-length",
  "min-secs",
  "infinite-is-reserved",
  "limit-addrs-per-ia",
  "lease-id-format",
  "abandon-lease-time",
  "adaptive-lease-time-threshold",
  "max-ack-delay",
  "max-lease-misbalance",
  "max-lease-ownership",
  "min-balance",
  "max-balance",
  "server-identifier",
  "server-duid",
  "preferred-lifetime",
  "prefix-length-mode",
  "release-on-roam",
  "persist-eui-64-leases",
  "site-option-space",
  "authoring-byte-order",
  "key",
  "zone",
  "failover",
  "log",
  "execute",
  "set",
  "unset",
  "on",
  "spawn",
  "lease",
  "delayed-ack",
  "dont-use-fsync",
  "ddns-hostname",
  "fqdn-reply",
  "check-secs-byte-order",
  "echo-client-id",
  "server-id-check",
  "ignore-client-uids",
  "reuse-lease",
  "cache-threshold",
  "filename-option",
};

static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint)j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = (guint)i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

static const char *
closest_keyword (const char *word)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      guint d = edit_distance (word, statements[i].keyword);
      if (d < best_d)
        {
          best_d = d;
          best = statements[i].keyword;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (ignored_statements); i++)
    {
      guint d = edit_distance (word, ignored_statements[i]);
      if (d < best_d)
        {
          best_d = d;
          best = ignored_statements[i];
        }
    }
  if (best != NULL && best_d <= MAX (2u, (guint)strlen (word) / 3))
    return best;
  return NULL;
}

static const char *
scope_name (Scope scope)
{
  switch (scope)
    {
      case SCOPE_GLOBAL:
        return "the global scope";
      case SCOPE_SHARED:
        return "a shared-network";
      case SCOPE_SUBNET:
        return "a subnet";
      case SCOPE_POOL:
        return "a pool";
      case SCOPE_GROUP:
        return "a group";
      case SCOPE_HOST:
        return "a host";
      case SCOPE_CLASS:
        return "a class";
      case SCOPE_SWITCH:
        return "a switch body";
      case SCOPE_IF:
      default:
        return "an if/else block";
    }
}

/* statement := option-statement | filename-statement | next-server-statement
 *            | lease-time-statement | authoritative-statement | allow-statement
 *            | if-statement | subnet-declaration | shared-network-declaration
 *            | group-declaration | host-declaration | pool-declaration
 *            | class-declaration | subclass-declaration | range-declaration
 *            | hardware-statement | fixed-address-statement | match-statement
 *            | switch-statement | case-label | default-label | break-statement
 *            | ignored-statement */
static BcConfStmt *
parse_statement (Parser *p, Scope scope)
{
  BcConfToken *t = peek (p);
  guint first = p->pos;

  p->stmt_line = t->line;
  p->stmt_col = t->col;

  if (t->kind == BC_CONF_TOK_INVALID)
    {
      error_tok (p, t, "%s", t->value);
      next (p);
      return NULL;
    }
  if (t->kind != BC_CONF_TOK_WORD)
    {
      g_autofree char *found = describe_tok (t);
      p->stmt_line = 0;
      error_tok (p, t, "expected a statement, found %s", found);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    if (tok_is_word (t, statements[i].keyword))
      {
        if ((statements[i].scopes & scope) == 0)
          {
            p->stmt_line = 0;
            if (statements[i].parse == parse_case)
              error_tok (p, t,
                         "'case' outside a switch body (ISC: case statement in inappropriate "
                         "scope)");
            else
              error_tok (p, t, "%s is not allowed in %s", statements[i].keyword,
                         scope_name (scope));
            return NULL;
          }
        return statements[i].parse (p, scope, first);
      }
  for (guint i = 0; i < G_N_ELEMENTS (ignored_statements); i++)
    if (tok_is_word (t, ignored_statements[i]))
      return parse_ignored (p, scope, first);
  if (tok_is_word (t, "else") || tok_is_word (t, "elsif"))
    {
      p->stmt_line = 0;
      error_tok (p, t, "'%s' without a preceding if block", t->value);
      return NULL;
    }

  {
    const char *hint = closest_keyword (t->value);
    p->stmt_line = 0;
    if (hint != NULL)
      error_tok (p, t, "unknown statement '%s'; did you mean '%s'?", t->value, hint);
    else
      error_tok (p, t, "unknown statement '%s'", t->value);
  }
  return NULL;
}

/* statements := statement* */
static GPtrArray *
parse_statements (Parser *p, Scope scope)
{
  GPtrArray *body = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_stmt_free);

  while (!tok_is (peek (p), BC_CONF_TOK_EOF) && !tok_is (peek (p), BC_CONF_TOK_RBRACE))
    {
      guint start = p->pos;
      BcConfStmt *s = parse_statement (p, scope);

      if (s != NULL)
        g_ptr_array_add (body, s);
      else
        {
          skip_statement (p);
          /* Always make progress. */
          if (p->pos == start && !tok_is (peek (p), BC_CONF_TOK_EOF)
              && !tok_is (peek (p), BC_CONF_TOK_RBRACE))
            next (p);
        }
    }
  return body;
}

/* block := "{" statements "}"   (the '{' already consumed) */
static GPtrArray *
parse_block (Parser *p, Scope scope, const char *what, const BcConfToken *open_at)
{
  GPtrArray *body;
  guint save_line = p->stmt_line, save_col = p->stmt_col;
  BcConfToken *end;

  if (++p->depth > MAX_DEPTH)
    {
      error_tok (p, open_at, "blocks nested too deeply");
      p->depth--;
      skip_statement (p);
      accept (p, BC_CONF_TOK_RBRACE);
      return g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_stmt_free);
    }
  body = parse_statements (p, scope);
  p->depth--;
  p->stmt_line = save_line;
  p->stmt_col = save_col;
  end = peek (p);
  if (accept (p, BC_CONF_TOK_RBRACE))
    {
      /* Remember the first '}' indented unlike the statement it closes: when a '}' is
       * missing, that is usually where (the braces balance one block too early). */
      guint indent = line_indent (p, save_line);
      if (p->suspect_line == 0 && save_line != 0 && end->line != save_line
          && line_indent (p, end->line) == end->col && end->col != indent)
        {
          p->suspect_line = end->line;
          p->suspect_col = end->col;
          p->suspect_open_line = save_line;
          p->suspect_open_col = save_col;
          p->suspect_what = what;
        }
    }
  else if (!p->eof_reported)
    {
      /* At the end of the file: report it once, after the last token. */
      BcConfToken *last = prev (p);
      guint line = end->kind == BC_CONF_TOK_EOF && p->pos > 0 ? last->end_line : end->line;
      guint col = end->kind == BC_CONF_TOK_EOF && p->pos > 0 ? last->end_col : end->col;

      p->eof_reported = end->kind == BC_CONF_TOK_EOF;
      p->stmt_line = 0;
      if (p->suspect_line != 0)
        error_at (p, line, col,
                  "expected '}' to close the %s block opened at %u:%u; the '}' at %u:%u closed "
                  "the %s at %u:%u but is indented like an outer block: is the %s missing its '}'?",
                  what, open_at->line, open_at->col, p->suspect_line, p->suspect_col,
                  p->suspect_what, p->suspect_open_line, p->suspect_open_col, p->suspect_what);
      else
        error_at (p, line, col, "expected '}' to close the %s block opened at %u:%u", what,
                  open_at->line, open_at->col);
    }
  return body;
}

/* config := statements EOF */
static GPtrArray *
parse_config (Parser *p)
{
  GPtrArray *body = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_stmt_free);

  for (;;)
    {
      g_autoptr (GPtrArray) part = parse_statements (p, SCOPE_GLOBAL);
      while (part->len > 0)
        g_ptr_array_add (body, g_ptr_array_steal_index (part, 0));
      if (tok_is (peek (p), BC_CONF_TOK_EOF))
        break;
      /* A '}' at top level closes nothing. */
      p->stmt_line = 0;
      error_tok (p, peek (p), "unexpected '}': no block is open here");
      next (p);
    }
  return body;
}

BcConf *
bc_conf_parse (const char *filename, const char *text, gsize len, GError **error)
{
  g_autoptr (BcConf) conf = g_new0 (BcConf, 1);
  g_autoptr (GPtrArray) toks = NULL;
  g_autoptr (GString) errors = g_string_new (NULL);
  Parser p = { 0 };

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  conf->filename = g_strdup (filename != NULL ? filename : "dhcpd.conf");
  conf->registry = bc_dhcp_option_registry_new_isc ();
  toks = bc_conf_lex (text != NULL ? text : "", len);

  p.filename = conf->filename;
  p.text = text != NULL ? text : "";
  p.len = len;
  p.toks = toks;
  p.errors = errors;
  p.reg = conf->registry;
  p.wellknown = bc_dhcp_option_registry_new_wellknown ();
  p.classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p.variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  conf->body = parse_config (&p);
  bc_dhcp_option_registry_free (p.wellknown);
  g_hash_table_unref (p.classes);
  g_hash_table_unref (p.variables);

  if (p.n_errors == 0)
    {
      BcConfLocation label;
      if (bc_conf_startup_crash (conf, &label))
        {
          p.stmt_line = 0;
          error_at (&p, label.line, label.col,
                    "ISC dhcpd 4.4 crashes on this file (dhcpd -t fails): at start-up it runs "
                    "the global scope without a packet, this label is chosen and nothing "
                    "follows it in its switch; put a statement such as break; after it");
        }
    }

  if (p.n_errors > 0)
    {
      g_set_error_literal (error, BC_CONF_ERROR, BC_CONF_ERROR_SYNTAX, errors->str);
      return NULL;
    }
  return g_steal_pointer (&conf);
}
