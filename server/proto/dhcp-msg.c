/* BOOTP/DHCPv4 codec (RFC 951, 2131, 2132, 3396).
 *
 * Decisions a reader should know (each has a test in t/proto/test-dhcp-msg.c):
 *  - A packet must hold the 236-byte fixed header; op must be BOOTREQUEST or
 *    BOOTREPLY and hlen at most 16, else BC_DHCP_ERROR_MALFORMED.
 *  - After the header: the magic cookie 99.130.83.99 starts the options. Fewer than
 *    four more bytes, or a vendor area of zeros, is plain BOOTP (RFC 951): no options,
 *    has_magic FALSE. Anything else there is not a BOOTP/DHCP packet:
 *    BC_DHCP_ERROR_MAGIC.
 *  - A missing END is tolerated (the options run to the end of their field), as
 *    iPXE's and systemd's parsers do; bytes after END are padding and ignored.
 *  - A length byte missing or running past the end of its field is
 *    BC_DHCP_ERROR_TRUNCATED: the packet is dropped whole, nothing is guessed.
 *  - Zero-length options are kept (with empty data).
 *  - Instances of one code are concatenated in the order options field, file, sname
 *    (RFC 3396 section 5).
 *  - Option overload (52) counts only in the options field (RFC 2131 4.1: "the
 *    'option overload' option MUST appear in the 'options' field"); file and sname
 *    are each read at most once, so a 52 inside them cannot loop. A 52 that is not
 *    one byte of value 1, 2 or 3 is BC_DHCP_ERROR_MALFORMED. 52 is framing: the
 *    parser consumes it (it is not in msg->options) and the builder writes its own.
 */
#include "server/proto/dhcp-msg.h"

#include <string.h>

G_DEFINE_QUARK (bc_dhcp_error_quark, bc_dhcp_error)

static const guint8 magic_cookie[4] = { 99, 130, 83, 99 };

#define SNAME_OFFSET 44
#define SNAME_LEN 64
#define FILE_OFFSET 108
#define FILE_LEN 128
#define OPTIONS_OFFSET 240  /* after the magic cookie */
#define UDP_IP_OVERHEAD 28  /* RFC 2132 9.10 counts the IP and UDP headers */
#define DEFAULT_MAX_LEN 576 /* RFC 2132 9.10 minimum */
#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

/* A bounds-checked read cursor over hostile bytes (iPXE threat model). */
typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} Cursor;

static gsize
cursor_left (const Cursor *c)
{
  return c->len - c->pos;
}

static gboolean
cursor_u8 (Cursor *c, guint8 *ret)
{
  if (cursor_left (c) < 1)
    return FALSE;
  *ret = c->data[c->pos++];
  return TRUE;
}

static gboolean
cursor_u16 (Cursor *c, guint16 *ret)
{
  if (cursor_left (c) < 2)
    return FALSE;
  *ret = (guint16)((c->data[c->pos] << 8) | c->data[c->pos + 1]);
  c->pos += 2;
  return TRUE;
}

static gboolean
cursor_u32 (Cursor *c, guint32 *ret)
{
  if (cursor_left (c) < 4)
    return FALSE;
  *ret = ((guint32)c->data[c->pos] << 24) | ((guint32)c->data[c->pos + 1] << 16)
         | ((guint32)c->data[c->pos + 2] << 8) | c->data[c->pos + 3];
  c->pos += 4;
  return TRUE;
}

/* Network-order bytes copied as they are (an in_addr's s_addr). */
static gboolean
cursor_addr (Cursor *c, guint32 *ret)
{
  if (cursor_left (c) < 4)
    return FALSE;
  memcpy (ret, c->data + c->pos, 4);
  c->pos += 4;
  return TRUE;
}

static gboolean
cursor_bytes (Cursor *c, gsize n, const guint8 **ret)
{
  if (cursor_left (c) < n)
    return FALSE;
  *ret = c->data + c->pos;
  c->pos += n;
  return TRUE;
}

void
bc_dhcp_option_free (BcDhcpOption *opt)
{
  if (opt == NULL)
    return;
  g_clear_pointer (&opt->data, g_bytes_unref);
  g_free (opt);
}

static BcDhcpOption *
option_new (guint8 code, GBytes *data)
{
  BcDhcpOption *opt = g_new0 (BcDhcpOption, 1);
  opt->code = code;
  opt->data = g_bytes_ref (data);
  return opt;
}

static GPtrArray *
options_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)bc_dhcp_option_free);
}

/**
 * bc_dhcp_msg_new:
 *
 * Returns: (transfer full): an empty DHCP message (Ethernet hardware type, has_magic
 * TRUE, no options).
 */
BcDhcpMsg *
bc_dhcp_msg_new (void)
{
  BcDhcpMsg *msg = g_new0 (BcDhcpMsg, 1);
  msg->htype = 1;
  msg->hlen = 6;
  msg->has_magic = TRUE;
  msg->options = options_new ();
  return msg;
}

void
bc_dhcp_msg_free (BcDhcpMsg *msg)
{
  if (msg == NULL)
    return;
  g_clear_pointer (&msg->options, g_ptr_array_unref);
  g_free (msg);
}

/**
 * bc_dhcp_msg_copy:
 *
 * Returns: (transfer full): a deep copy (option data is shared immutable GBytes).
 */
BcDhcpMsg *
bc_dhcp_msg_copy (const BcDhcpMsg *msg)
{
  BcDhcpMsg *copy = g_new0 (BcDhcpMsg, 1);

  *copy = *msg;
  copy->options = options_new ();
  for (guint i = 0; msg->options != NULL && i < msg->options->len; i++)
    {
      const BcDhcpOption *o = msg->options->pdata[i];
      g_ptr_array_add (copy->options, option_new (o->code, o->data));
    }
  return copy;
}

/* Instances of each code collected while parsing, concatenated per RFC 3396. */
typedef struct
{
  GByteArray *by_code[256];
  guint8 order[256];
  guint count;
} OptionCollector;

static void
collector_clear (OptionCollector *col)
{
  for (guint i = 0; i < 256; i++)
    if (col->by_code[i] != NULL)
      g_byte_array_unref (col->by_code[i]);
  memset (col, 0, sizeof (*col));
}

static void
collector_add (OptionCollector *col, guint8 code, const guint8 *data, gsize len)
{
  if (col->by_code[code] == NULL)
    {
      col->by_code[code] = g_byte_array_new ();
      col->order[col->count++] = code;
    }
  g_byte_array_append (col->by_code[code], data, (guint)len);
}

static void
collector_drop (OptionCollector *col, guint8 code)
{
  if (col->by_code[code] == NULL)
    return;
  g_clear_pointer (&col->by_code[code], g_byte_array_unref);
  for (guint i = 0; i < col->count; i++)
    if (col->order[i] == code)
      {
        memmove (&col->order[i], &col->order[i + 1], col->count - i - 1);
        col->count--;
        return;
      }
}

static GPtrArray *
collector_steal (OptionCollector *col)
{
  GPtrArray *options = options_new ();

  for (guint i = 0; i < col->count; i++)
    {
      guint8 code = col->order[i];
      g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (col->by_code[code]);
      col->by_code[code] = NULL;
      g_ptr_array_add (options, option_new (code, bytes));
    }
  col->count = 0;
  return options;
}

/* RFC 2132 2: code, length, value; 0 is one byte of padding, 255 ends the field.
 * @where names the field for error messages. */
static gboolean
parse_option_field (const guint8 *data, gsize len, const char *where, OptionCollector *col,
                    GError **error)
{
  Cursor c = { data, len, 0 };

  while (cursor_left (&c) > 0)
    {
      guint8 code, olen;
      const guint8 *value;
      gsize at = c.pos;

      (void)cursor_u8 (&c, &code);
      if (code == BC_DHCP_OPTION_PAD)
        continue;
      if (code == BC_DHCP_OPTION_END)
        return TRUE;
      if (!cursor_u8 (&c, &olen))
        {
          g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED,
                       "%s: option %u at offset %" G_GSIZE_FORMAT " has no length byte", where,
                       code, at);
          return FALSE;
        }
      if (!cursor_bytes (&c, olen, &value))
        {
          g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED,
                       "%s: option %u at offset %" G_GSIZE_FORMAT
                       " claims %u bytes, %" G_GSIZE_FORMAT " remain",
                       where, code, at, olen, cursor_left (&c));
          return FALSE;
        }
      collector_add (col, code, value, olen);
    }
  /* No END: tolerated, the field simply ends. */
  return TRUE;
}

static void
copy_text_field (char *dst, const guint8 *src, gsize len)
{
  gsize n = 0;
  while (n < len && src[n] != '\0')
    n++;
  memcpy (dst, src, n);
  dst[n] = '\0';
}

static gboolean
all_zero (const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

/**
 * bc_dhcp_msg_parse:
 * @data: (array length=len): a whole UDP payload
 * @ret_msg: (out) (transfer full): the message; untouched on failure
 *
 * See the top of this file for the rules on BOOTP, END, overload and RFC 3396.
 * Returns: FALSE with BC_DHCP_ERROR on malformed input.
 */
gboolean
bc_dhcp_msg_parse (const guint8 *data, gsize len, BcDhcpMsg **ret_msg, GError **error)
{
  g_autoptr (BcDhcpMsg) msg = NULL;
  Cursor c = { data, len, 0 };
  const guint8 *chaddr, *sname, *file, *cookie;
  OptionCollector col = { 0 };
  gboolean ok = FALSE;

  if (data == NULL || len < BC_DHCP_FIXED_LEN)
    {
      g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TRUNCATED,
                   "%" G_GSIZE_FORMAT " bytes, shorter than the %d-byte BOOTP header", len,
                   BC_DHCP_FIXED_LEN);
      return FALSE;
    }

  msg = bc_dhcp_msg_new ();
  /* RFC 2131 2, figure 1. The length check above covers every fixed read. */
  if (!cursor_u8 (&c, &msg->op) || !cursor_u8 (&c, &msg->htype) || !cursor_u8 (&c, &msg->hlen)
      || !cursor_u8 (&c, &msg->hops) || !cursor_u32 (&c, &msg->xid) || !cursor_u16 (&c, &msg->secs)
      || !cursor_u16 (&c, &msg->flags) || !cursor_addr (&c, &msg->ciaddr)
      || !cursor_addr (&c, &msg->yiaddr) || !cursor_addr (&c, &msg->siaddr)
      || !cursor_addr (&c, &msg->giaddr) || !cursor_bytes (&c, 16, &chaddr)
      || !cursor_bytes (&c, SNAME_LEN, &sname) || !cursor_bytes (&c, FILE_LEN, &file))
    g_return_val_if_reached (FALSE);

  if (msg->op != BC_DHCP_OP_BOOTREQUEST && msg->op != BC_DHCP_OP_BOOTREPLY)
    {
      g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MALFORMED,
                   "op %u is neither request nor reply", msg->op);
      return FALSE;
    }
  if (msg->hlen > sizeof (msg->chaddr))
    {
      g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MALFORMED, "hlen %u exceeds 16", msg->hlen);
      return FALSE;
    }
  memcpy (msg->chaddr, chaddr, sizeof (msg->chaddr));

  if (cursor_left (&c) < sizeof (magic_cookie) || all_zero (c.data + c.pos, cursor_left (&c)))
    {
      /* RFC 951 BOOTP: no cookie, vendor area absent or zeroed. */
      msg->has_magic = FALSE;
      copy_text_field (msg->sname, sname, SNAME_LEN);
      copy_text_field (msg->file, file, FILE_LEN);
      *ret_msg = g_steal_pointer (&msg);
      return TRUE;
    }
  (void)cursor_bytes (&c, sizeof (magic_cookie), &cookie);
  if (memcmp (cookie, magic_cookie, sizeof (magic_cookie)) != 0)
    {
      g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MAGIC,
                   "vendor area starts %02x:%02x:%02x:%02x, not the magic cookie 99.130.83.99",
                   cookie[0], cookie[1], cookie[2], cookie[3]);
      return FALSE;
    }
  msg->has_magic = TRUE;

  if (!parse_option_field (c.data + c.pos, cursor_left (&c), "options", &col, error))
    goto out;

  {
    GByteArray *overload = col.by_code[BC_DHCP_OPTION_OVERLOAD];
    guint8 which = 0;

    if (overload != NULL)
      {
        if (overload->len != 1 || overload->data[0] < 1 || overload->data[0] > 3)
          {
            g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_MALFORMED,
                         "option overload (52) must be one byte 1, 2 or 3, got %u byte(s)",
                         overload->len);
            goto out;
          }
        which = overload->data[0];
        /* Framing, not content: drop it so only the data options remain. */
        collector_drop (&col, BC_DHCP_OPTION_OVERLOAD);
      }

    /* RFC 3396 5: options field, then file, then sname. Each read once; a 52 found
     * in them is not looked at again (no loop). */
    if (which & OVERLOAD_FILE)
      {
        if (!parse_option_field (file, FILE_LEN, "file", &col, error))
          goto out;
      }
    else
      copy_text_field (msg->file, file, FILE_LEN);
    if (which & OVERLOAD_SNAME)
      {
        if (!parse_option_field (sname, SNAME_LEN, "sname", &col, error))
          goto out;
      }
    else
      copy_text_field (msg->sname, sname, SNAME_LEN);
    /* A 52 inside file/sname means nothing (RFC 2131 4.1): ignore it. */
    collector_drop (&col, BC_DHCP_OPTION_OVERLOAD);
  }

  g_ptr_array_unref (msg->options);
  msg->options = collector_steal (&col);
  *ret_msg = g_steal_pointer (&msg);
  ok = TRUE;
out:
  collector_clear (&col);
  return ok;
}

/* A write cursor into a fixed-size field. */
typedef struct
{
  guint8 *data;
  gsize cap; /* bytes usable for options, END excluded */
  gsize pos;
} Field;

static void
put_u16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}

/* Bytes an option takes on the wire: RFC 3396 splits values over 255. */
static gsize
option_wire_size (gsize len)
{
  gsize instances = len == 0 ? 1 : (len + 254) / 255;
  return len + 2 * instances;
}

/* Lays the options out over the fields (options, then file, then sname). An option
 * goes whole into the first field with room for it: clients that do not implement
 * RFC 3396 still read it. One that fits no field whole (or is longer than 255) is split
 * into RFC 3396 instances over the fields in order, which is the order a parser
 * concatenates them in (codes are unique in msg->options, so nothing else interleaves).
 * Returns FALSE when the options do not fit. */
static gboolean
layout_options (GPtrArray *options, Field *fields, guint n_fields)
{
  for (guint i = 0; i < options->len; i++)
    {
      const BcDhcpOption *o = options->pdata[i];
      gsize len = 0, done = 0;
      const guint8 *value = g_bytes_get_data (o->data, &len);
      gboolean placed = FALSE;

      if (o->code == BC_DHCP_OPTION_PAD || o->code == BC_DHCP_OPTION_END
          || o->code == BC_DHCP_OPTION_OVERLOAD)
        continue;
      for (guint f = 0; len <= 255 && f < n_fields && !placed; f++)
        if (fields[f].cap - fields[f].pos >= len + 2)
          {
            fields[f].data[fields[f].pos++] = o->code;
            fields[f].data[fields[f].pos++] = (guint8)len;
            if (len > 0)
              memcpy (fields[f].data + fields[f].pos, value, len);
            fields[f].pos += len;
            placed = TRUE;
          }
      if (placed)
        continue;
      if (len == 0)
        return FALSE;
      for (guint f = 0; f < n_fields && done < len; f++)
        while (done < len && fields[f].cap - fields[f].pos >= 3)
          {
            gsize chunk = MIN (MIN (fields[f].cap - fields[f].pos - 2, (gsize)255), len - done);
            fields[f].data[fields[f].pos++] = o->code;
            fields[f].data[fields[f].pos++] = (guint8)chunk;
            memcpy (fields[f].data + fields[f].pos, value + done, chunk);
            fields[f].pos += chunk;
            done += chunk;
          }
      if (done < len)
        return FALSE;
    }
  return TRUE;
}

/**
 * bc_dhcp_msg_build:
 * @max_len: the client's maximum DHCP message size (option 57), which RFC 2132 9.10
 *   counts with the IP and UDP headers, as ISC does; 0 or less than 576 means 576
 *
 * Returns: (transfer full): the UDP payload, or NULL with BC_DHCP_ERROR_TOO_BIG.
 * A msg with has_magic FALSE and no options is written as plain BOOTP (no cookie).
 */
GBytes *
bc_dhcp_msg_build (const BcDhcpMsg *msg, gsize max_len, GError **error)
{
  gsize limit = (max_len < DEFAULT_MAX_LEN ? DEFAULT_MAX_LEN : max_len) - UDP_IP_OVERHEAD;
  gsize need = 0, total;
  g_autofree guint8 *buf = NULL;
  gboolean plain_bootp = !msg->has_magic && (msg->options == NULL || msg->options->len == 0);

  /* The whole message could not be larger than this; options beyond 64 KiB cannot be
   * sent in one UDP datagram anyway. */
  limit = MIN (limit, (gsize)G_MAXUINT16 - UDP_IP_OVERHEAD);
  buf = g_malloc0 (MAX (limit, (gsize)BC_DHCP_MIN_LEN));

  buf[0] = msg->op;
  buf[1] = msg->htype;
  buf[2] = msg->hlen;
  buf[3] = msg->hops;
  put_u32 (buf + 4, msg->xid);
  put_u16 (buf + 8, msg->secs);
  put_u16 (buf + 10, msg->flags);
  memcpy (buf + 12, &msg->ciaddr, 4);
  memcpy (buf + 16, &msg->yiaddr, 4);
  memcpy (buf + 20, &msg->siaddr, 4);
  memcpy (buf + 24, &msg->giaddr, 4);
  memcpy (buf + 28, msg->chaddr, 16);
  memcpy (buf + SNAME_OFFSET, msg->sname, strnlen (msg->sname, SNAME_LEN));
  memcpy (buf + FILE_OFFSET, msg->file, strnlen (msg->file, FILE_LEN));

  if (plain_bootp)
    return g_bytes_new_take (g_steal_pointer (&buf), BC_DHCP_MIN_LEN);

  memcpy (buf + BC_DHCP_FIXED_LEN, magic_cookie, sizeof (magic_cookie));
  for (guint i = 0; msg->options != NULL && i < msg->options->len; i++)
    {
      const BcDhcpOption *o = msg->options->pdata[i];
      if (o->code != BC_DHCP_OPTION_PAD && o->code != BC_DHCP_OPTION_END
          && o->code != BC_DHCP_OPTION_OVERLOAD)
        need += option_wire_size (g_bytes_get_size (o->data));
    }

  if (OPTIONS_OFFSET + need + 1 <= limit)
    {
      Field main_field = { buf + OPTIONS_OFFSET, need, 0 };
      if (!layout_options (msg->options, &main_field, 1))
        g_return_val_if_reached (NULL);
      buf[OPTIONS_OFFSET + main_field.pos] = BC_DHCP_OPTION_END;
      total = OPTIONS_OFFSET + main_field.pos + 1;
    }
  else
    {
      /* RFC 2131 4.1 / RFC 2132 9.3: continue in file, then sname, when they are
       * free; 52 itself (3 bytes) stays in the options field. */
      Field fields[3];
      guint8 field_kind[3];
      guint n = 0;
      guint8 overload = 0;
      gsize main_pos;

      fields[n] = (Field){ buf + OPTIONS_OFFSET, limit - OPTIONS_OFFSET - 1 - 3, 0 };
      field_kind[n++] = 0;
      if (msg->file[0] == '\0')
        {
          memset (buf + FILE_OFFSET, 0, FILE_LEN);
          fields[n] = (Field){ buf + FILE_OFFSET, FILE_LEN - 1, 0 };
          field_kind[n++] = OVERLOAD_FILE;
        }
      if (msg->sname[0] == '\0')
        {
          memset (buf + SNAME_OFFSET, 0, SNAME_LEN);
          fields[n] = (Field){ buf + SNAME_OFFSET, SNAME_LEN - 1, 0 };
          field_kind[n++] = OVERLOAD_SNAME;
        }
      if (n == 1 || !layout_options (msg->options, fields, n))
        {
          g_set_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TOO_BIG,
                       "options need %" G_GSIZE_FORMAT " bytes; the client accepts %" G_GSIZE_FORMAT
                       "-byte messages%s",
                       need + 1, limit, n > 1 ? " even with option overload" : "");
          return NULL;
        }
      for (guint i = 1; i < n; i++)
        if (fields[i].pos > 0)
          {
            overload |= field_kind[i];
            /* Options in file and sname end with END too; the rest is pad (zeros). */
            fields[i].data[fields[i].pos] = BC_DHCP_OPTION_END;
          }
      main_pos = OPTIONS_OFFSET + fields[0].pos;
      if (overload != 0)
        {
          buf[main_pos++] = BC_DHCP_OPTION_OVERLOAD;
          buf[main_pos++] = 1;
          buf[main_pos++] = overload;
        }
      buf[main_pos++] = BC_DHCP_OPTION_END;
      total = main_pos;
    }

  total = MAX (total, (gsize)BC_DHCP_MIN_LEN);
  return g_bytes_new_take (g_steal_pointer (&buf), total);
}

/**
 * bc_dhcp_msg_get_option:
 *
 * Returns: (transfer none) (nullable): the option's (concatenated) data.
 */
GBytes *
bc_dhcp_msg_get_option (const BcDhcpMsg *msg, guint8 code)
{
  for (guint i = 0; msg->options != NULL && i < msg->options->len; i++)
    {
      BcDhcpOption *o = msg->options->pdata[i];
      if (o->code == code)
        return o->data;
    }
  return NULL;
}

/* Replaces an existing option of that code in place, else appends. */
void
bc_dhcp_msg_set_option (BcDhcpMsg *msg, guint8 code, const guint8 *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (len > 0 ? data : NULL, len);

  if (msg->options == NULL)
    msg->options = options_new ();
  for (guint i = 0; i < msg->options->len; i++)
    {
      BcDhcpOption *o = msg->options->pdata[i];
      if (o->code == code)
        {
          g_bytes_unref (o->data);
          o->data = g_steal_pointer (&bytes);
          return;
        }
    }
  g_ptr_array_add (msg->options, option_new (code, bytes));
}

void
bc_dhcp_msg_remove_option (BcDhcpMsg *msg, guint8 code)
{
  for (guint i = 0; msg->options != NULL && i < msg->options->len; i++)
    {
      BcDhcpOption *o = msg->options->pdata[i];
      if (o->code == code)
        {
          g_ptr_array_remove_index (msg->options, i);
          return;
        }
    }
}

guint
bc_dhcp_msg_get_message_type (const BcDhcpMsg *msg)
{
  GBytes *b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_MESSAGE_TYPE);
  gsize len = 0;
  const guint8 *p;

  if (b == NULL)
    return 0;
  p = g_bytes_get_data (b, &len);
  return len == 1 ? p[0] : 0;
}

/**
 * bc_dhcp_msg_format_chaddr:
 *
 * Returns: (transfer full): "52:54:00:9d:7d:60"; colon-hex of hlen bytes.
 */
char *
bc_dhcp_msg_format_chaddr (const BcDhcpMsg *msg)
{
  return bc_dhcp_hex_colon (msg->chaddr, MIN ((gsize)msg->hlen, sizeof (msg->chaddr)));
}

/**
 * bc_dhcp_options_parse_encapsulated:
 * @ret_options: (out) (transfer full): of BcDhcpOption*, codes unique
 *
 * Sub-options inside 43 or 175: pad and end as in the options field, same code
 * concatenated, a missing end tolerated. Returns: FALSE with
 * BC_DHCP_ERROR_TRUNCATED when a length runs past the end.
 */
gboolean
bc_dhcp_options_parse_encapsulated (const guint8 *data, gsize len, GPtrArray **ret_options,
                                    GError **error)
{
  OptionCollector col = { 0 };

  if (data == NULL)
    len = 0;
  if (!parse_option_field (data, len, "encapsulated options", &col, error))
    {
      collector_clear (&col);
      return FALSE;
    }
  *ret_options = collector_steal (&col);
  collector_clear (&col);
  return TRUE;
}

/**
 * bc_dhcp_options_build_encapsulated:
 * @options: (element-type BcDhcpOption): sub-options
 *
 * Returns: (transfer full): code/length/value triplets, values over 255 bytes split
 * into several instances (RFC 3396); no END.
 */
GBytes *
bc_dhcp_options_build_encapsulated (GPtrArray *options)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  for (guint i = 0; options != NULL && i < options->len; i++)
    {
      const BcDhcpOption *o = options->pdata[i];
      gsize len = 0, done = 0;
      const guint8 *value = g_bytes_get_data (o->data, &len);

      do
        {
          gsize chunk = MIN (len - done, (gsize)255);
          guint8 hdr[2] = { o->code, (guint8)chunk };
          g_byte_array_append (out, hdr, 2);
          if (chunk > 0)
            g_byte_array_append (out, value + done, (guint)chunk);
          done += chunk;
        }
      while (done < len);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
