#!/bin/sh
# Turn the "->SYM value" markers of the compiled asm-offsets.c into a header.
set -e
# $1: the compiled .s, $2: the source it came from (named in the header and its guard).
guard=KEEL_GEN_$(echo "$2" | tr 'a-z/.-' 'A-Z___')
echo "/* Generated from $2: do not edit. */"
echo "#ifndef $guard"
echo "#define $guard"
sed -n 's/.*->\([A-Z0-9_]*\) \([0-9-]*\).*/#define \1 \2/p' "$1"
echo "#endif"
