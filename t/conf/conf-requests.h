/* DHCP requests of the firmware in the seeds, built in code for the dhcpd.conf
 * tests and fuzzer. Option 175 bytes are seed 000's tcpdump lines (decimal). */
#pragma once

#include "server/proto/dhcp-msg.h"

typedef enum
{
  REQ_IPXE_BUILTIN, /* Debian/qemu built-in iPXE 1.0.0, BIOS: 175 has 17 and 18, no 20 */
  REQ_IPXE_JOYENT,  /* Joyent iPXE (HTTPS): 175 has 20 (https) and 38, plus option 97 */
  REQ_IPXE_1_21_1,  /* seed 003's rebuilt iPXE 1.21.1, BIOS */
  REQ_IPXE_EFI,     /* built-in EFI iPXE 1.0.0: arch 00:07 */
  REQ_PXE_BIOS,     /* a BIOS PXE ROM: arch 00:00, no user-class, no 175 */
  REQ_PXE_EFI64,    /* EDK2 PXE on x86-64: arch 00:07 */
  REQ_PXE_EFI32,    /* EFI IA32: arch 00:06 */
  REQ_PLAIN,        /* an ordinary DHCP client: no PXE options */
} ReqKind;

static const guint8 ipxe_builtin_175[] = {
  177, 5,  1, 26, 244, 16, 65, 235, 3, 1, 0,  0, 23, 1,  1, 34, 1,  1, 19, 1,  1, 17, 1,
  1,   39, 1, 1,  25,  1,  1,  16,  1, 2, 33, 1, 1,  21, 1, 1,  24, 1, 1,  18, 1, 1,
};
static const guint8 ipxe_joyent_175[] = {
  177, 5,  1, 26, 244, 16, 65, 235, 3, 1, 0,  0, 23, 1,  1, 34, 1,  1, 19, 1,  1, 20, 1,
  1,   39, 1, 1,  25,  1,  1,  16,  1, 2, 33, 1, 1,  21, 1, 1,  24, 1, 1,  38, 1, 1,
};
static const guint8 ipxe_1_21_1_175[] = {
  177, 5, 1, 26, 244, 16, 65, 235, 3, 1, 21, 1, 23, 1, 1, 19, 1, 1, 20, 1, 1, 16, 1, 2,
};

static inline void
req_set_str (BcDhcpMsg *m, guint8 code, const char *s)
{
  bc_dhcp_msg_set_option (m, code, (const guint8 *)s, strlen (s));
}

static inline BcDhcpMsg *
req_new (ReqKind kind, guint8 mac_last)
{
  BcDhcpMsg *m = bc_dhcp_msg_new ();
  const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x9d, 0x7d, mac_last };
  const guint8 discover = BC_DHCP_DISCOVER;
  guint8 arch[2] = { 0, 0 };

  m->op = BC_DHCP_OP_BOOTREQUEST;
  m->xid = 0x556ed510;
  memcpy (m->chaddr, mac, 6);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE_TYPE, &discover, 1);
  switch (kind)
    {
      case REQ_IPXE_BUILTIN:
      case REQ_IPXE_JOYENT:
      case REQ_IPXE_1_21_1:
      case REQ_IPXE_EFI:
        arch[1] = kind == REQ_IPXE_EFI ? 7 : 0;
        req_set_str (m, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER,
                     kind == REQ_IPXE_EFI ? "PXEClient:Arch:00007:UNDI:003010"
                                          : "PXEClient:Arch:00000:UNDI:002001");
        bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_CLIENT_ARCH, arch, 2);
        req_set_str (m, BC_DHCP_OPTION_USER_CLASS, "iPXE");
        if (kind == REQ_IPXE_JOYENT)
          bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_IPXE_ENCAP, ipxe_joyent_175,
                                  sizeof ipxe_joyent_175);
        else if (kind == REQ_IPXE_1_21_1)
          bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_IPXE_ENCAP, ipxe_1_21_1_175,
                                  sizeof ipxe_1_21_1_175);
        else
          bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_IPXE_ENCAP, ipxe_builtin_175,
                                  sizeof ipxe_builtin_175);
        if (kind == REQ_IPXE_JOYENT)
          {
            static const guint8 guid[17]
                = { 0, 106, 152, 94, 124, 99, 214, 254, 64, 167, 134, 211, 7, 24, 58, 130, 83 };
            bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_CLIENT_UUID, guid, sizeof guid);
          }
        break;
      case REQ_PXE_BIOS:
      case REQ_PXE_EFI64:
      case REQ_PXE_EFI32:
        arch[1] = kind == REQ_PXE_BIOS ? 0 : kind == REQ_PXE_EFI64 ? 7 : 6;
        req_set_str (m, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER,
                     kind == REQ_PXE_BIOS    ? "PXEClient:Arch:00000:UNDI:002001"
                     : kind == REQ_PXE_EFI64 ? "PXEClient:Arch:00007:UNDI:003000"
                                             : "PXEClient:Arch:00006:UNDI:003000");
        bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_CLIENT_ARCH, arch, 2);
        break;
      case REQ_PLAIN:
      default:
        req_set_str (m, BC_DHCP_OPTION_HOST_NAME, "laptop");
        break;
    }
  return m;
}
