/* bootserv's HTTP/1.1 server (request heads parsed by libsoup-3, connections our
 * own; see http-server.c for why not SoupServer): GET and HEAD of regular files
 * under a root, single-range Range requests (206/416), keep-alive, no directory
 * listings, root-confined as TFTP (server/io/root-path.h). Files are streamed from
 * disk (sendfile), never read whole into memory. Pipelined requests are answered
 * in order; idle connections are closed after 60 s.
 *
 * Events (server/io/event-log.h, type "http"): one per request when it is finished:
 * method, path, status, bytes (body bytes sent), ms, client ("ip:port"), user_agent
 * (iPXE puts its version there). */
#pragma once

#include <glib.h>

#include "server/io/event-log.h"

G_BEGIN_DECLS

typedef struct _BcHttpServer BcHttpServer;

/* Starts serving files under @root on TCP @bind_address:@port (NULL = any IPv4
 * address; @port 0 picks a free port, see bc_http_server_get_port): one listener
 * on the thread-default GMainContext at the time of the call, plus one more per
 * further CPU (at most 3), each on its own thread and GMainContext, all on the same
 * port (SO_REUSEPORT). Events are written from those threads too (one write() per
 * line). @log is borrowed (may be NULL) and must outlive the server. Returns NULL
 * with a G_IO_ERROR on failure. */
BcHttpServer *bc_http_server_new (const char *root, const char *bind_address, guint16 port,
                                  BcEventLog *log, GError **error);
/* Stops listening, joins the worker threads, drops open connections. NULL is fine. */
void bc_http_server_free (BcHttpServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcHttpServer, bc_http_server_free)

/* The bound TCP port (useful after @port 0). */
guint16 bc_http_server_get_port (BcHttpServer *server);

G_END_DECLS
