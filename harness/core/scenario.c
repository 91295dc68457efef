/* Scenario folders: see scenario.h. */
#include "harness/core/scenario.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

G_DEFINE_QUARK (bc_scenario_error_quark, bc_scenario_error)

/* ---- names ------------------------------------------------------------------------- */

static const char *const firmware_names[] = { "bios", "uefi", NULL };
static const char *const nic_names[] = { "virtio", "e1000", "e1000e", "rtl8139", NULL };
static const char *const on_reboot_names[] = { "restart", "destroy", NULL };
static const char *const accel_names[] = { "auto", "kvm", "tcg", NULL };
static const char *const server_kind_names[] = { "bootserv", "isc-dhcpd", NULL };

const char *
bc_firmware_name (BcFirmware fw)
{
  return fw <= BC_FIRMWARE_UEFI ? firmware_names[fw] : "?";
}

const char *
bc_nic_name (BcNic nic)
{
  return nic <= BC_NIC_RTL8139 ? nic_names[nic] : "?";
}

const char *
bc_on_reboot_name (BcOnReboot r)
{
  return r <= BC_ON_REBOOT_DESTROY ? on_reboot_names[r] : "?";
}

const char *
bc_accel_name (BcAccel accel)
{
  return accel <= BC_ACCEL_TCG ? accel_names[accel] : "?";
}

const char *
bc_server_kind_name (BcServerKind kind)
{
  return kind <= BC_SERVER_ISC_DHCPD ? server_kind_names[kind] : "?";
}

/* ---- value parsers ----------------------------------------------------------------- */

/* Each returns FALSE and sets *ret_problem ("'x' is not one of …") on a bad value. */
typedef gboolean (*ValueParser) (BcScenario *sc, const char *value, char **ret_problem);

static gboolean
parse_enum (const char *value, const char *const *names, guint *ret, char **ret_problem)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (value, names[i]))
      {
        *ret = i;
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **)names);
    *ret_problem = g_strdup_printf ("'%s' is not one of %s", value, list);
  }
  return FALSE;
}

static gboolean
parse_number (const char *value, guint min, guint max, const char *unit, guint *ret,
              char **ret_problem)
{
  char *end = NULL;
  guint64 v;

  errno = 0;
  v = g_ascii_strtoull (value, &end, 10);
  if (!g_ascii_isdigit (value[0]) || errno != 0 || *end != '\0' || v < min || v > max)
    {
      *ret_problem
          = g_strdup_printf ("'%s' is not a number of %s in %u..%u", value, unit, min, max);
      return FALSE;
    }
  *ret = v;
  return TRUE;
}

static gboolean
parse_bool (const char *value, gboolean *ret, char **ret_problem)
{
  if (g_str_equal (value, "true") || g_str_equal (value, "yes") || g_str_equal (value, "1"))
    *ret = TRUE;
  else if (g_str_equal (value, "false") || g_str_equal (value, "no") || g_str_equal (value, "0"))
    *ret = FALSE;
  else
    {
      *ret_problem = g_strdup_printf ("'%s' is not true or false", value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
p_rom (BcScenario *sc, const char *v, char **p)
{
  g_clear_pointer (&sc->rom_image, g_free);
  if (g_str_equal (v, "builtin"))
    sc->rom = BC_ROM_BUILTIN;
  else if (g_str_equal (v, "none"))
    sc->rom = BC_ROM_NONE;
  else if (*v == '\0')
    {
      *p = g_strdup ("expected builtin, none or an image name");
      return FALSE;
    }
  else
    {
      sc->rom = BC_ROM_IMAGE;
      sc->rom_image = g_strdup (v);
    }
  return TRUE;
}

static gboolean
p_memory (BcScenario *sc, const char *v, char **p)
{
  return parse_number (v, 32, 65536, "MiB", &sc->memory_mib, p);
}

static gboolean
p_timeout (BcScenario *sc, const char *v, char **p)
{
  return parse_number (v, 1, 86400, "seconds", &sc->timeout_s, p);
}

static gboolean
p_loop_limit (BcScenario *sc, const char *v, char **p)
{
  return parse_number (v, 2, 1000, "hand-outs", &sc->loop_limit, p);
}

static gboolean
p_ra (BcScenario *sc, const char *v, char **p)
{
  return parse_bool (v, &sc->router_advertisements, p);
}

static gboolean
p_config_error (BcScenario *sc, const char *v, char **p)
{
  return parse_bool (v, &sc->expect_config_error, p);
}

static gboolean
set_subnet (BcScenario *sc, const char *v, char **p)
{
  const char *slash = strchr (v, '/');
  g_autofree char *addr = slash ? g_strndup (v, slash - v) : NULL;
  struct in_addr in;
  guint prefix = 0;
  guint32 mask, host;
  g_autofree char *sub = NULL;

  if (addr == NULL || inet_pton (AF_INET, addr, &in) != 1)
    {
      *p = g_strdup_printf ("'%s' is not A.B.C.D/PREFIX (e.g. 192.168.42.0/24)", v);
      return FALSE;
    }
  if (!parse_number (slash + 1, 8, 30, "prefix bits", &prefix, &sub))
    {
      *p = g_strdup_printf ("'%s': %s", v, sub);
      return FALSE;
    }
  mask = prefix == 0 ? 0 : G_MAXUINT32 << (32 - prefix);
  host = g_ntohl (in.s_addr);
  if ((host & ~mask) != 0)
    {
      struct in_addr net = { .s_addr = g_htonl (host & mask) };
      char buf[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &net, buf, sizeof buf);
      *p = g_strdup_printf ("'%s' has host bits set (did you mean %s/%u?)", v, buf, prefix);
      return FALSE;
    }
  g_free (sc->subnet);
  sc->subnet = g_strdup (v);
  sc->subnet_addr = in.s_addr;
  sc->prefix_len = prefix;
  sc->netmask = g_htonl (mask);
  sc->bridge_addr = g_htonl (host + 1);
  return TRUE;
}

static gboolean
p_requires (BcScenario *sc, const char *v, char **p)
{
  g_autoptr (GRegex) re = g_regex_new ("[\\s;,]+", G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL);
  g_auto (GStrv) parts = g_regex_split (re, v, G_REGEX_MATCH_DEFAULT);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (b, parts[i]);
  g_strfreev (sc->required_images);
  sc->required_images = g_strv_builder_end (b);
  return TRUE;
}

/* A key is read by its parser, or (parse NULL, names set) as one of @names stored
 * as its index in the enum field at @offset. */
typedef struct
{
  const char *group, *key;
  ValueParser parse;
  const char *const *names;
  gsize offset;
} KeyDef;

#define ENUM_KEY(g, k, n, field)                                                                   \
  {                                                                                                \
    .group = g, .key = k, .names = n, .offset = G_STRUCT_OFFSET (BcScenario, field)                \
  }
G_STATIC_ASSERT (sizeof (BcFirmware) == sizeof (guint) && sizeof (BcNic) == sizeof (guint)
                 && sizeof (BcOnReboot) == sizeof (guint) && sizeof (BcAccel) == sizeof (guint)
                 && sizeof (BcServerKind) == sizeof (guint));

/* The one table of scenario.ini keys ([require], [tftp] and [http] are handled apart:
 * the first needs a line number for its own errors, the others have free keys). */
static const KeyDef key_table[] = {
  ENUM_KEY ("vm", "firmware", firmware_names, firmware),
  ENUM_KEY ("vm", "nic", nic_names, nic),
  { .group = "vm", .key = "rom", .parse = p_rom },
  { .group = "vm", .key = "memory", .parse = p_memory },
  ENUM_KEY ("vm", "on-reboot", on_reboot_names, on_reboot),
  ENUM_KEY ("vm", "accel", accel_names, accel),
  { .group = "run", .key = "timeout", .parse = p_timeout },
  { .group = "run", .key = "loop-limit", .parse = p_loop_limit },
  ENUM_KEY ("server", "kind", server_kind_names, server_kind),
  { .group = "server", .key = "router-advertisements", .parse = p_ra },
  { .group = "server", .key = "expect-config-error", .parse = p_config_error },
  { .group = "network", .key = "subnet", .parse = set_subnet },
  { .group = "images", .key = "requires", .parse = p_requires },
  { .group = "require", .key = "first-dhcp", .parse = NULL },
};

static const char *const group_names[]
    = { "vm", "run", "server", "network", "images", "require", "tftp", "http", NULL };

/* ---- line numbers -----------------------------------------------------------------
 * GKeyFile keeps no positions; a light scan of the same text finds where each group
 * and key is, and catches what GKeyFile silently merges (a key given twice). */

typedef struct
{
  guint line;
  guint value_col; /* 1-based column where the value starts */
} Pos;

static char *
pos_key (const char *group, const char *key)
{
  return g_strconcat (group, "\x1f", key, NULL);
}

static GHashTable *
scan_positions (const char *text, const char *filename, GPtrArray *problems)
{
  GHashTable *pos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      const char *eq;
      Pos *p;

      while (*l == ' ' || *l == '\t')
        l++;
      if (*l == '\0' || *l == '#' || *l == ';')
        continue;
      if (*l == '[')
        {
          const char *close = strchr (l, ']');
          if (close == NULL)
            continue;
          g_free (group);
          group = g_strndup (l + 1, close - l - 1);
          if (g_hash_table_contains (pos, group))
            g_ptr_array_add (problems,
                             g_strdup_printf ("%s:%u: [%s] appears twice (first at line %u)",
                                              filename, i + 1, group,
                                              ((Pos *)g_hash_table_lookup (pos, group))->line));
          else
            {
              p = g_new0 (Pos, 1);
              p->line = i + 1;
              g_hash_table_insert (pos, g_strdup (group), p);
            }
          continue;
        }
      eq = strchr (l, '=');
      if (eq == NULL || group == NULL)
        continue;
      {
        g_autofree char *key = g_strstrip (g_strndup (l, eq - l));
        g_autofree char *k = pos_key (group, key);
        const char *v = eq + 1;
        Pos *old = g_hash_table_lookup (pos, k);

        if (old != NULL)
          {
            g_ptr_array_add (problems,
                             g_strdup_printf ("%s:%u: [%s] %s is set twice (first at line %u)",
                                              filename, i + 1, group, key, old->line));
            continue;
          }
        while (*v == ' ' || *v == '\t')
          v++;
        p = g_new0 (Pos, 1);
        p->line = i + 1;
        p->value_col = (v - lines[i]) + 1;
        g_hash_table_insert (pos, g_steal_pointer (&k), p);
      }
    }
  return pos;
}

static char *
where (GHashTable *pos, const char *filename, const char *group, const char *key)
{
  g_autofree char *k = key ? pos_key (group, key) : g_strdup (group);
  Pos *p = g_hash_table_lookup (pos, k);

  if (p == NULL)
    return g_strdup (filename);
  return g_strdup_printf ("%s:%u", filename, p->line);
}

/* A path under a served root: relative, no "." or ".." components, no empty ones. */
static gboolean
path_is_safe (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path[0] == '\0' || path[0] == '/' || strchr (path, '\\') != NULL)
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/* ---- the whole scenario ------------------------------------------------------------ */

void
bc_scenario_free (BcScenario *sc)
{
  if (sc == NULL)
    return;
  g_free (sc->dir);
  g_free (sc->name);
  g_free (sc->rom_image);
  g_free (sc->subnet);
  g_strfreev (sc->required_images);
  g_clear_pointer (&sc->require_first_dhcp, g_ptr_array_unref);
  g_free (sc->require_first_dhcp_text);
  g_clear_pointer (&sc->tftp_files, g_ptr_array_unref);
  g_clear_pointer (&sc->http_files, g_ptr_array_unref);
  g_free (sc->dhcpd_conf_path);
  g_free (sc->tftp_root);
  g_free (sc->http_root);
  g_free (sc->readme_path);
  bc_expect_free (sc->expect);
  g_free (sc);
}

static void
scenario_file_free (BcScenarioFile *f)
{
  g_free (f->path);
  g_free (f->image);
  g_free (f);
}

static BcScenario *
scenario_new_defaults (void)
{
  BcScenario *sc = g_new0 (BcScenario, 1);
  g_autofree char *unused = NULL;

  sc->name = g_strdup ("scenario");
  sc->firmware = BC_FIRMWARE_BIOS;
  sc->nic = BC_NIC_VIRTIO;
  sc->rom = BC_ROM_BUILTIN;
  sc->memory_mib = 256;
  sc->on_reboot = BC_ON_REBOOT_RESTART;
  sc->accel = BC_ACCEL_AUTO;
  sc->timeout_s = 120;
  sc->loop_limit = 3;
  sc->server_kind = BC_SERVER_BOOTSERV;
  sc->router_advertisements = TRUE;
  sc->expect_config_error = FALSE;
  set_subnet (sc, "192.168.42.0/24", &unused);
  sc->required_images = g_new0 (char *, 1);
  sc->require_first_dhcp = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_expect_cond_free);
  sc->tftp_files = g_ptr_array_new_with_free_func ((GDestroyNotify)scenario_file_free);
  sc->http_files = g_ptr_array_new_with_free_func ((GDestroyNotify)scenario_file_free);
  return sc;
}

/* Parse scenario.ini text into @sc; problems appended (one string each). */
static void
parse_ini (BcScenario *sc, const char *filename, const char *text, gsize len,
           const BcDhcpOptionRegistry *reg, GPtrArray *problems)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (GHashTable) pos = NULL;
  g_auto (GStrv) groups = NULL;
  g_autofree char *copy = g_strndup (text, len);

  if (strlen (copy) != len || !g_utf8_validate (copy, -1, NULL))
    {
      g_ptr_array_add (problems, g_strdup_printf ("%s: not a UTF-8 text file", filename));
      return;
    }
  if (!g_key_file_load_from_data (kf, copy, len, G_KEY_FILE_NONE, &local))
    {
      g_ptr_array_add (problems, g_strdup_printf ("%s: %s", filename, local->message));
      return;
    }
  pos = scan_positions (copy, filename, problems);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      const char *group = groups[g];
      g_auto (GStrv) keys = NULL;
      gboolean is_files = g_str_equal (group, "tftp") || g_str_equal (group, "http");

      if (!g_strv_contains (group_names, group))
        {
          g_autofree char *w = where (pos, filename, group, NULL);
          g_autofree char *list = g_strjoinv ("], [", (char **)group_names);
          g_ptr_array_add (
              problems,
              g_strdup_printf ("%s: unknown group [%s] (expected one of [%s])", w, group, list));
          continue;
        }
      keys = g_key_file_get_keys (kf, group, NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          const char *key = keys[k];
          g_autofree char *w = where (pos, filename, group, key);
          g_autofree char *raw = NULL;
          g_autofree char *problem = NULL;
          const KeyDef *def = NULL;
          g_autoptr (GError) verr = NULL;

          raw = g_key_file_get_string (kf, group, key, &verr);
          if (raw == NULL)
            {
              g_ptr_array_add (problems,
                               g_strdup_printf ("%s: [%s] %s: %s", w, group, key, verr->message));
              continue;
            }
          g_strstrip (raw);
          if (is_files)
            {
              BcScenarioFile *f;

              if (!path_is_safe (key))
                {
                  g_ptr_array_add (problems,
                                   g_strdup_printf ("%s: [%s] '%s' is not a relative path inside "
                                                    "the served root (no leading '/', no '..')",
                                                    w, group, key));
                  continue;
                }
              if (raw[0] == '\0')
                {
                  g_ptr_array_add (problems,
                                   g_strdup_printf ("%s: [%s] %s: expected a logical image name", w,
                                                    group, key));
                  continue;
                }
              f = g_new0 (BcScenarioFile, 1);
              f->path = g_strdup (key);
              f->image = g_strdup (raw);
              g_ptr_array_add (g_str_equal (group, "tftp") ? sc->tftp_files : sc->http_files, f);
              continue;
            }
          for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
            if (g_str_equal (key_table[i].group, group) && g_str_equal (key_table[i].key, key))
              def = &key_table[i];
          if (def == NULL)
            {
              GString *list = g_string_new (NULL);
              for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
                if (g_str_equal (key_table[i].group, group))
                  g_string_append_printf (list, "%s%s", list->len ? ", " : "", key_table[i].key);
              g_ptr_array_add (problems,
                               g_strdup_printf ("%s: unknown key '%s' in [%s] (expected %s)", w,
                                                key, group, list->str));
              g_string_free (list, TRUE);
              continue;
            }
          if (def->parse == NULL && def->names != NULL)
            {
              guint index;

              /* memcpy: the field is an enum of guint's size (asserted above) */
              if (parse_enum (raw, def->names, &index, &problem))
                memcpy ((char *)sc + def->offset, &index, sizeof index);
              else
                g_ptr_array_add (problems,
                                 g_strdup_printf ("%s: [%s] %s: %s", w, group, key, problem));
              continue;
            }
          if (def->parse == NULL)
            {
              /* [require] first-dhcp: expect-syntax conds, errors at their column */
              g_autofree char *pk = pos_key (group, key);
              Pos *p = g_hash_table_lookup (pos, pk);
              GPtrArray *conds = bc_expect_parse_conds (filename, p ? p->line : 0,
                                                        p && p->value_col ? p->value_col - 1 : 0,
                                                        raw, reg, &verr);
              if (conds == NULL)
                {
                  g_ptr_array_add (problems, g_strdup (verr->message));
                  continue;
                }
              if (conds->len == 0)
                {
                  g_ptr_array_unref (conds);
                  g_ptr_array_add (problems,
                                   g_strdup_printf ("%s: [require] first-dhcp: expected "
                                                    "conditions in expect syntax (!175.20 …)",
                                                    w));
                  continue;
                }
              g_ptr_array_unref (sc->require_first_dhcp);
              sc->require_first_dhcp = conds;
              g_free (sc->require_first_dhcp_text);
              sc->require_first_dhcp_text = g_strdup (raw);
              continue;
            }
          if (!def->parse (sc, raw, &problem))
            g_ptr_array_add (problems, g_strdup_printf ("%s: [%s] %s: %s", w, group, key, problem));
        }
    }

  if (sc->rom == BC_ROM_NONE && sc->firmware != BC_FIRMWARE_UEFI)
    {
      g_autofree char *w = where (pos, filename, "vm", "rom");
      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: [vm] rom = none needs firmware = uefi (EDK2's own "
                                        "PXE); SeaBIOS cannot network-boot without a NIC ROM",
                                        w));
    }
}

/* Checks that need both files: a config-error scenario boots no VM. */
static void
check_consistency (BcScenario *sc, const char *expect_name, GPtrArray *problems)
{
  for (guint i = 0; i < sc->expect->steps->len; i++)
    {
      const BcExpectStep *st = sc->expect->steps->pdata[i];

      if (sc->expect_config_error && st->kind != BC_EXPECT_CONFIG_ERROR)
        g_ptr_array_add (problems,
                         g_strdup_printf ("%s:%u: '%s': with [server] expect-config-error = true "
                                          "no VM is booted; only config-error steps apply",
                                          expect_name, st->line, st->text));
      else if (!sc->expect_config_error && st->kind == BC_EXPECT_CONFIG_ERROR)
        g_ptr_array_add (problems, g_strdup_printf ("%s:%u: config-error steps need [server] "
                                                    "expect-config-error = true in scenario.ini",
                                                    expect_name, st->line));
    }
  if (sc->expect_config_error && sc->expect->steps->len == 0)
    g_ptr_array_add (problems, g_strdup_printf ("%s: expect-config-error = true but no "
                                                "config-error step says which error",
                                                expect_name));
}

static BcScenario *
finish (BcScenario *sc_in, GPtrArray *problems, GError **error)
{
  g_autoptr (BcScenario) sc = sc_in;

  if (problems->len > 0)
    {
      g_autoptr (GString) msg = g_string_new (NULL);
      for (guint i = 0; i < problems->len; i++)
        {
          const char *p = problems->pdata[i];
          g_string_append (msg, p);
          if (i + 1 < problems->len && !g_str_has_suffix (p, "\n"))
            g_string_append_c (msg, '\n');
        }
      while (msg->len > 0 && msg->str[msg->len - 1] == '\n')
        g_string_truncate (msg, msg->len - 1);
      g_set_error_literal (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_INVALID, msg->str);
      return NULL;
    }
  return g_steal_pointer (&sc);
}

static void
parse_both (BcScenario *sc, const char *ini_name, const char *ini, gsize ini_len,
            const char *expect_name, const char *expect, gsize expect_len, GPtrArray *problems)
{
  g_autoptr (BcDhcpOptionRegistry) reg = bc_dhcp_option_registry_new_wellknown ();
  g_autoptr (GError) local = NULL;

  if (ini != NULL)
    parse_ini (sc, ini_name, ini, ini_len, reg, problems);
  sc->expect
      = bc_expect_parse (expect_name, expect ? expect : "", expect ? expect_len : 0, reg, &local);
  if (sc->expect == NULL)
    {
      g_ptr_array_add (problems, g_strdup (local->message));
      sc->expect = g_new0 (BcExpect, 1);
      sc->expect->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_expect_step_free);
    }
  else
    check_consistency (sc, expect_name, problems);
}

BcScenario *
bc_scenario_parse_data (const char *ini, gsize ini_len, const char *expect, gsize expect_len,
                        GError **error)
{
  BcScenario *sc = scenario_new_defaults ();
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  parse_both (sc, "scenario.ini", ini, ini_len, "expect", expect, expect_len, problems);
  return finish (sc, problems, error);
}

BcScenario *
bc_scenario_load (const char *dir, GError **error)
{
  BcScenario *sc;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *ini_path = NULL;
  g_autofree char *expect_path = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *expect = NULL;
  gsize ini_len = 0, expect_len = 0;
  g_autoptr (GError) local = NULL;
  g_autofree char *sub = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_NOT_FOUND,
                   "%s: not a scenario folder (no such directory)", dir);
      return NULL;
    }
  ini_path = g_build_filename (dir, "scenario.ini", NULL);
  expect_path = g_build_filename (dir, "expect", NULL);
  if (g_file_test (ini_path, G_FILE_TEST_EXISTS)
      && !g_file_get_contents (ini_path, &ini, &ini_len, &local))
    {
      g_set_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_NOT_FOUND, "%s", local->message);
      return NULL;
    }
  g_clear_error (&local);
  if (!g_file_get_contents (expect_path, &expect, &expect_len, &local))
    {
      g_set_error (error, BC_SCENARIO_ERROR, BC_SCENARIO_ERROR_NOT_FOUND,
                   "%s: every scenario needs an expect file (%s)", dir, local->message);
      return NULL;
    }

  sc = scenario_new_defaults ();
  sc->dir = g_strdup (dir);
  g_free (sc->name);
  sc->name = g_path_get_basename (dir);
  parse_both (sc, "scenario.ini", ini, ini_len, "expect", expect, expect_len, problems);

  sc->dhcpd_conf_path = g_build_filename (dir, "dhcpd.conf", NULL);
  if (!g_file_test (sc->dhcpd_conf_path, G_FILE_TEST_IS_REGULAR))
    {
      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: missing: every scenario needs its dhcpd.conf",
                                        sc->dhcpd_conf_path));
      g_clear_pointer (&sc->dhcpd_conf_path, g_free);
    }
  sub = g_build_filename (dir, "tftp", NULL);
  if (g_file_test (sub, G_FILE_TEST_IS_DIR))
    sc->tftp_root = g_steal_pointer (&sub);
  g_clear_pointer (&sub, g_free);
  sub = g_build_filename (dir, "http", NULL);
  if (g_file_test (sub, G_FILE_TEST_IS_DIR))
    sc->http_root = g_steal_pointer (&sub);
  g_clear_pointer (&sub, g_free);
  sub = g_build_filename (dir, "README", NULL);
  if (g_file_test (sub, G_FILE_TEST_IS_REGULAR))
    sc->readme_path = g_steal_pointer (&sub);
  return finish (sc, problems, error);
}
