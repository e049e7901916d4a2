// SPDX-License-Identifier: MIT
/*
 * i8042.c - the PC keyboard controller, with no keyboard nor mouse behind it: the status and
 * command port 0x64 and the data port 0x60. Command 0xfe (pulse the reset line) is how Linux's
 * `reboot=k` resets a PC. The controller's own commands are answered as a real one does, so
 * that Linux's driver finds a working controller at once instead of waiting for replies that
 * never come (its probe used to time out: a second of boot on a slow guest): read and write
 * the command byte, self-test, interface tests, enable and disable the ports, read the output
 * port. Bytes the guest sends to a device (the keyboard, or the mouse through 0xd4) get no
 * answer, as with nothing plugged in; no interrupt is ever raised.
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

struct i8042 {
	struct vmm_vm *vm;
	pthread_mutex_t lock;
	uint8_t ctr;
	uint8_t status;
	uint8_t out;	 /* the output buffer, valid while STATUS_OBF is set */
	uint8_t pending; /* the command whose parameter the next data byte is, or 0 */
};

static void i8042_reply(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->status |= STATUS_OBF;
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
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

static void i8042_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->status &= (uint8_t)~STATUS_CMD;
	k->pending = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		break;
	case CMD_WRITE_OUTPORT:
		if (!(v & 1)) /* the reset line pulled low */
			vmm_vm_request_exit(k->vm, VMM_EXIT_REBOOT, 0);
		break;
	case CMD_WRITE_KBD_OBUF:
	case CMD_WRITE_AUX_OBUF:
		i8042_reply(k, v); /* as if the device had sent it */
		break;
	default:
		break; /* to the keyboard or the mouse: nobody there */
	}
}

static void i8042_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct i8042 *k = opaque;

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
		data[0] = k->out;
		k->status &= (uint8_t)~STATUS_OBF;
	}
	pthread_mutex_unlock(&k->lock);
}

int vmm_i8042_create(struct vmm_vm *vm)
{
	static struct i8042 k = { .lock = PTHREAD_MUTEX_INITIALIZER };

	/* a fresh controller for each (re)start of the guest */
	k.vm = vm;
	k.ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE;
	k.status = STATUS_SYS;
	k.out = 0;
	k.pending = 0;
	return vmm_bus_add(&vm->pio, I8042_DATA, I8042_CMD - I8042_DATA + 1, i8042_io, &k);
}
