/* Fuzz target for the DHCP codec: parse; when the bytes parse, everything downstream
 * of a parsed packet must hold up too (build at two sizes, re-parse equal, fingerprint,
 * rendering of every option and 43/175 sub-option with the wellknown table). */
#include <stdint.h>
#include <string.h>

#include "server/proto/dhcp-fingerprint.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_round_trip (const BcDhcpMsg *msg, gsize max_len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) wire = bc_dhcp_msg_build (msg, max_len, &error);
  g_autoptr (BcDhcpMsg) back = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len = 0;

  if (wire == NULL)
    {
      /* Only "does not fit" is an acceptable reason to refuse. */
      g_assert_error (error, BC_DHCP_ERROR, BC_DHCP_ERROR_TOO_BIG);
      return;
    }
  {
    const guint8 *bytes = g_bytes_get_data (wire, &len);
    copy = g_memdup2 (bytes, len);
  }
  g_assert_true (bc_dhcp_msg_parse (copy, len, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back->xid, ==, msg->xid);
  g_assert_cmpstr (back->file, ==, msg->file);
  g_assert_cmpstr (back->sname, ==, msg->sname);
  g_assert_cmpint (back->has_magic, ==, msg->has_magic);
  g_assert_cmpuint (back->options->len, ==, msg->options->len);
  /* Same options; the order may change when overload moved some into file/sname. */
  for (guint i = 0; i < msg->options->len; i++)
    {
      const BcDhcpOption *a = msg->options->pdata[i];
      GBytes *b = bc_dhcp_msg_get_option (back, a->code);
      g_assert_nonnull (b);
      g_assert_true (g_bytes_equal (a->data, b));
    }
}

static void
render_options (const BcDhcpOptionRegistry *reg, const char *space, GPtrArray *options)
{
  for (guint i = 0; i < options->len; i++)
    {
      const BcDhcpOption *o = options->pdata[i];
      const BcDhcpOptionDef *def = bc_dhcp_option_registry_lookup_code (reg, space, o->code);
      gsize len = 0;
      const guint8 *v = g_bytes_get_data (o->data, &len);
      g_autofree char *text = bc_dhcp_option_format_value (def, v, len);
      g_autofree char *sub_space = bc_dhcp_option_def_encapsulated_space (def);

      g_assert_nonnull (text);
      if (sub_space != NULL)
        {
          g_autoptr (GPtrArray) subs = NULL;
          g_autofree guint8 *copy = g_memdup2 (v, len);
          if (bc_dhcp_options_parse_encapsulated (copy, len, &subs, NULL))
            {
              g_autoptr (GBytes) rebuilt = bc_dhcp_options_build_encapsulated (subs);
              render_options (reg, sub_space, subs);
              (void)rebuilt;
            }
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (BcDhcpFingerprint) fp = NULL;
  g_autoptr (BcDhcpOptionRegistry) reg = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *chaddr = NULL;
  g_autofree guint8 *copy = g_memdup2 (data, size);

  if (!bc_dhcp_msg_parse (copy, size, &msg, NULL))
    return 0;

  check_round_trip (msg, 0);
  check_round_trip (msg, 1500);

  fp = bc_dhcp_fingerprint_new (msg);
  text = bc_dhcp_fingerprint_describe (fp);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  node = bc_dhcp_fingerprint_to_json (fp);
  chaddr = bc_dhcp_msg_format_chaddr (msg);
  (void)bc_dhcp_message_type_name (bc_dhcp_msg_get_message_type (msg));

  reg = bc_dhcp_option_registry_new_wellknown ();
  render_options (reg, "dhcp", msg->options);
  return 0;
}
