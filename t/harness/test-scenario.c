/* scenario.ini + folder loading: good, defaults, and every problem reported at once. */
#include "harness-test.h"

#include "harness/core/scenario.h"

static char *
fixture (const char *name)
{
  return g_build_filename (BC_TEST_DATA, "harness", "scenarios", name, NULL);
}

static void
test_load_good (void)
{
  g_autofree char *dir = fixture ("good-seed000");
  g_autoptr (GError) error = NULL;
  g_autoptr (BcScenario) sc = bc_scenario_load (dir, &error);
  const BcScenarioFile *f;
  const BcExpectCond *c;

  g_assert_no_error (error);
  g_assert_cmpstr (sc->name, ==, "good-seed000");
  g_assert_cmpint (sc->firmware, ==, BC_FIRMWARE_BIOS);
  g_assert_cmpint (sc->nic, ==, BC_NIC_E1000);
  g_assert_cmpint (sc->rom, ==, BC_ROM_BUILTIN);
  g_assert_null (sc->rom_image);
  g_assert_cmpuint (sc->memory_mib, ==, 512);
  g_assert_cmpint (sc->on_reboot, ==, BC_ON_REBOOT_DESTROY);
  g_assert_cmpint (sc->accel, ==, BC_ACCEL_TCG);
  g_assert_cmpuint (sc->timeout_s, ==, 90);
  g_assert_cmpuint (sc->loop_limit, ==, 4);
  g_assert_cmpint (sc->server_kind, ==, BC_SERVER_ISC_DHCPD);
  g_assert_false (sc->router_advertisements);
  g_assert_false (sc->expect_config_error);
  g_assert_cmpstr (sc->subnet, ==, "10.0.7.0/24");
  g_assert_cmpuint (sc->subnet_addr, ==, test_addr ("10.0.7.0"));
  g_assert_cmpuint (sc->bridge_addr, ==, test_addr ("10.0.7.1"));
  g_assert_cmpuint (sc->netmask, ==, test_addr ("255.255.255.0"));
  g_assert_cmpuint (sc->prefix_len, ==, 24);
  g_assert_cmpuint (g_strv_length (sc->required_images), ==, 2);
  g_assert_cmpstr (sc->required_images[0], ==, "ipxe-undionly-https");
  g_assert_cmpstr (sc->required_images[1], ==, "linux-payload");
  g_assert_cmpuint (sc->require_first_dhcp->len, ==, 2);
  c = sc->require_first_dhcp->pdata[1];
  g_assert_true (c->negate);
  g_assert_cmpint (c->sub, ==, 20);
  g_assert_cmpstr (sc->require_first_dhcp_text, ==, "user-class=iPXE !175.20");
  g_assert_cmpuint (sc->tftp_files->len, ==, 1);
  f = sc->tftp_files->pdata[0];
  g_assert_cmpstr (f->path, ==, "undionly.kpxe");
  g_assert_cmpstr (f->image, ==, "ipxe-undionly-https");
  f = sc->http_files->pdata[0];
  g_assert_cmpstr (f->path, ==, "boot/vmlinuz");
  g_assert_cmpstr (f->image, ==, "linux-payload");
  g_assert_true (g_str_has_suffix (sc->dhcpd_conf_path, "good-seed000/dhcpd.conf"));
  g_assert_null (sc->tftp_root); /* no tftp/ folder: only materialised files */
  g_assert_true (g_str_has_suffix (sc->http_root, "good-seed000/http"));
  g_assert_true (g_str_has_suffix (sc->readme_path, "good-seed000/README"));
  g_assert_cmpuint (sc->expect->steps->len, ==, 8);
}

static void
test_load_defaults (void)
{
  g_autofree char *dir = fixture ("defaults");
  g_autoptr (GError) error = NULL;
  g_autoptr (BcScenario) sc = bc_scenario_load (dir, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sc->firmware, ==, BC_FIRMWARE_BIOS);
  g_assert_cmpint (sc->nic, ==, BC_NIC_VIRTIO);
  g_assert_cmpint (sc->rom, ==, BC_ROM_BUILTIN);
  g_assert_cmpuint (sc->memory_mib, ==, 256);
  g_assert_cmpint (sc->on_reboot, ==, BC_ON_REBOOT_RESTART);
  g_assert_cmpint (sc->accel, ==, BC_ACCEL_AUTO);
  g_assert_cmpuint (sc->timeout_s, ==, 120);
  g_assert_cmpuint (sc->loop_limit, ==, 3);
  g_assert_cmpint (sc->server_kind, ==, BC_SERVER_BOOTSERV);
  g_assert_true (sc->router_advertisements);
  g_assert_cmpstr (sc->subnet, ==, "192.168.42.0/24");
  g_assert_cmpuint (sc->bridge_addr, ==, test_addr ("192.168.42.1"));
  g_assert_cmpuint (g_strv_length (sc->required_images), ==, 0);
  g_assert_cmpuint (sc->require_first_dhcp->len, ==, 0);
  g_assert_null (sc->require_first_dhcp_text);
  g_assert_null (sc->readme_path);
  g_assert_cmpuint (sc->expect->steps->len, ==, 1);
}

static void
test_load_bad (void)
{
  g_autofree char *dir = fixture ("bad");
  g_autoptr (GError) error = NULL;
  g_autoptr (BcScenario) sc = bc_scenario_load (dir, &error);

  g_assert_null (sc);
  g_assert_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_INVALID);
  g_assert_cmpstr (
      error->message, ==,
      "scenario.ini:2: [vm] firmware: 'coreboot' is not one of bios, uefi\n"
      "scenario.ini:3: [vm] nic: 'virtio-net' is not one of virtio, e1000, e1000e, rtl8139\n"
      "scenario.ini:5: [vm] memory: 'lots' is not a number of MiB in 32..65536\n"
      "scenario.ini:6: unknown key 'colour' in [vm] (expected firmware, nic, rom, memory, "
      "on-reboot, accel)\n"
      "scenario.ini:9: [run] timeout: '0' is not a number of seconds in 1..86400\n"
      "scenario.ini:13: [network] subnet: '192.168.42.7/24' has host bits set (did you mean "
      "192.168.42.0/24?)\n"
      "scenario.ini:16: [server] router-advertisements: 'maybe' is not true or false\n"
      "scenario.ini:19:22: unknown field 'usr-class' (expected one of file, next-server, sname, "
      "yiaddr, user-class, vendor-class, arch, chaddr, broadcast, ipxe.version, ipxe.NAME, an "
      "option name, N, N.M)\n"
      "  !175.20 usr-class=iPXE\n"
      "          ^\n"
      "scenario.ini:22: [tftp] '../etc/passwd' is not a relative path inside the served root "
      "(no leading '/', no '..')\n"
      "scenario.ini:24: unknown group [extras] (expected one of [vm], [run], [server], "
      "[network], [images], [require], [tftp], [http])\n"
      "scenario.ini:4: [vm] rom = none needs firmware = uefi (EDK2's own PXE); SeaBIOS cannot "
      "network-boot without a NIC ROM\n"
      "expect:2:9: expected /REGEX/ after console, got 'oops'\n"
      "  console oops\n"
      "          ^");
}

static void
test_load_missing (void)
{
  g_autofree char *dir = fixture ("no-dhcpd-conf");
  g_autofree char *nodir = fixture ("does-not-exist");
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcScenario) sc = bc_scenario_load (dir, &error);

  g_assert_null (sc);
  g_assert_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_INVALID);
  expected = g_strdup_printf ("%s/dhcpd.conf: missing: every scenario needs its dhcpd.conf", dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  sc = bc_scenario_load (nodir, &error);
  g_assert_null (sc);
  g_assert_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_NOT_FOUND);
}

static const struct
{
  const char *ini, *expect, *message; /* message NULL: must parse */
} data_cases[] = {
  { "[vm]\nfirmware = uefi\nrom = none\n", "vm started\n", NULL },
  { "[vm]\nrom = ipxe-efi-https\nnic=rtl8139\n", "", NULL },
  { "[server]\nexpect-config-error = true\n", "config-error 12:40\n", NULL },
  { "[server]\nexpect-config-error = true\n", "config-error 12\nconsole /x/\n",
    "expect:2: 'console /x/': with [server] expect-config-error = true no VM is booted; only "
    "config-error steps apply" },
  { "[server]\nexpect-config-error = true\n", "",
    "expect: expect-config-error = true but no config-error step says which error" },
  { "", "config-error 3\n",
    "expect:1: config-error steps need [server] expect-config-error = true in scenario.ini" },
  { "[vm]\nfirmware = bios\nfirmware = uefi\n", "",
    "scenario.ini:3: [vm] firmware is set twice (first at line 2)" },
  { "[vm]\n[vm]\n", "", "scenario.ini:2: [vm] appears twice (first at line 1)" },
  { "firmware = bios\n", "", "scenario.ini: Key file does not start with a group" },
  { "[run]\nloop-limit = 1\n", "",
    "scenario.ini:2: [run] loop-limit: '1' is not a number of hand-outs in 2..1000" },
  { "[network]\nsubnet = 10.1.0.0/31\n", "",
    "scenario.ini:2: [network] subnet: '10.1.0.0/31': '31' is not a number of prefix bits in "
    "8..30" },
  { "[network]\nsubnet = 10.1.0.0\n", "",
    "scenario.ini:2: [network] subnet: '10.1.0.0' is not A.B.C.D/PREFIX (e.g. 192.168.42.0/24)" },
  { "[require]\nfirst-dhcp =\n", "",
    "scenario.ini:2: [require] first-dhcp: expected conditions in expect syntax (!175.20 …)" },
  { "[http]\n/etc/shadow = x\n", "",
    "scenario.ini:2: [http] '/etc/shadow' is not a relative path inside the served root (no "
    "leading '/', no '..')" },
  { "[tftp]\na//b = x\n", "",
    "scenario.ini:2: [tftp] 'a//b' is not a relative path inside the served root (no leading "
    "'/', no '..')" },
};

static void
test_parse_data (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (data_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BcScenario) sc
          = bc_scenario_parse_data (data_cases[i].ini, strlen (data_cases[i].ini),
                                    data_cases[i].expect, strlen (data_cases[i].expect), &error);

      g_autofree char *shown = g_strescape (data_cases[i].ini, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, shown);
      if (data_cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (sc);
        }
      else
        {
          g_assert_null (sc);
          g_assert_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, data_cases[i].message);
        }
    }
}

static void
test_parse_data_values (void)
{
  const char *ini = "[vm]\nrom = ipxe-efi-https\nfirmware=uefi\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BcScenario) sc = bc_scenario_parse_data (ini, strlen (ini), NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sc->rom, ==, BC_ROM_IMAGE);
  g_assert_cmpstr (sc->rom_image, ==, "ipxe-efi-https");
  g_assert_cmpint (sc->firmware, ==, BC_FIRMWARE_UEFI);
  g_assert_cmpstr (bc_firmware_name (sc->firmware), ==, "uefi");
  g_assert_cmpstr (bc_nic_name (BC_NIC_E1000E), ==, "e1000e");
  g_assert_cmpstr (bc_accel_name (BC_ACCEL_TCG), ==, "tcg");
  g_assert_cmpstr (bc_on_reboot_name (BC_ON_REBOOT_DESTROY), ==, "destroy");
  g_assert_cmpstr (bc_server_kind_name (BC_SERVER_ISC_DHCPD), ==, "isc-dhcpd");
  g_assert_null (sc->dir);
  g_assert_cmpuint (sc->expect->steps->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scenario/load/good", test_load_good);
  g_test_add_func ("/scenario/load/defaults", test_load_defaults);
  g_test_add_func ("/scenario/load/bad", test_load_bad);
  g_test_add_func ("/scenario/load/missing", test_load_missing);
  g_test_add_func ("/scenario/parse-data/cases", test_parse_data);
  g_test_add_func ("/scenario/parse-data/values", test_parse_data_values);
  return g_test_run ();
}
