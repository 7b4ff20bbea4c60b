#!/bin/sh
# Turn the "->SYM value" markers of the compiled asm-offsets.c into a header.
set -e
echo "/* Generated from arch/riscv/asm-offsets.c: do not edit. */"
echo "#ifndef KEEL_ASM_OFFSETS_H"
echo "#define KEEL_ASM_OFFSETS_H"
sed -n 's/.*->\([A-Z0-9_]*\) \([0-9-]*\).*/#define \1 \2/p' "$1"
echo "#endif"
