/* TAP 14 output of a verdict (https://testanything.org/tap-version-14-specification.html).
 * Pure: returns text; the shell writes it to stdout and artifacts/.
 *
 *   TAP version 14
 *   1..9
 *   ok 1 - console /iPXE .* Open Source/ # t=1.23s
 *   not ok 2 - offer file=undionly.kpxe
 *     ---
 *     message: "not seen before timeout after 120 s"
 *     line: 2
 *     console: [ …last lines… ]
 *     dhcp: [ …one decoded packet per line… ]
 *     server: [ …bootserv reasons… ]
 *     ...
 *   ok 3 - never tftp ipxe.efi
 *   ok 9 - verdict pass: all 8 steps matched in 7.52 s
 *   # accel: tcg (kvm hangs iPXE here) rom: /usr/lib/ipxe/qemu/pxe-virtio.rom …
 * A SKIP verdict marks every step `# SKIP scenario skipped` and the verdict point
 * `# SKIP reason`. The last point is the verdict. */
#pragma once

#include <glib.h>

#include "harness/core/verdict.h"

G_BEGIN_DECLS

typedef struct
{
  const char *scenario; /* name, for the header comment; may be NULL */
  const char *accel;    /* "tcg", "kvm", or with the reason: "tcg (kvm probe hung)"; may be NULL */
  const char *rom;      /* which ROM booted: path, version, features; may be NULL */
  const char *extra;    /* more "# …" comment lines (newline separated); may be NULL */
} BcTapInfo;

/* The whole TAP document for @verdict (which must be final). Newly allocated. */
char *bc_tap_format (const BcVerdict *verdict, const BcTapInfo *info);

/* A string as a YAML double-quoted scalar (for the diagnostics block). */
char *bc_tap_yaml_quote (const char *s);

G_END_DECLS
