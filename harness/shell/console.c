/* Serial console follower: see console.h. */
#include "harness/shell/console.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <sys/inotify.h>
#include <unistd.h>

typedef enum
{
  ST_TEXT,
  ST_ESC,     /* after ESC */
  ST_CSI,     /* ESC [ ... final byte 0x40-0x7e */
  ST_OSC,     /* ESC ] ... BEL or ESC \ */
  ST_CHARSET, /* ESC ( X, ESC ) X: one more byte */
} StripState;

struct _BcConsole
{
  int fd;  /* the log file, or -1 */
  int ino; /* inotify fd, or -1 */
  guint source;
  BcConsoleLineFunc func;
  gpointer user_data;
  StripState state;
  GString *line;
};

static void
emit_line (BcConsole *con)
{
  gsize n = con->line->len;

  while (n > 0 && g_ascii_isspace (con->line->str[n - 1]))
    n--;
  g_string_truncate (con->line, n);
  if (n > 0)
    {
      /* Serial text is usually ASCII; make sure the timeline gets valid UTF-8. */
      g_autofree char *valid = g_utf8_make_valid (con->line->str, con->line->len);

      con->func (valid, con->user_data);
    }
  g_string_truncate (con->line, 0);
}

void
bc_console_feed (BcConsole *con, const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = (guint8)data[i];

      switch (con->state)
        {
          case ST_TEXT:
            if (c == 0x1b)
              con->state = ST_ESC;
            else if (c == '\n' || c == '\r')
              emit_line (con);
            else if (c == '\t')
              g_string_append_c (con->line, ' ');
            else if (c == '\b')
              {
                if (con->line->len > 0)
                  g_string_truncate (con->line, con->line->len - 1);
              }
            else if (c >= 0x20 && c != 0x7f)
              g_string_append_c (con->line, (char)c);
            /* other C0 controls (BEL, SI/SO, NUL) are dropped */
            break;
          case ST_ESC:
            if (c == '[')
              con->state = ST_CSI;
            else if (c == ']')
              con->state = ST_OSC;
            else if (c == '(' || c == ')' || c == '#' || c == '%')
              con->state = ST_CHARSET;
            else
              con->state = ST_TEXT; /* ESC c (reset), ESC 7, ESC = … */
            break;
          case ST_CSI:
            if (c >= 0x40 && c <= 0x7e)
              con->state = ST_TEXT;
            break;
          case ST_OSC:
            if (c == 0x07)
              con->state = ST_TEXT;
            else if (c == 0x1b)
              con->state = ST_ESC; /* ESC \ ends it; ESC then '\' lands in ST_TEXT */
            break;
          case ST_CHARSET:
            con->state = ST_TEXT;
            break;
        }
    }
}

static void
read_available (BcConsole *con)
{
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (con->fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      bc_console_feed (con, buf, (gsize)n);
    }
}

static gboolean
on_inotify (gint fd, GIOCondition cond, gpointer user_data)
{
  BcConsole *con = user_data;
  char buf[4096];

  /* The events themselves do not matter: any change means read what is new. */
  while (read (fd, buf, sizeof buf) > 0)
    ;
  read_available (con);
  return G_SOURCE_CONTINUE;
}

BcConsole *
bc_console_new_detached (BcConsoleLineFunc func, gpointer user_data)
{
  BcConsole *con = g_new0 (BcConsole, 1);

  con->fd = -1;
  con->ino = -1;
  con->func = func;
  con->user_data = user_data;
  con->line = g_string_new (NULL);
  return con;
}

BcConsole *
bc_console_follow (const char *path, BcConsoleLineFunc func, gpointer user_data, GError **error)
{
  g_autoptr (BcConsole) con = bc_console_new_detached (func, user_data);

  con->fd = open (path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
  if (con->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  con->ino = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (con->ino < 0 || inotify_add_watch (con->ino, path, IN_MODIFY) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "inotify on %s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  con->source = g_unix_fd_add (con->ino, G_IO_IN, on_inotify, con);
  return g_steal_pointer (&con);
}

void
bc_console_drain (BcConsole *con, gboolean flush_partial)
{
  if (con->fd >= 0)
    read_available (con);
  if (flush_partial && con->line->len > 0)
    emit_line (con);
}

void
bc_console_free (BcConsole *con)
{
  if (con == NULL)
    return;
  if (con->source != 0)
    g_source_remove (con->source);
  if (con->ino >= 0)
    close (con->ino);
  if (con->fd >= 0)
    close (con->fd);
  g_string_free (con->line, TRUE);
  g_free (con);
}
