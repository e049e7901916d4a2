/*
 * crt0.S - how a test guest starts: the VMM enters _start in long mode at CPL 0 with rdi = the
 * vCPU's index, rsi = the vCPU count and a stack of its own. _start loads the guest's IDT and
 * drops to CPL 3 with interrupts enabled (port I/O is allowed by the TSS's I/O bitmap the VMM
 * built), fills the IDT, calls guest_main(index, count) and writes its return value to the
 * exit port. Interrupt and exception entry stubs live here too: the interrupt vector counts and
 * acknowledges, an exception ends the guest with 0x80 + vector.
 */
#define EXIT_PORT 0x501
#define USER_CS 0x23
#define USER_SS 0x1b
#define LAPIC_EOI 0xfee000b0

	.section .text.entry, "ax"
	.globl _start
_start:
	lidt idt_desc(%rip)
	movq %rsp, %rax
	pushq $USER_SS
	pushq %rax
	pushq $0x202		/* IF */
	pushq $USER_CS
	leaq 1f(%rip), %rax
	pushq %rax
	iretq
1:	andq $-16, %rsp
	pushq %rdi
	pushq %rsi
	call guest_idt_init
	popq %rsi
	popq %rdi
	call guest_main
	movl $EXIT_PORT, %edx
	outl %eax, %dx
2:	pause
	jmp 2b

	/* the interrupt handler of guest_irq_vector: count it, acknowledge the local APIC */
	.globl guest_irq_entry
guest_irq_entry:
	pushq %rax
	lock incq guest_irq_count(%rip)
	movq $LAPIC_EOI, %rax
	movl $0, (%rax)
	popq %rax
	iretq

	/* exceptions 0-31: end the guest with 0x80 + the vector */
	.globl guest_fault_entries
	.balign 16
guest_fault_entries:
	.set vec, 0
	.rept 32
	.balign 16
	movl $(0x80 + vec), %eax
	jmp fault
	.set vec, vec + 1
	.endr
fault:	movl $EXIT_PORT, %edx
	outl %eax, %dx
3:	jmp 3b

	.data
	.balign 16
idt_desc:
	.word 256 * 16 - 1
	.quad guest_idt

	.bss
	.balign 16
	.globl guest_idt
guest_idt:
	.skip 256 * 16
	.globl guest_irq_count
guest_irq_count:
	.skip 8
