/* A DHCP client's fingerprint: what tells one firmware stage from the next.
 *
 * Seed 000 is the reason this exists: QEMU's built-in iPXE and Joyent's iPXE differ
 * only in the BOOTP broadcast flag, option 97 and a few 175 sub-options (17 vs 20,
 * 38), and the xid changes every time, so the key leaves out everything that changes
 * between two requests of one stage (xid, secs, message type, requested address,
 * ciaddr) and keeps everything that names the stage. */
#include "server/proto/dhcp-fingerprint.h"

#include <string.h>

/* iPXE feature markers are sub-options 0x10-0x7f of 175 (include/ipxe/features.h). */
#define IPXE_FEATURE_MIN 0x10
#define IPXE_FEATURE_MAX 0x7f
#define IPXE_VERSION 235

static const guint8 *
option_data (const BcDhcpMsg *msg, guint8 code, gsize *ret_len)
{
  GBytes *b = bc_dhcp_msg_get_option (msg, code);
  const guint8 *d;

  if (b == NULL)
    return NULL;
  /* GBytes hands out NULL for an empty buffer; a zero-length option is present. */
  d = g_bytes_get_data (b, ret_len);
  return d != NULL ? d : (const guint8 *)"";
}

static gboolean
printable (const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] < 0x20 || data[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

/* Text as sent when it is printable ASCII (iPXE's "iPXE", PXE's "PXEClient:…"),
 * else colon-hex: the result is always valid UTF-8 for JSON and logs. */
static char *
text_or_hex (const guint8 *data, gsize len)
{
  if (printable (data, len))
    return g_strndup ((const char *)data, len);
  return bc_dhcp_hex_colon (data, len);
}

static char *
dotted_bytes (const guint8 *data, gsize len)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i == 0 ? "%u" : ".%u", data[i]);
  return g_string_free (s, FALSE);
}

static char *
comma_bytes (const guint8 *data, gsize len)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i == 0 ? "%u" : ",%u", data[i]);
  return g_string_free (s, FALSE);
}

/* Key values: printable ASCII except the separators stays as is, the rest is %XX, so
 * distinct byte strings always give distinct keys. */
static void
append_escaped (GString *key, const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];
      if (c > 0x20 && c < 0x7f && c != '%' && c != ';' && c != '=' && c != ',')
        g_string_append_c (key, c);
      else
        g_string_append_printf (key, "%%%02X", c);
    }
}

static void
append_key_option (GString *key, const BcDhcpMsg *msg, guint8 code)
{
  gsize len = 0;
  const guint8 *data = option_data (msg, code, &len);

  if (data == NULL)
    return;
  g_string_append_printf (key, ";%u=", code);
  append_escaped (key, data, len);
}

static gint
compare_option_code (gconstpointer a, gconstpointer b)
{
  const BcDhcpOption *oa = *(BcDhcpOption *const *)a;
  const BcDhcpOption *ob = *(BcDhcpOption *const *)b;
  return (gint)oa->code - (gint)ob->code;
}

/**
 * bc_dhcp_fingerprint_new:
 * @msg: a parsed request (any message type)
 *
 * Never fails: malformed fields are kept as colon-hex (a 175 that does not parse as
 * sub-options gives an empty @ipxe array and is in the key as raw bytes).
 * Returns: (transfer full): the fingerprint.
 */
BcDhcpFingerprint *
bc_dhcp_fingerprint_new (const BcDhcpMsg *msg)
{
  g_autoptr (BcDhcpFingerprint) fp = g_new0 (BcDhcpFingerprint, 1);
  g_autoptr (GString) key = g_string_new (NULL);
  const guint8 *d;
  gsize len = 0;

  fp->chaddr = bc_dhcp_msg_format_chaddr (msg);
  fp->message_type = bc_dhcp_msg_get_message_type (msg);
  fp->broadcast_flag = (msg->flags & BC_DHCP_FLAG_BROADCAST) != 0;
  fp->arch = -1;
  fp->max_message_size = -1;

  if ((d = option_data (msg, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER, &len)) != NULL)
    fp->vendor_class = text_or_hex (d, len);
  if ((d = option_data (msg, BC_DHCP_OPTION_USER_CLASS, &len)) != NULL)
    fp->user_class = text_or_hex (d, len);
  /* RFC 4578 2.1: a list of 16-bit types; the first is the one firmware means. */
  if ((d = option_data (msg, BC_DHCP_OPTION_CLIENT_ARCH, &len)) != NULL && len >= 2)
    fp->arch = (d[0] << 8) | d[1];
  if ((d = option_data (msg, BC_DHCP_OPTION_CLIENT_NDI, &len)) != NULL)
    fp->ndi = dotted_bytes (d, len);
  if ((d = option_data (msg, BC_DHCP_OPTION_CLIENT_UUID, &len)) != NULL)
    fp->uuid = bc_dhcp_hex_colon (d, len);
  if ((d = option_data (msg, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST, &len)) != NULL)
    fp->parameter_request_list = comma_bytes (d, len);
  if ((d = option_data (msg, BC_DHCP_OPTION_MAX_MESSAGE_SIZE, &len)) != NULL && len == 2)
    fp->max_message_size = (d[0] << 8) | d[1];

  if ((d = option_data (msg, BC_DHCP_OPTION_IPXE_ENCAP, &len)) != NULL)
    {
      GPtrArray *subs = NULL;
      if (bc_dhcp_options_parse_encapsulated (d, len, &subs, NULL))
        {
          g_ptr_array_sort (subs, compare_option_code);
          fp->ipxe = subs;
        }
      else
        fp->ipxe = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_dhcp_option_free);
      for (guint i = 0; i < fp->ipxe->len; i++)
        {
          const BcDhcpOption *o = fp->ipxe->pdata[i];
          gsize vlen = 0;
          const guint8 *v = g_bytes_get_data (o->data, &vlen);
          if (o->code == IPXE_VERSION && vlen > 0)
            fp->ipxe_version = dotted_bytes (v, vlen);
        }
    }

  /* The key: fixed order, absent fields left out, values escaped. */
  g_string_append_printf (key, "htype=%u;chaddr=%s;bcast=%d", msg->htype, fp->chaddr,
                          fp->broadcast_flag ? 1 : 0);
  append_key_option (key, msg, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER);
  append_key_option (key, msg, BC_DHCP_OPTION_USER_CLASS);
  append_key_option (key, msg, BC_DHCP_OPTION_CLIENT_ARCH);
  append_key_option (key, msg, BC_DHCP_OPTION_CLIENT_NDI);
  append_key_option (key, msg, BC_DHCP_OPTION_CLIENT_UUID);
  append_key_option (key, msg, BC_DHCP_OPTION_MAX_MESSAGE_SIZE);
  if (fp->parameter_request_list != NULL)
    g_string_append_printf (key, ";55=%s", fp->parameter_request_list);
  if (fp->ipxe != NULL)
    {
      g_string_append (key, ";175=");
      if (fp->ipxe->len == 0 && (d = option_data (msg, BC_DHCP_OPTION_IPXE_ENCAP, &len)) != NULL)
        {
          /* Unparsable: the raw bytes, marked so they cannot equal a parsed list. */
          g_string_append (key, "raw:");
          append_escaped (key, d, len);
        }
      for (guint i = 0; i < fp->ipxe->len; i++)
        {
          const BcDhcpOption *o = fp->ipxe->pdata[i];
          gsize vlen = 0;
          const guint8 *v = g_bytes_get_data (o->data, &vlen);
          g_autofree char *hex = bc_dhcp_hex_colon (v, vlen);
          g_string_append_printf (key, "%s%u:%s", i == 0 ? "" : ",", o->code, hex);
        }
    }
  fp->key = g_string_free (g_steal_pointer (&key), FALSE);
  return g_steal_pointer (&fp);
}

void
bc_dhcp_fingerprint_free (BcDhcpFingerprint *fp)
{
  if (fp == NULL)
    return;
  g_free (fp->chaddr);
  g_free (fp->vendor_class);
  g_free (fp->user_class);
  g_free (fp->ndi);
  g_free (fp->uuid);
  g_free (fp->parameter_request_list);
  g_clear_pointer (&fp->ipxe, g_ptr_array_unref);
  g_free (fp->ipxe_version);
  g_free (fp->key);
  g_free (fp);
}

/* A 175 sub-option's JSON value: integers for integer formats, text for text, else
 * ISC's rendering (colon-hex for bus-id, …). */
static void
add_ipxe_member (JsonBuilder *b, const BcDhcpOptionDef *def, const BcDhcpOption *o)
{
  gsize len = 0;
  const guint8 *v = g_bytes_get_data (o->data, &len);

  if (def != NULL && strcmp (def->format, "B") == 0 && len == 1)
    json_builder_add_int_value (b, v[0]);
  else if (def != NULL && strcmp (def->format, "b") == 0 && len == 1)
    json_builder_add_int_value (b, (gint8)v[0]);
  else if (def != NULL && strcmp (def->format, "t") == 0 && printable (v, len))
    {
      g_autofree char *s = g_strndup (len > 0 ? (const char *)v : "", len);
      json_builder_add_string_value (b, s);
    }
  else if (def == NULL && len == 1)
    json_builder_add_int_value (b, v[0]); /* an unknown feature flag */
  else
    {
      g_autofree char *s = bc_dhcp_option_format_value (def, v, len);
      json_builder_add_string_value (b, s);
    }
}

/**
 * bc_dhcp_fingerprint_to_json:
 *
 * Returns: (transfer full): an object; absent fields are omitted. "ipxe" holds
 * "version" ("1.0.0") and each other sub-option under its wellknown name ("https",
 * "bus-id") or its code ("42") when unnamed.
 */
JsonNode *
bc_dhcp_fingerprint_to_json (const BcDhcpFingerprint *fp)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *type_name = bc_dhcp_message_type_name (fp->message_type);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "chaddr");
  json_builder_add_string_value (b, fp->chaddr);
  if (type_name != NULL)
    {
      json_builder_set_member_name (b, "message-type");
      json_builder_add_string_value (b, type_name);
    }
  json_builder_set_member_name (b, "broadcast");
  json_builder_add_boolean_value (b, fp->broadcast_flag);
  if (fp->vendor_class != NULL)
    {
      json_builder_set_member_name (b, "vendor-class");
      json_builder_add_string_value (b, fp->vendor_class);
    }
  if (fp->user_class != NULL)
    {
      json_builder_set_member_name (b, "user-class");
      json_builder_add_string_value (b, fp->user_class);
    }
  if (fp->arch >= 0)
    {
      json_builder_set_member_name (b, "arch");
      json_builder_add_int_value (b, fp->arch);
    }
  if (fp->ndi != NULL)
    {
      json_builder_set_member_name (b, "ndi");
      json_builder_add_string_value (b, fp->ndi);
    }
  if (fp->uuid != NULL)
    {
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, fp->uuid);
    }
  if (fp->parameter_request_list != NULL)
    {
      json_builder_set_member_name (b, "parameter-request-list");
      json_builder_add_string_value (b, fp->parameter_request_list);
    }
  if (fp->max_message_size >= 0)
    {
      json_builder_set_member_name (b, "max-message-size");
      json_builder_add_int_value (b, fp->max_message_size);
    }
  if (fp->ipxe != NULL)
    {
      g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();

      json_builder_set_member_name (b, "ipxe");
      json_builder_begin_object (b);
      if (fp->ipxe_version != NULL)
        {
          json_builder_set_member_name (b, "version");
          json_builder_add_string_value (b, fp->ipxe_version);
        }
      for (guint i = 0; i < fp->ipxe->len; i++)
        {
          const BcDhcpOption *o = fp->ipxe->pdata[i];
          const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, "ipxe", o->code);
          g_autofree char *code = g_strdup_printf ("%u", o->code);

          if (o->code == IPXE_VERSION)
            continue;
          json_builder_set_member_name (b, def != NULL ? def->name : code);
          add_ipxe_member (b, def, o);
        }
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, fp->key);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * bc_dhcp_fingerprint_describe:
 *
 * Returns: (transfer full): one line for verdicts, e.g. "user-class=iPXE arch=0
 * broadcast ipxe.version=1.0.0 ipxe features: pxeext iscsi aoe http …" (features in
 * code order, those with a non-zero flag).
 */
char *
bc_dhcp_fingerprint_describe (const BcDhcpFingerprint *fp)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  if (fp->vendor_class != NULL)
    g_ptr_array_add (words, g_strdup_printf ("vendor-class=%s", fp->vendor_class));
  if (fp->user_class != NULL)
    g_ptr_array_add (words, g_strdup_printf ("user-class=%s", fp->user_class));
  if (fp->arch >= 0)
    g_ptr_array_add (words, g_strdup_printf ("arch=%d", fp->arch));
  if (fp->broadcast_flag)
    g_ptr_array_add (words, g_strdup ("broadcast"));
  if (fp->uuid != NULL)
    g_ptr_array_add (words, g_strdup ("uuid"));
  if (fp->ipxe_version != NULL)
    g_ptr_array_add (words, g_strdup_printf ("ipxe.version=%s", fp->ipxe_version));
  if (fp->ipxe != NULL)
    {
      g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
      g_autoptr (GString) features = g_string_new ("ipxe features:");
      guint n = 0;

      for (guint i = 0; i < fp->ipxe->len; i++)
        {
          const BcDhcpOption *o = fp->ipxe->pdata[i];
          const BcDhcpOptionDef *def;
          gsize len = 0;
          const guint8 *v = g_bytes_get_data (o->data, &len);

          if (o->code < IPXE_FEATURE_MIN || o->code > IPXE_FEATURE_MAX || len == 0 || v[0] == 0)
            continue;
          def = bc_dhcp_option_registry_lookup_code (reg, "ipxe", o->code);
          if (def != NULL)
            g_string_append_printf (features, " %s", def->name);
          else
            g_string_append_printf (features, " %u", o->code);
          n++;
        }
      if (n == 0)
        g_string_append (features, " none");
      g_ptr_array_add (words, g_string_free (g_steal_pointer (&features), FALSE));
    }
  if (words->len == 0)
    g_ptr_array_add (words, g_strdup ("no vendor options"));
  g_ptr_array_add (words, NULL);
  return g_strjoinv (" ", (char **)words->pdata);
}
