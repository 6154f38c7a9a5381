#!/bin/sh
# Writes a C file embedding FILE: data/audit-unix.sh becomes
#   const char embed_audit_unix_sh[] = { ..., 0 };
#   const unsigned long embed_audit_unix_sh_len = N;
# usage: scripts/embed.sh FILE >OUT.c
set -eu
f=$1
name=embed_$(basename "$f" | tr -c 'A-Za-z0-9\n' '_')
len=$(wc -c <"$f" | tr -d ' ')
printf '/* generated from %s by scripts/embed.sh; do not edit */\n' "$f"
printf 'extern const char %s[];\n' "$name"
printf 'extern const unsigned long %s_len;\n' "$name"
printf 'const char %s[] = {\n' "$name"
od -An -v -tu1 "$f" | awk '{ l = ""; for (i = 1; i <= NF; i++) l = l $i ","; print "\t" l }'
printf '\t0\n};\n'
printf 'const unsigned long %s_len = %s;\n' "$name" "$len"
