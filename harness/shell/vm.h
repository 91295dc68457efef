/* The VM: a libvirt domain on the embedded QEMU driver (qemu:///embed?root=DIR) inside
 * the run's namespaces. Domain XML from the scenario; lifecycle events on the default
 * GMainContext (libvirt's default event implementation is GLib's); explicit destroy,
 * since the embedded driver refuses VIR_DOMAIN_START_AUTODESTROY. */
#pragma once

#include <glib.h>

#include "harness/core/scenario.h"

G_BEGIN_DECLS

#define BC_VM_ERROR (bc_vm_error_quark ())
GQuark bc_vm_error_quark (void);

typedef enum
{
  BC_VM_ERROR_FAILED,
  BC_VM_ERROR_UNSUPPORTED, /* libvirt's QEMU driver is not installed: skip */
} BcVmError;

typedef struct
{
  const char *name;        /* domain name */
  const char *domain_type; /* "qemu" (TCG) or "kvm" */
  BcFirmware firmware;
  BcNic nic;
  guint memory_mib;
  BcOnReboot on_reboot;
  /* The NIC's option ROM: NULL and !rom_disabled = QEMU's own default for the NIC (the
   * distro's built-in iPXE, whose PCI IDs QEMU patches to match the device). */
  const char *rom_file;
  gboolean rom_disabled;             /* <rom enabled='no'/>: EDK2's own PXE on UEFI */
  gboolean virtio_non_transitional;  /* virtio device ID 1041 (a ROM built for it) */
  const char *ovmf_code, *ovmf_vars; /* UEFI: code (read-only), the run's VARS copy */
  const char *serial_path;           /* serial port 0 goes to this file */
  const char *bridge;
  const char *mac;
} BcVmConfig;

/* The domain XML for @cfg. Pure. Newly allocated. */
char *bc_vm_domain_xml (const BcVmConfig *cfg);

/* The NIC model word libvirt uses for @nic. */
const char *bc_vm_nic_model (BcNic nic, gboolean non_transitional);

/* The PCI device ID in an option ROM image's first PCIR header, or 0 when the file is
 * not a PCI option ROM. */
guint16 bc_vm_rom_pci_device_id (const char *path);

typedef struct _BcVm BcVm;

/* "started", "rebooted", "stopped", "crashed"; called on the default main context. */
typedef void (*BcVmEventFunc) (const char *word, const char *detail, gpointer user_data);

/* Prepares @root (embedded driver root: qemu.conf for running inside our namespaces,
 * the persistent capabilities cache from @caps_cache_dir copied in) and connects.
 * @uri: NULL for qemu:///embed?root=@root. */
BcVm *bc_vm_connect (const char *uri, const char *root, const char *caps_cache_dir, GError **error);
const char *bc_vm_get_uri (BcVm *vm);

/* Creates and starts the domain; @func gets its lifecycle events. */
gboolean bc_vm_start (BcVm *vm, const char *xml, BcVmEventFunc func, gpointer user_data,
                      GError **error);

/* Copies capability files the driver probed back into the persistent cache (only
 * new ones: probing costs ~4 s on every fresh root). */
void bc_vm_save_caps_cache (BcVm *vm);

/* Destroys the domain if it runs (idempotent). */
void bc_vm_destroy (BcVm *vm);

/* Closes the connection without destroying the domain (--keep). */
void bc_vm_disconnect (BcVm *vm);

/* Destroys the domain and closes the connection. */
void bc_vm_free (BcVm *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcVm, bc_vm_free)

G_END_DECLS
