/* A scenario folder, parsed: scenario.ini + expect (+ where dhcpd.conf, tftp/, http/
 * and README are). Pure apart from bc_scenario_load reading the folder's files; no
 * images are resolved here (that needs the host: the shell does it with images/).
 *
 * scenario.ini (GKeyFile syntax; unknown groups and keys are errors; defaults shown):
 *   [vm]      firmware = bios|uefi (bios)
 *             nic = virtio|e1000|e1000e|rtl8139 (virtio)
 *             rom = builtin|none|IMAGE-NAME (builtin; none = no option ROM, EDK2's own
 *                   PXE: only with firmware = uefi)
 *             memory = MiB (256, 32..65536)
 *             on-reboot = restart|destroy (restart)
 *             accel = auto|kvm|tcg (auto)
 *   [run]     timeout = seconds (120, 1..86400)   loop-limit = N (3, 2..1000)
 *   [server]  kind = bootserv|isc-dhcpd (bootserv)
 *             router-advertisements = true|false (true)
 *             expect-config-error = true|false (false; true: no VM is booted, the
 *               server's --check output is matched by `config-error` steps)
 *   [network] subnet = A.B.C.D/P (192.168.42.0/24; the bridge takes the first host
 *             address, .1; P in 8..30)
 *   [images]  requires = NAME;NAME… (logical image names that must resolve, else SKIP)
 *   [require] first-dhcp = CONDS in expect syntax (the first DHCP request from the VM
 *             must meet them, else SKIP with the reason)
 *   [tftp], [http]  PATH-IN-ROOT = IMAGE-NAME (files materialised into the served roots
 *             from logical images; PATH relative, no "..")
 *
 * Errors: BC_SCENARIO_ERROR_INVALID, whose message lists every problem found, each as
 *   scenario.ini:4: [vm] nic: 'virtio-net' is not one of virtio, e1000, e1000e, rtl8139
 * followed by the expect file's errors (expect.h), so a scenario is refused before
 * anything starts. */
#pragma once

#include <glib.h>

#include "harness/core/expect.h"

G_BEGIN_DECLS

#define BC_SCENARIO_ERROR (bc_scenario_error_quark ())
GQuark bc_scenario_error_quark (void);

typedef enum
{
  BC_SCENARIO_ERROR_NOT_FOUND, /* no such folder, or scenario.ini/expect/dhcpd.conf missing */
  BC_SCENARIO_ERROR_INVALID,   /* the message lists every problem */
} BcScenarioError;

typedef enum
{
  BC_FIRMWARE_BIOS,
  BC_FIRMWARE_UEFI,
} BcFirmware;

typedef enum
{
  BC_NIC_VIRTIO,
  BC_NIC_E1000,
  BC_NIC_E1000E,
  BC_NIC_RTL8139,
} BcNic;

typedef enum
{
  BC_ROM_BUILTIN, /* the distro's ROM for the NIC (ipxe-qemu) */
  BC_ROM_NONE,    /* no option ROM: OVMF's own PXE */
  BC_ROM_IMAGE,   /* rom_image names a logical image */
} BcRomKind;

typedef enum
{
  BC_ON_REBOOT_RESTART,
  BC_ON_REBOOT_DESTROY,
} BcOnReboot;

typedef enum
{
  BC_ACCEL_AUTO,
  BC_ACCEL_KVM,
  BC_ACCEL_TCG,
} BcAccel;

typedef enum
{
  BC_SERVER_BOOTSERV,
  BC_SERVER_ISC_DHCPD,
} BcServerKind;

/* One [tftp]/[http] entry. */
typedef struct
{
  char *path;  /* relative to the served root: "undionly.kpxe", "efi/ipxe.efi" */
  char *image; /* logical image name */
} BcScenarioFile;

typedef struct
{
  char *dir;  /* the folder as given (NULL when parsed from data) */
  char *name; /* its basename ("seed000-https-split"), or "scenario" */

  /* [vm] */
  BcFirmware firmware;
  BcNic nic;
  BcRomKind rom;
  char *rom_image; /* BC_ROM_IMAGE */
  guint memory_mib;
  BcOnReboot on_reboot;
  BcAccel accel;

  /* [run] */
  guint timeout_s;
  guint loop_limit;

  /* [server] */
  BcServerKind server_kind;
  gboolean router_advertisements;
  gboolean expect_config_error;

  /* [network]: addresses in network order */
  char *subnet; /* as written, "192.168.42.0/24" */
  guint32 subnet_addr, netmask, bridge_addr;
  guint prefix_len;

  /* [images] requires */
  GStrv required_images; /* never NULL */

  /* [require] first-dhcp: BcExpectCond*, empty when absent */
  GPtrArray *require_first_dhcp;
  char *require_first_dhcp_text; /* as written, NULL when absent */

  /* [tftp], [http]: BcScenarioFile*, never NULL */
  GPtrArray *tftp_files, *http_files;

  /* Paths in the folder (NULL when absent or parsed from data). dhcpd.conf is
   * required by bc_scenario_load; tftp/, http/ and README are optional. */
  char *dhcpd_conf_path, *tftp_root, *http_root, *readme_path;

  BcExpect *expect; /* never NULL */
} BcScenario;

/* Load and check a whole scenario folder: scenario.ini (optional: all defaults when
 * absent), expect (required), dhcpd.conf (required). Every problem found is listed in
 * one BC_SCENARIO_ERROR_INVALID. Owned by the caller. */
BcScenario *bc_scenario_load (const char *dir, GError **error);

/* The same checks on in-memory text (tests, fuzzing); no files are looked at and the
 * path fields stay NULL. @expect may be NULL (no steps). */
BcScenario *bc_scenario_parse_data (const char *ini, gsize ini_len, const char *expect,
                                    gsize expect_len, GError **error);

void bc_scenario_free (BcScenario *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcScenario, bc_scenario_free)

/* The words used in scenario.ini: "bios", "virtio", "e1000e", "destroy", "tcg", … */
const char *bc_firmware_name (BcFirmware fw);
const char *bc_nic_name (BcNic nic);
const char *bc_on_reboot_name (BcOnReboot r);
const char *bc_accel_name (BcAccel accel);
const char *bc_server_kind_name (BcServerKind kind);

G_END_DECLS
