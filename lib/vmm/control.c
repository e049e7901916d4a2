// SPDX-License-Identifier: MIT
/*
 * control.c - the control socket: a Unix stream socket where a manager (vmadm, or anyone with
 * `socat`) sends one command per connection as a line of text and reads one line of JSON back.
 * Commands: info (state, uptime, per-vCPU exit counters, per-device request counters), pause,
 * resume, stop [SECONDS]. Served on the I/O thread. `stop` asks the guest first: the keyboard
 * types Ctrl-Alt-Del, which a Linux guest answers by rebooting (at once, or through init's
 * clean shutdown), and a reboot requested that way ends the VM even under --reboot restart;
 * a guest still running SECONDS later (default 30; 0: at once; a paused guest: at once) is
 * stopped.
 */
#include <ctype.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include <basalt/json.h>

#include "virtio.h"

#define STOP_GRACE_S 30

struct control {
	struct vmm_vm *vm;
	struct vmm_event ev;
	struct vmm_event timer; /* the end of a stop's grace period */
	unsigned int grace_s;
};

static struct control control;

static const char *const state_names[] = {
	[VMM_STATE_RUNNING] = "running",
	[VMM_STATE_PAUSED] = "paused",
	[VMM_STATE_ENDING] = "stopping",
};

static json_t *control_info(struct vmm_vm *vm)
{
	json_t *cpus = json_array(), *devs = json_array();
	enum vmm_state state;

	pthread_mutex_lock(&vm->lock);
	state = vm->state;
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->n_vcpus; i++) {
		struct vmm_vcpu_stats *s = &vm->vcpus[i].stats;

		json_array_append_new(cpus,
				      json_pack("{s:i,s:I,s:I,s:I}", "id", (int)i, "exits",
						(json_int_t)atomic_load(&s->exits), "io_exits",
						(json_int_t)atomic_load(&s->io_exits), "mmio_exits",
						(json_int_t)atomic_load(&s->mmio_exits)));
	}
	for (unsigned int i = 0; i < vm->n_virtio; i++) {
		struct vmm_virtio *v = vm->virtio[i];

		json_array_append_new(devs,
				      json_pack("{s:s,s:I,s:b}", "type", v->ops->name, "requests",
						(json_int_t)atomic_load(&v->requests), "broken",
						v->broken));
	}
	return json_pack("{s:s,s:I,s:i,s:I,s:o,s:o,s:s}", "state", state_names[state], "uptime_ms",
			 (json_int_t)((bs_monotonic_ns() - vm->start_ns) / 1000000), "vcpus",
			 (int)vm->n_vcpus, "memory_mib", (json_int_t)(vm->ram_size >> 20), "cpus",
			 cpus, "devices", devs, "console", vm->console_pty);
}

static void control_grace_over(void *opaque, uint32_t events)
{
	struct control *c = opaque;
	uint64_t n;

	if (read(c->timer.fd, &n, sizeof(n)) < 0)
		return;
	log_warn("the guest did not stop within %u s; stopping it", c->grace_s);
	vmm_vm_request_exit(c->vm, VMM_EXIT_STOPPED, 0);
}

/* stop [SECONDS] */
static int control_stop(struct control *c, const char *arg)
{
	struct itimerspec its = { .it_value = { 0, 0 } };
	unsigned long grace = STOP_GRACE_S;
	char *end;

	if (*arg) {
		errno = 0;
		grace = strtoul(arg, &end, 10);
		if (errno || *end || grace > 86400 || !isdigit((unsigned char)*arg))
			return bs_error(EINVAL, "stop '%s': expected seconds (0-86400)", arg);
	}
	if (grace == 0 || c->timer.fd < 0 || !vmm_vm_ask_stop(c->vm)) {
		vmm_vm_request_exit(c->vm, VMM_EXIT_STOPPED, 0);
		return 0;
	}
	c->grace_s = (unsigned int)grace;
	its.it_value.tv_sec = (time_t)grace;
	if (timerfd_settime(c->timer.fd, 0, &its, NULL) < 0) {
		vmm_vm_request_exit(c->vm, VMM_EXIT_STOPPED, 0);
		return 0;
	}
	vmm_i8042_ctrl_alt_del(c->vm->i8042);
	return 0;
}

static json_t *control_command(struct control *c, const char *cmd)
{
	struct vmm_vm *vm = c->vm;
	int r;

	if (streq(cmd, "info"))
		return control_info(vm);
	if (streq(cmd, "pause")) {
		r = vmm_vm_pause(vm);
		if (r == 0)
			vmm_probe_lifecycle(vm, "pause");
	} else if (streq(cmd, "resume")) {
		r = vmm_vm_resume(vm);
		if (r == 0)
			vmm_probe_lifecycle(vm, "resume");
	} else if (streq(cmd, "stop") || strncmp(cmd, "stop ", 5) == 0) {
		r = control_stop(c, cmd + strlen("stop") + (cmd[4] == ' '));
	} else {
		r = bs_error(EINVAL, "unknown command '%s': info, pause, resume or stop [SECONDS]",
			     cmd);
	}
	if (r < 0)
		return json_pack("{s:s}", "error", bs_strerror(r));
	return json_pack("{s:b}", "ok", 1);
}

static void control_accept(void *opaque, uint32_t events)
{
	struct control *c = opaque;
	_cleanup_close_ int fd = accept4(c->ev.fd, NULL, NULL, SOCK_CLOEXEC);
	_cleanup_json_ json_t *reply = NULL;
	_cleanup_free_ char *text = NULL;
	char buf[128];
	struct timeval tv = { .tv_sec = 1 };
	ssize_t n;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	reply = control_command(c, buf);
	text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	if (text) {
		(void)!write(fd, text, strlen(text));
		(void)!write(fd, "\n", 1);
	}
}

int vmm_control_open(struct vmm_vm *vm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	control = (struct control){ .vm = vm,
				    .ev = { -1, control_accept, &control },
				    .timer = { -1, control_grace_over, &control } };
	if (!vm->cfg->control)
		return 0;
	control.timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (control.timer.fd < 0)
		return bs_error(errno, "timerfd: %s", strerror(errno));
	if (vmm_loop_add(&vm->loop, &control.timer, EPOLLIN) < 0)
		return bs_error(errno, "cannot watch the stop timer");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bs_error(errno, "socket: %s", strerror(errno));
	strncpy(sa.sun_path, vm->cfg->control, sizeof(sa.sun_path) - 1);
	unlink(vm->cfg->control);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return bs_error(errno, "control socket '%s': %s", vm->cfg->control,
				strerror(errno));
	control.ev.fd = TAKE_FD(fd);
	return vmm_loop_add(&vm->loop, &control.ev, EPOLLIN);
}

void vmm_control_close(struct vmm_vm *vm)
{
	if (control.ev.fd >= 0) {
		close(control.ev.fd);
		unlink(vm->cfg->control);
	}
	control.ev.fd = -1;
	if (control.timer.fd >= 0)
		close(control.timer.fd);
	control.timer.fd = -1;
}
