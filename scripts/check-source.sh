#!/usr/bin/env bash
# Source checks that need no build: clang-format and the banned-function list (curl's checksrc
# idea). Prints what is wrong and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
clang-format --dry-run --Werror "${files[@]}"

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|localtime|gmtime|asctime|ctime|strerror)[[:space:]]*\('
if grep -nE "$banned" "${files[@]}"; then
    echo "check-source: banned functions above (use the _r / bounded forms)" >&2
    exit 1
fi
echo "check-source: ${#files[@]} files formatted, no banned calls"
