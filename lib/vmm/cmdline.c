// SPDX-License-Identifier: MIT
/*
 * cmdline.c - the command line a Linux guest gets: the parameters that describe this machine
 * to the kernel (what firmware tables would tell it on a PC, and there are none here), then
 * the user's command line (or the default one). A machine parameter is left out when the
 * user's line names the same parameter, so the user can always override it; it goes first so
 * that nothing is added after a "--" that hands the rest to init.
 */
#include "vmm_impl.h"

#define DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=-1"

/*
 * pci=noearly: the machine has no chipset for the kernel to probe through PCI configuration
 * space before its PCI core starts (early quirks, and the AMD GART aperture search, which on
 * an AMD CPU of family 0xf or 0x10 walks all 256 buses: 16,000 port exits). The PCI core
 * still finds the devices on bus 0.
 */
static const char *const machine_params[] = { "pci=noearly" };

/* Does the command line name parameter KEY (of length klen), before any "--"? */
static bool cmdline_names(const char *cmdline, const char *key, size_t klen)
{
	const char *p = cmdline;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n == 2 && strncmp(p, "--", 2) == 0)
			return false;
		if (n >= klen && strncmp(p, key, klen) == 0 && (n == klen || p[klen] == '='))
			return true;
		p += n;
	}
	return false;
}

int vmm_linux_cmdline(const char *user, char *buf, size_t size)
{
	size_t n = 0, len;

	if (!user)
		user = DEFAULT_CMDLINE;
	for (size_t i = 0; i < ARRAY_SIZE(machine_params); i++) {
		const char *param = machine_params[i];

		if (cmdline_names(user, param, strcspn(param, "=")))
			continue;
		len = strlen(param);
		if (len + 1 > size - n)
			return bs_error(E2BIG, "the kernel command line is too long");
		memcpy(buf + n, param, len);
		buf[n + len] = ' ';
		n += len + 1;
	}
	len = strlen(user) + 1;
	if (len > size - n)
		return bs_error(E2BIG, "the kernel command line is too long (%zu bytes)", n + len);
	memcpy(buf + n, user, len);
	return (int)(n + len - 1);
}
