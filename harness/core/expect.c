/* The expect language: see expect.h. */
#include "harness/core/expect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (bc_expect_error_quark, bc_expect_error)

#define FIELD_LIST                                                                                 \
  "file, next-server, sname, yiaddr, user-class, vendor-class, arch, chaddr, broadcast, "          \
  "ipxe.version, ipxe.NAME, an option name, N, N.M"

/* ---- errors ------------------------------------------------------------------------ */

typedef struct
{
  const char *filename;
  guint line;
  const char *line_text; /* the whole line, for the caret display */
  guint col_offset;      /* added to columns (conds embedded in another file) */
  GString *errors;       /* every error so far; NULL: none */
} ErrCtx;

static void err_add (ErrCtx *ctx, guint col, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* "expect:3:9: message\n  the line\n          ^\n" (Lua/clang style; tabs kept so the
 * caret lines up). */
static void
err_add (ErrCtx *ctx, guint col, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (ctx->errors == NULL)
    ctx->errors = g_string_new (NULL);
  g_string_append_printf (ctx->errors, "%s:%u:%u: %s\n", ctx->filename, ctx->line,
                          col + ctx->col_offset, msg);
  if (ctx->line_text != NULL)
    {
      g_string_append_printf (ctx->errors, "  %s\n  ", ctx->line_text);
      for (guint i = 1; i < col && ctx->line_text[i - 1] != '\0'; i++)
        g_string_append_c (ctx->errors, ctx->line_text[i - 1] == '\t' ? '\t' : ' ');
      g_string_append (ctx->errors, "^\n");
    }
}

/* ---- tokens ------------------------------------------------------------------------ */

typedef struct
{
  char *text; /* for a regex token: the pattern between the slashes, unescaped '\/' */
  guint col;  /* 1-based byte column */
  gboolean is_regex;
  char *flags; /* regex flags after the closing slash */
} Token;

static void
token_clear (Token *t)
{
  g_free (t->text);
  g_free (t->flags);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split one line into tokens. A word beginning with '#' starts a comment. After the
 * words `console` and `config-error`, a word beginning with '/' is a regex running to
 * the next unescaped '/', followed by flag letters. Returns FALSE (error added) on an
 * unterminated regex. *ret_end: the byte offset where the step's text ends. */
static gboolean
tokenize (ErrCtx *ctx, const char *line, GArray *tokens, gsize *ret_end)
{
  gsize i = 0, end = 0;
  gsize n = strlen (line);

  while (i < n)
    {
      Token t = { 0 };
      gboolean regex_allowed = FALSE;

      while (i < n && is_space (line[i]))
        i++;
      if (i >= n || line[i] == '#')
        break;
      if (tokens->len > 0)
        {
          const Token *prev = &g_array_index (tokens, Token, tokens->len - 1);
          regex_allowed = !prev->is_regex
                          && (g_str_equal (prev->text, "console")
                              || g_str_equal (prev->text, "config-error"));
        }
      t.col = i + 1;
      if (regex_allowed && line[i] == '/')
        {
          GString *pat = g_string_new (NULL);
          gsize j = i + 1;
          gboolean closed = FALSE;

          while (j < n)
            {
              if (line[j] == '\\' && j + 1 < n && line[j + 1] == '/')
                {
                  g_string_append_c (pat, '/');
                  j += 2;
                  continue;
                }
              if (line[j] == '/')
                {
                  closed = TRUE;
                  break;
                }
              g_string_append_c (pat, line[j]);
              j++;
            }
          if (!closed)
            {
              g_string_free (pat, TRUE);
              err_add (ctx, t.col, "unterminated regex (expected a closing '/')");
              return FALSE;
            }
          j++;
          {
            gsize k = j;
            while (k < n && !is_space (line[k]))
              k++;
            t.flags = g_strndup (line + j, k - j);
            j = k;
          }
          t.text = g_string_free (pat, FALSE);
          t.is_regex = TRUE;
          i = j;
        }
      else
        {
          gsize j = i;
          while (j < n && !is_space (line[j]))
            j++;
          t.text = g_strndup (line + i, j - i);
          i = j;
        }
      end = i;
      g_array_append_val (tokens, t);
    }
  *ret_end = end;
  return TRUE;
}

/* ---- conditions -------------------------------------------------------------------- */

void
bc_expect_cond_free (BcExpectCond *cond)
{
  if (cond == NULL)
    return;
  g_free (cond->text);
  g_free (cond->format);
  g_free (cond->value);
  g_free (cond);
}

static const struct
{
  const char *name;
  BcExpectField field;
} field_table[] = {
  { "file", BC_EXPECT_FIELD_FILE },
  { "next-server", BC_EXPECT_FIELD_NEXT_SERVER },
  { "sname", BC_EXPECT_FIELD_SNAME },
  { "yiaddr", BC_EXPECT_FIELD_YIADDR },
  { "user-class", BC_EXPECT_FIELD_USER_CLASS },
  { "vendor-class", BC_EXPECT_FIELD_VENDOR_CLASS },
  { "arch", BC_EXPECT_FIELD_ARCH },
  { "chaddr", BC_EXPECT_FIELD_CHADDR },
  { "broadcast", BC_EXPECT_FIELD_BROADCAST },
  { "ipxe.version", BC_EXPECT_FIELD_IPXE_VERSION },
};

static gboolean
parse_uint (const char *s, guint64 max, guint64 *ret)
{
  char *end = NULL;
  guint64 v;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return FALSE;
  *ret = v;
  return TRUE;
}

/* The dhcp-space code whose format encapsulates @space (ipxe -> 175, pxe -> 43). */
static gint
find_encapsulating_code (const BcDhcpOptionRegistry *reg, const char *space)
{
  for (guint code = 1; code < 255; code++)
    {
      const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, "dhcp", code);
      g_autofree char *enc = NULL;

      if (def == NULL)
        continue;
      enc = bc_dhcp_option_def_encapsulated_space (def);
      if (enc != NULL && g_str_equal (enc, space))
        return code;
    }
  return -1;
}

/* Resolve "N", "N.M", "NAME", "SPACE.NAME" into code/sub/format. */
static gboolean
resolve_option (const BcDhcpOptionRegistry *reg, const char *key, BcExpectCond *cond,
                char **ret_problem)
{
  const char *dot = strchr (key, '.');
  g_autofree char *head = dot ? g_strndup (key, dot - key) : g_strdup (key);
  const char *tail = dot ? dot + 1 : NULL;
  const BcDhcpOptionDef *def = NULL;
  guint64 n = 0, m = 0;

  cond->field = BC_EXPECT_FIELD_OPTION;
  cond->sub = -1;
  if (g_ascii_isdigit (head[0]))
    {
      if (!parse_uint (head, 255, &n) || n == 0 || n == 255)
        {
          *ret_problem = g_strdup_printf ("option code '%s' is not 1..254", head);
          return FALSE;
        }
      cond->code = n;
      def = bc_dhcp_option_registry_lookup_code (reg, "dhcp", n);
      if (tail != NULL)
        {
          g_autofree char *space = def ? bc_dhcp_option_def_encapsulated_space (def) : NULL;
          const BcDhcpOptionDef *sdef = NULL;

          if (!parse_uint (tail, 255, &m))
            {
              *ret_problem = g_strdup_printf ("sub-option code '%s' is not 0..255", tail);
              return FALSE;
            }
          cond->sub = m;
          if (space != NULL)
            sdef = bc_dhcp_option_registry_lookup_code (reg, space, m);
          cond->format = sdef ? g_strdup (sdef->format) : NULL;
        }
      else
        cond->format = def ? g_strdup (def->format) : NULL;
      return TRUE;
    }
  if (tail == NULL)
    {
      def = bc_dhcp_option_registry_lookup_name (reg, "dhcp", head);
      if (def == NULL)
        return FALSE;
      cond->code = def->code;
      cond->format = g_strdup (def->format);
      return TRUE;
    }
  if (bc_dhcp_option_registry_has_space (reg, head))
    {
      gint code = find_encapsulating_code (reg, head);
      if (code < 0)
        {
          *ret_problem = g_strdup_printf ("no dhcp option encapsulates space '%s'", head);
          return FALSE;
        }
      def = bc_dhcp_option_registry_lookup_name (reg, head, tail);
      if (def == NULL)
        {
          *ret_problem = g_strdup_printf ("unknown option '%s' in space '%s'", tail, head);
          return FALSE;
        }
      cond->code = code;
      cond->sub = def->code;
      cond->format = g_strdup (def->format);
      return TRUE;
    }
  return FALSE;
}

static gboolean
is_hex_mac (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isxdigit (*s) && *s != ':' && *s != '*' && *s != '?')
      return FALSE;
  return TRUE;
}

/* One cond word. Returns NULL with an error added on failure. */
static BcExpectCond *
parse_cond (ErrCtx *ctx, const BcDhcpOptionRegistry *reg, const char *word, guint col)
{
  g_autoptr (BcExpectCond) cond = g_new0 (BcExpectCond, 1);
  const char *p = word;
  const char *eq;
  g_autofree char *key = NULL;
  g_autofree char *problem = NULL;
  guint value_col;
  gboolean is_field = FALSE;

  cond->text = g_strdup (word);
  cond->sub = -1;
  if (*p == '!')
    {
      cond->negate = TRUE;
      p++;
    }
  eq = strchr (p, '=');
  key = eq ? g_strndup (p, eq - p) : g_strdup (p);
  value_col = col + (eq ? (guint)(eq - word) + 1 : 0);
  if (eq != NULL)
    {
      if (eq[1] == '\0')
        {
          err_add (ctx, value_col, "expected a value after '=' in '%s'", word);
          return NULL;
        }
      cond->value = g_strdup (eq + 1);
    }
  if (*key == '\0')
    {
      err_add (ctx, col, "expected a field or option before '='");
      return NULL;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (field_table); i++)
    if (g_str_equal (key, field_table[i].name))
      {
        cond->field = field_table[i].field;
        is_field = TRUE;
        break;
      }

  if (is_field)
    {
      if (cond->value == NULL)
        {
          err_add (ctx, col, "'%s' needs a value (%s=VALUE)", key, key);
          return NULL;
        }
      switch (cond->field)
        {
          case BC_EXPECT_FIELD_NEXT_SERVER:
          case BC_EXPECT_FIELD_YIADDR:
            {
              struct in_addr in;
              char buf[INET_ADDRSTRLEN];

              if (strpbrk (cond->value, "*?") != NULL)
                break;
              if (inet_pton (AF_INET, cond->value, &in) != 1)
                {
                  err_add (ctx, value_col, "'%s' is not an IPv4 address (expected A.B.C.D)",
                           cond->value);
                  return NULL;
                }
              inet_ntop (AF_INET, &in, buf, sizeof buf);
              g_free (cond->value);
              cond->value = g_strdup (buf);
              break;
            }
          case BC_EXPECT_FIELD_ARCH:
            {
              guint64 v;
              if (!parse_uint (cond->value, 65535, &v))
                {
                  err_add (ctx, value_col,
                           "arch '%s' is not a number 0..65535 (RFC 4578: 0 BIOS, 7 x86-64 EFI)",
                           cond->value);
                  return NULL;
                }
              g_free (cond->value);
              cond->value = g_strdup_printf ("%" G_GUINT64_FORMAT, v);
              break;
            }
          case BC_EXPECT_FIELD_BROADCAST:
            if (!g_str_equal (cond->value, "0") && !g_str_equal (cond->value, "1"))
              {
                err_add (ctx, value_col, "broadcast '%s' is not 0 or 1", cond->value);
                return NULL;
              }
            break;
          case BC_EXPECT_FIELD_CHADDR:
            if (!is_hex_mac (cond->value))
              {
                err_add (ctx, value_col, "chaddr '%s' is not colon-hex (52:54:00:12:34:56)",
                         cond->value);
                return NULL;
              }
            {
              char *lower = g_ascii_strdown (cond->value, -1);
              g_free (cond->value);
              cond->value = lower;
            }
            break;
          default:
            break;
        }
      return g_steal_pointer (&cond);
    }

  if (!resolve_option (reg, key, cond, &problem))
    {
      if (problem != NULL)
        err_add (ctx, col + (cond->negate ? 1 : 0), "%s", problem);
      else
        err_add (ctx, col + (cond->negate ? 1 : 0), "unknown field '%s' (expected one of %s)", key,
                 FIELD_LIST);
      return NULL;
    }
  return g_steal_pointer (&cond);
}

GPtrArray *
bc_expect_parse_conds (const char *filename, guint line, guint col_offset, const char *text,
                       const BcDhcpOptionRegistry *registry, GError **error)
{
  ErrCtx ctx = { filename, line, text, col_offset, NULL };
  g_autoptr (GPtrArray) conds
      = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_expect_cond_free);
  g_autoptr (GArray) tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  gsize end = 0;

  g_array_set_clear_func (tokens, (GDestroyNotify)token_clear);
  tokenize (&ctx, text, tokens, &end);
  for (guint i = 0; i < tokens->len; i++)
    {
      const Token *t = &g_array_index (tokens, Token, i);
      BcExpectCond *c = parse_cond (&ctx, registry, t->text, t->col);
      if (c != NULL)
        g_ptr_array_add (conds, c);
    }
  if (ctx.errors != NULL)
    {
      g_set_error_literal (error, BC_EXPECT_ERROR, BC_EXPECT_ERROR_SYNTAX, ctx.errors->str);
      g_string_free (ctx.errors, TRUE);
      return NULL;
    }
  return g_steal_pointer (&conds);
}

/* ---- matching conditions ----------------------------------------------------------- */

static char *
bytes_as_text (GBytes *b)
{
  gsize len = 0;
  const char *d = g_bytes_get_data (b, &len);
  GString *s = g_string_sized_new (len);

  /* Option text is not NUL-terminated and may contain anything: escape control
   * bytes so globs and messages stay sane. */
  for (gsize i = 0; i < len; i++)
    {
      guchar c = d[i];
      if (c == '\0' && i + 1 == len)
        break; /* some firmware NUL-terminates its strings */
      if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, c);
    }
  return g_string_free (s, FALSE);
}

static char *
format_addr (guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr in = { .s_addr = addr };

  inet_ntop (AF_INET, &in, buf, sizeof buf);
  return g_strdup (buf);
}

/* The option (or sub-option) data the cond looks at; NULL when absent. */
static GBytes *
cond_option_bytes (const BcExpectCond *cond, const BcDhcpMsg *msg)
{
  GBytes *b = bc_dhcp_msg_get_option (msg, cond->code);
  g_autoptr (GPtrArray) subs = NULL;
  gsize len = 0;
  const guint8 *d;

  if (b == NULL || cond->sub < 0)
    return b ? g_bytes_ref (b) : NULL;
  d = g_bytes_get_data (b, &len);
  if (!bc_dhcp_options_parse_encapsulated (d, len, &subs, NULL))
    return NULL;
  for (guint i = 0; i < subs->len; i++)
    {
      const BcDhcpOption *o = subs->pdata[i];
      if (o->code == (guint)cond->sub)
        return g_bytes_ref (o->data);
    }
  return NULL;
}

/* What the message has for the cond's field, as the string a value is matched
 * against; NULL when absent. *ret_hex: the raw bytes as colon-hex, for options. */
static char *
cond_actual (const BcExpectCond *cond, const BcDhcpMsg *msg, char **ret_hex)
{
  GBytes *b;

  switch (cond->field)
    {
      case BC_EXPECT_FIELD_FILE:
        if (msg->file[0] != '\0')
          return g_strdup (msg->file);
        b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_BOOTFILE_NAME);
        return b ? bytes_as_text (b) : NULL;
      case BC_EXPECT_FIELD_SNAME:
        if (msg->sname[0] != '\0')
          return g_strdup (msg->sname);
        b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_TFTP_SERVER_NAME);
        return b ? bytes_as_text (b) : NULL;
      case BC_EXPECT_FIELD_NEXT_SERVER:
        return format_addr (msg->siaddr);
      case BC_EXPECT_FIELD_YIADDR:
        return format_addr (msg->yiaddr);
      case BC_EXPECT_FIELD_USER_CLASS:
        b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_USER_CLASS);
        return b ? bytes_as_text (b) : NULL;
      case BC_EXPECT_FIELD_VENDOR_CLASS:
        b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER);
        return b ? bytes_as_text (b) : NULL;
      case BC_EXPECT_FIELD_ARCH:
        {
          gsize len = 0;
          const guint8 *d;

          b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_CLIENT_ARCH);
          if (b == NULL)
            return NULL;
          d = g_bytes_get_data (b, &len);
          /* RFC 4578 2.1: a list of 16-bit types; the first is the one that boots */
          if (len < 2)
            return g_strdup ("malformed");
          return g_strdup_printf ("%u", (guint)d[0] << 8 | d[1]);
        }
      case BC_EXPECT_FIELD_CHADDR:
        {
          g_autofree char *c = bc_dhcp_msg_format_chaddr (msg);
          return g_ascii_strdown (c, -1);
        }
      case BC_EXPECT_FIELD_BROADCAST:
        return g_strdup ((msg->flags & BC_DHCP_FLAG_BROADCAST) ? "1" : "0");
      case BC_EXPECT_FIELD_IPXE_VERSION:
        {
          BcExpectCond v
              = { .field = BC_EXPECT_FIELD_OPTION, .code = BC_DHCP_OPTION_IPXE_ENCAP, .sub = 235 };
          g_autoptr (GBytes) vb = cond_option_bytes (&v, msg);
          GString *s;
          gsize len = 0;
          const guint8 *d;

          if (vb == NULL)
            return NULL;
          /* include/ipxe/dhcp.h DHCP_EB_VERSION: major, minor, patch bytes */
          d = g_bytes_get_data (vb, &len);
          s = g_string_new (NULL);
          for (gsize i = 0; i < len; i++)
            g_string_append_printf (s, "%s%u", i ? "." : "", d[i]);
          return g_string_free (s, FALSE);
        }
      case BC_EXPECT_FIELD_OPTION:
        {
          g_autoptr (GBytes) ob = cond_option_bytes (cond, msg);
          gsize len = 0;
          const guint8 *d;
          char *r;

          if (ob == NULL)
            return NULL;
          d = g_bytes_get_data (ob, &len);
          if (ret_hex != NULL)
            *ret_hex = bc_dhcp_hex_colon (d, len);
          if (cond->format != NULL && cond->format[0] == 't')
            return bytes_as_text (ob);
          {
            BcDhcpOptionDef def = { "dhcp", cond->code, NULL, cond->format };
            r = bc_dhcp_option_format_value (cond->format ? &def : NULL, d, len);
          }
          /* ISC notation quotes text; compare without the quotes */
          if (r != NULL && r[0] == '"')
            {
              gsize rl = strlen (r);
              if (rl >= 2 && r[rl - 1] == '"')
                {
                  char *u = g_strndup (r + 1, rl - 2);
                  g_free (r);
                  r = u;
                }
            }
          return r ? r : g_strdup ("");
        }
    }
  return NULL;
}

static gboolean
cond_holds (const BcExpectCond *cond, const BcDhcpMsg *msg)
{
  g_autofree char *hex = NULL;
  g_autofree char *actual = cond_actual (cond, msg, &hex);
  gboolean ok;

  if (actual == NULL)
    ok = FALSE;
  else if (cond->value == NULL)
    ok = TRUE;
  else
    ok = g_pattern_match_simple (cond->value, actual)
         || (hex != NULL && g_ascii_strcasecmp (cond->value, hex) == 0)
         || (hex != NULL && g_pattern_match_simple (cond->value, hex));
  return cond->negate ? !ok : ok;
}

gboolean
bc_expect_conds_match (GPtrArray *conds, const BcDhcpMsg *msg, const BcExpectCond **ret_failed)
{
  for (guint i = 0; i < conds->len; i++)
    {
      const BcExpectCond *c = conds->pdata[i];
      if (!cond_holds (c, msg))
        {
          if (ret_failed != NULL)
            *ret_failed = c;
          return FALSE;
        }
    }
  return TRUE;
}

char *
bc_expect_cond_explain (const BcExpectCond *cond, const BcDhcpMsg *msg)
{
  g_autofree char *hex = NULL;
  g_autofree char *actual = cond_actual (cond, msg, &hex);
  const char *body = cond->text + (cond->negate ? 1 : 0);
  g_autofree char *key = NULL;
  const char *eq = strchr (body, '=');

  key = eq ? g_strndup (body, eq - body) : g_strdup (body);
  if (actual == NULL)
    return g_strdup_printf ("'%s' does not hold: %s is absent", cond->text, key);
  return g_strdup_printf ("'%s' does not hold: %s is present (%s)", cond->text, key, actual);
}

/* ---- steps ------------------------------------------------------------------------- */

void
bc_expect_step_free (BcExpectStep *step)
{
  if (step == NULL)
    return;
  g_free (step->text);
  g_clear_pointer (&step->regex, g_regex_unref);
  g_clear_pointer (&step->conds, g_ptr_array_unref);
  g_free (step->file);
  g_free (step->method);
  g_free (step->path);
  g_free (step->vm_word);
  g_free (step);
}

void
bc_expect_free (BcExpect *expect)
{
  if (expect == NULL)
    return;
  g_clear_pointer (&expect->steps, g_ptr_array_unref);
  g_free (expect);
}

static GRegex *
compile_regex (ErrCtx *ctx, const Token *t)
{
  GRegexCompileFlags flags = G_REGEX_DEFAULT;
  g_autoptr (GError) local = NULL;
  GRegex *re;

  for (const char *f = t->flags; *f; f++)
    {
      if (*f == 'i')
        flags |= G_REGEX_CASELESS;
      else
        {
          err_add (ctx, t->col, "unknown regex flag '%c' (expected i)", *f);
          return NULL;
        }
    }
  if (t->text[0] == '\0')
    {
      err_add (ctx, t->col, "empty regex");
      return NULL;
    }
  re = g_regex_new (t->text, flags, G_REGEX_MATCH_DEFAULT, &local);
  if (re == NULL)
    err_add (ctx, t->col, "bad regex: %s", local->message);
  return re;
}

static const char *const client_types[]
    = { "discover", "request", "inform", "decline", "release", "any" };
static const guint client_type_codes[]
    = { BC_DHCP_DISCOVER, BC_DHCP_REQUEST, BC_DHCP_INFORM, BC_DHCP_DECLINE, BC_DHCP_RELEASE, 0 };

/* step := console REGEX | dhcp TYPE CONDS | (offer|ack|nak) CONDS | tftp FILE [PHASE]
 *       | http METHOD PATH [STATUS] | vm WORD | config-error (REGEX|LINE[:COL])
 *       | loop FILE >= N
 * @tokens: the step's words, modifiers already removed. */
static BcExpectStep *
parse_step (ErrCtx *ctx, const BcDhcpOptionRegistry *reg, const Token *tok, guint n)
{
  g_autoptr (BcExpectStep) step = g_new0 (BcExpectStep, 1);
  const char *kw = tok[0].text;
  guint errors_before = ctx->errors ? ctx->errors->len : 0;

  step->conds = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_expect_cond_free);
  step->status_min = 200;
  step->status_max = 299;

  if (g_str_equal (kw, "console") || g_str_equal (kw, "config-error"))
    {
      step->kind = g_str_equal (kw, "console") ? BC_EXPECT_CONSOLE : BC_EXPECT_CONFIG_ERROR;
      if (n < 2)
        {
          err_add (ctx, tok[0].col + strlen (kw),
                   step->kind == BC_EXPECT_CONSOLE
                       ? "expected /REGEX/ after console"
                       : "expected /REGEX/ or LINE[:COL] after config-error");
          return NULL;
        }
      if (n > 2)
        {
          err_add (ctx, tok[2].col, "unexpected '%s' after the regex", tok[2].text);
          return NULL;
        }
      if (tok[1].is_regex)
        {
          step->regex = compile_regex (ctx, &tok[1]);
          if (step->regex == NULL)
            return NULL;
        }
      else if (step->kind == BC_EXPECT_CONFIG_ERROR)
        {
          g_auto (GStrv) parts = g_strsplit (tok[1].text, ":", 3);
          guint64 l = 0, c = 0;

          if (g_strv_length (parts) > 2 || !parse_uint (parts[0], G_MAXUINT, &l) || l == 0
              || (parts[1] != NULL && (!parse_uint (parts[1], G_MAXUINT, &c) || c == 0)))
            {
              err_add (ctx, tok[1].col, "expected /REGEX/ or LINE[:COL], got '%s'", tok[1].text);
              return NULL;
            }
          step->conf_line = l;
          step->conf_col = c;
        }
      else
        {
          err_add (ctx, tok[1].col, "expected /REGEX/ after console, got '%s'", tok[1].text);
          return NULL;
        }
    }
  else if (g_str_equal (kw, "dhcp") || g_str_equal (kw, "offer") || g_str_equal (kw, "ack")
           || g_str_equal (kw, "nak"))
    {
      guint first_cond = 1;

      step->kind = BC_EXPECT_DHCP;
      if (kw[0] == 'd')
        {
          gboolean found = FALSE;

          step->op = BC_DHCP_OP_BOOTREQUEST;
          if (n < 2)
            {
              err_add (ctx, tok[0].col + 4,
                       "expected a client message type after dhcp (discover, request, "
                       "inform, decline, release, any)");
              return NULL;
            }
          for (gsize i = 0; i < G_N_ELEMENTS (client_types); i++)
            if (g_str_equal (tok[1].text, client_types[i]))
              {
                step->msg_type = client_type_codes[i];
                found = TRUE;
              }
          if (!found)
            {
              if (g_str_equal (tok[1].text, "offer") || g_str_equal (tok[1].text, "ack")
                  || g_str_equal (tok[1].text, "nak"))
                err_add (ctx, tok[1].col,
                         "'%s' is a server reply: write it as a step of its own ('%s …')",
                         tok[1].text, tok[1].text);
              else
                err_add (ctx, tok[1].col,
                         "unknown DHCP message type '%s' (expected one of discover, request, "
                         "inform, decline, release, any)",
                         tok[1].text);
              return NULL;
            }
          first_cond = 2;
        }
      else
        {
          step->op = BC_DHCP_OP_BOOTREPLY;
          step->msg_type = kw[0] == 'o' ? BC_DHCP_OFFER : kw[0] == 'a' ? BC_DHCP_ACK : BC_DHCP_NAK;
        }
      for (guint i = first_cond; i < n; i++)
        {
          BcExpectCond *c = parse_cond (ctx, reg, tok[i].text, tok[i].col);
          if (c != NULL)
            g_ptr_array_add (step->conds, c);
        }
    }
  else if (g_str_equal (kw, "tftp"))
    {
      step->kind = BC_EXPECT_TFTP;
      step->tftp_phase = BC_TFTP_PHASE_COMPLETE;
      if (n < 2)
        {
          err_add (ctx, tok[0].col + 4, "expected a file name after tftp");
          return NULL;
        }
      step->file = g_strdup (tok[1].text);
      if (n >= 3)
        {
          if (g_str_equal (tok[2].text, "complete"))
            step->tftp_phase = BC_TFTP_PHASE_COMPLETE;
          else if (g_str_equal (tok[2].text, "error"))
            step->tftp_phase = BC_TFTP_PHASE_ERROR;
          else if (g_str_equal (tok[2].text, "request"))
            step->tftp_phase = BC_TFTP_PHASE_REQUEST;
          else
            {
              err_add (ctx, tok[2].col,
                       "unknown tftp outcome '%s' (expected complete, error "
                       "or request)",
                       tok[2].text);
              return NULL;
            }
        }
      if (n > 3)
        {
          err_add (ctx, tok[3].col, "unexpected '%s' (tftp FILE [complete|error|request])",
                   tok[3].text);
          return NULL;
        }
    }
  else if (g_str_equal (kw, "http"))
    {
      step->kind = BC_EXPECT_HTTP;
      if (n < 3)
        {
          err_add (ctx, n < 2 ? tok[0].col + 4 : tok[1].col + strlen (tok[1].text),
                   "expected METHOD PATH [STATUS] after http");
          return NULL;
        }
      if (!g_str_equal (tok[1].text, "*"))
        {
          for (const char *c = tok[1].text; *c; c++)
            if (!g_ascii_isupper (*c))
              {
                err_add (ctx, tok[1].col, "'%s' is not an HTTP method (GET, HEAD, … or *)",
                         tok[1].text);
                return NULL;
              }
          step->method = g_strdup (tok[1].text);
        }
      step->path = g_strdup (tok[2].text);
      if (n >= 4)
        {
          guint64 s;
          if (g_str_equal (tok[3].text, "any"))
            {
              step->status_min = 100;
              step->status_max = 999;
            }
          else if (parse_uint (tok[3].text, 999, &s) && s >= 100)
            step->status_min = step->status_max = s;
          else
            {
              err_add (ctx, tok[3].col, "'%s' is not an HTTP status (100..999 or any)",
                       tok[3].text);
              return NULL;
            }
        }
      if (n > 4)
        {
          err_add (ctx, tok[4].col, "unexpected '%s' (http METHOD PATH [STATUS])", tok[4].text);
          return NULL;
        }
    }
  else if (g_str_equal (kw, "vm"))
    {
      static const char *const words[] = { "started", "rebooted", "stopped", "crashed" };
      step->kind = BC_EXPECT_VM;
      if (n != 2 || !g_strv_contains (words, tok[1].text))
        {
          err_add (ctx, n >= 2 ? tok[1].col : tok[0].col + 2,
                   "expected one of started, rebooted, stopped, crashed after vm");
          return NULL;
        }
      step->vm_word = g_strdup (tok[1].text);
    }
  else if (g_str_equal (kw, "loop"))
    {
      guint64 c = 0;
      step->kind = BC_EXPECT_LOOP;
      if (n != 4 || !g_str_equal (tok[2].text, ">="))
        {
          err_add (ctx, n >= 3 ? tok[2].col : tok[0].col + 4, "expected loop FILE >= N");
          return NULL;
        }
      if (!parse_uint (tok[3].text, 1000, &c) || c < 2)
        {
          err_add (ctx, tok[3].col, "loop count '%s' is not a number 2..1000", tok[3].text);
          return NULL;
        }
      step->file = g_strdup (tok[1].text);
      step->count = c;
    }
  else
    {
      err_add (ctx, tok[0].col,
               "unknown step '%s' (expected one of console, dhcp, offer, ack, nak, tftp, "
               "http, vm, config-error, loop, never)",
               kw);
      return NULL;
    }
  if (ctx->errors != NULL && ctx->errors->len != errors_before)
    return NULL;
  return g_steal_pointer (&step);
}

BcExpect *
bc_expect_parse (const char *filename, const char *text, gsize len,
                 const BcDhcpOptionRegistry *registry, GError **error)
{
  g_autoptr (BcExpect) expect = g_new0 (BcExpect, 1);
  g_autofree char *copy = g_strndup (text, len);
  g_auto (GStrv) lines = NULL;
  ErrCtx ctx = { filename, 0, NULL, 0, NULL };

  expect->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_expect_step_free);
  if (strlen (copy) != len)
    {
      g_set_error (error, BC_EXPECT_ERROR, BC_EXPECT_ERROR_SYNTAX,
                   "%s: contains a NUL byte (not a text file)", filename);
      return NULL;
    }
  if (!g_utf8_validate (copy, -1, NULL))
    {
      g_set_error (error, BC_EXPECT_ERROR, BC_EXPECT_ERROR_SYNTAX, "%s: not valid UTF-8", filename);
      return NULL;
    }
  lines = g_strsplit (copy, "\n", -1);
  for (guint ln = 0; lines[ln] != NULL; ln++)
    {
      g_autoptr (GArray) tokens = g_array_new (FALSE, TRUE, sizeof (Token));
      char *line = lines[ln];
      gsize end = 0, n;
      const Token *tok;
      guint ntok, first = 0;
      gboolean never = FALSE;
      gint64 within_us = 0;
      BcExpectStep *step;

      g_array_set_clear_func (tokens, (GDestroyNotify)token_clear);
      n = strlen (line);
      if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
      ctx.line = ln + 1;
      ctx.line_text = line;
      if (!tokenize (&ctx, line, tokens, &end) || tokens->len == 0)
        continue;
      tok = (const Token *)(gpointer)tokens->data;
      ntok = tokens->len;

      if (g_str_equal (tok[0].text, "never"))
        {
          never = TRUE;
          first = 1;
          if (ntok == 1)
            {
              err_add (&ctx, tok[0].col + 5, "expected a step after never");
              continue;
            }
        }
      if (ntok >= first + 2 && !tok[ntok - 2].is_regex
          && g_str_equal (tok[ntok - 2].text, "within"))
        {
          char *e = NULL;
          double s = g_ascii_strtod (tok[ntok - 1].text, &e);

          if (e == tok[ntok - 1].text || *e != '\0' || !(s > 0) || s > 86400)
            {
              err_add (&ctx, tok[ntok - 1].col,
                       "'%s' is not a number of seconds (within S, 0 < S <= 86400)",
                       tok[ntok - 1].text);
              continue;
            }
          within_us = (gint64)(s * G_USEC_PER_SEC);
          ntok -= 2;
        }
      else if (ntok >= 1 && !tok[ntok - 1].is_regex && g_str_equal (tok[ntok - 1].text, "within"))
        {
          err_add (&ctx, tok[ntok - 1].col + 6, "expected seconds after within");
          continue;
        }
      if (ntok <= first)
        {
          err_add (&ctx, tok[0].col, "expected a step before within");
          continue;
        }
      step = parse_step (&ctx, registry, tok + first, ntok - first);
      if (step == NULL)
        continue;
      if (never && step->kind == BC_EXPECT_LOOP)
        {
          err_add (&ctx, tok[0].col,
                   "never loop …: loops are always detected (loop-limit in scenario.ini)");
          bc_expect_step_free (step);
          continue;
        }
      if (never && step->kind == BC_EXPECT_CONFIG_ERROR)
        {
          err_add (&ctx, tok[0].col, "never config-error …: not supported");
          bc_expect_step_free (step);
          continue;
        }
      step->line = ln + 1;
      step->never = never;
      step->within_us = within_us;
      step->text = g_strstrip (g_strndup (line, end));
      g_ptr_array_add (expect->steps, step);
    }
  if (ctx.errors != NULL)
    {
      /* drop the final newline: messages are joined by the caller */
      if (ctx.errors->len > 0 && ctx.errors->str[ctx.errors->len - 1] == '\n')
        g_string_truncate (ctx.errors, ctx.errors->len - 1);
      g_set_error_literal (error, BC_EXPECT_ERROR, BC_EXPECT_ERROR_SYNTAX, ctx.errors->str);
      g_string_free (ctx.errors, TRUE);
      return NULL;
    }
  return g_steal_pointer (&expect);
}

/* ---- matching events --------------------------------------------------------------- */

gboolean
bc_expect_step_match_event (const BcExpectStep *step, const BcEvent *ev)
{
  switch (step->kind)
    {
      case BC_EXPECT_CONSOLE:
        return ev->kind == BC_EVENT_CONSOLE && ev->text != NULL
               && g_regex_match (step->regex, ev->text, G_REGEX_MATCH_DEFAULT, NULL);
      case BC_EXPECT_DHCP:
        if (ev->kind != BC_EVENT_DHCP || ev->dhcp == NULL || ev->dhcp->op != step->op)
          return FALSE;
        if (step->msg_type != 0 && bc_dhcp_msg_get_message_type (ev->dhcp) != step->msg_type)
          return FALSE;
        return bc_expect_conds_match (step->conds, ev->dhcp, NULL);
      case BC_EXPECT_TFTP:
        {
          const char *f = ev->tftp_file;
          if (ev->kind != BC_EVENT_TFTP || f == NULL || ev->tftp_phase != step->tftp_phase)
            return FALSE;
          /* EDK2 and iPXE differ in whether the RRQ has a leading '/' */
          if (step->file[0] != '/')
            while (*f == '/')
              f++;
          return g_pattern_match_simple (step->file, f);
        }
      case BC_EXPECT_HTTP:
        return ev->kind == BC_EVENT_HTTP && ev->http_status != 0 && ev->http_path != NULL
               && (step->method == NULL || g_strcmp0 (step->method, ev->http_method) == 0)
               && ev->http_status >= step->status_min && ev->http_status <= step->status_max
               && g_pattern_match_simple (step->path, ev->http_path);
      case BC_EXPECT_VM:
        return ev->kind == BC_EVENT_VM && g_strcmp0 (ev->text, step->vm_word) == 0;
      case BC_EXPECT_CONFIG_ERROR:
      case BC_EXPECT_LOOP:
        return FALSE;
    }
  return FALSE;
}

gboolean
bc_expect_step_match_config_line (const BcExpectStep *step, const char *line)
{
  g_autoptr (GRegex) re = NULL;
  g_autoptr (GMatchInfo) mi = NULL;

  if (step->kind != BC_EXPECT_CONFIG_ERROR || line == NULL)
    return FALSE;
  if (step->regex != NULL)
    return g_regex_match (step->regex, line, G_REGEX_MATCH_DEFAULT, NULL);

  /* "dhcpd.conf:12:5: …" (bootserv) or "/etc/dhcp/dhcpd.conf line 12: …" (ISC dhcpd) */
  re = g_regex_new ("(?:^|[\\s(])[^\\s:]*:(\\d+)(?::(\\d+))?:|\\bline (\\d+):", G_REGEX_DEFAULT,
                    G_REGEX_MATCH_DEFAULT, NULL);
  g_regex_match (re, line, G_REGEX_MATCH_DEFAULT, &mi);
  while (g_match_info_matches (mi))
    {
      g_autofree char *l1 = g_match_info_fetch (mi, 1);
      g_autofree char *c1 = g_match_info_fetch (mi, 2);
      g_autofree char *l2 = g_match_info_fetch (mi, 3);
      const char *ls = (l1 != NULL && *l1) ? l1 : l2;
      guint64 l = 0, c = 0;

      if (ls != NULL && parse_uint (ls, G_MAXUINT, &l) && l == step->conf_line)
        {
          if (step->conf_col == 0)
            return TRUE;
          if (c1 != NULL && *c1 && parse_uint (c1, G_MAXUINT, &c) && c == step->conf_col)
            return TRUE;
        }
      g_match_info_next (mi, NULL);
    }
  return FALSE;
}
