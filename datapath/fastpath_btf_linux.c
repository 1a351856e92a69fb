/*
 * The kernel fast path on Linux: what the running kernel's BTF says about
 * the helpers' flags, asked before the programs are loaded. Only with
 * HAVE_FASTPATH.
 *
 * bpf_skb_adjust_room()'s BPF_F_ADJ_ROOM_DECAP_L3_IPV6 came with Linux
 * 6.3; 6.1's (Debian 12's) refuses the unknown bit with EINVAL. The flag
 * is a member of an anonymous enum of include/uapi/linux/bpf.h, which the
 * kernel's BTF carries (mk/bpf.mk takes vmlinux.h from it), so its
 * presence there is the kernel's own word, and no CO-RE relocation can
 * name an anonymous enum: the members are looked up by name here.
 */
#ifdef HAVE_FASTPATH /* mk/bpf.mk */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fastpath_linux.h"
#include "log.h"

/* A member of enum (or enum64) t by that name. Both member types begin
 * with name_off. */
static bool
enum_has(const struct btf *btf, const struct btf_type *t, const char *name)
{
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		__u32 off = btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;

		if (strcmp(btf__name_by_offset(btf, off), name) == 0)
			return true;
	}
	return false;
}

int
fastpath_kernel_decap_flags(void)
{
	const char *name = "BPF_F_ADJ_ROOM_DECAP_L3_IPV6";
	struct btf *btf;
	__u32 n;
	int found = 0;

	if ((btf = btf__load_vmlinux_btf()) == NULL)
		return -errno;
	n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n && !found; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		/* Only anonymous enums: uapi's flag sets are. */
		if (btf_is_any_enum(t) && t->name_off == 0 && enum_has(btf, t, name))
			found = 1;
	}
	btf__free(btf);
	return found;
}

#endif
