/* One scenario run. bc_run_prepare (in bootcheck's own process) resolves every image
 * the scenario names and decides SKIP before anything starts; bc_run_execute (PID 2 of
 * the run's namespaces) sets up the bridge, starts the capture, the server, the VM and
 * the console follower, feeds every event to the judge on one GMainLoop, stops at the
 * verdict, writes the artifacts and tears down.
 *
 * Artifacts (always, on every exit path; files that grow during the run are flushed
 * line by line): console.log, serial.raw, capture.pcap, events.jsonl, timeline.txt,
 * domain.xml, server.log, libvirt.log, qemu.log, bootcheck.tap, timing.ini. */
#pragma once

#include <glib.h>

#include "harness/core/scenario.h"

G_BEGIN_DECLS

#define BC_EXIT_PASS 0
#define BC_EXIT_FAIL 1
#define BC_EXIT_SKIP 77
#define BC_EXIT_ERROR 99

typedef struct
{
  BcScenario *sc;      /* borrowed */
  char *artifacts_dir; /* absolute; created */
  char *connect_uri;   /* NULL: the embedded driver in the run's namespace */
  BcAccel accel;       /* --accel, or the scenario's */
  guint timeout_s;     /* --timeout, or the scenario's */
  gboolean keep, verbose;
  char *cache_dir;      /* persistent: qemu capabilities, accel probe */
  char *bootserv;       /* path */
  gint64 main_start_us; /* when this run's work began (CLOCK_MONOTONIC): bootcheck's
                          start, or its spawn when it waited for a job slot */

  /* Resolved by bc_run_prepare */
  char *rom_file;   /* NULL: QEMU's default ROM for the NIC */
  char *rom_report; /* "builtin /usr/lib/ipxe/qemu/efi-virtio.rom", for TAP */
  gboolean rom_disabled, virtio_non_transitional;
  char *ovmf_code, *ovmf_vars;
  GHashTable *tftp_files, *http_files; /* path in root -> image path; NULL when none */
  char *skip_reason;                   /* set: SKIP without starting anything */
} BcRunOptions;

void bc_run_options_free (BcRunOptions *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcRunOptions, bc_run_options_free)

/* Resolves images (ROM, OVMF, [images] requires, [tftp]/[http] files). Returns FALSE
 * with an error for harness errors (unknown image name, manifest broken); a host that
 * lacks an image sets opts->skip_reason and returns TRUE. */
gboolean bc_run_prepare (BcRunOptions *opts, const char *source_root, const char *build_root,
                         GError **error);

/* Writes bootcheck.tap for a run that never started (skip or harness error) and
 * returns the exit code. */
int bc_run_write_early_result (const BcRunOptions *opts, int code, const char *reason);

/* The run, inside the namespaces. Returns the exit code (BC_EXIT_*). */
int bc_run_execute (BcRunOptions *opts);

/* expect-config-error scenarios: no VM; the server's config check is judged. */
int bc_run_config_check (BcRunOptions *opts);

G_END_DECLS
