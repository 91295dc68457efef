/* dhcpd.conf: the parts of the public API shared by parser and evaluator. */
#include "server/conf/conf-ast.h"

G_DEFINE_QUARK (bc_conf_error_quark, bc_conf_error)

void
bc_conf_free (BcConf *conf)
{
  if (conf == NULL)
    return;
  if (conf->body != NULL)
    g_ptr_array_unref (conf->body);
  bc_dhcp_option_registry_free (conf->registry);
  g_free (conf->filename);
  g_free (conf);
}

const BcDhcpOptionRegistry *
bc_conf_get_registry (const BcConf *conf)
{
  return conf->registry;
}

char *
bc_conf_location_format (const BcConfLocation *where)
{
  return g_strdup_printf ("%s:%u:%u", where->file != NULL ? where->file : "dhcpd.conf", where->line,
                          where->col);
}
