/* The pure parts of bootcheck's shell: the console stripper/splitter, the domain XML
 * (golden files, BC_REGENERATE=1 rewrites them) and the option ROM PCI ID reader. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "harness/shell/console.h"
#include "harness/shell/vm.h"

#include "t/test-golden.h"

static void
collect_line (const char *line, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (line));
}

static GPtrArray *
feed_chunks (const char *const *chunks, gboolean flush)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BcConsole) con = bc_console_new_detached (collect_line, lines);

  for (guint i = 0; chunks[i] != NULL; i++)
    bc_console_feed (con, chunks[i], strlen (chunks[i]));
  bc_console_drain (con, flush);
  return lines;
}

static void
assert_lines (GPtrArray *got, const char *const *want)
{
  guint n = g_strv_length ((char **)want);

  for (guint i = 0; i < MIN (n, got->len); i++)
    g_assert_cmpstr (got->pdata[i], ==, want[i]);
  g_assert_cmpuint (got->len, ==, n);
}

/* SeaBIOS's first bytes and iPXE's banner, as the serial log holds them. */
static void
test_console_seabios_ipxe (void)
{
  const char *chunks[] = {
    "\x1b"
    "c\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n",
    "\x1b[0;1miPXE 1.0.0+git\x1b[0m -- Open Source Network Boot Firmware -- "
    "\x1b[0;36mhttp://ipxe.org\x1b[0m\r\n",
    NULL,
  };
  const char *want[] = {
    "SeaBIOS (version 1.16.2-debian-1.16.2-1)",
    "iPXE 1.0.0+git -- Open Source Network Boot Firmware -- http://ipxe.org",
    NULL,
  };
  g_autoptr (GPtrArray) got = feed_chunks (chunks, FALSE);

  assert_lines (got, want);
}

/* A prompt redrawn with a lone CR ends a line; blank redraws are dropped. */
static void
test_console_lone_cr (void)
{
  const char *chunks[] = { "Press Ctrl-B to configure iPXE (PCI 00:02.0)...\r        \r\n",
                           "Booting from ROM...\r\n", NULL };
  const char *want[]
      = { "Press Ctrl-B to configure iPXE (PCI 00:02.0)...", "Booting from ROM...", NULL };
  g_autoptr (GPtrArray) got = feed_chunks (chunks, FALSE);

  assert_lines (got, want);
}

/* Escape sequences and lines split across reads; a last line without its newline is
 * handed over only when flushed. */
static void
test_console_split_reads (void)
{
  const char *chunks[] = { "BOOTCHECK-", "MARK\x1b",
                           "[1;3",       "1mER\x1b]0;title\x07-OK\r",
                           "\n",         "tab\there\x1b(Bx\x08y",
                           NULL };
  const char *want_flushed[] = { "BOOTCHECK-MARKER-OK", "tab herey", NULL };
  const char *want_unflushed[] = { "BOOTCHECK-MARKER-OK", NULL };
  g_autoptr (GPtrArray) got = feed_chunks (chunks, TRUE);
  g_autoptr (GPtrArray) got2 = feed_chunks (chunks, FALSE);

  assert_lines (got, want_flushed);
  assert_lines (got2, want_unflushed);
}

/* Hostile bytes: invalid UTF-8 comes out valid, NULs and other controls vanish. */
static void
test_console_hostile (void)
{
  const char data[] = "a\0b\x01\x7f\xff\xfe"
                      "c\n";
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BcConsole) con = bc_console_new_detached (collect_line, lines);

  bc_console_feed (con, data, sizeof data - 1);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_true (g_utf8_validate (lines->pdata[0], -1, NULL));
  g_assert_true (g_str_has_prefix (lines->pdata[0], "ab"));
  g_ptr_array_unref (lines);
}

static void
check_golden (const char *name, const char *actual)
{
  bc_test_check_golden ("vm", name, actual);
}

static void
test_domain_xml_bios (void)
{
  BcVmConfig cfg = {
    .name = "bootcheck-bios",
    .domain_type = "qemu",
    .firmware = BC_FIRMWARE_BIOS,
    .nic = BC_NIC_VIRTIO,
    .memory_mib = 128,
    .on_reboot = BC_ON_REBOOT_DESTROY,
    .serial_path = "/tmp/a&b/serial.raw",
    .bridge = "br0",
    .mac = "52:54:00:b0:07:01",
  };
  g_autofree char *xml = bc_vm_domain_xml (&cfg);

  /* builtin: no <rom>, so QEMU loads its default ROM and patches its PCI IDs */
  g_assert_null (strstr (xml, "<rom"));
  check_golden ("domain-bios.xml.expected", xml);
}

static void
test_domain_xml_uefi (void)
{
  BcVmConfig cfg = {
    .name = "bootcheck-uefi",
    .domain_type = "kvm",
    .firmware = BC_FIRMWARE_UEFI,
    .nic = BC_NIC_E1000,
    .memory_mib = 256,
    .on_reboot = BC_ON_REBOOT_RESTART,
    .rom_disabled = TRUE,
    .ovmf_code = "/usr/share/OVMF/OVMF_CODE.fd",
    .ovmf_vars = "/run/bootcheck/OVMF_VARS.fd",
    .serial_path = "/art/serial.raw",
    .bridge = "br0",
    .mac = "52:54:00:b0:07:01",
  };
  g_autofree char *xml = bc_vm_domain_xml (&cfg);

  check_golden ("domain-uefi.xml.expected", xml);
  cfg.rom_disabled = FALSE;
  cfg.rom_file = "/images/undionly-fixed.rom";
  cfg.nic = BC_NIC_VIRTIO;
  cfg.virtio_non_transitional = TRUE;
  g_clear_pointer (&xml, g_free);
  xml = bc_vm_domain_xml (&cfg);
  g_assert_nonnull (strstr (xml, "<rom file='/images/undionly-fixed.rom'/>"));
  g_assert_nonnull (strstr (xml, "<model type='virtio-non-transitional'/>"));
}

static void
test_rom_pci_id (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bc-rom-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x.rom", NULL);
  guint8 rom[512] = { 0x55, 0xaa, 4 };

  /* PCIR at 0x40: vendor 1af4, device 1041 (modern virtio-net) */
  rom[0x18] = 0x40;
  memcpy (rom + 0x40, "PCIR", 4);
  rom[0x44] = 0xf4, rom[0x45] = 0x1a, rom[0x46] = 0x41, rom[0x47] = 0x10;
  g_assert_true (g_file_set_contents (path, (char *)rom, sizeof rom, NULL));
  g_assert_cmphex (bc_vm_rom_pci_device_id (path), ==, 0x1041);
  /* PCIR pointer past the end, no signature, too short: not a ROM */
  rom[0x18] = 0xff, rom[0x19] = 0xff;
  g_assert_true (g_file_set_contents (path, (char *)rom, sizeof rom, NULL));
  g_assert_cmphex (bc_vm_rom_pci_device_id (path), ==, 0);
  rom[0] = 0;
  g_assert_true (g_file_set_contents (path, (char *)rom, sizeof rom, NULL));
  g_assert_cmphex (bc_vm_rom_pci_device_id (path), ==, 0);
  g_assert_true (g_file_set_contents (path, "\x55\xaa", 2, NULL));
  g_assert_cmphex (bc_vm_rom_pci_device_id (path), ==, 0);
  g_assert_cmphex (bc_vm_rom_pci_device_id ("/nonexistent/rom"), ==, 0);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/console/seabios-ipxe", test_console_seabios_ipxe);
  g_test_add_func ("/console/lone-cr", test_console_lone_cr);
  g_test_add_func ("/console/split-reads", test_console_split_reads);
  g_test_add_func ("/console/hostile", test_console_hostile);
  g_test_add_func ("/vm/domain-xml/bios", test_domain_xml_bios);
  g_test_add_func ("/vm/domain-xml/uefi", test_domain_xml_uefi);
  g_test_add_func ("/vm/rom-pci-id", test_rom_pci_id);
  return g_test_run ();
}
