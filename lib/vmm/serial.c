// SPDX-License-Identifier: MIT
/*
 * serial.c - the 8250/16550A UART at 0x3f8 (COM1, IRQ 4), the guest's console ttyS0, and the
 * same chip at another port (COM2 at 0x2f8, IRQ 3: see serial2.c). What the guest transmits is
 * written to the port's output at once, so the transmitter is always empty; input from the other
 * end arrives through the I/O thread into a receive FIFO, and a port whose input must not be
 * lost is told when the guest has emptied the FIFO enough to take more. Loopback mode is
 * emulated because Linux probes the UART with it.
 */
#include "vmm_impl.h"

#define SERIAL_PORT 0x3f8
#define SERIAL_IRQ 4
#define SERIAL_FIFO 256

#define IER_RDI 0x01
#define IER_THRI 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct vmm_serial {
	struct vmm_vm *vm;
	unsigned int irq_line;
	int *out;		    /* where transmitted bytes go (-1: dropped) */
	void (*room)(void *opaque); /* the guest took bytes: the FIFO has room again */
	void *room_opaque;
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_empty_irq; /* the "transmitter empty" interrupt is pending */
	uint8_t fifo[SERIAL_FIFO];
	unsigned int head, count;
	bool irq;
};

static void serial_update_irq(struct vmm_serial *s)
{
	bool level = ((s->ier & IER_RDI) && s->count) || ((s->ier & IER_THRI) && s->thr_empty_irq);

	if (level != s->irq) {
		s->irq = level;
		vmm_ioapic_set_irq(s->vm->ioapic, s->irq_line, level);
	}
}

static void serial_push(struct vmm_serial *s, uint8_t c)
{
	if (s->count == SERIAL_FIFO)
		return; /* overrun: the byte is lost, as on the real chip */
	s->fifo[(s->head + s->count++) % SERIAL_FIFO] = c;
}

static uint8_t serial_iir(struct vmm_serial *s)
{
	uint8_t fifo = (s->fcr & 1) ? 0xc0 : 0;

	if ((s->ier & IER_RDI) && s->count)
		return fifo | 0x04;
	if ((s->ier & IER_THRI) && s->thr_empty_irq) {
		s->thr_empty_irq = false; /* reading IIR acknowledges it */
		return fifo | 0x02;
	}
	return fifo | 0x01;
}

static uint8_t serial_msr(struct vmm_serial *s)
{
	if (!(s->mcr & MCR_LOOP))
		return 0xb0; /* carrier, data set ready, clear to send */
	return (uint8_t)(((s->mcr & 0x02) << 3) | ((s->mcr & 0x01) << 5) | ((s->mcr & 0x04) << 4) |
			 ((s->mcr & 0x08) << 4));
}

static void serial_write(struct vmm_serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			s->dll = v;
		} else if (s->mcr & MCR_LOOP) {
			serial_push(s, v);
			s->thr_empty_irq = true;
		} else {
			if (*s->out >= 0 && write(*s->out, &v, 1) < 0 && errno != EAGAIN)
				*s->out = -1; /* the reader went away: drop output */
			s->thr_empty_irq = true;
		}
		break;
	case 1:
		if (dlab) {
			s->dlm = v;
		} else {
			if (!(s->ier & IER_THRI) && (v & IER_THRI))
				s->thr_empty_irq = true;
			s->ier = v & 0x0f;
		}
		break;
	case 2:
		s->fcr = v;
		if (v & 0x02)
			s->count = 0;
		break;
	case 3:
		s->lcr = v;
		break;
	case 4:
		s->mcr = v & 0x1f;
		break;
	case 7:
		s->scr = v;
		break;
	default:
		break;
	}
}

static uint8_t serial_read(struct vmm_serial *s, unsigned int reg)
{
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t v = 0;

	switch (reg) {
	case 0:
		if (dlab)
			return s->dll;
		if (s->count) {
			v = s->fifo[s->head];
			s->head = (s->head + 1) % SERIAL_FIFO;
			s->count--;
			if (s->room && s->count <= SERIAL_FIFO / 2)
				s->room(s->room_opaque);
		}
		return v;
	case 1:
		return dlab ? s->dlm : s->ier;
	case 2:
		return serial_iir(s);
	case 3:
		return s->lcr;
	case 4:
		return s->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT | (s->count ? LSR_DR : 0);
	case 6:
		return serial_msr(s);
	default:
		return s->scr;
	}
}

static void serial_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_serial *s = opaque;

	pthread_mutex_lock(&s->lock);
	if (is_write)
		serial_write(s, off, data[0]);
	else
		data[0] = serial_read(s, off);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

void vmm_serial_input(struct vmm_serial *s, const uint8_t *buf, size_t n)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++)
		serial_push(s, buf[i]);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t vmm_serial_room(struct vmm_serial *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = SERIAL_FIFO - s->count;
	pthread_mutex_unlock(&s->lock);
	return room;
}

void vmm_serial_set_output(struct vmm_serial *s, int *out, void (*room)(void *), void *opaque)
{
	pthread_mutex_lock(&s->lock);
	s->out = out;
	s->room = room;
	s->room_opaque = opaque;
	pthread_mutex_unlock(&s->lock);
}

int vmm_serial_create_at(struct vmm_vm *vm, uint16_t port, unsigned int irq,
			 struct vmm_serial **ret)
{
	struct vmm_serial *s = bs_zalloc(sizeof(*s));
	static int nowhere = -1;
	int r;

	s->vm = vm;
	s->irq_line = irq;
	s->out = &nowhere;
	pthread_mutex_init(&s->lock, NULL);
	r = vmm_bus_add(&vm->pio, port, 8, serial_io, s);
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int vmm_serial_create(struct vmm_vm *vm, struct vmm_serial **ret)
{
	int r = vmm_serial_create_at(vm, SERIAL_PORT, SERIAL_IRQ, ret);

	if (r >= 0)
		(*ret)->out = &vm->console_out;
	return r;
}
