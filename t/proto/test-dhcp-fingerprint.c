/* Fingerprints: the seed 000 firmware stages must differ, repeats of one stage must
 * not, and the text names iPXE's features. */
#include <string.h>

#include "server/proto/dhcp-fingerprint.h"
#include "t/test-fixtures.h"

static BcDhcpFingerprint *
fingerprint_fixture (const char *name)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture (name);
  return bc_dhcp_fingerprint_new (msg);
}

static void
test_seed000_builtin (void)
{
  g_autoptr (BcDhcpFingerprint) fp = fingerprint_fixture ("seed000-builtin-discover.bin");
  g_autofree char *text = bc_dhcp_fingerprint_describe (fp);

  g_assert_cmpstr (fp->chaddr, ==, "52:54:00:9d:7d:60");
  g_assert_cmpuint (fp->message_type, ==, BC_DHCP_DISCOVER);
  g_assert_false (fp->broadcast_flag);
  g_assert_cmpstr (fp->vendor_class, ==, "PXEClient:Arch:00000:UNDI:002001");
  g_assert_cmpstr (fp->user_class, ==, "iPXE");
  g_assert_cmpint (fp->arch, ==, 0);
  g_assert_cmpstr (fp->ndi, ==, "1.2.1");
  g_assert_null (fp->uuid);
  g_assert_cmpstr (fp->parameter_request_list, ==,
                   "1,3,6,7,12,15,17,26,43,60,66,67,119,128,129,130,131,132,133,134,135,175,203");
  g_assert_cmpint (fp->max_message_size, ==, 1472);
  g_assert_cmpstr (fp->ipxe_version, ==, "1.0.0");
  g_assert_nonnull (fp->ipxe);
  g_assert_cmpuint (fp->ipxe->len, ==, 13);
  for (guint i = 1; i < fp->ipxe->len; i++)
    g_assert_cmpuint (((BcDhcpOption *)fp->ipxe->pdata[i - 1])->code, <,
                      ((BcDhcpOption *)fp->ipxe->pdata[i])->code);

  /* The canonical key, pinned: changing it changes loop detection across runs. */
  g_assert_cmpstr (fp->key, ==,
                   "htype=1;chaddr=52:54:00:9d:7d:60;bcast=0"
                   ";60=PXEClient:Arch:00000:UNDI:002001;77=iPXE;93=%00%00;94=%01%02%01"
                   ";57=%05%C0"
                   ";55=1,3,6,7,12,15,17,26,43,60,66,67,119,128,129,130,131,132,133,134,135,175,203"
                   ";175=16:02,17:01,18:01,19:01,21:01,23:01,24:01,25:01,33:01,34:01,39:01,"
                   "177:01:1a:f4:10:41,235:01:00:00");
  g_assert_cmpstr (text, ==,
                   "vendor-class=PXEClient:Arch:00000:UNDI:002001 user-class=iPXE arch=0 "
                   "ipxe.version=1.0.0 ipxe features: pxeext iscsi aoe http tftp dns bzimage "
                   "multiboot pxe elf menu");
}

static void
test_seed000_joyent_differs (void)
{
  g_autoptr (BcDhcpFingerprint) builtin = fingerprint_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpFingerprint) joyent = fingerprint_fixture ("seed000-joyent-discover.bin");
  g_autofree char *text = bc_dhcp_fingerprint_describe (joyent);

  g_assert_true (joyent->broadcast_flag);
  g_assert_cmpstr (joyent->uuid, ==, "00:6a:98:5e:7c:63:d6:fe:40:a7:86:d3:07:18:3a:82:53");
  g_assert_cmpstr (builtin->key, !=, joyent->key);
  g_assert_nonnull (strstr (text, " https "));
  g_assert_nonnull (strstr (text, " vlan"));
  g_assert_nonnull (strstr (text, "broadcast"));
  g_assert_null (strstr (text, "iscsi"));
  g_assert_nonnull (strstr (joyent->key, ";175=16:02,19:01,20:01,21:01,"));
}

static void
test_efi_stages_differ (void)
{
  g_autoptr (BcDhcpFingerprint) rom = fingerprint_fixture ("ipxe-efi-rom-discover.bin");
  g_autoptr (BcDhcpFingerprint) efi = fingerprint_fixture ("ipxe-efi-discover.bin");
  g_autoptr (BcDhcpFingerprint) edk2 = fingerprint_fixture ("edk2-discover.bin");
  g_autofree char *rom_text = bc_dhcp_fingerprint_describe (rom);
  g_autofree char *efi_text = bc_dhcp_fingerprint_describe (efi);
  g_autofree char *edk2_text = bc_dhcp_fingerprint_describe (edk2);

  g_assert_cmpint (rom->arch, ==, 7);
  g_assert_cmpstr (rom->ndi, ==, "1.3.10");
  g_assert_cmpstr (rom->key, !=, efi->key);
  g_assert_null (strstr (rom_text, "srp"));
  g_assert_nonnull (strstr (efi_text, " srp"));
  g_assert_nonnull (strstr (efi_text, " efi"));

  g_assert_null (edk2->ipxe);
  g_assert_null (edk2->ipxe_version);
  g_assert_null (edk2->user_class);
  g_assert_cmpint (edk2->arch, ==, 7);
  g_assert_cmpstr (edk2_text, ==,
                   "vendor-class=PXEClient:Arch:00007:UNDI:003000 arch=7 broadcast uuid");
}

/* What changes between two requests of one stage is not in the key. */
static void
test_key_ignores_per_request_fields (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpMsg) again = bc_dhcp_msg_copy (msg);
  g_autoptr (BcDhcpFingerprint) a = bc_dhcp_fingerprint_new (msg);
  g_autoptr (BcDhcpFingerprint) b = NULL;

  again->xid ^= 0xffffffff;
  again->secs = 17;
  again->ciaddr = 0x0102a8c0;
  bc_dhcp_msg_set_option (again, 53, (const guint8[]){ BC_DHCP_REQUEST }, 1);
  bc_dhcp_msg_set_option (again, 50, (const guint8[]){ 192, 168, 42, 100 }, 4);
  bc_dhcp_msg_set_option (again, 54, (const guint8[]){ 192, 168, 42, 1 }, 4);
  b = bc_dhcp_fingerprint_new (again);
  g_assert_cmpstr (a->key, ==, b->key);
  g_assert_cmpuint (b->message_type, ==, BC_DHCP_REQUEST);
}

/* …and every field that names a stage is. */
static void
test_key_covers_stage_fields (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpFingerprint) base = bc_dhcp_fingerprint_new (msg);
  static const guint8 codes[] = { 60, 77, 93, 94, 97, 55, 57, 175 };

  {
    g_autoptr (BcDhcpMsg) m = bc_dhcp_msg_copy (msg);
    g_autoptr (BcDhcpFingerprint) fp = NULL;
    m->flags = BC_DHCP_FLAG_BROADCAST;
    fp = bc_dhcp_fingerprint_new (m);
    g_assert_cmpstr (fp->key, !=, base->key);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr (BcDhcpMsg) changed = bc_dhcp_msg_copy (msg);
      g_autoptr (BcDhcpMsg) removed = bc_dhcp_msg_copy (msg);
      g_autoptr (BcDhcpFingerprint) fc = NULL;
      g_autoptr (BcDhcpFingerprint) fr = NULL;

      bc_dhcp_msg_set_option (changed, codes[i], (const guint8[]){ 20, 1, 1 }, 3);
      bc_dhcp_msg_remove_option (removed, codes[i]);
      fc = bc_dhcp_fingerprint_new (changed);
      fr = bc_dhcp_fingerprint_new (removed);
      g_test_message ("option %u", codes[i]);
      g_assert_cmpstr (fc->key, !=, base->key);
      if (codes[i] != 97) /* not in the built-in's DISCOVER */
        g_assert_cmpstr (fr->key, !=, base->key);
      g_assert_cmpstr (fc->key, !=, fr->key);
    }
  /* An empty 77 differs from none. */
  {
    g_autoptr (BcDhcpMsg) m = bc_dhcp_msg_copy (msg);
    g_autoptr (BcDhcpMsg) n = bc_dhcp_msg_copy (msg);
    g_autoptr (BcDhcpFingerprint) fm = NULL;
    g_autoptr (BcDhcpFingerprint) fn = NULL;
    bc_dhcp_msg_set_option (m, 77, NULL, 0);
    bc_dhcp_msg_remove_option (n, 77);
    fm = bc_dhcp_fingerprint_new (m);
    fn = bc_dhcp_fingerprint_new (n);
    g_assert_cmpstr (fm->key, !=, fn->key);
  }
}

/* 175 sub-options in another order are the same stage (canonical key). */
static void
test_key_canonical_175 (void)
{
  g_autoptr (BcDhcpMsg) a = bc_dhcp_msg_new ();
  g_autoptr (BcDhcpMsg) b = bc_dhcp_msg_new ();
  g_autoptr (BcDhcpFingerprint) fa = NULL;
  g_autoptr (BcDhcpFingerprint) fb = NULL;

  bc_dhcp_msg_set_option (a, 175, (const guint8[]){ 20, 1, 1, 235, 3, 1, 21, 1, 19, 1, 1 }, 11);
  bc_dhcp_msg_set_option (b, 175, (const guint8[]){ 19, 1, 1, 235, 3, 1, 21, 1, 20, 1, 1 }, 11);
  fa = bc_dhcp_fingerprint_new (a);
  fb = bc_dhcp_fingerprint_new (b);
  g_assert_cmpstr (fa->key, ==, fb->key);
  g_assert_cmpstr (fa->ipxe_version, ==, "1.21.1");
}

/* Hostile field contents: never a crash, always valid UTF-8 text. */
static void
test_malformed (void)
{
  g_autoptr (BcDhcpMsg) msg = bc_dhcp_msg_new ();
  g_autoptr (BcDhcpFingerprint) fp = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *json = NULL;

  bc_dhcp_msg_set_option (msg, 175, (const guint8[]){ 20, 9, 1 }, 3); /* runs past */
  bc_dhcp_msg_set_option (msg, 60, (const guint8[]){ 0xff, 0, ';' }, 3);
  bc_dhcp_msg_set_option (msg, 93, (const guint8[]){ 7 }, 1);
  bc_dhcp_msg_set_option (msg, 57, (const guint8[]){ 1, 2, 3 }, 3);
  bc_dhcp_msg_set_option (msg, 53, (const guint8[]){ 1 }, 1);
  fp = bc_dhcp_fingerprint_new (msg);
  g_assert_nonnull (fp->ipxe);
  g_assert_cmpuint (fp->ipxe->len, ==, 0);
  g_assert_cmpstr (fp->vendor_class, ==, "ff:00:3b");
  g_assert_cmpint (fp->arch, ==, -1);
  g_assert_cmpint (fp->max_message_size, ==, -1);
  g_assert_nonnull (strstr (fp->key, ";175=raw:%14%09%01"));
  g_assert_nonnull (strstr (fp->key, ";60=%FF%00%3B"));
  text = bc_dhcp_fingerprint_describe (fp);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "ipxe features: none"));
  node = bc_dhcp_fingerprint_to_json (fp);
  json = json_to_string (node, FALSE);
  g_assert_true (g_utf8_validate (json, -1, NULL));
}

static void
test_json (void)
{
  g_autoptr (BcDhcpFingerprint) fp = fingerprint_fixture ("seed000-joyent-discover.bin");
  g_autoptr (JsonNode) node = bc_dhcp_fingerprint_to_json (fp);
  JsonObject *o = json_node_get_object (node);
  JsonObject *ipxe = json_object_get_object_member (o, "ipxe");

  g_assert_cmpstr (json_object_get_string_member (o, "chaddr"), ==, "52:54:00:9d:7d:60");
  g_assert_cmpstr (json_object_get_string_member (o, "message-type"), ==, "DISCOVER");
  g_assert_true (json_object_get_boolean_member (o, "broadcast"));
  g_assert_cmpstr (json_object_get_string_member (o, "user-class"), ==, "iPXE");
  g_assert_cmpint (json_object_get_int_member (o, "arch"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "max-message-size"), ==, 1472);
  g_assert_cmpstr (json_object_get_string_member (o, "key"), ==, fp->key);
  g_assert_nonnull (ipxe);
  g_assert_cmpstr (json_object_get_string_member (ipxe, "version"), ==, "1.0.0");
  g_assert_cmpint (json_object_get_int_member (ipxe, "https"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (ipxe, "pxeext"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (ipxe, "bus-id"), ==, "01:1a:f4:10:41");
  g_assert_false (json_object_has_member (ipxe, "iscsi"));
  g_assert_false (json_object_has_member (ipxe, "235"));

  {
    g_autoptr (BcDhcpFingerprint) edk2 = fingerprint_fixture ("edk2-discover.bin");
    g_autoptr (JsonNode) n = bc_dhcp_fingerprint_to_json (edk2);
    JsonObject *e = json_node_get_object (n);
    g_assert_false (json_object_has_member (e, "ipxe"));
    g_assert_false (json_object_has_member (e, "user-class"));
    g_assert_cmpint (json_object_get_int_member (e, "arch"), ==, 7);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp-fingerprint/seed000-builtin", test_seed000_builtin);
  g_test_add_func ("/dhcp-fingerprint/seed000-joyent-differs", test_seed000_joyent_differs);
  g_test_add_func ("/dhcp-fingerprint/efi-stages-differ", test_efi_stages_differ);
  g_test_add_func ("/dhcp-fingerprint/key/ignores-per-request",
                   test_key_ignores_per_request_fields);
  g_test_add_func ("/dhcp-fingerprint/key/covers-stage", test_key_covers_stage_fields);
  g_test_add_func ("/dhcp-fingerprint/key/canonical-175", test_key_canonical_175);
  g_test_add_func ("/dhcp-fingerprint/malformed", test_malformed);
  g_test_add_func ("/dhcp-fingerprint/json", test_json);
  return g_test_run ();
}
