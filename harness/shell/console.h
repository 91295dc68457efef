/* Following the VM's serial log (qemu writes it to a file): new bytes as they land
 * (inotify), ANSI/VT100 control sequences stripped, split into lines. A lone CR ends a
 * line too: firmware redraws prompts with it ("Press Ctrl-B …\r   \r"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BcConsole BcConsole;

/* Called on the default main context with each non-blank line (control characters
 * removed, trailing blanks trimmed). */
typedef void (*BcConsoleLineFunc) (const char *line, gpointer user_data);

/* Creates @path empty if needed and follows it. */
BcConsole *bc_console_follow (const char *path, BcConsoleLineFunc func, gpointer user_data,
                              GError **error);

/* Reads what is left now (call before judging the end of a run). @flush_partial: also
 * hand over a last line without its newline. */
void bc_console_drain (BcConsole *con, gboolean flush_partial);

void bc_console_free (BcConsole *con);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConsole, bc_console_free)

/* Pure helper, exposed for tests: feeds @len bytes through the stripper/splitter state
 * in @con (no file). */
void bc_console_feed (BcConsole *con, const char *data, gsize len);

/* A console with no file, for bc_console_feed in tests. */
BcConsole *bc_console_new_detached (BcConsoleLineFunc func, gpointer user_data);

G_END_DECLS
