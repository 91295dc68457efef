/* TFTP codec and option negotiation (RFC 1350, 2347, 2348, 2349, 7440). */
#include "server/proto/tftp-packet.h"

#include <string.h>

G_DEFINE_QUARK (bc_tftp_error_quark, bc_tftp_error)

static void
option_free (gpointer p)
{
  BcTftpOption *o = p;
  g_free (o->name);
  g_free (o->value);
  g_free (o);
}

static BcTftpOption *
option_new (const char *name, const char *value)
{
  BcTftpOption *o = g_new0 (BcTftpOption, 1);
  o->name = g_ascii_strdown (name, -1);
  o->value = g_strdup (value);
  return o;
}

BcTftpPacket *
bc_tftp_packet_new (BcTftpOpcode opcode)
{
  BcTftpPacket *p = g_new0 (BcTftpPacket, 1);
  p->opcode = opcode;
  p->options = g_ptr_array_new_with_free_func (option_free);
  return p;
}

void
bc_tftp_packet_free (BcTftpPacket *packet)
{
  if (packet == NULL)
    return;
  g_free (packet->filename);
  g_free (packet->mode);
  g_ptr_array_unref (packet->options);
  g_clear_pointer (&packet->data, g_bytes_unref);
  g_free (packet->error_message);
  g_free (packet);
}

const char *
bc_tftp_opcode_to_string (guint opcode)
{
  static const char *const names[] = {
    [BC_TFTP_OP_RRQ] = "RRQ", [BC_TFTP_OP_WRQ] = "WRQ",     [BC_TFTP_OP_DATA] = "DATA",
    [BC_TFTP_OP_ACK] = "ACK", [BC_TFTP_OP_ERROR] = "ERROR", [BC_TFTP_OP_OACK] = "OACK",
  };
  if (opcode < G_N_ELEMENTS (names) && names[opcode] != NULL)
    return names[opcode];
  return "OPCODE-?";
}

/* A bounds-checked cursor over the packet (STYLE.md). */
typedef struct
{
  const guint8 *data;
  gsize len, pos;
} Cursor;

/* The NUL-terminated string at the cursor, or NULL when no NUL remains. */
static const char *
cursor_string (Cursor *c)
{
  const guint8 *start = c->data + c->pos;
  const guint8 *nul;

  if (c->pos >= c->len)
    return NULL;
  nul = memchr (start, '\0', c->len - c->pos);
  if (nul == NULL)
    return NULL;
  c->pos += (gsize)(nul - start) + 1;
  return (const char *)start;
}

const char *
bc_tftp_packet_get_option (const BcTftpPacket *packet, const char *name)
{
  for (guint i = 0; i < packet->options->len; i++)
    {
      const BcTftpOption *o = packet->options->pdata[i];
      if (g_ascii_strcasecmp (o->name, name) == 0)
        return o->value;
    }
  return NULL;
}

void
bc_tftp_packet_add_option (BcTftpPacket *packet, const char *name, const char *value)
{
  g_ptr_array_add (packet->options, option_new (name, value));
}

/* RFC 2347: after the fixed strings, opt1 NUL value1 NUL … to the end of the packet. */
static gboolean
parse_options (Cursor *c, BcTftpPacket *p, GError **error)
{
  while (c->pos < c->len)
    {
      const char *name = cursor_string (c);
      const char *value;

      if (name == NULL)
        {
          g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED,
                       "%s: option name without NUL at offset %" G_GSIZE_FORMAT,
                       bc_tftp_opcode_to_string (p->opcode), c->pos);
          return FALSE;
        }
      /* Some firmware pads requests with NULs after the last option: an empty
       * name ends the option list. */
      if (name[0] == '\0')
        {
          while (c->pos < c->len && c->data[c->pos] == '\0')
            c->pos++;
          if (c->pos < c->len)
            {
              g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED, "%s: empty option name",
                           bc_tftp_opcode_to_string (p->opcode));
              return FALSE;
            }
          break;
        }
      value = cursor_string (c);
      if (value == NULL)
        {
          g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED,
                       "%s: option '%.32s' without a value", bc_tftp_opcode_to_string (p->opcode),
                       name);
          return FALSE;
        }
      if (bc_tftp_packet_get_option (p, name) != NULL)
        {
          g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED,
                       "%s: option '%.32s' given twice", bc_tftp_opcode_to_string (p->opcode),
                       name);
          return FALSE;
        }
      bc_tftp_packet_add_option (p, name, value);
    }
  return TRUE;
}

gboolean
bc_tftp_packet_peek_ack (const guint8 *data, gsize len, guint16 *ret_block)
{
  if (len < 4 || data[0] != 0 || data[1] != BC_TFTP_OP_ACK)
    return FALSE;
  *ret_block = (guint16)((data[2] << 8) | data[3]);
  return TRUE;
}

gboolean
bc_tftp_packet_parse (const guint8 *data, gsize len, BcTftpPacket **ret_packet, GError **error)
{
  g_autoptr (BcTftpPacket) p = NULL;
  Cursor c = { data, len, 2 };
  guint opcode;

  if (len < 2)
    {
      g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_TRUNCATED,
                   "packet of %" G_GSIZE_FORMAT " bytes has no opcode", len);
      return FALSE;
    }
  opcode = ((guint)data[0] << 8) | data[1];
  if (opcode < BC_TFTP_OP_RRQ || opcode > BC_TFTP_OP_OACK)
    {
      g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_OPCODE, "unknown opcode %u", opcode);
      return FALSE;
    }
  p = bc_tftp_packet_new (opcode);

  switch (p->opcode)
    {
      case BC_TFTP_OP_RRQ:
      case BC_TFTP_OP_WRQ:
        {
          const char *filename = cursor_string (&c);
          const char *mode = filename != NULL ? cursor_string (&c) : NULL;

          if (filename == NULL || mode == NULL)
            {
              g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED,
                           "%s: filename or mode without NUL", bc_tftp_opcode_to_string (opcode));
              return FALSE;
            }
          if (filename[0] == '\0')
            {
              g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED, "%s: empty filename",
                           bc_tftp_opcode_to_string (opcode));
              return FALSE;
            }
          p->filename = g_strdup (filename);
          p->mode = g_ascii_strdown (mode, -1);
          if (!parse_options (&c, p, error))
            return FALSE;
          break;
        }
      case BC_TFTP_OP_OACK:
        if (!parse_options (&c, p, error))
          return FALSE;
        break;
      case BC_TFTP_OP_DATA:
      case BC_TFTP_OP_ACK:
        if (len < 4)
          {
            g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_TRUNCATED,
                         "%s of %" G_GSIZE_FORMAT " bytes has no block number",
                         bc_tftp_opcode_to_string (opcode), len);
            return FALSE;
          }
        p->block = (guint16)((data[2] << 8) | data[3]);
        if (p->opcode == BC_TFTP_OP_DATA)
          {
            if (len - 4 > BC_TFTP_MAX_BLKSIZE)
              {
                g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_MALFORMED,
                             "DATA of %" G_GSIZE_FORMAT " bytes is larger than any block size",
                             len - 4);
                return FALSE;
              }
            p->data = g_bytes_new (data + 4, len - 4);
          }
        break;
      case BC_TFTP_OP_ERROR:
        if (len < 4)
          {
            g_set_error (error, BC_TFTP_ERROR, BC_TFTP_ERROR_TRUNCATED,
                         "ERROR of %" G_GSIZE_FORMAT " bytes has no error code", len);
            return FALSE;
          }
        p->error_code = (guint16)((data[2] << 8) | data[3]);
        /* The message is for people: take what is there, up to a NUL, as valid UTF-8. */
        {
          const guint8 *msg = data + 4;
          const guint8 *nul = memchr (msg, '\0', len - 4);
          gsize mlen = nul != NULL ? (gsize)(nul - msg) : len - 4;
          p->error_message = g_utf8_make_valid ((const char *)msg, (gssize)mlen);
        }
        break;
    }

  *ret_packet = g_steal_pointer (&p);
  return TRUE;
}

static void
append_u16 (GByteArray *a, guint16 v)
{
  guint8 b[2] = { v >> 8, v & 0xff };
  g_byte_array_append (a, b, 2);
}

static void
append_string (GByteArray *a, const char *s)
{
  g_byte_array_append (a, (const guint8 *)s, (guint)strlen (s) + 1);
}

GBytes *
bc_tftp_packet_build (const BcTftpPacket *packet)
{
  g_autoptr (GByteArray) a = g_byte_array_new ();

  append_u16 (a, (guint16)packet->opcode);
  switch (packet->opcode)
    {
      case BC_TFTP_OP_RRQ:
      case BC_TFTP_OP_WRQ:
        append_string (a, packet->filename != NULL ? packet->filename : "");
        append_string (a, packet->mode != NULL ? packet->mode : "octet");
        G_GNUC_FALLTHROUGH;
      case BC_TFTP_OP_OACK:
        for (guint i = 0; i < packet->options->len; i++)
          {
            const BcTftpOption *o = packet->options->pdata[i];
            append_string (a, o->name);
            append_string (a, o->value);
          }
        break;
      case BC_TFTP_OP_DATA:
      case BC_TFTP_OP_ACK:
        append_u16 (a, packet->block);
        if (packet->opcode == BC_TFTP_OP_DATA && packet->data != NULL)
          {
            gsize n;
            const guint8 *d = g_bytes_get_data (packet->data, &n);
            g_byte_array_append (a, d, (guint)n);
          }
        break;
      case BC_TFTP_OP_ERROR:
        append_u16 (a, packet->error_code);
        append_string (a, packet->error_message != NULL ? packet->error_message : "");
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&a));
}

GBytes *
bc_tftp_packet_build_error (guint16 code, const char *message)
{
  g_autoptr (BcTftpPacket) p = bc_tftp_packet_new (BC_TFTP_OP_ERROR);
  p->error_code = code;
  p->error_message = g_strdup (message);
  return bc_tftp_packet_build (p);
}

GBytes *
bc_tftp_packet_build_ack (guint16 block)
{
  guint8 b[4] = { 0, BC_TFTP_OP_ACK, block >> 8, block & 0xff };
  return g_bytes_new (b, sizeof b);
}

void
bc_tftp_packet_write_data_header (guint8 *buf, guint16 block)
{
  buf[0] = 0;
  buf[1] = BC_TFTP_OP_DATA;
  buf[2] = block >> 8;
  buf[3] = block & 0xff;
}

gboolean
bc_tftp_parse_number (const char *text, guint64 *ret_value)
{
  guint64 v = 0;
  gsize n = 0;

  if (text == NULL || text[0] == '\0')
    return FALSE;
  for (const char *s = text; *s != '\0'; s++, n++)
    {
      guint d;
      if (*s < '0' || *s > '9' || n >= 20)
        return FALSE;
      d = (guint)(*s - '0');
      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *ret_value = v;
  return TRUE;
}

void
bc_tftp_negotiated_clear (BcTftpNegotiated *negotiated)
{
  g_clear_pointer (&negotiated->oack, g_ptr_array_unref);
}

void
bc_tftp_negotiate (const BcTftpPacket *request, const BcTftpLimits *limits,
                   BcTftpNegotiated *ret_negotiated)
{
  BcTftpNegotiated n = {
    .blksize = BC_TFTP_DEFAULT_BLKSIZE,
    .windowsize = 1,
    .timeout_s = 0,
    .oack = g_ptr_array_new_with_free_func (option_free),
  };
  guint max_blksize = CLAMP (limits->max_blksize, BC_TFTP_MIN_BLKSIZE, BC_TFTP_MAX_BLKSIZE);
  guint max_window = CLAMP (limits->max_windowsize, 1, BC_TFTP_MAX_WINDOWSIZE);

  for (guint i = 0; i < request->options->len; i++)
    {
      const BcTftpOption *o = request->options->pdata[i];
      guint64 v;
      g_autofree char *answer = NULL;

      if (g_str_equal (o->name, "tsize"))
        {
          /* RFC 2349: a RRQ carries 0 (iPXE, EDK2), but whatever it carries, the
           * answer is the file size. curl 7.88 fails a transfer whose OACK says
           * tsize 0 ("invalid tsize value in OACK packet"): for an empty file, leave
           * it out, as RFC 2347 lets a server do with any option. */
          if (limits->file_size == 0)
            continue;
          answer = g_strdup_printf ("%" G_GUINT64_FORMAT, limits->file_size);
          g_ptr_array_add (n.oack, option_new (o->name, answer));
          continue;
        }
      if (!bc_tftp_parse_number (o->value, &v))
        continue; /* the others are numeric: ignore, as RFC 2347 allows */

      if (g_str_equal (o->name, "blksize"))
        {
          /* RFC 2348: valid values 8..65464; "the server may specify a smaller
           * value" — so an oversized ask is answered with what the path carries. */
          if (v < BC_TFTP_MIN_BLKSIZE)
            continue;
          n.blksize = (guint)MIN (v, (guint64)max_blksize);
          answer = g_strdup_printf ("%u", n.blksize);
        }
      else if (g_str_equal (o->name, "timeout"))
        {
          /* RFC 2349: 1..255 seconds; the server must accept it as asked or leave it out. */
          if (v < 1 || v > 255)
            continue;
          n.timeout_s = (guint)v;
          answer = g_strdup_printf ("%u", n.timeout_s);
        }
      else if (g_str_equal (o->name, "windowsize"))
        {
          /* RFC 7440 §3: 1..65535; the server may answer smaller. */
          if (v < 1 || v > BC_TFTP_MAX_WINDOWSIZE)
            continue;
          n.windowsize = (guint)MIN (v, (guint64)max_window);
          answer = g_strdup_printf ("%u", n.windowsize);
        }
      else
        continue;
      g_ptr_array_add (n.oack, option_new (o->name, answer));
    }
  *ret_negotiated = n;
}
