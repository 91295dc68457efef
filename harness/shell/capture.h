/* libpcap on the run's bridge: every frame written to capture.pcap and flushed at
 * once (Wireshark can open it mid-run, and a killed run leaves a valid file), and
 * handed to the pure decoder (harness/core/capture-decode.h) for timeline events. */
#pragma once

#include <glib.h>

#include "harness/core/timeline.h"

G_BEGIN_DECLS

typedef struct _BcCapture BcCapture;

/* Called on the default main context with each decoded event (owned by the callee). */
typedef void (*BcCaptureEventFunc) (BcEvent *ev, gpointer user_data);

/* Opens @iface in immediate mode. @t0_us: CLOCK_MONOTONIC (g_get_monotonic_time) of the
 * timeline's zero; may be set later with bc_capture_set_t0. */
BcCapture *bc_capture_start (const char *iface, const char *pcap_path, guint16 http_port,
                             BcCaptureEventFunc func, gpointer user_data, GError **error);
void bc_capture_set_t0 (BcCapture *cap, gint64 t0_mono_us);

/* Reads what the kernel has buffered now. */
void bc_capture_drain (BcCapture *cap);

guint64 bc_capture_get_frames (BcCapture *cap);

void bc_capture_free (BcCapture *cap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcCapture, bc_capture_free)

G_END_DECLS
