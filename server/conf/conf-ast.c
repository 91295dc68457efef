/* dhcpd.conf syntax tree: ownership and types. */
#include "server/conf/conf-ast.h"

void
bc_conf_expr_free (BcConfExpr *e)
{
  if (e == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (e->a); i++)
    bc_conf_expr_free (e->a[i]);
  if (e->list != NULL)
    g_ptr_array_unref (e->list);
  if (e->data != NULL)
    g_bytes_unref (e->data);
  g_free (e->space);
  g_free (e->name);
  g_free (e);
}

BcConfType
bc_conf_expr_type (const BcConfExpr *e)
{
  switch (e->kind)
    {
      case BC_CONF_EXPR_EXISTS:
      case BC_CONF_EXPR_EQUAL:
      case BC_CONF_EXPR_NOT_EQUAL:
      case BC_CONF_EXPR_REGEX:
      case BC_CONF_EXPR_IREGEX:
      case BC_CONF_EXPR_AND:
      case BC_CONF_EXPR_OR:
      case BC_CONF_EXPR_NOT:
      case BC_CONF_EXPR_KNOWN:
      case BC_CONF_EXPR_STATIC:
        return BC_CONF_TYPE_BOOLEAN;
      case BC_CONF_EXPR_CONST_INT:
      case BC_CONF_EXPR_EXTRACT_INT:
      case BC_CONF_EXPR_ARITH:
        return BC_CONF_TYPE_NUMERIC;
      case BC_CONF_EXPR_OPTION:
      case BC_CONF_EXPR_CONFIG_OPTION:
      case BC_CONF_EXPR_SUBSTRING:
      case BC_CONF_EXPR_SUFFIX:
      case BC_CONF_EXPR_CONCAT:
      case BC_CONF_EXPR_LCASE:
      case BC_CONF_EXPR_UCASE:
      case BC_CONF_EXPR_BINARY_TO_ASCII:
      case BC_CONF_EXPR_ENCODE_INT:
      case BC_CONF_EXPR_REVERSE:
      case BC_CONF_EXPR_HARDWARE:
      case BC_CONF_EXPR_PACKET:
      case BC_CONF_EXPR_PICK_FIRST:
      case BC_CONF_EXPR_CONST_DATA:
      case BC_CONF_EXPR_HOST_DECL_NAME:
      case BC_CONF_EXPR_LEASED_ADDRESS:
      case BC_CONF_EXPR_FILENAME:
      case BC_CONF_EXPR_SNAME:
      default:
        return BC_CONF_TYPE_DATA;
    }
}

void
bc_conf_stmt_free (BcConfStmt *s)
{
  if (s == NULL)
    return;
  g_free (s->text);
  g_free (s->name);
  g_free (s->space);
  g_free (s->format);
  if (s->data != NULL)
    g_bytes_unref (s->data);
  bc_conf_expr_free (s->expr);
  if (s->addrs != NULL)
    g_array_unref (s->addrs);
  if (s->names != NULL)
    g_ptr_array_unref (s->names);
  if (s->body != NULL)
    g_ptr_array_unref (s->body);
  if (s->else_body != NULL)
    g_ptr_array_unref (s->else_body);
  g_free (s);
}
