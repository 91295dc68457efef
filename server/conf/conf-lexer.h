/* dhcpd.conf lexer: text -> tokens, one token table. Pure.
 *
 * ISC's conflex.c splits words from punctuation the same way: a word is a run of
 * letters, digits, '-' and '_' (names, numbers and hex bytes alike: "ipxe-encap-opts",
 * "192", "0a"); '.' and ':' are tokens of their own, so the parser builds dotted quads,
 * option names "ipxe.https" and colon-hex "00:07" from words and punctuation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BC_CONF_TOK_EOF,
  BC_CONF_TOK_WORD,   /* [A-Za-z0-9_-]+ */
  BC_CONF_TOK_STRING, /* "…" with C escapes decoded */
  BC_CONF_TOK_SEMI,
  BC_CONF_TOK_LBRACE,
  BC_CONF_TOK_RBRACE,
  BC_CONF_TOK_LPAREN,
  BC_CONF_TOK_RPAREN,
  BC_CONF_TOK_COMMA,
  BC_CONF_TOK_EQUAL,
  BC_CONF_TOK_NOT_EQUAL, /* != */
  BC_CONF_TOK_REGEX,     /* ~= */
  BC_CONF_TOK_IREGEX,    /* ~~ */
  BC_CONF_TOK_DOT,
  BC_CONF_TOK_COLON,
  BC_CONF_TOK_PLUS,
  BC_CONF_TOK_STAR,
  BC_CONF_TOK_SLASH,
  BC_CONF_TOK_PERCENT,
  BC_CONF_TOK_AMPERSAND,
  BC_CONF_TOK_PIPE,
  BC_CONF_TOK_CARET,
  BC_CONF_TOK_BANG,
  BC_CONF_TOK_INVALID, /* a character no token starts with, or an unterminated string */
  BC_CONF_TOK_N_KINDS,
} BcConfTokKind;

typedef struct
{
  const char *spelling; /* punctuation text the lexer matches, NULL for classes */
  const char *describe; /* for messages: "';'", "a string" */
} BcConfTokInfo;

/* The one token table: designated initialisers indexed by BcConfTokKind. */
extern const BcConfTokInfo bc_conf_tokens[BC_CONF_TOK_N_KINDS];

typedef struct
{
  BcConfTokKind kind;
  guint line, col;         /* of the first character, 1-based; a tab counts as one */
  guint end_line, end_col; /* just past the last character */
  gsize offset, len;       /* in the source text */
  char *value;             /* WORD: the text; STRING: decoded bytes (NUL-terminated);
                              INVALID: why */
  gsize value_len;
} BcConfToken;

/* Tokenise all of @text. Always succeeds: bad input becomes INVALID tokens for the
 * parser to report. The array ends with one EOF token. Free with g_ptr_array_unref. */
GPtrArray *bc_conf_lex (const char *text, gsize len);

void bc_conf_token_free (BcConfToken *tok);

G_END_DECLS
