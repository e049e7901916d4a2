// SPDX-License-Identifier: MIT
/*
 * i8042.c - the PC keyboard controller and a keyboard with one key combination: the status and
 * command port 0x64, the data port 0x60 and IRQ 1. Command 0xfe (pulse the reset line) is how
 * Linux's `reboot=k` resets a PC. The controller's own commands are answered as a real one
 * does, so that Linux's driver finds a working controller at once instead of waiting for
 * replies that never come (its probe used to time out: a second of boot on a slow guest): read
 * and write the command byte, self-test, interface tests, enable and disable the ports, read
 * the output port. The keyboard acknowledges its commands and identifies itself as a standard
 * one (scan code set 2); all it ever types is Ctrl-Alt-Del, which `stop` on the control socket
 * sends: Linux reboots at once, or tells init, which shuts down cleanly and reboots. Nothing
 * answers on the mouse port.
 */
#include "vmm_impl.h"

#define I8042_DATA 0x60
#define I8042_CMD 0x64

#define STATUS_OBF 0x01 /* a byte waits in the output buffer */
#define STATUS_SYS 0x04 /* the self-test passed */
#define STATUS_CMD 0x08 /* the last write was to the command port */

#define CTR_KBDINT 0x01
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_AUX_TEST 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_OUTPORT 0xd0
#define CMD_WRITE_OUTPORT 0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX 0xd4
#define CMD_RESET 0xfe

#define SELF_TEST_OK 0x55
#define OUTPORT_DEFAULT 0x03 /* reset line not asserted, A20 on */

#define KBD_ACK 0xfa
#define KBD_RESET 0xff
#define KBD_GET_ID 0xf2
#define KBD_ECHO 0xee
#define KBD_SET_LEDS 0xed
#define KBD_SET_RATE 0xf3
#define KBD_SCANCODE_SET 0xf0
#define KBD_SELF_TEST_OK 0xaa

#define I8042_IRQ 1
#define QUEUE_SIZE 16

struct vmm_i8042 {
	struct vmm_vm *vm;
	pthread_mutex_t lock;
	uint8_t ctr;
	uint8_t status;
	uint8_t last;	     /* the byte last read, read again from an empty buffer */
	uint8_t pending;     /* the command whose parameter the next data byte is, or 0 */
	uint8_t kbd_pending; /* the keyboard command awaiting its parameter, or 0 */
	/* the output buffer and the bytes queued behind it; from_kbd: sent by the keyboard */
	uint8_t queue[QUEUE_SIZE];
	bool from_kbd[QUEUE_SIZE];
	unsigned int head, count;
};

/* IRQ 1 is high while a byte from the keyboard waits and the guest enabled its interrupt. */
static void i8042_update(struct vmm_i8042 *k)
{
	bool level = k->count && k->from_kbd[k->head] && (k->ctr & CTR_KBDINT);

	k->status = (uint8_t)((k->status & ~STATUS_OBF) | (k->count ? STATUS_OBF : 0));
	vmm_ioapic_set_irq(k->vm->ioapic, I8042_IRQ, level);
}

static void i8042_push(struct vmm_i8042 *k, uint8_t v, bool from_kbd)
{
	unsigned int i = (k->head + k->count) % QUEUE_SIZE;

	if (k->count == QUEUE_SIZE)
		return; /* a full controller drops what comes next */
	k->queue[i] = v;
	k->from_kbd[i] = from_kbd;
	k->count++;
	i8042_update(k);
}

/* The controller's answer to a command goes ahead of what the keyboard typed: a real
 * controller holds the keyboard off while it answers, and the guest reads the answer next. */
static void i8042_reply(struct vmm_i8042 *k, uint8_t v)
{
	if (k->count == QUEUE_SIZE)
		k->count--; /* the keyboard's last byte is lost */
	k->head = (k->head + QUEUE_SIZE - 1) % QUEUE_SIZE;
	k->queue[k->head] = v;
	k->from_kbd[k->head] = false;
	k->count++;
	i8042_update(k);
}

static uint8_t i8042_pop(struct vmm_i8042 *k)
{
	if (k->count) {
		k->last = k->queue[k->head];
		k->head = (k->head + 1) % QUEUE_SIZE;
		k->count--;
		/* lowered, so that the next byte from the keyboard is a new edge */
		vmm_ioapic_set_irq(k->vm->ioapic, I8042_IRQ, false);
		i8042_update(k);
	}
	return k->last;
}

/* A byte the guest sends to the keyboard: acknowledged, and answered as a keyboard does. */
static void i8042_keyboard(struct vmm_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->kbd_pending;

	k->kbd_pending = 0;
	if (cmd) { /* the parameter of a command */
		i8042_push(k, KBD_ACK, true);
		if (cmd == KBD_SCANCODE_SET && v == 0)
			i8042_push(k, 2, true); /* the set in use */
		return;
	}
	switch (v) {
	case KBD_ECHO:
		i8042_push(k, KBD_ECHO, true);
		break;
	case KBD_RESET:
		i8042_push(k, KBD_ACK, true);
		i8042_push(k, KBD_SELF_TEST_OK, true);
		break;
	case KBD_GET_ID:
		i8042_push(k, KBD_ACK, true);
		i8042_push(k, 0xab, true); /* an MF2 keyboard */
		i8042_push(k, 0x83, true);
		break;
	case KBD_SET_LEDS:
	case KBD_SET_RATE:
	case KBD_SCANCODE_SET:
		k->kbd_pending = v;
		i8042_push(k, KBD_ACK, true);
		break;
	default: /* enable, disable, defaults, typematic modes... */
		i8042_push(k, KBD_ACK, true);
		break;
	}
}

static void i8042_command(struct vmm_i8042 *k, uint8_t cmd)
{
	k->status |= STATUS_CMD;
	switch (cmd) {
	case CMD_READ_CTR:
		i8042_reply(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
	case CMD_WRITE_KBD_OBUF:
	case CMD_WRITE_AUX_OBUF:
	case CMD_WRITE_AUX:
		k->pending = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= (uint8_t)~CTR_AUXDIS;
		break;
	case CMD_SELF_TEST:
		i8042_reply(k, SELF_TEST_OK);
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		i8042_reply(k, 0); /* the interface lines are fine; nothing answers on them */
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= (uint8_t)~CTR_KBDDIS;
		break;
	case CMD_READ_OUTPORT:
		i8042_reply(k, OUTPORT_DEFAULT);
		break;
	case CMD_RESET:
		vmm_vm_request_exit(k->vm, VMM_EXIT_REBOOT, 0);
		break;
	default:
		break;
	}
}

static void i8042_data(struct vmm_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->status &= (uint8_t)~STATUS_CMD;
	k->pending = 0;
	switch (cmd) {
	case 0:
		i8042_keyboard(k, v);
		break;
	case CMD_WRITE_CTR:
		k->ctr = v;
		i8042_update(k);
		break;
	case CMD_WRITE_OUTPORT:
		if (!(v & 1)) /* the reset line pulled low */
			vmm_vm_request_exit(k->vm, VMM_EXIT_REBOOT, 0);
		break;
	case CMD_WRITE_KBD_OBUF:
		i8042_push(k, v, true); /* as if the keyboard had sent it */
		break;
	case CMD_WRITE_AUX_OBUF:
		i8042_reply(k, v);
		break;
	default:
		break; /* to the mouse: nobody there */
	}
}

static void i8042_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct vmm_i8042 *k = opaque;

	pthread_mutex_lock(&k->lock);
	if (is_write && off == I8042_CMD - I8042_DATA) {
		i8042_command(k, data[0]);
	} else if (is_write) {
		i8042_data(k, data[0]);
	} else if (off == I8042_CMD - I8042_DATA) {
		memset(data, 0, len);
		data[0] = k->status;
	} else {
		memset(data, 0, len);
		data[0] = i8042_pop(k);
	}
	pthread_mutex_unlock(&k->lock);
}

void vmm_i8042_ctrl_alt_del(struct vmm_i8042 *k)
{
	/* make Ctrl, Alt, Delete, then break them: scan code set 2, or set 1 when the controller
	 * translates (the command byte's bit 6) */
	static const uint8_t set2[] = { 0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0,
					0x71, 0xf0, 0x11, 0xf0, 0x14 };
	static const uint8_t set1[] = { 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d };

	pthread_mutex_lock(&k->lock);
	if (k->ctr & CTR_XLATE) {
		for (size_t i = 0; i < ARRAY_SIZE(set1); i++)
			i8042_push(k, set1[i], true);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(set2); i++)
			i8042_push(k, set2[i], true);
	}
	pthread_mutex_unlock(&k->lock);
}

int vmm_i8042_create(struct vmm_vm *vm)
{
	static struct vmm_i8042 k = { .lock = PTHREAD_MUTEX_INITIALIZER };

	/* a fresh controller for each (re)start of the guest; no translation, as kvmtool and
	 * Firecracker start theirs */
	k.vm = vm;
	k.ctr = CTR_KBDINT | CTR_SYS;
	k.status = STATUS_SYS;
	k.last = k.pending = k.kbd_pending = 0;
	k.head = k.count = 0;
	vm->i8042 = &k;
	return vmm_bus_add(&vm->pio, I8042_DATA, I8042_CMD - I8042_DATA + 1, i8042_io, &k);
}
