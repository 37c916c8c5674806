#!/usr/bin/env bash
# Fail when `makemessages` would change the zh_Hans catalogue, or when it has untranslated or
# fuzzy strings. Usage: check-messages.sh PYTHON manage.py makemessages [options...]
# (the Makefile passes the same command that `make messages-update` runs).
#
# makemessages runs in a temporary copy of the source tree, so locale/ is never touched. The
# comparison ignores source locations (they move with every edit) and POT-Creation-Date.
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"  # absolute, but not resolved: a venv
shift
po=locale/zh_Hans/LC_MESSAGES/django.po

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The files git would commit (tracked, or new and not ignored): the working tree as it is.
# (A tracked file deleted in the working tree is skipped: --ignore-failed-read.)
mkdir "$tmp/tree"
git ls-files -z --cached --others --exclude-standard \
  | tar --create --null --files-from=- --ignore-failed-read --file=- 2>/dev/null \
  | tar --extract --directory="$tmp/tree" --file=-
(cd "$tmp/tree" && "$python" "$@" -v 0)

normalise() {
  msgcat --no-location --no-wrap --sort-output "$1" | grep -v '^"POT-Creation-Date: '
}
normalise "$po" >"$tmp/committed"
normalise "$tmp/tree/$po" >"$tmp/regenerated"

status=0
if ! diff -u --label "$po (committed)" --label "$po (after makemessages)" \
  "$tmp/committed" "$tmp/regenerated" >"$tmp/diff"; then
  echo "$po is out of date with the code. '+' lines are what makemessages would write (new" >&2
  echo "msgids, or '#, fuzzy' guesses), '-' lines what it would drop (stale msgids):" >&2
  cat "$tmp/diff" >&2
  status=1
fi

untranslated=$(msgattrib --untranslated --no-obsolete --no-location "$po" | grep -v '^#' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-location "$po" | grep -v '^#' || true)
# msgattrib prints the header entry too; anything past it is a real entry.
for kind in untranslated fuzzy; do
  entries=$(printf '%s\n' "${!kind}" | awk 'BEGIN { RS = "" } NR > 1')
  if [ -n "$entries" ]; then
    echo "$po has $kind strings:" >&2
    printf '%s\n' "$entries" >&2
    status=1
  fi
done

if [ "$status" -ne 0 ]; then
  echo "Run 'make messages-update', translate the new strings in $po, and commit it." >&2
fi
exit "$status"
