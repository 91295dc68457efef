/* See event-log.h. The shell's only writer of events: one line per object, flushed
 * so that a harness reading the file sees each decision as it happens. */
#include "server/io/event-log.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

struct _BcEventLog
{
  int fd; /* -1: no log */
};

BcEventLog *
bc_event_log_open (const char *path, GError **error)
{
  int fd;

  if (path == NULL)
    return bc_event_log_new_for_fd (-1);
  if (g_strcmp0 (path, "-") == 0)
    fd = dup (STDOUT_FILENO);
  else
    fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  return bc_event_log_new_for_fd (fd);
}

BcEventLog *
bc_event_log_new_for_fd (int fd)
{
  BcEventLog *log = g_new0 (BcEventLog, 1);
  log->fd = fd;
  return log;
}

void
bc_event_log_free (BcEventLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log);
}

JsonBuilder *
bc_event_log_begin (const char *type)
{
  JsonBuilder *b = json_builder_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *iso = g_date_time_format_iso8601 (now);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "mono_us");
  json_builder_add_int_value (b, g_get_monotonic_time ());
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, iso);
  return b;
}

gboolean
bc_event_log_enabled (BcEventLog *log)
{
  return log != NULL && log->fd >= 0;
}

void
bc_event_log_write_line (BcEventLog *log, const char *line, gsize len)
{
  gsize off = 0;

  if (!bc_event_log_enabled (log))
    return;
  /* One write per line (O_APPEND): a reader never sees half an object from us. */
  while (off < len)
    {
      ssize_t n = write (log->fd, line + off, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_debug ("event log write failed: %s", g_strerror (errno));
          return;
        }
      off += (gsize)n;
    }
}

void
bc_event_log_emit (BcEventLog *log, JsonBuilder *builder)
{
  g_autoptr (JsonBuilder) b = builder;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *line = NULL;
  gsize len;

  json_builder_end_object (b);
  if (log == NULL || log->fd < 0)
    return;
  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  len = strlen (line);
  line = g_realloc (line, len + 2);
  line[len++] = '\n';
  line[len] = '\0';
  bc_event_log_write_line (log, line, len);
}
