/* bootserv's TFTP server (RFC 1350, options RFC 2347/2348/2349, windowsize RFC 7440):
 * read requests only, octet mode, root-confined (server/io/root-path.h). The shell
 * around the pure session state machine (server/proto/tftp-session.h): one UDP
 * socket on the listening port for requests, a fresh socket (new port, RFC 1350 §4)
 * per transfer, all on the thread-default GMainContext, no threads.
 *
 * Events (server/io/event-log.h, type "tftp"): "request" (client, file, options),
 * "oack" (options accepted), "complete" (bytes, ms, retransmits), "error" (error,
 * code, and bytes/ms/retransmits when a transfer had begun). */
#pragma once

#include <glib.h>

#include "server/io/event-log.h"

G_BEGIN_DECLS

typedef struct _BcTftpServer BcTftpServer;

/* Starts serving files under @root (a directory, opened once: later renames of the
 * path do not move the root) on UDP @bind_address:@port (NULL = any IPv4 address;
 * @port 0 picks a free port, see bc_tftp_server_get_port). Serves on the
 * thread-default GMainContext at the time of the call. @log is borrowed (may be
 * NULL) and must outlive the server. Returns NULL with a G_IO_ERROR on failure
 * (root not a directory, bind failed). */
BcTftpServer *bc_tftp_server_new (const char *root, const char *bind_address, guint16 port,
                                  BcEventLog *log, GError **error);
/* Stops listening and aborts transfers in progress (no packets sent). NULL is fine. */
void bc_tftp_server_free (BcTftpServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTftpServer, bc_tftp_server_free)

/* The bound UDP port (useful after @port 0). */
guint16 bc_tftp_server_get_port (BcTftpServer *server);

G_END_DECLS
