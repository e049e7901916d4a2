// SPDX-License-Identifier: MIT
/*
 * disasm.c - `dtrace -S`: the BPF instructions the code generator emitted for each attachment,
 * printed in the kernel verifier's notation (r1 = *(u64 *)(r10 -8), if r1 == 0x0 goto +3,
 * call 1), so that a program can be read as the kernel reads it.
 */
#include "dt_impl.h"

#include <linux/filter.h>

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=",	  [BPF_SUB >> 4] = "-=",  [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=",	  [BPF_OR >> 4] = "|=",	  [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=",	  [BPF_RSH >> 4] = ">>=", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=",	  [BPF_XOR >> 4] = "^=",  [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=",
};

static const char *const jmp_ops[16] = {
	[BPF_JEQ >> 4] = "==",	 [BPF_JGT >> 4] = ">",	  [BPF_JGE >> 4] = ">=",
	[BPF_JSET >> 4] = "&",	 [BPF_JNE >> 4] = "!=",	  [BPF_JSGT >> 4] = "s>",
	[BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<",	  [BPF_JLE >> 4] = "<=",
	[BPF_JSLT >> 4] = "s<",	 [BPF_JSLE >> 4] = "s<=",
};

static const char *size_name(int size)
{
	switch (size) {
	case BPF_B:
		return "u8";
	case BPF_H:
		return "u16";
	case BPF_W:
		return "u32";
	default:
		return "u64";
	}
}

/* One instruction (two for a 64-bit immediate load); returns how many it took. */
static int insn_print(FILE *out, const struct bpf_insn *in, int i, int n)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	const char *sz = size_name(BPF_SIZE(in->code));

	fprintf(out, "%5d: ", i);
	switch (cls) {
	case BPF_ALU64:
	case BPF_ALU:
		if (op == BPF_NEG)
			fprintf(out, "r%d = -r%d\n", in->dst_reg, in->dst_reg);
		else if (op == BPF_END)
			fprintf(out, "r%d = %s%d r%d\n", in->dst_reg,
				BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm, in->dst_reg);
		else if (BPF_SRC(in->code) == BPF_X)
			fprintf(out, "r%d %s%s r%d\n", in->dst_reg, in->off ? "s" : "",
				alu_ops[op >> 4] ? alu_ops[op >> 4] : "?", in->src_reg);
		else
			fprintf(out, "r%d %s %d\n", in->dst_reg,
				alu_ops[op >> 4] ? alu_ops[op >> 4] : "?", in->imm);
		return 1;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && i + 1 < n) {
			uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;

			if (in->src_reg == BPF_PSEUDO_MAP_FD)
				fprintf(out, "r%d = map[fd %d]\n", in->dst_reg, in->imm);
			else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
				fprintf(out, "r%d = map[fd %d] + %u\n", in->dst_reg, in->imm,
					(uint32_t)in[1].imm);
			else
				fprintf(out, "r%d = 0x%" PRIx64 " ll\n", in->dst_reg, v);
			return 2;
		}
		break;
	case BPF_LDX:
		fprintf(out, "r%d = *(%s *)(r%d %+d)\n", in->dst_reg, sz, in->src_reg, in->off);
		return 1;
	case BPF_ST:
		fprintf(out, "*(%s *)(r%d %+d) = %d\n", sz, in->dst_reg, in->off, in->imm);
		return 1;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			fprintf(out, "lock *(%s *)(r%d %+d) %s r%d\n", sz, in->dst_reg, in->off,
				in->imm == BPF_CMPXCHG ? "cmpxchg" : "+=", in->src_reg);
		else
			fprintf(out, "*(%s *)(r%d %+d) = r%d\n", sz, in->dst_reg, in->off,
				in->src_reg);
		return 1;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			fprintf(out, "call %d\n", in->imm);
			return 1;
		}
		if (op == BPF_EXIT) {
			fprintf(out, "exit\n");
			return 1;
		}
		if (op == BPF_JA) {
			fprintf(out, "goto %+d\n", in->off);
			return 1;
		}
		if (BPF_SRC(in->code) == BPF_X)
			fprintf(out, "if r%d %s r%d goto %+d\n", in->dst_reg,
				jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "?", in->src_reg, in->off);
		else
			fprintf(out, "if r%d %s 0x%x goto %+d\n", in->dst_reg,
				jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "?", (uint32_t)in->imm,
				in->off);
		return 1;
	default:
		break;
	}
	fprintf(out, "(code 0x%02x)\n", in->code);
	return 1;
}

void dt_disasm(FILE *out, const char *title, const struct bpf_insn *insns, int n)
{
	fprintf(out, "\n%s: %d instructions\n", title, n);
	for (int i = 0; i < n;)
		i += insn_print(out, &insns[i], i, n);
}
