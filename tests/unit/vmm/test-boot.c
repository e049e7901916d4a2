// SPDX-License-Identifier: MIT
/*
 * test-boot.c - unit tests of the boot image parsers: the bzImage setup header (magic numbers,
 * protocol version, the 64-bit entry flag, truncation) and ELF executables with and without a
 * PVH entry note, including notes and program headers that run past the file; the unpacking of
 * a bzImage's xz-compressed kernel for the PVH entry (and what is left alone or refused); and
 * the guest's command line, the machine parameters before the user's unless the user's names
 * them.
 */
#include <elf.h>
#include <lzma.h>
#include <sys/stat.h>

#include "vmm_impl.h"

#include <setjmp.h>
#include <cmocka.h>

static uint8_t img[8192];

static void make_bzimage(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 3; /* setup sectors: payload at 4 * 512 */
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x201] = 0x66; /* the header ends at 0x202 + 0x66 */
	img[0x206] = 0x0f; /* protocol 2.15 */
	img[0x207] = 0x02;
	img[0x211] = 0x01; /* loaded high */
	img[0x236] = 0x01; /* XLF_KERNEL_64 */
	img[0x234] = 1;
	memcpy(img + 0x238, (uint32_t[]){ 2047 }, 4);
	memcpy(img + 0x260, (uint32_t[]){ 0x100000 }, 4);
}

static void test_bzimage(void **state)
{
	struct vmm_bzimage b;

	make_bzimage();
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), 0);
	assert_int_equal(b.version, 0x20f);
	assert_int_equal(b.setup_size, 2048);
	assert_int_equal(b.payload_off, 2048);
	assert_int_equal(b.payload_size, sizeof(img) - 2048);
	assert_int_equal(b.cmdline_max, 2047);
	assert_int_equal(b.init_size, 0x100000);
	assert_true(b.relocatable);

	assert_int_equal(vmm_bzimage_parse(img, 0x200, &b), -ENOEXEC);
	assert_int_equal(vmm_bzimage_parse(img, 2048, &b), -ENOEXEC); /* no payload */
	img[0x236] = 0;
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
	make_bzimage();
	img[0x206] = 0x0b;
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
	make_bzimage();
	img[0x201] = 0xff;
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
	make_bzimage();
	img[0x1f1] = 200; /* setup larger than the file */
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
	make_bzimage();
	memcpy(img + 0x202, "HdrT", 4);
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
	make_bzimage();
	memcpy(img + 0x248, (uint32_t[]){ 100 }, 4); /* the compressed kernel's place */
	memcpy(img + 0x24c, (uint32_t[]){ 6000 }, 4);
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), 0);
	assert_int_equal(b.zkernel_off, 2148);
	assert_int_equal(b.zkernel_size, 6000);
	memcpy(img + 0x24c, (uint32_t[]){ 6100 }, 4); /* past the end of the file */
	assert_int_equal(vmm_bzimage_parse(img, sizeof(img), &b), -ENOEXEC);
}

/* An ELF executable with one PT_LOAD and, if pvh, a PT_NOTE with the PVH entry. */
static size_t make_elf(bool pvh, uint32_t note_len)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 4, .n_type = 18 };
	uint32_t entry = 0x1000040;

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = 0xffffffff81000000ULL;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = pvh ? 2 : 1;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_offset = 4096,
			      .p_paddr = 0x1000000,
			      .p_filesz = 4096,
			      .p_memsz = 8192 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 1024, .p_filesz = note_len };
	memcpy(img + 1024, &nh, sizeof(nh));
	memcpy(img + 1024 + sizeof(nh), "Xen", 4);
	memcpy(img + 1024 + sizeof(nh) + 4, &entry, 4);
	return sizeof(img);
}

static void test_elf(void **state)
{
	struct vmm_elf_info info;
	size_t len;

	len = make_elf(true, 20);
	assert_int_equal(vmm_elf_parse(img, len, &info), 0);
	assert_int_equal(info.pvh_entry, 0x1000040);
	assert_int_equal(info.lowest, 0x1000000);
	assert_int_equal(info.highest, 0x1002000);

	len = make_elf(false, 0);
	assert_int_equal(vmm_elf_parse(img, len, &info), 0);
	assert_int_equal(info.pvh_entry, 0);

	len = make_elf(true, 16); /* the note's descriptor runs past its segment */
	assert_int_equal(vmm_elf_parse(img, len, &info), -ENOEXEC);
	len = make_elf(true, 20);
	assert_int_equal(vmm_elf_parse(img, 6000, &info), -ENOEXEC); /* PT_LOAD past the end */
	((Elf64_Ehdr *)img)->e_phnum = 200;
	assert_int_equal(vmm_elf_parse(img, len, &info), -ENOEXEC);
	make_elf(false, 0);
	((Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)))->p_filesz = 9000; /* more than memsz */
	assert_int_equal(vmm_elf_parse(img, len, &info), -ENOEXEC);
	make_elf(false, 0);
	((Elf64_Ehdr *)img)->e_machine = EM_AARCH64;
	assert_int_equal(vmm_elf_parse(img, len, &info), -ENOEXEC);
	assert_int_equal(vmm_elf_parse(img, 10, &info), -ENOEXEC);
}

static void write_file(const char *path, const void *data, size_t len)
{
	assert_int_equal(bs_write_file_atomic(path, data, len, 0644), 0);
}

/* A bzImage (header of make_bzimage) whose compressed kernel, at 256 bytes into the protected-
 * mode code, is xz of the ELF in elf; corrupt flips a byte of the stream, cut shortens it. */
static size_t make_packed(const uint8_t *elf, size_t elf_len, uint8_t *out, size_t cap,
			  bool corrupt, size_t cut)
{
	static uint8_t xz[16384];
	size_t xz_len = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, elf, elf_len, xz,
						 &xz_len, sizeof(xz)),
			 LZMA_OK);
	if (corrupt)
		xz[xz_len / 2] ^= 0x55;
	xz_len -= cut;
	make_bzimage();
	assert_true(2048 + 256 + xz_len <= cap);
	memset(out, 0, cap);
	memcpy(out, img, 2048);
	memcpy(out + 0x248, (uint32_t[]){ 256 }, 4);
	memcpy(out + 0x24c, (uint32_t[]){ (uint32_t)xz_len }, 4);
	memcpy(out + 2048 + 256, xz, xz_len);
	return 2048 + 256 + xz_len;
}

static void test_unpack(void **state)
{
	static uint8_t elf[8192], packed[32768];
	char tmpdir[] = "/tmp/basalt-test-unpack-XXXXXX";
	_cleanup_free_ char *in = NULL, *out = NULL, *got = NULL;
	size_t len, got_len = 0;
	struct stat st;

	assert_non_null(mkdtemp(tmpdir));
	in = bs_path_join(tmpdir, "vmlinuz");
	out = bs_path_join(tmpdir, "kernel");

	/* a bzImage whose kernel has a PVH entry: unpacked, byte for byte */
	memcpy(elf, img, make_elf(true, 20));
	write_file(in, packed, make_packed(elf, sizeof(elf), packed, sizeof(packed), false, 0));
	assert_int_equal(vmm_kernel_unpack(in, out), 1);
	assert_int_equal(bs_read_file(out, &got, &got_len), 0);
	assert_int_equal(got_len, sizeof(elf));
	assert_memory_equal(got, elf, sizeof(elf));
	unlink(out);

	/* left alone: a kernel without the PVH entry, an ELF, a payload that is not xz */
	memcpy(elf, img, make_elf(false, 0));
	write_file(in, packed, make_packed(elf, sizeof(elf), packed, sizeof(packed), false, 0));
	assert_int_equal(vmm_kernel_unpack(in, out), 0);
	write_file(in, elf, sizeof(elf));
	assert_int_equal(vmm_kernel_unpack(in, out), 0);
	len = make_packed(elf, sizeof(elf), packed, sizeof(packed), false, 0);
	packed[2048 + 256] = 0x1f; /* gzip's magic */
	write_file(in, packed, len);
	assert_int_equal(vmm_kernel_unpack(in, out), 0);
	assert_int_equal(stat(out, &st), -1);

	/* refused, nothing written: a corrupt stream, a cut one, a missing file */
	memcpy(elf, img, make_elf(true, 20));
	write_file(in, packed, make_packed(elf, sizeof(elf), packed, sizeof(packed), true, 0));
	assert_int_equal(vmm_kernel_unpack(in, out), -EBADMSG);
	write_file(in, packed, make_packed(elf, sizeof(elf), packed, sizeof(packed), false, 40));
	assert_int_equal(vmm_kernel_unpack(in, out), -EBADMSG);
	assert_int_equal(stat(out, &st), -1);
	unlink(in);
	assert_true(vmm_kernel_unpack(in, out) < 0);
	bs_error_clear();
	assert_int_equal(rmdir(tmpdir), 0);
}

static void test_cmdline(void **state)
{
	char buf[64];

	assert_int_equal(vmm_linux_cmdline(NULL, buf, sizeof(buf)), 43);
	assert_string_equal(buf, "pci=noearly console=ttyS0 reboot=k panic=-1");
	assert_int_equal(vmm_linux_cmdline("quiet", buf, sizeof(buf)), 17);
	assert_string_equal(buf, "pci=noearly quiet");
	/* the user's own value wins, and so does the bare key */
	vmm_linux_cmdline("quiet pci=conf1", buf, sizeof(buf));
	assert_string_equal(buf, "quiet pci=conf1");
	vmm_linux_cmdline("pci", buf, sizeof(buf));
	assert_string_equal(buf, "pci");
	/* a longer key, or one after "--" (init's arguments), is another parameter */
	vmm_linux_cmdline("pcie=x -- pci=conf1", buf, sizeof(buf));
	assert_string_equal(buf, "pci=noearly pcie=x -- pci=conf1");
	/* the terminator counts: 17 bytes fit in 18, not in 17 */
	assert_int_equal(vmm_linux_cmdline("quiet", buf, 18), 17);
	assert_int_equal(vmm_linux_cmdline("quiet", buf, 17), -E2BIG);
	assert_int_equal(vmm_linux_cmdline("quiet", buf, 5), -E2BIG);
	assert_int_equal(vmm_linux_cmdline("", buf, 0), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_unpack),
		cmocka_unit_test(test_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
