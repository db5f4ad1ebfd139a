#!/usr/bin/env bash
# Every C file in the tree must be formatted by .clang-format (clang-format 14).
set -euo pipefail
root=$1
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format not installed" >&2; exit 77; }
mapfile -t files < <(find core tui tests -name '*.c' -o -name '*.h' | sort)
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
