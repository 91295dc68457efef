/* The image manifest: logical image names (ipxe-builtin-virtio, undionly.kpxe,
 * ovmf-code, undionly-fixed.kpxe, …) -> a path on this host. images/manifest.ini maps
 * each name to the path every supported distro installs it at; the user's own images
 * (the seeds' "fixed" ROMs, which are never committed or built here) come from
 * BOOTCHECK_IMAGE_<NAME> or images/local/<name>.
 *
 * Pure: the manifest and os-release arrive as text, and the host (environment, file
 * existence, globbing) is reached only through the BcImageHost callbacks, so unit
 * tests resolve for Debian and Fedora on any machine. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_IMAGE_ERROR (bc_image_error_quark ())
GQuark bc_image_error_quark (void);

typedef enum
{
  BC_IMAGE_ERROR_MANIFEST, /* manifest.ini malformed (a bug in the tree) */
  BC_IMAGE_ERROR_UNKNOWN,  /* no such logical name (a bug in the scenario) */
  BC_IMAGE_ERROR_ABSENT,   /* known image, not on this host: skip, the message says how
                            * to provide it */
} BcImageError;

/* How the pure resolver asks about the host. All callbacks are required. */
typedef struct
{
  /* the value of environment variable @name, or NULL; not freed by the caller */
  const char *(*getenv) (const char *name, gpointer user_data);
  /* TRUE if @path names an existing file (following symlinks) */
  gboolean (*exists) (const char *path, gpointer user_data);
  /* the existing paths matching the shell glob @pattern (NULL-terminated,
   * transfer full; NULL or empty for none) */
  char **(*glob) (const char *pattern, gpointer user_data);
  gpointer user_data;
} BcImageHost;

/* Where to look. @distro is a manifest column ("debian", "fedora") from
 * bc_image_manifest_distro_for_os_release(), or NULL on an unsupported distro (then
 * only user-provided images resolve). @local_dir is images/local of the source tree
 * (may be NULL); @build_root replaces @builddir@ (may be NULL). */
typedef struct
{
  const char *distro;
  const char *local_dir;
  const char *build_root;
  BcImageHost host;
} BcImageEnv;

typedef struct _BcImageManifest BcImageManifest;

/* Parses manifest.ini text. Every image group must give a path for each distro column
 * of [distros] or say `user = true`; unknown keys are errors.
 * Returns: (transfer full), or NULL with BC_IMAGE_ERROR_MANIFEST. */
BcImageManifest *bc_image_manifest_parse (const char *text, gssize len, GError **error);
void bc_image_manifest_free (BcImageManifest *manifest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcImageManifest, bc_image_manifest_free)

/* The manifest's distro column for an /etc/os-release text: ID first, then each word
 * of ID_LIKE, against [distros]. Returns: (transfer none) the column name, or NULL
 * when the distro is not in the manifest (@ret_id, if given, gets the ID for a
 * message; transfer full). */
const char *bc_image_manifest_distro_for_os_release (const BcImageManifest *manifest,
                                                     const char *os_release, char **ret_id);

gboolean bc_image_manifest_has (const BcImageManifest *manifest, const char *name);
/* Whether @name is a user image (no distro path). FALSE for unknown names. */
gboolean bc_image_manifest_is_user (const BcImageManifest *manifest, const char *name);
/* (transfer none) the image's description, or NULL for unknown names. */
const char *bc_image_manifest_describe (const BcImageManifest *manifest, const char *name);
/* (transfer none) the logical names in manifest order, NULL-terminated. */
const char *const *bc_image_manifest_names (const BcImageManifest *manifest);

/* "BOOTCHECK_IMAGE_" + @name upper-cased, each non-alphanumeric turned into '_'.
 * Returns: (transfer full). */
char *bc_image_env_var_name (const char *name);

/* Resolves @name: BOOTCHECK_IMAGE_<NAME>, then @env->local_dir/<name>, then the
 * distro path (a '*' glob picks the newest match in version order).
 * Returns: (transfer full) an existing path, or NULL with BC_IMAGE_ERROR_UNKNOWN, or
 * BC_IMAGE_ERROR_ABSENT whose message says how to provide the image (package to
 * install, or the environment variable / local file to set). */
char *bc_image_manifest_resolve (const BcImageManifest *manifest, const BcImageEnv *env,
                                 const char *name, GError **error);

/* Resolves every name of @names (a scenario's [images] requires). Returns: (transfer
 * full) a table name -> path, or NULL with one error naming every image that did not
 * resolve, one per line: BC_IMAGE_ERROR_UNKNOWN if any name is unknown, else
 * BC_IMAGE_ERROR_ABSENT (the scenario is skipped with that message). */
GHashTable *bc_image_manifest_resolve_all (const BcImageManifest *manifest, const BcImageEnv *env,
                                           const char *const *names, GError **error);

G_END_DECLS
