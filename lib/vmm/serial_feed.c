// SPDX-License-Identifier: MIT
/*
 * serial_feed.c - what a UART receives, read from a file descriptor (the console's terminal,
 * pty or socket client; COM2's socket client) by the I/O thread without losing a byte: the
 * descriptor is read no faster than the receive FIFO has room, and when the FIFO is full it
 * leaves the I/O loop until the guest has read half of the FIFO. A real 16550A drops what
 * arrives on a full FIFO; here the other end waits instead, so a paste into the console or a
 * long answer on COM2 arrives whole however slowly the guest reads.
 */
#include <stdatomic.h>
#include <sys/epoll.h>

#include "vmm_impl.h"

void vmm_serial_feed_init(struct vmm_serial_feed *f, struct vmm_vm *vm, struct vmm_serial *uart,
			  struct vmm_event *ev)
{
	f->vm = vm;
	f->uart = uart;
	f->ev = ev;
	atomic_store(&f->paused, false);
}

void vmm_serial_feed_room(void *opaque)
{
	struct vmm_serial_feed *f = opaque;

	if (atomic_exchange(&f->paused, false))
		vmm_loop_add(&f->vm->loop, f->ev, EPOLLIN);
}

ssize_t vmm_serial_feed_read(struct vmm_serial_feed *f)
{
	uint8_t buf[256];
	size_t room = vmm_serial_room(f->uart);
	ssize_t n;

	if (room == 0) {
		/* stop reading; the guest's next read of the FIFO resumes it (or this check, if
		 * that read came first) */
		vmm_loop_del(&f->vm->loop, f->ev->fd);
		atomic_store(&f->paused, true);
		if (vmm_serial_room(f->uart) > 0)
			vmm_serial_feed_room(f);
		return -EAGAIN;
	}
	n = read(f->ev->fd, buf, MIN(room, sizeof(buf)));
	if (n > 0) {
		vmm_serial_input(f->uart, buf, (size_t)n);
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	return n < 0 ? -errno : 0;
}
