/* Fuzz target: dhcpd.conf text -> parser; when it parses, evaluate it against a few
 * fixed requests (the seeds' firmware). Neither may crash, leak or read out of bounds
 * whatever the input. */
#include <stdint.h>
#include <string.h>

#include "server/conf/conf.h"
#include "t/conf/conf-requests.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BcConf) conf = NULL;
  static const ReqKind kinds[] = { REQ_IPXE_BUILTIN, REQ_IPXE_JOYENT, REQ_PXE_EFI64, REQ_PLAIN };
  const guint8 local[4] = { 192, 168, 42, 1 };
  BcConfRequestContext ctx = { 0, FALSE };

  if (size > 64 * 1024)
    return 0;
  conf = bc_conf_parse ("fuzz.conf", (const char *)data, size, NULL);
  if (conf == NULL)
    return 0;
  memcpy (&ctx.local_addr, local, 4);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr (BcDhcpMsg) req = req_new (kinds[i], (guint8)i);
      g_autoptr (BcConfResult) res = bc_conf_evaluate (conf, req, &ctx, NULL);
      for (guint k = 0; res != NULL && k < res->trace->len; k++)
        {
          BcConfTrace *t = res->trace->pdata[k];
          g_autofree char *loc = bc_conf_location_format (&t->where);
          g_assert_nonnull (loc);
          g_assert_nonnull (t->text);
        }
    }
  return 0;
}
