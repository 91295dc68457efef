/* The boot server of a run, started inside the namespace: bootserv (its JSON-lines
 * events read from a pipe as they come), or ISC dhcpd on the same dhcpd.conf with
 * bootserv serving only TFTP/HTTP (`--no-dhcp`), for comparison. */
#pragma once

#include <glib.h>

#include "harness/core/scenario.h"
#include "harness/core/timeline.h"

G_BEGIN_DECLS

typedef struct _BcServerProc BcServerProc;

typedef void (*BcServerEventFunc) (BcEvent *ev, gpointer user_data); /* ev owned by callee */
/* A server process exited before it was stopped: @what ("bootserv exited with status 1"). */
typedef void (*BcServerExitFunc) (const char *what, gpointer user_data);

typedef struct
{
  BcServerKind kind;
  const char *bootserv; /* path of the bootserv binary */
  const char *dhcpd_conf;
  const char *iface;
  const char *subnet, *netmask; /* dotted, for bootserv's TFTP/HTTP-only config */
  const char *tftp_root;        /* may be NULL */
  const char *http_root;        /* may be NULL */
  guint16 http_port;
  gboolean router_advertisements;
  const char *state_dir; /* leases, pid files */
  const char *log_path;  /* servers' stderr */
} BcServerConfig;

/* Where bootserv is: $BOOTCHECK_BOOTSERV, next to this executable, the build tree's
 * server/io/bootserv relative to it, then PATH. NULL when not found. */
char *bc_server_find_bootserv (void);

BcServerProc *bc_server_start (const BcServerConfig *cfg, BcServerEventFunc on_event,
                               BcServerExitFunc on_exit, gpointer user_data, GError **error);
/* Sets the timeline's zero for event times (CLOCK_MONOTONIC µs). */
void bc_server_set_t0 (BcServerProc *srv, gint64 t0_mono_us);
/* Reads what the server has written so far (pipe) without blocking. */
void bc_server_drain (BcServerProc *srv);
/* --keep: this process is about to exit but the server must live on. Forks a child
 * that keeps reading the server's events (so it never writes into a closed pipe) and
 * appends them to @path. */
void bc_server_hand_over_events (BcServerProc *srv, const char *path);
/* SIGTERM, then forget (the namespace's end kills what is left). */
void bc_server_stop (BcServerProc *srv);
void bc_server_free (BcServerProc *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcServerProc, bc_server_free)

/* `bootserv --check` or `dhcpd -t` on the config: output (stdout+stderr) and whether
 * it refused it. */
gboolean bc_server_check_config (const BcServerConfig *cfg, char **ret_output,
                                 gboolean *ret_refused, GError **error);

/* A one-line summary of a bootserv JSON event for the timeline. Pure. */
char *bc_server_event_summary (JsonNode *node);

G_END_DECLS
