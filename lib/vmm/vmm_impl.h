/* SPDX-License-Identifier: MIT */
/*
 * vmm_impl.h - the VMM's internal interfaces: the VM and its guest memory, the port and MMIO
 * buses devices register on, the vCPUs, the I/O thread's event loop and the devices. One
 * header for the library's files; nothing here is public.
 */
#ifndef BASALT_VMM_IMPL_H
#define BASALT_VMM_IMPL_H

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <basalt/base.h>
#include <basalt/vmm.h>

#include "probes.h"

/* ---- guest physical layout ---- */
#define VMM_MMIO_HOLE_START 0xc0000000ULL /* RAM below 4 GiB ends here */
#define VMM_4G 0x100000000ULL
#define VMM_IOAPIC_ADDR 0xfec00000ULL
#define VMM_LAPIC_ADDR 0xfee00000ULL
#define VMM_EBDA_ADDR 0x9fc00ULL /* the MP table lives in this last KiB below 640 KiB */
#define VMM_MIN_MEMORY (8ULL << 20)

/* ---- buses ---- */
/* A device's access handler: offset from the start of its range, len of 1, 2, 4 or 8. */
typedef void (*vmm_io_fn)(void *opaque, uint64_t off, uint8_t *data, unsigned int len,
			  bool is_write);

struct vmm_io_range {
	uint64_t base;
	uint64_t len;
	vmm_io_fn fn;
	void *opaque;
};

#define VMM_BUS_MAX 64
struct vmm_bus {
	struct vmm_io_range r[VMM_BUS_MAX];
	unsigned int n;
};

int vmm_bus_add(struct vmm_bus *bus, uint64_t base, uint64_t len, vmm_io_fn fn, void *opaque);
/* Dispatch an access; false if no device claims addr (reads then see all ones). */
bool vmm_bus_access(const struct vmm_bus *bus, uint64_t addr, uint8_t *data, unsigned int len,
		    bool is_write);

/* ---- counters exported by `info` and the probes ---- */
struct vmm_vcpu_stats {
	atomic_uint_fast64_t exits, io_exits, mmio_exits;
};

struct vmm_vm;

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	struct vmm_vcpu_stats stats;
};

/* ---- the I/O thread: one epoll loop for every device's file descriptors ---- */
typedef void (*vmm_event_fn)(void *opaque, uint32_t events);

struct vmm_event {
	int fd;
	vmm_event_fn fn;
	void *opaque;
};

struct vmm_loop {
	int epfd;
	int wakefd; /* an eventfd that ends the loop */
	pthread_t thread;
	bool running;
};

int vmm_loop_init(struct vmm_loop *l);
/* Watch fd for events (EPOLLIN...); ev must stay valid while the loop runs. */
int vmm_loop_add(struct vmm_loop *l, struct vmm_event *ev, uint32_t events);
void vmm_loop_del(struct vmm_loop *l, int fd);
int vmm_loop_start(struct vmm_loop *l);
void vmm_loop_stop(struct vmm_loop *l);

/* ---- devices ---- */
struct vmm_serial;
struct vmm_ioapic;
struct vmm_i8042;
struct vmm_pci;
struct vmm_virtio;

enum vmm_state {
	VMM_STATE_RUNNING,
	VMM_STATE_PAUSED,
	VMM_STATE_ENDING,
};

struct vmm_image;

struct vmm_vm {
	const struct vmm_config *cfg;
	const struct vmm_image *kernel; /* mapped once for every (re)start of the guest */
	const struct vmm_image *initrd; /* empty without one */
	int kvm_fd;
	int vm_fd;
	int run_size;

	/* guest RAM: one host mapping; gpa [0, low) is ram[0, low), [4G, 4G + high) follows */
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t low_size;
	uint64_t high_size;
	uint64_t direct_entry; /* the entry of a direct-entry guest */
	uint64_t linux_entry;  /* the kernel's entry: 64-bit bzImage or 32-bit PVH */
	bool linux_pvh;

	struct vmm_bus pio;
	struct vmm_bus mmio;

	struct vmm_vcpu vcpus[VMM_MAX_CPUS];
	unsigned int n_vcpus;

	struct vmm_loop loop;
	struct vmm_ioapic *ioapic;
	struct vmm_i8042 *i8042;
	struct vmm_serial *serial;
	struct vmm_pci *pci;
	struct vmm_virtio *virtio[VMM_MAX_DISKS + VMM_MAX_NETS + 1];
	unsigned int n_virtio;
	int console_out;
	char console_pty[64]; /* the pseudo-terminal of a pty console */
	int control_fd;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vmm_state state;
	bool stop_asked; /* the guest was asked to stop: its reboot ends the VM */
	unsigned int paused_vcpus;
	enum vmm_exit exit_reason;
	int exit_code;
	uint64_t start_ns;
};

/* vm.c: lifecycle */
void vmm_vm_request_exit(struct vmm_vm *vm, enum vmm_exit why, int code);
/* Mark a running guest as asked to stop (a reboot then ends the VM); false if not running. */
bool vmm_vm_ask_stop(struct vmm_vm *vm);
int vmm_vm_pause(struct vmm_vm *vm);
int vmm_vm_resume(struct vmm_vm *vm);

/* memory.c */
int vmm_memory_init(struct vmm_vm *vm, uint64_t size);
void vmm_memory_free(struct vmm_vm *vm);
/* A host pointer to [gpa, gpa + len) if it lies wholly in guest RAM, else NULL. */
void *vmm_gpa(struct vmm_vm *vm, uint64_t gpa, uint64_t len);

/* image.c: a kernel or initrd file, mapped read-only */
struct vmm_image {
	const uint8_t *data;
	size_t len;
};
int vmm_image_map(const char *path, struct vmm_image *ret);
void vmm_image_unmap(struct vmm_image *img);

/* vcpu.c */
int vmm_vcpu_create(struct vmm_vm *vm, unsigned int index);
int vmm_vcpu_start(struct vmm_vcpu *vcpu);
void vmm_vcpu_kick(struct vmm_vcpu *vcpu);
void vmm_vcpu_destroy(struct vmm_vcpu *vcpu);

/* cpuid.c */
int vmm_cpuid_setup(struct vmm_vcpu *vcpu);

/* msr.c */
int vmm_msr_setup(struct vmm_vcpu *vcpu);

/* x86_direct.c: the 64-bit entry of freestanding test guests */
int vmm_direct_load(struct vmm_vm *vm, const uint8_t *img, size_t len);
int vmm_direct_setup_vcpu(struct vmm_vcpu *vcpu);

/* elf.c: loading an ELF64 executable into guest memory */
struct vmm_elf_info {
	uint64_t entry;
	uint64_t pvh_entry; /* 0 when the image has no PVH note */
	uint64_t lowest, highest;
};
int vmm_elf_parse(const uint8_t *img, size_t len, struct vmm_elf_info *ret_info);
/* Into guest RAM as vmm_memory_init() left it, all zero: a segment's bss is not cleared. */
int vmm_elf_load(struct vmm_vm *vm, const uint8_t *img, size_t len);

/* e820.c */
struct vmm_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} _packed_;
#define VMM_E820_RAM 1
#define VMM_E820_RESERVED 2
#define VMM_E820_MAX 8
unsigned int vmm_e820_build(const struct vmm_vm *vm, struct vmm_e820_entry *e, unsigned int max);

/* x86_linux.c: bzImage through the 64-bit boot protocol */
struct vmm_bzimage {
	uint16_t version;
	uint8_t setup_sects;
	uint64_t setup_size;  /* bytes of real-mode setup, boot sector included */
	uint64_t payload_off; /* protected-mode kernel within the file */
	uint64_t payload_size;
	uint64_t zkernel_off;  /* the compressed kernel (payload_offset) within the file */
	uint64_t zkernel_size; /* (payload_length) */
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_max;
	uint32_t initrd_max;
	bool relocatable;
	bool xlf_64;
};
int vmm_bzimage_parse(const uint8_t *img, size_t len, struct vmm_bzimage *ret);
int vmm_linux_load(struct vmm_vm *vm, const uint8_t *img, size_t len);
/* The guest's command line: machine parameters the user's (NULL: the default) does not name,
 * then the user's, into buf of size bytes; its length, or -E2BIG. */
int vmm_linux_cmdline(const char *user, char *buf, size_t size);
int vmm_linux_setup_bsp(struct vmm_vcpu *vcpu);

/* virtio_devices.c: the virtio devices the configuration asks for */
int vmm_virtio_devices_create(struct vmm_vm *vm);
void vmm_virtio_devices_destroy(struct vmm_vm *vm);

/* control.c: the control socket */
int vmm_control_open(struct vmm_vm *vm);
void vmm_control_close(struct vmm_vm *vm);

/* confine.c: drop privileges and install the seccomp allow-list, if configured */
int vmm_confine(struct vmm_vm *vm);

/* mptable.c: the MP table that tells Linux about CPUs, the IOAPIC and PCI interrupts */
int vmm_mptable_write(struct vmm_vm *vm);

/* console.c */
int vmm_console_open(struct vmm_vm *vm);
void vmm_console_close(struct vmm_vm *vm);

/* serial.c */
int vmm_serial_create(struct vmm_vm *vm, struct vmm_serial **ret);
void vmm_serial_input(struct vmm_serial *s, const uint8_t *buf, size_t n);
/* Another UART at port and irq; its output goes nowhere until set. */
int vmm_serial_create_at(struct vmm_vm *vm, uint16_t port, unsigned int irq,
			 struct vmm_serial **ret);
/* Free bytes in the receive FIFO. */
size_t vmm_serial_room(struct vmm_serial *s);
/* Transmitted bytes go to *out; room(opaque) is called when the guest made room in the FIFO. */
void vmm_serial_set_output(struct vmm_serial *s, int *out, void (*room)(void *), void *opaque);

/* serial_feed.c: a UART's input from a file descriptor, read only as fast as its FIFO empties */
struct vmm_serial_feed {
	struct vmm_vm *vm;
	struct vmm_serial *uart;
	struct vmm_event *ev; /* the descriptor, on the I/O loop while the FIFO has room */
	atomic_bool paused;   /* taken off the loop: the FIFO is full */
};
void vmm_serial_feed_init(struct vmm_serial_feed *f, struct vmm_vm *vm, struct vmm_serial *uart,
			  struct vmm_event *ev);
/* Read what the FIFO has room for into the UART: the bytes read, 0 at the end of input,
 * -EAGAIN when nothing was read (no data yet, or the FIFO is full and the descriptor left the
 * loop until the guest makes room), or another negative errno. */
ssize_t vmm_serial_feed_read(struct vmm_serial_feed *f);
/* The UART's room callback (vmm_serial_set_output) for a feed: put it back on the loop. */
void vmm_serial_feed_room(void *opaque);

/* serial2.c: COM2 on a Unix socket (--serial2) */
int vmm_serial2_open(struct vmm_vm *vm);
void vmm_serial2_close(struct vmm_vm *vm);

/* ioapic.c: the I/O APIC; pins 0-15 are the ISA IRQs, 16-23 the PCI slots' INTA */
int vmm_ioapic_create(struct vmm_vm *vm, struct vmm_ioapic **ret);
void vmm_ioapic_free(struct vmm_ioapic *io);
/* Set the level of a pin's input line (from any thread). */
void vmm_ioapic_set_irq(struct vmm_ioapic *io, unsigned int pin, bool level);

/* i8042.c, rtc.c, exitport in vm.c */
int vmm_i8042_create(struct vmm_vm *vm);
/* The keyboard types Ctrl-Alt-Del (from any thread). */
void vmm_i8042_ctrl_alt_del(struct vmm_i8042 *k);
int vmm_rtc_create(struct vmm_vm *vm);

/* pci.c: configuration mechanism 1 and a bus of up to 32 devices with one I/O BAR each */
#define VMM_PCI_MAX_DEVS 31
struct vmm_pci_dev {
	uint8_t cfg[256];
	uint32_t bar_size; /* the I/O BAR 0's size, a power of two */
	uint16_t bar_port; /* where it lives */
	uint8_t irq;	   /* the GSI of INTA */
};
int vmm_pci_create(struct vmm_vm *vm);
void vmm_pci_destroy(struct vmm_vm *vm);
/* Add a device; the bus places its I/O BAR and its interrupt. */
int vmm_pci_add(struct vmm_vm *vm, struct vmm_pci_dev *d, uint16_t vendor, uint16_t device,
		uint32_t class_code, uint16_t subsys, vmm_io_fn bar_fn, void *opaque);
unsigned int vmm_pci_irq(unsigned int slot);

#endif
