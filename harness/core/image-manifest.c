/* Image manifest: logical names -> host paths. See image-manifest.h. Pure. */
#include "harness/core/image-manifest.h"

#include <string.h>

G_DEFINE_QUARK (bc_image_error_quark, bc_image_error)

#define DISTROS_GROUP "distros"

typedef struct
{
  char *name;
  char *description;
  char *provide; /* what to do to provide it, when a package is not the answer */
  gboolean user;
  GHashTable *paths;    /* column -> path (may hold '*' or @builddir@) */
  GHashTable *packages; /* column -> package name */
} BcImage;

struct _BcImageManifest
{
  GPtrArray *names;      /* char *, manifest order, NULL-terminated */
  GHashTable *images;    /* name -> BcImage */
  GPtrArray *columns;    /* char *, the [distros] keys */
  GHashTable *id_column; /* os-release ID -> column (transfer none into columns) */
};

static void
bc_image_free (BcImage *image)
{
  if (image == NULL)
    return;
  g_free (image->name);
  g_free (image->description);
  g_free (image->provide);
  g_clear_pointer (&image->paths, g_hash_table_unref);
  g_clear_pointer (&image->packages, g_hash_table_unref);
  g_free (image);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcImage, bc_image_free)

void
bc_image_manifest_free (BcImageManifest *manifest)
{
  if (manifest == NULL)
    return;
  g_clear_pointer (&manifest->names, g_ptr_array_unref);
  g_clear_pointer (&manifest->images, g_hash_table_unref);
  g_clear_pointer (&manifest->id_column, g_hash_table_unref);
  g_clear_pointer (&manifest->columns, g_ptr_array_unref);
  g_free (manifest);
}

static gboolean
is_column (const BcImageManifest *manifest, const char *key)
{
  for (guint i = 0; i < manifest->columns->len; i++)
    if (g_str_equal (key, g_ptr_array_index (manifest->columns, i)))
      return TRUE;
  return FALSE;
}

static gboolean
parse_distros (BcImageManifest *manifest, GKeyFile *kf, GError **error)
{
  g_auto (GStrv) keys = NULL;

  if (!g_key_file_has_group (kf, DISTROS_GROUP))
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST,
                   "manifest has no [" DISTROS_GROUP "] group");
      return FALSE;
    }
  keys = g_key_file_get_keys (kf, DISTROS_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_value (kf, DISTROS_GROUP, keys[i], NULL);
      g_auto (GStrv) ids = g_strsplit_set (value != NULL ? value : "", " \t", -1);
      char *column = g_strdup (keys[i]);

      g_ptr_array_add (manifest->columns, column);
      for (guint j = 0; ids[j] != NULL; j++)
        if (*ids[j] != '\0' && !g_hash_table_contains (manifest->id_column, ids[j]))
          g_hash_table_insert (manifest->id_column, g_strdup (ids[j]), column);
    }
  if (manifest->columns->len == 0)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST,
                   "[" DISTROS_GROUP "] names no distro");
      return FALSE;
    }
  return TRUE;
}

static BcImage *
parse_image (const BcImageManifest *manifest, GKeyFile *kf, const char *group, GError **error)
{
  g_autoptr (BcImage) image = g_new0 (BcImage, 1);
  g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  image->name = g_strdup (group);
  image->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  image->packages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *key = keys[i];
      g_autoptr (GError) local_error = NULL;

      if (g_str_equal (key, "user"))
        {
          image->user = g_key_file_get_boolean (kf, group, key, &local_error);
          if (local_error != NULL)
            {
              g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST, "[%s] user: %s", group,
                           local_error->message);
              return NULL;
            }
        }
      else if (g_str_equal (key, "description"))
        image->description = g_key_file_get_string (kf, group, key, NULL);
      else if (g_str_equal (key, "provide"))
        image->provide = g_key_file_get_string (kf, group, key, NULL);
      else if (is_column (manifest, key))
        g_hash_table_insert (image->paths, g_strdup (key),
                             g_key_file_get_string (kf, group, key, NULL));
      else if (g_str_has_prefix (key, "package.") && is_column (manifest, key + 8))
        g_hash_table_insert (image->packages, g_strdup (key + 8),
                             g_key_file_get_string (kf, group, key, NULL));
      else
        {
          g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST,
                       "[%s]: unknown key '%s' (expected description, provide, user, a "
                       "distro column or package.<column>)",
                       group, key);
          return NULL;
        }
    }

  if (image->user && g_hash_table_size (image->paths) > 0)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST,
                   "[%s]: a user image has no distro path", group);
      return NULL;
    }
  if (!image->user)
    for (guint i = 0; i < manifest->columns->len; i++)
      {
        const char *column = g_ptr_array_index (manifest->columns, i);
        if (!g_hash_table_contains (image->paths, column))
          {
            g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST,
                         "[%s]: no path for distro '%s' (give one, or say user = true)", group,
                         column);
            return NULL;
          }
      }
  return g_steal_pointer (&image);
}

BcImageManifest *
bc_image_manifest_parse (const char *text, gssize len, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (BcImageManifest) manifest = g_new0 (BcImageManifest, 1);
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_key_file_load_from_data (kf, text, len < 0 ? strlen (text) : (gsize)len, G_KEY_FILE_NONE,
                                  &local_error))
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST, "manifest: %s",
                   local_error->message);
      return NULL;
    }

  manifest->names = g_ptr_array_new_with_free_func (g_free);
  manifest->images
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)bc_image_free);
  manifest->columns = g_ptr_array_new_with_free_func (g_free);
  manifest->id_column = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!parse_distros (manifest, kf, error))
    return NULL;

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      BcImage *image;

      if (g_str_equal (groups[i], DISTROS_GROUP))
        continue;
      if (g_hash_table_contains (manifest->images, groups[i]))
        {
          g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST, "image [%s] appears twice",
                       groups[i]);
          return NULL;
        }
      image = parse_image (manifest, kf, groups[i], error);
      if (image == NULL)
        return NULL;
      g_hash_table_insert (manifest->images, image->name, image);
      g_ptr_array_add (manifest->names, g_strdup (image->name));
    }
  g_ptr_array_add (manifest->names, NULL);
  return g_steal_pointer (&manifest);
}

/* os-release(5): KEY=value lines, value optionally shell-quoted. */
static char *
os_release_get (const char *os_release, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (os_release, "\n", -1);
  gsize keylen = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *value = NULL;

      while (*line == ' ' || *line == '\t')
        line++;
      if (strncmp (line, key, keylen) != 0 || line[keylen] != '=')
        continue;
      value = g_strstrip (g_strdup (line + keylen + 1));
      if (value[0] == '"' || value[0] == '\'')
        {
          char *unquoted = g_shell_unquote (value, NULL);
          if (unquoted == NULL)
            return NULL;
          return unquoted;
        }
      return g_steal_pointer (&value);
    }
  return NULL;
}

const char *
bc_image_manifest_distro_for_os_release (const BcImageManifest *manifest, const char *os_release,
                                         char **ret_id)
{
  g_autofree char *id = os_release_get (os_release, "ID");
  g_autofree char *id_like = os_release_get (os_release, "ID_LIKE");
  const char *column = NULL;

  if (id != NULL)
    column = g_hash_table_lookup (manifest->id_column, id);
  if (column == NULL && id_like != NULL)
    {
      g_auto (GStrv) likes = g_strsplit_set (id_like, " \t", -1);
      for (guint i = 0; column == NULL && likes[i] != NULL; i++)
        if (*likes[i] != '\0')
          column = g_hash_table_lookup (manifest->id_column, likes[i]);
    }
  if (ret_id != NULL)
    *ret_id = g_strdup (id != NULL ? id : "unknown");
  return column;
}

gboolean
bc_image_manifest_has (const BcImageManifest *manifest, const char *name)
{
  return g_hash_table_contains (manifest->images, name);
}

gboolean
bc_image_manifest_is_user (const BcImageManifest *manifest, const char *name)
{
  const BcImage *image = g_hash_table_lookup (manifest->images, name);
  return image != NULL && image->user;
}

const char *
bc_image_manifest_describe (const BcImageManifest *manifest, const char *name)
{
  const BcImage *image = g_hash_table_lookup (manifest->images, name);
  return image != NULL ? image->description : NULL;
}

const char *const *
bc_image_manifest_names (const BcImageManifest *manifest)
{
  return (const char *const *)manifest->names->pdata;
}

char *
bc_image_env_var_name (const char *name)
{
  GString *var = g_string_new ("BOOTCHECK_IMAGE_");

  for (const char *p = name; *p != '\0'; p++)
    g_string_append_c (var, g_ascii_isalnum (*p) ? g_ascii_toupper (*p) : '_');
  return g_string_free (var, FALSE);
}

/* The newest of @matches in version order (vmlinuz-6.1.0-9 < vmlinuz-6.1.0-56). */
static const char *
newest (char **matches)
{
  const char *best = NULL;

  for (guint i = 0; matches != NULL && matches[i] != NULL; i++)
    if (best == NULL || strverscmp (matches[i], best) > 0)
      best = matches[i];
  return best;
}

static char *
how_to_provide (const BcImage *image, const char *var, const char *local_dir)
{
  if (local_dir != NULL)
    return g_strdup_printf ("set %s=/path/to/%s or copy it to %s/%s", var, image->name, local_dir,
                            image->name);
  return g_strdup_printf ("set %s=/path/to/%s", var, image->name);
}

char *
bc_image_manifest_resolve (const BcImageManifest *manifest, const BcImageEnv *env, const char *name,
                           GError **error)
{
  const BcImage *image = g_hash_table_lookup (manifest->images, name);
  const BcImageHost *host = &env->host;
  g_autofree char *var = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *path = NULL;
  const char *value;
  const char *package = NULL;

  if (image == NULL)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_UNKNOWN,
                   "unknown image '%s' (not in images/manifest.ini)", name);
      return NULL;
    }

  var = bc_image_env_var_name (name);
  value = host->getenv (var, host->user_data);
  if (value != NULL && *value != '\0')
    {
      if (host->exists (value, host->user_data))
        return g_strdup (value);
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                   "image '%s': %s=%s, but there is no such file", name, var, value);
      return NULL;
    }

  if (env->local_dir != NULL)
    {
      g_autofree char *local = g_build_filename (env->local_dir, name, NULL);
      if (host->exists (local, host->user_data))
        return g_steal_pointer (&local);
    }

  hint = how_to_provide (image, var, env->local_dir);
  if (image->user)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                   "image '%s' is absent; it is the user's own, %s. To provide it, %s", name,
                   image->provide != NULL ? image->provide : image->description, hint);
      return NULL;
    }
  if (env->distro == NULL)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                   "image '%s': this host's distro is not in images/manifest.ini: %s", name, hint);
      return NULL;
    }

  value = g_hash_table_lookup (image->paths, env->distro);
  if (value == NULL)
    {
      g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_UNKNOWN,
                   "image '%s' has no path for distro '%s' in images/manifest.ini", name,
                   env->distro);
      return NULL;
    }
  if (strstr (value, "@builddir@") != NULL)
    {
      g_autoptr (GString) s = g_string_new (value);
      if (env->build_root == NULL)
        {
          g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                       "image '%s' lives in the build dir, which is not known here", name);
          return NULL;
        }
      g_string_replace (s, "@builddir@", env->build_root, 0);
      path = g_string_free (g_steal_pointer (&s), FALSE);
    }
  else
    path = g_strdup (value);

  if (strchr (path, '*') != NULL)
    {
      g_auto (GStrv) matches = host->glob (path, host->user_data);
      const char *best = newest (matches);
      if (best != NULL)
        return g_strdup (best);
    }
  else if (host->exists (path, host->user_data))
    return g_steal_pointer (&path);

  package = g_hash_table_lookup (image->packages, env->distro);
  if (image->provide != NULL)
    g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                 "image '%s' (%s) not found at %s: %s", name, image->description, path,
                 image->provide);
  else if (package != NULL)
    g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                 "image '%s' (%s) not found at %s: install the %s package %s, or %s", name,
                 image->description, path, env->distro, package, hint);
  else
    g_set_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT,
                 "image '%s' (%s) not found at %s: %s", name, image->description, path, hint);
  return NULL;
}

GHashTable *
bc_image_manifest_resolve_all (const BcImageManifest *manifest, const BcImageEnv *env,
                               const char *const *names, GError **error)
{
  g_autoptr (GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GString) messages = g_string_new (NULL);
  BcImageError code = BC_IMAGE_ERROR_ABSENT;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      char *path = bc_image_manifest_resolve (manifest, env, names[i], &local_error);

      if (path != NULL)
        {
          g_hash_table_replace (paths, g_strdup (names[i]), path);
          continue;
        }
      if (local_error->code != BC_IMAGE_ERROR_ABSENT)
        code = local_error->code;
      if (messages->len > 0)
        g_string_append_c (messages, '\n');
      g_string_append (messages, local_error->message);
    }
  if (messages->len > 0)
    {
      g_set_error_literal (error, BC_IMAGE_ERROR, code, messages->str);
      return NULL;
    }
  return g_steal_pointer (&paths);
}
