/* TAP 14 output: see tap.h. */
#include "harness/core/tap.h"

#include <string.h>

char *
bc_tap_yaml_quote (const char *s)
{
  GString *q = g_string_new ("\"");

  for (const char *p = s ? s : ""; *p; p++)
    {
      guchar c = *p;
      switch (c)
        {
          case '"':
            g_string_append (q, "\\\"");
            break;
          case '\\':
            g_string_append (q, "\\\\");
            break;
          case '\n':
            g_string_append (q, "\\n");
            break;
          case '\t':
            g_string_append (q, "\\t");
            break;
          case '\r':
            g_string_append (q, "\\r");
            break;
          default:
            if (c < 0x20 || c == 0x7f)
              g_string_append_printf (q, "\\x%02x", c);
            else
              g_string_append_c (q, c);
        }
    }
  g_string_append_c (q, '"');
  return g_string_free (q, FALSE);
}

/* A TAP description may not contain '#' (it starts a directive) nor a newline. */
static char *
description (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '#')
        g_string_append (s, "\\#");
      else if (*p == '\n' || *p == '\r')
        g_string_append_c (s, ' ');
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static void
yaml_list (GString *out, const char *key, GPtrArray *items)
{
  if (items == NULL || items->len == 0)
    return;
  g_string_append_printf (out, "  %s:\n", key);
  for (guint i = 0; i < items->len; i++)
    {
      g_autofree char *q = bc_tap_yaml_quote (items->pdata[i]);
      g_string_append_printf (out, "    - %s\n", q);
    }
}

static void
yaml_scalar (GString *out, const char *key, const char *value)
{
  g_autofree char *q = NULL;

  if (value == NULL)
    return;
  q = bc_tap_yaml_quote (value);
  g_string_append_printf (out, "  %s: %s\n", key, q);
}

static void
yaml_lines (GString *out, const char *key, const char *multiline)
{
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) a = g_ptr_array_new ();

  if (multiline == NULL)
    return;
  lines = g_strsplit (multiline, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_ptr_array_add (a, lines[i]);
  yaml_list (out, key, a);
}

char *
bc_tap_format (const BcVerdict *v, const BcTapInfo *info)
{
  GString *out = g_string_new ("TAP version 14\n");
  guint n = v->steps->len;
  guint point = 0;

  if (info != NULL && info->scenario != NULL)
    g_string_append_printf (out, "# scenario: %s\n", info->scenario);
  g_string_append_printf (out, "1..%u\n", n + 1);

  for (guint i = 0; i < n; i++)
    {
      const BcStepResult *r = v->steps->pdata[i];
      g_autofree char *desc = description (r->step->text);

      point++;
      switch (r->state)
        {
          case BC_STEP_PASSED:
            if (r->t_us != G_MININT64)
              g_string_append_printf (out, "ok %u - %s # t=%.2fs\n", point, desc,
                                      (double)r->t_us / G_USEC_PER_SEC);
            else
              g_string_append_printf (out, "ok %u - %s\n", point, desc);
            break;
          case BC_STEP_SKIPPED:
            /* the reason is long (what the host lacks, how to get it): said once, on
             * the verdict point */
            g_string_append_printf (out, "ok %u - %s # SKIP scenario skipped\n", point, desc);
            break;
          case BC_STEP_PENDING:
          case BC_STEP_FAILED:
          default:
            g_string_append_printf (out, "not ok %u - %s\n", point, desc);
            g_string_append (out, "  ---\n");
            yaml_scalar (out, "message", r->message ? r->message : "verdict not final");
            g_string_append_printf (out, "  line: %u\n", r->step->line);
            if (r->t_us != G_MININT64)
              g_string_append_printf (out, "  at: %.2f\n", (double)r->t_us / G_USEC_PER_SEC);
            yaml_list (out, "console", r->console_tail);
            yaml_list (out, "dhcp", r->dhcp_lines);
            yaml_list (out, "server", r->server_reasons);
            g_string_append (out, "  ...\n");
            break;
        }
    }

  point++;
  {
    g_autofree char *sum = description (v->summary);
    const char *kind = bc_verdict_kind_name (v->kind);

    switch (v->kind)
      {
        case BC_VERDICT_PASS:
          g_string_append_printf (out, "ok %u - verdict %s: %s\n", point, kind, sum);
          break;
        case BC_VERDICT_SKIP:
          {
            g_autofree char *why = description (v->skip_reason);
            g_string_append_printf (out, "ok %u - verdict %s # SKIP %s\n", point, kind, why);
          }
          break;
        default:
          g_string_append_printf (out, "not ok %u - verdict %s: %s\n", point, kind, sum);
          if (v->loop != NULL)
            {
              g_autofree char *count = g_strdup_printf ("%u", v->loop->count);
              g_string_append (out, "  ---\n");
              yaml_scalar (out, "loop-file", v->loop->file);
              yaml_scalar (out, "client", v->loop->chaddr);
              g_string_append_printf (out, "  count: %u\n", v->loop->count);
              yaml_scalar (out, "fingerprint", v->loop->fingerprint_text);
              yaml_lines (out, "server-reason", v->loop->server_reason);
              g_string_append (out, "  ...\n");
            }
          break;
      }
  }
  if (info != NULL)
    {
      if (info->accel != NULL)
        g_string_append_printf (out, "# accel: %s\n", info->accel);
      if (info->rom != NULL)
        g_string_append_printf (out, "# rom: %s\n", info->rom);
      if (info->extra != NULL)
        {
          g_auto (GStrv) lines = g_strsplit (info->extra, "\n", -1);
          for (guint i = 0; lines[i] != NULL; i++)
            if (lines[i][0] != '\0')
              g_string_append_printf (out, "# %s\n", lines[i]);
        }
    }
  if (v->end_us != G_MININT64)
    g_string_append_printf (out, "# verdict %s at t=%.2fs\n", bc_verdict_kind_name (v->kind),
                            (double)v->end_us / G_USEC_PER_SEC);
  return g_string_free (out, FALSE);
}
