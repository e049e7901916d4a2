// SPDX-License-Identifier: MIT
/*
 * control.c - the control socket: a Unix stream socket where a manager (vmadm, or anyone with
 * `socat`) sends one command per connection as a line of text and reads one line of JSON back.
 * Commands: info (state, uptime, per-vCPU exit counters, per-device request counters), pause,
 * resume, stop. Served on the I/O thread.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <basalt/json.h>

#include "virtio.h"

struct control {
	struct vmm_vm *vm;
	struct vmm_event ev;
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

static json_t *control_command(struct vmm_vm *vm, const char *cmd)
{
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
	} else if (streq(cmd, "stop")) {
		vmm_vm_request_exit(vm, VMM_EXIT_STOPPED, 0);
		r = 0;
	} else {
		r = bs_error(EINVAL, "unknown command '%s': info, pause, resume or stop", cmd);
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
	reply = control_command(c->vm, buf);
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

	control = (struct control){ .vm = vm, .ev = { -1, control_accept, &control } };
	if (!vm->cfg->control)
		return 0;
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
}
