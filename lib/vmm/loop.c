// SPDX-License-Identifier: MIT
/*
 * loop.c - the I/O thread: one epoll loop that serves every device's file descriptors (the
 * console's input, the queue-notify eventfds the vCPUs signal through KVM, the taps, the
 * control socket), so that device work never runs on, or stops, a vCPU thread.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "vmm_impl.h"

int vmm_loop_init(struct vmm_loop *l)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return bs_error(errno, "epoll: %s", strerror(errno));
	l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wakefd < 0)
		return bs_error(errno, "eventfd: %s", strerror(errno));
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &e) < 0)
		return bs_error(errno, "epoll: %s", strerror(errno));
	return 0;
}

int vmm_loop_add(struct vmm_loop *l, struct vmm_event *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev->fd, &e) < 0)
		return bs_error(errno, "epoll: %s", strerror(errno));
	return 0;
}

void vmm_loop_del(struct vmm_loop *l, int fd)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void *loop_main(void *arg)
{
	struct vmm_loop *l = arg;
	struct epoll_event evs[16];

	for (;;) {
		int n = epoll_wait(l->epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			struct vmm_event *ev = evs[i].data.ptr;

			if (!ev)
				return NULL;
			ev->fn(ev->opaque, evs[i].events);
		}
	}
	return NULL;
}

int vmm_loop_start(struct vmm_loop *l)
{
	int r = pthread_create(&l->thread, NULL, loop_main, l);

	if (r != 0)
		return bs_error(r, "cannot start the I/O thread: %s", strerror(r));
	l->running = true;
	return 0;
}

void vmm_loop_stop(struct vmm_loop *l)
{
	uint64_t one = 1;

	if (l->running) {
		if (write(l->wakefd, &one, sizeof(one)) < 0)
			abort();
		pthread_join(l->thread, NULL);
		l->running = false;
	}
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	l->epfd = l->wakefd = -1;
}
