/* dhcpd.conf lexer (ISC common/conflex.c's token classes, without its state). */
#include "server/conf/conf-lexer.h"

#include <string.h>

const BcConfTokInfo bc_conf_tokens[BC_CONF_TOK_N_KINDS] = {
  [BC_CONF_TOK_EOF] = { NULL, "end of file" },
  [BC_CONF_TOK_WORD] = { NULL, "a name or number" },
  [BC_CONF_TOK_STRING] = { NULL, "a quoted string" },
  /* The lexer tries spellings in enum order, where "!=" comes before "!". */
  [BC_CONF_TOK_NOT_EQUAL] = { "!=", "'!='" },
  [BC_CONF_TOK_REGEX] = { "~=", "'~='" },
  [BC_CONF_TOK_IREGEX] = { "~~", "'~~'" },
  [BC_CONF_TOK_SEMI] = { ";", "';'" },
  [BC_CONF_TOK_LBRACE] = { "{", "'{'" },
  [BC_CONF_TOK_RBRACE] = { "}", "'}'" },
  [BC_CONF_TOK_LPAREN] = { "(", "'('" },
  [BC_CONF_TOK_RPAREN] = { ")", "')'" },
  [BC_CONF_TOK_COMMA] = { ",", "','" },
  [BC_CONF_TOK_EQUAL] = { "=", "'='" },
  [BC_CONF_TOK_DOT] = { ".", "'.'" },
  [BC_CONF_TOK_COLON] = { ":", "':'" },
  [BC_CONF_TOK_PLUS] = { "+", "'+'" },
  [BC_CONF_TOK_STAR] = { "*", "'*'" },
  [BC_CONF_TOK_SLASH] = { "/", "'/'" },
  [BC_CONF_TOK_PERCENT] = { "%", "'%'" },
  [BC_CONF_TOK_AMPERSAND] = { "&", "'&'" },
  [BC_CONF_TOK_PIPE] = { "|", "'|'" },
  [BC_CONF_TOK_CARET] = { "^", "'^'" },
  [BC_CONF_TOK_BANG] = { "!", "'!'" },
  [BC_CONF_TOK_INVALID] = { NULL, "an invalid character" },
};

void
bc_conf_token_free (BcConfToken *tok)
{
  if (tok == NULL)
    return;
  g_free (tok->value);
  g_free (tok);
}

typedef struct
{
  const char *text;
  gsize len, pos;
  guint line, col;
} Lexer;

static void
advance (Lexer *lx)
{
  if (lx->text[lx->pos] == '\n')
    {
      lx->line++;
      lx->col = 1;
    }
  else
    lx->col++;
  lx->pos++;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* A quoted string with ISC's escapes (conflex.c read_string): \t \r \n \b \xHH, octal
 * \ooo, and any other escaped character stands for itself. */
static void
lex_string (Lexer *lx, BcConfToken *tok)
{
  GByteArray *buf = g_byte_array_new ();

  advance (lx); /* opening quote */
  while (lx->pos < lx->len && lx->text[lx->pos] != '"')
    {
      guint8 c = (guint8)lx->text[lx->pos];

      if (c == '\\' && lx->pos + 1 < lx->len)
        {
          char e;

          advance (lx);
          e = lx->text[lx->pos];
          advance (lx);
          switch (e)
            {
              case 't':
                c = '\t';
                break;
              case 'r':
                c = '\r';
                break;
              case 'n':
                c = '\n';
                break;
              case 'b':
                c = '\b';
                break;
              case 'x':
                {
                  guint v = 0, n = 0;

                  while (n < 2 && lx->pos < lx->len && g_ascii_isxdigit (lx->text[lx->pos]))
                    {
                      v = v * 16 + (guint)g_ascii_xdigit_value (lx->text[lx->pos]);
                      advance (lx);
                      n++;
                    }
                  c = (guint8)v;
                  break;
                }
              default:
                if (e >= '0' && e <= '7')
                  {
                    guint v = (guint)(e - '0'), n = 1;

                    while (n < 3 && lx->pos < lx->len && lx->text[lx->pos] >= '0'
                           && lx->text[lx->pos] <= '7')
                      {
                        v = v * 8 + (guint)(lx->text[lx->pos] - '0');
                        advance (lx);
                        n++;
                      }
                    c = (guint8)v;
                  }
                else
                  c = (guint8)e;
            }
          g_byte_array_append (buf, &c, 1);
          continue;
        }
      g_byte_array_append (buf, &c, 1);
      advance (lx);
    }
  if (lx->pos >= lx->len)
    {
      tok->kind = BC_CONF_TOK_INVALID;
      tok->value = g_strdup ("unterminated string");
      tok->value_len = strlen (tok->value);
      g_byte_array_unref (buf);
      return;
    }
  advance (lx); /* closing quote */
  tok->kind = BC_CONF_TOK_STRING;
  tok->value_len = buf->len;
  g_byte_array_append (buf, (const guint8 *)"", 1);
  tok->value = (char *)g_byte_array_free (buf, FALSE);
}

GPtrArray *
bc_conf_lex (const char *text, gsize len)
{
  GPtrArray *toks = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_conf_token_free);
  Lexer lx = { text, len, 0, 1, 1 };

  for (;;)
    {
      BcConfToken *tok;
      char c;

      /* Whitespace and `#` comments to the end of the line. */
      while (lx.pos < lx.len)
        {
          c = lx.text[lx.pos];
          if (c == '#')
            {
              while (lx.pos < lx.len && lx.text[lx.pos] != '\n')
                advance (&lx);
            }
          else if (g_ascii_isspace (c))
            advance (&lx);
          else
            break;
        }

      tok = g_new0 (BcConfToken, 1);
      tok->line = lx.line;
      tok->col = lx.col;
      tok->offset = lx.pos;
      g_ptr_array_add (toks, tok);

      if (lx.pos >= lx.len)
        {
          tok->kind = BC_CONF_TOK_EOF;
          tok->end_line = lx.line;
          tok->end_col = lx.col;
          break;
        }

      c = lx.text[lx.pos];
      if (c == '"')
        lex_string (&lx, tok);
      else if (is_word_char (c))
        {
          while (lx.pos < lx.len && is_word_char (lx.text[lx.pos]))
            advance (&lx);
          tok->kind = BC_CONF_TOK_WORD;
          tok->value = g_strndup (lx.text + tok->offset, lx.pos - tok->offset);
          tok->value_len = lx.pos - tok->offset;
        }
      else
        {
          gboolean found = FALSE;

          for (guint k = 0; k < BC_CONF_TOK_N_KINDS && !found; k++)
            {
              const char *sp = bc_conf_tokens[k].spelling;
              gsize n;

              if (sp == NULL)
                continue;
              n = strlen (sp);
              if (lx.len - lx.pos >= n && memcmp (lx.text + lx.pos, sp, n) == 0)
                {
                  tok->kind = (BcConfTokKind)k;
                  for (gsize i = 0; i < n; i++)
                    advance (&lx);
                  found = TRUE;
                }
            }
          if (!found)
            {
              tok->kind = BC_CONF_TOK_INVALID;
              if (g_ascii_isprint (c))
                tok->value = g_strdup_printf ("unexpected character '%c'", c);
              else
                tok->value = g_strdup_printf ("unexpected byte 0x%02x", (guint8)c);
              tok->value_len = strlen (tok->value);
              advance (&lx);
            }
        }
      tok->len = lx.pos - tok->offset;
      tok->end_line = lx.line;
      tok->end_col = lx.col;
    }
  return toks;
}
