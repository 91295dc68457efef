/* Which accelerator runs the VM. `auto` means KVM when it really works, else TCG: on
 * some hosts /dev/kvm exists yet iPXE hangs under it at "starting execution" (kvm_pvm,
 * software virtualisation without vmx) and OVMF dies at once. A short probe boot of
 * the built-in iPXE under KVM tells; its result is cached per host (kernel, qemu). */
#pragma once

#include <glib.h>

#include "harness/core/scenario.h"

G_BEGIN_DECLS

/* Returns "kvm" or "tcg"; *ret_reason (optional) gets why, for the TAP report
 * ("kvm: the probe boot reached iPXE", "tcg: /dev/kvm is absent", …). Runs qemu
 * directly (no network: a hub with no other port). @cache_dir may be NULL. */
const char *bc_accel_choose (BcAccel requested, const char *cache_dir, char **ret_reason);

/* The qemu binary bootcheck uses for probing (qemu-system-x86_64 in PATH, or Fedora's
 * /usr/libexec/qemu-kvm), or NULL. Newly allocated. */
char *bc_accel_find_qemu (void);

G_END_DECLS
