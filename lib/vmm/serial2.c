// SPDX-License-Identifier: MIT
/*
 * serial2.c - the second UART (COM2: 0x2f8, IRQ 3, the guest's ttyS1) and its other end, a Unix
 * socket the VMM listens on (--serial2 unix:PATH), bound before the VMM confines itself. One
 * client at a time is connected to the port: what the guest transmits goes to it, what it sends
 * reaches the guest's receive FIFO without loss (serial_feed.c), so a long answer (the host's
 * metadata service speaks on this port) arrives whole however slowly the guest reads.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vmm_impl.h"

#define SERIAL2_PORT 0x2f8
#define SERIAL2_IRQ 3

struct serial2 {
	struct vmm_vm *vm;
	struct vmm_serial *uart;
	struct vmm_event listen_ev;
	struct vmm_event conn_ev;
	int out; /* the client, as the UART writes to it */
	struct vmm_serial_feed feed;
};

static struct serial2 serial2 = { .listen_ev = { -1, NULL, NULL }, .conn_ev = { -1, NULL, NULL } };

static void serial2_drop(struct serial2 *p)
{
	vmm_loop_del(&p->vm->loop, p->conn_ev.fd);
	p->out = -1;
	/* taken under the UART's lock: a write the guest began has ended before the close */
	vmm_serial_set_output(p->uart, &p->out, vmm_serial_feed_room, &p->feed);
	close(p->conn_ev.fd);
	p->conn_ev.fd = -1;
	atomic_store(&p->feed.paused, false);
}

static void serial2_readable(void *opaque, uint32_t events)
{
	struct serial2 *p = opaque;
	ssize_t n = vmm_serial_feed_read(&p->feed);

	if (n > 0 || n == -EAGAIN)
		return;
	serial2_drop(p);
}

static void serial2_accept(void *opaque, uint32_t events)
{
	struct serial2 *p = opaque;
	int fd = accept4(p->listen_ev.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (p->conn_ev.fd >= 0) {
		close(fd); /* one client at a time */
		return;
	}
	p->conn_ev.fd = fd;
	if (vmm_loop_add(&p->vm->loop, &p->conn_ev, EPOLLIN) < 0) {
		close(fd);
		p->conn_ev.fd = -1;
		return;
	}
	p->out = fd;
}

int vmm_serial2_open(struct vmm_vm *vm)
{
	struct serial2 *p = &serial2;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	int r;

	*p = (struct serial2){ .vm = vm,
			       .listen_ev = { -1, serial2_accept, p },
			       .conn_ev = { -1, serial2_readable, p },
			       .out = -1 };
	if (!vm->cfg->serial2_path)
		return 0;
	r = vmm_serial_create_at(vm, SERIAL2_PORT, SERIAL2_IRQ, &p->uart);
	if (r < 0)
		return r;
	vmm_serial_feed_init(&p->feed, vm, p->uart, &p->conn_ev);
	vmm_serial_set_output(p->uart, &p->out, vmm_serial_feed_room, &p->feed);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bs_error(errno, "socket: %s", strerror(errno));
	bs_strlcpy(sa.sun_path, vm->cfg->serial2_path, sizeof(sa.sun_path));
	unlink(vm->cfg->serial2_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		return bs_error(errno, "serial2 socket '%s': %s", vm->cfg->serial2_path,
				strerror(errno));
	p->listen_ev.fd = TAKE_FD(fd);
	return vmm_loop_add(&vm->loop, &p->listen_ev, EPOLLIN);
}

void vmm_serial2_close(struct vmm_vm *vm)
{
	struct serial2 *p = &serial2;

	if (p->conn_ev.fd >= 0)
		close(p->conn_ev.fd);
	if (p->listen_ev.fd >= 0) {
		close(p->listen_ev.fd);
		unlink(vm->cfg->serial2_path);
	}
	free(p->uart);
	*p = (struct serial2){ .listen_ev = { -1, NULL, NULL }, .conn_ev = { -1, NULL, NULL } };
}
