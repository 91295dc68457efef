/* Every folder under scenarios/ is a valid scenario whose images are in the manifest
 * and which has its line in scenarios/README.md; and each scenario's [require]
 * first-dhcp decides as its story says on a Debian host (the DISCOVERs captured here
 * from Debian's ROMs, t/data/dhcp/real-*.bin) and on a Fedora host (the same built-in
 * DISCOVER with Fedora's features: 175.20 HTTPS, version 1.21.1). Pure: no VM. */
#include "harness/core/image-manifest.h"
#include "harness/core/scenario.h"
#include "t/test-fixtures.h"

#include <string.h>

static char *
scenarios_dir (void)
{
  return g_build_filename (BC_SOURCE_ROOT, "scenarios", NULL);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *)a, *(char *const *)b);
}

static GPtrArray *
list_scenarios (void)
{
  g_autofree char *dir = scenarios_dir ();
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}

static BcScenario *
load (const char *name)
{
  g_autofree char *dir = scenarios_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  BcScenario *sc = bc_scenario_load (path, &error);

  if (sc == NULL)
    g_error ("scenario %s: %s", name, error->message);
  return sc;
}

static BcImageManifest *
load_manifest (void)
{
  g_autofree char *path = g_build_filename (BC_SOURCE_ROOT, "images", "manifest.ini", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  return bc_image_manifest_parse (text, (gssize)len, NULL);
}

static void
check_image (const BcImageManifest *m, const char *scenario, const char *image)
{
  if (!bc_image_manifest_has (m, image))
    g_error ("scenario %s names image '%s', which images/manifest.ini lacks", scenario, image);
}

/* Every scenario loads (scenario.ini, expect, dhcpd.conf) and names known images. */
static void
test_all_load (void)
{
  g_autoptr (GPtrArray) names = list_scenarios ();
  g_autoptr (BcImageManifest) m = load_manifest ();

  g_assert_cmpuint (names->len, >=, 8);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autoptr (BcScenario) sc = load (name);

      g_test_message ("%s: %u steps", name, sc->expect->steps->len);
      g_assert_cmpuint (sc->expect->steps->len, >, 0);
      if (sc->rom == BC_ROM_IMAGE)
        check_image (m, name, sc->rom_image);
      for (guint j = 0; sc->required_images[j] != NULL; j++)
        check_image (m, name, sc->required_images[j]);
      for (guint j = 0; j < sc->tftp_files->len; j++)
        check_image (m, name, ((BcScenarioFile *)sc->tftp_files->pdata[j])->image);
      for (guint j = 0; j < sc->http_files->len; j++)
        check_image (m, name, ((BcScenarioFile *)sc->http_files->pdata[j])->image);

      if (sc->expect_config_error)
        {
          /* A config-error story boots nothing: only config-error steps. */
          for (guint j = 0; j < sc->expect->steps->len; j++)
            g_assert_cmpint (((BcExpectStep *)sc->expect->steps->pdata[j])->kind, ==,
                             BC_EXPECT_CONFIG_ERROR);
        }
      else
        {
          /* A boot story ends the VM (boot.ipxe reboots) or fetches a kernel. */
          g_assert_cmpint (sc->on_reboot, ==, BC_ON_REBOOT_DESTROY);
        }
    }
}

/* Every scenario has its README line, saying which seed it comes from. */
static void
test_readme (void)
{
  g_autoptr (GPtrArray) names = list_scenarios ();
  g_autofree char *dir = scenarios_dir ();
  g_autofree char *path = g_build_filename (dir, "README.md", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *needle = g_strdup_printf ("`%s`", (const char *)names->pdata[i]);
      const char *at = strstr (text, needle);
      const char *eol;
      g_autofree char *line = NULL;

      if (at == NULL)
        g_error ("scenarios/README.md has no line for %s", (const char *)names->pdata[i]);
      eol = strchr (at, '\n');
      line = g_strndup (at, eol != NULL ? (gsize)(eol - at) : strlen (at));
      if (strstr (line, "seed 000") == NULL && strstr (line, "seed 003") == NULL)
        g_error ("README line of %s names no seed: %s", (const char *)names->pdata[i], line);
    }
}

/* Fedora's built-in iPXE as its DHCP shows it: Debian's DISCOVER with HTTPS (175.20,
 * where Debian's has 17 iSCSI... as the gist's Joyent diff shows for an HTTPS build)
 * and version 1.21.1 in 175.235. */
static BcDhcpMsg *
fedora_like (const BcDhcpMsg *debian)
{
  BcDhcpMsg *msg = bc_dhcp_msg_copy (debian);
  GBytes *encap = bc_dhcp_msg_get_option (msg, 175);
  g_autoptr (GPtrArray) subs = NULL;
  g_autoptr (GBytes) rebuilt = NULL;
  static const guint8 version[] = { 1, 21, 1 };
  static const guint8 one[] = { 1 };
  gboolean have_https = FALSE;

  g_assert_nonnull (encap);
  g_assert_true (bc_dhcp_options_parse_encapsulated (g_bytes_get_data (encap, NULL),
                                                     g_bytes_get_size (encap), &subs, NULL));
  for (guint i = 0; i < subs->len; i++)
    {
      BcDhcpOption *o = subs->pdata[i];
      if (o->code == 235)
        {
          g_bytes_unref (o->data);
          o->data = g_bytes_new_static (version, sizeof version);
        }
      have_https |= o->code == 20;
    }
  g_assert_false (have_https);
  {
    BcDhcpOption *https = g_new0 (BcDhcpOption, 1);
    https->code = 20;
    https->data = g_bytes_new_static (one, sizeof one);
    g_ptr_array_add (subs, https);
  }
  rebuilt = bc_dhcp_options_build_encapsulated (subs);
  bc_dhcp_msg_set_option (msg, 175, g_bytes_get_data (rebuilt, NULL), g_bytes_get_size (rebuilt));
  return msg;
}

/* What each story's [require] first-dhcp decides with the first DHCP request of this
 * host's firmware: RUN or SKIP, on Debian and on Fedora. */
static const struct
{
  const char *scenario;
  const char *first_packet; /* the story's first firmware stage on Debian */
  gboolean debian_runs, fedora_runs;
} requirements[] = {
  { "seed000-naive-loop", "real-bios-builtin-discover.bin", TRUE, TRUE },
  { "seed000-https-split", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed000-https-split-distro-rom", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed000-https-split-builtin-https", "real-bios-builtin-discover.bin", FALSE, TRUE },
  { "seed003-userclass-bios", "real-bios-builtin-discover.bin", TRUE, TRUE },
  { "seed003-userclass-efi-rom", "real-efi-builtin-discover.bin", TRUE, TRUE },
  { "seed003-efi-pxe-chainload", "real-efi-edk2-pxe-discover.bin", TRUE, TRUE },
  { "seed003-version-dhcp", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed003-version-dhcp-user-rom", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed003-version-dhcp-1.0.0", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed003-version-dhcp-as-written", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed003-version-script", "real-bios-builtin-discover.bin", TRUE, FALSE },
  { "seed003-version-script-update-loop", "real-bios-builtin-discover.bin", TRUE, TRUE },
  { "final-kernel", "real-bios-builtin-discover.bin", TRUE, TRUE },
};

static void
test_requirements (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (requirements); i++)
    {
      g_autoptr (BcScenario) sc = load (requirements[i].scenario);
      g_autoptr (BcDhcpMsg) debian = bc_test_dhcp_fixture (requirements[i].first_packet);
      g_autoptr (BcDhcpMsg) fedora = NULL;
      const BcExpectCond *failed = NULL;
      gboolean debian_runs, fedora_runs;

      /* EDK2's own PXE is the same on both distros: no iPXE option to differ. */
      if (bc_dhcp_msg_get_option (debian, 175) != NULL)
        fedora = fedora_like (debian);
      else
        fedora = bc_dhcp_msg_copy (debian);

      debian_runs = bc_expect_conds_match (sc->require_first_dhcp, debian, &failed);
      if (debian_runs != requirements[i].debian_runs)
        g_error ("%s on Debian: %s (%s)", requirements[i].scenario, debian_runs ? "runs" : "skips",
                 failed != NULL ? failed->text : "");
      fedora_runs = bc_expect_conds_match (sc->require_first_dhcp, fedora, &failed);
      if (fedora_runs != requirements[i].fedora_runs)
        g_error ("%s on Fedora: %s (%s)", requirements[i].scenario, fedora_runs ? "runs" : "skips",
                 failed != NULL ? failed->text : "");
      if (!fedora_runs)
        {
          /* The skip reason names the condition the host's ROM does not meet. */
          g_autofree char *why = bc_expect_cond_explain (failed, fedora);
          g_assert_nonnull (why);
          g_test_message ("%s skips on Fedora: %s", requirements[i].scenario, why);
        }
    }
}

/* Every boot scenario is in the table above. */
static void
test_requirements_complete (void)
{
  g_autoptr (GPtrArray) names = list_scenarios ();

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (BcScenario) sc = load (names->pdata[i]);
      gboolean found = FALSE;

      if (sc->expect_config_error)
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (requirements); j++)
        found |= g_str_equal (requirements[j].scenario, names->pdata[i]);
      if (!found)
        g_error ("scenario %s: add it to requirements[] in %s", (const char *)names->pdata[i],
                 __FILE__);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scenarios/load", test_all_load);
  g_test_add_func ("/scenarios/readme", test_readme);
  g_test_add_func ("/scenarios/require/debian-and-fedora", test_requirements);
  g_test_add_func ("/scenarios/require/complete", test_requirements_complete);
  return g_test_run ();
}
