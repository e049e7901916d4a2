// SPDX-License-Identifier: MIT
/*
 * console.c - where the serial console goes: the VMM's own standard input and output (a
 * terminal is put in raw mode while the guest runs), a new pseudo-terminal whose name is
 * logged, or a Unix socket that one client at a time attaches to. Input is read by the I/O
 * thread and fed to the UART without loss (serial_feed.c); output is written by the UART
 * straight to console_out.
 */
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "vmm_impl.h"

struct console {
	struct vmm_vm *vm;
	struct vmm_event in_ev;
	struct vmm_event listen_ev;
	struct vmm_serial_feed feed;
	bool raw;
	struct termios saved;
};

static struct console console;

static void console_readable(void *opaque, uint32_t events)
{
	struct console *c = opaque;
	ssize_t n = vmm_serial_feed_read(&c->feed);

	if (n > 0 || n == -EAGAIN)
		return;
	/* end of input */
	vmm_loop_del(&c->vm->loop, c->in_ev.fd);
	if (c->listen_ev.fd > 0) {
		c->vm->console_out = -1;
		close(c->in_ev.fd);
	}
	c->in_ev.fd = -1;
}

static void console_accept(void *opaque, uint32_t events)
{
	struct console *c = opaque;
	int fd = accept4(c->listen_ev.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (c->in_ev.fd >= 0) {
		close(fd); /* one client at a time */
		return;
	}
	c->in_ev.fd = fd;
	c->vm->console_out = fd;
	if (vmm_loop_add(&c->vm->loop, &c->in_ev, EPOLLIN) < 0) {
		close(fd);
		c->in_ev.fd = c->vm->console_out = -1;
	}
}

static int console_unix(struct console *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bs_error(errno, "socket: %s", strerror(errno));
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		return bs_error(errno, "console socket '%s': %s", path, strerror(errno));
	c->listen_ev = (struct vmm_event){ TAKE_FD(fd), console_accept, c };
	c->vm->console_out = -1;
	return vmm_loop_add(&c->vm->loop, &c->listen_ev, EPOLLIN);
}

static int console_pty(struct console *c)
{
	struct termios t;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return bs_error(err, "cannot open a pseudo-terminal: %s", strerror(err));
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	bs_strlcpy(c->vm->console_pty, ptsname(fd), sizeof(c->vm->console_pty));
	log_warn("the console is on %s", c->vm->console_pty);
	c->in_ev.fd = fd;
	c->vm->console_out = fd;
	return vmm_loop_add(&c->vm->loop, &c->in_ev, EPOLLIN);
}

int vmm_console_open(struct vmm_vm *vm)
{
	struct console *c = &console;
	struct termios t;

	*c = (struct console){ .vm = vm,
			       .in_ev = { -1, console_readable, c },
			       .listen_ev = { -1, NULL, NULL } };
	vmm_serial_feed_init(&c->feed, vm, vm->serial, &c->in_ev);
	vmm_serial_set_output(vm->serial, &vm->console_out, vmm_serial_feed_room, &c->feed);
	vm->console_out = -1;
	switch (vm->cfg->console) {
	case VMM_CONSOLE_NONE:
		return 0;
	case VMM_CONSOLE_PTY:
		return console_pty(c);
	case VMM_CONSOLE_UNIX:
		return console_unix(c, vm->cfg->console_path);
	case VMM_CONSOLE_STDIO:
		break;
	}
	vm->console_out = STDOUT_FILENO;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
		t = c->saved;
		cfmakeraw(&t);
		t.c_oflag |= OPOST | ONLCR;
		/* ^C still stops the VMM; but as the init of its pid namespace (a kvm zone) the
		 * VMM would ignore the signal, so there the guest gets the ^C */
		if (getpid() != 1)
			t.c_lflag |= ISIG;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
			c->raw = true;
	}
	c->in_ev.fd = STDIN_FILENO;
	if (vmm_loop_add(&vm->loop, &c->in_ev, EPOLLIN) < 0)
		c->in_ev.fd = -1; /* a regular file or /dev/null: no input */
	return 0;
}

void vmm_console_close(struct vmm_vm *vm)
{
	struct console *c = &console;

	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
	if (vm->cfg->console != VMM_CONSOLE_STDIO && c->in_ev.fd >= 0)
		close(c->in_ev.fd);
	if (c->listen_ev.fd > 0) {
		close(c->listen_ev.fd);
		unlink(vm->cfg->console_path);
	}
	c->in_ev.fd = c->listen_ev.fd = -1;
}
