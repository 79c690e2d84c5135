#!/usr/bin/env bash
# Tidy: the repository stands alone. No tracked file may point outside the clone: no sibling `shared` folder of
# the build machine, no environment variable naming one, no absolute home/work path of some machine, no design
# note that lived there (the contracts they held are stated in docs/). Upstream
# data files (data/**/*.tsv|csv|json|txt|dat) and code generated from them are left out: their contents are
# third-party text (URL paths, sample IOCs) that may spell such paths. Prints every hit and fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
self="scripts/test.d/05-tidy.sh"
# Written with character classes so that this file does not match itself.
patterns=(
  '\.\.[/]shared'
  'IOCLENS_[S]HARED'
  '(^|[^A-Za-z0-9_-])[s]hared/(design|eval|hooks|data)([/ ]|$)'
  '(^|[^A-Za-z0-9_.~/-])/(work|root|home|Users)/'
  '(^|[^A-Za-z0-9_./-])(EXTRACTION|HOSTS|QUERIES|SCORING|INTEL|STYLE|API)[.]md'
)
files=()
while IFS= read -r -d '' f; do
  case "$f" in
    "$self" | core/src/generated/*) continue ;;
    data/*.tsv | data/*.csv | data/*.json | data/*.txt | data/*.dat) continue ;;
  esac
  [ -f "$f" ] && files+=("$f")
done < <(git ls-files -z)
found=0
for p in "${patterns[@]}"; do
  hits="$(printf '%s\0' "${files[@]}" | xargs -0 grep -nIE -- "$p" 2>/dev/null || true)"
  # Indicator test inputs hold file paths on purpose (`/Users/Shared/.x/agent` is a macOS indicator); every other
  # pattern still applies to them.
  case "$p" in *Users*) hits="$(printf '%s\n' "$hits" | grep -vE '^tests/(corpus|fixtures)/' || true)" ;; esac
  if [ -n "$hits" ]; then
    echo "tidy: a tracked file points outside the repository (pattern $p):" >&2
    printf '%s\n' "$hits" | cut -c1-200 >&2
    found=1
  fi
done
[ "$found" = 0 ] || { echo "tidy: state what is needed in the repository itself (docs/, data/ with SOURCES.md)" >&2; exit 1; }
echo "tidy: ${#files[@]} tracked files, nothing points outside the repository"

# ARCHITECTURE.md stays true: every repository path it names (a `…/…` token whose first part is a top-level
# entry of the repository) exists; build outputs under dist/ are made by the build, not tracked.
missing=0
while IFS= read -r token; do
  path="${token#./}"
  case "$path" in dist/* | */\<*\>* | *'<'*) continue ;; esac
  top="${path%%/*}"
  [ -e "$top" ] || continue
  # shellcheck disable=SC2086 # a glob such as tests/corpus/*.toml must expand
  if ! compgen -G "$path" >/dev/null; then
    echo "tidy: ARCHITECTURE.md names $path, which does not exist" >&2
    missing=1
  fi
done < <(grep -o '`[^`]*`' ARCHITECTURE.md | tr -d '`' | grep -E '^[A-Za-z0-9_.][A-Za-z0-9_.-]*/[^ ]*$' | sort -u)
[ "$missing" = 0 ] || exit 1

# One home per fact: hosts translate, so no host file defines its own CSV escaper, digest, calendar arithmetic,
# percent-encoder or table of the core's vocabulary (evidence roles, API types, input limits). The core has them once
# (core/src/csv.rs, the sha1/sha2/time/percent-encoding crates, the `lookup` answer).
hosts=(cli/src server/src extism/src wasm/src wasm/abi/src wasm/python plugin-splunk/ioclens plugin-sentinel/src www/src)
policy='fn csv_field|fn csv_escape|def csv_|fn (sha1|sha256|digest)\(|fn (days_from_civil|civil_from_days)|%\{b:02X\}|^(API_TYPES|WARNINGLIST_ROLES|MAX_VALUE_CHARS) ='
hits="$(git ls-files -z -- "${hosts[@]}" | xargs -0 grep -nIE -- "$policy" 2>/dev/null || true)"
hits="$hits$(git ls-files -z -- core/src xtask/src | xargs -0 grep -nIE -- 'fn (sha1|sha256)\(|fn (days_from_civil|civil_from_days)' 2>/dev/null || true)"
if [ -n "$hits" ]; then
  echo "tidy: a second home for something the core (or a crate) already has:" >&2
  printf '%s\n' "$hits" | cut -c1-200 >&2
  exit 1
fi
echo "tidy: ARCHITECTURE.md paths exist; no host escaper, digest, calendar or policy table"

# Files along their seams: a hand-written source file holds at most ~800 lines of code (a Rust file's lines before
# its `#[cfg(test)]` module), or says at its top why it is one file (`Why one file:` in its first 60 lines).
# Generated files (`@generated` in their first lines, core/src/generated/) are left out.
long=0
while IFS= read -r -d '' f; do
  case "$f" in core/src/generated/*) continue ;; esac
  head -n 5 "$f" | grep -q '@generated' && continue
  if [[ "$f" == *.rs ]]; then
    code="$(awk '/^#\[cfg\(test\)\]/ { exit } { n++ } END { print n + 0 }' "$f")"
  else
    code="$(wc -l < "$f")"
  fi
  if [ "$code" -gt 800 ] && ! head -n 60 "$f" | grep -q 'Why one file:'; then
    echo "tidy: $f has $code lines of code and no 'Why one file:' at its top: split it along its seams or say why" >&2
    long=1
  fi
done < <(git ls-files -z -- '*.rs' '*.py' '*.js' '*.mjs' '*.ts' ':!:data/**')
[ "$long" = 0 ] || exit 1
echo "tidy: every source file over 800 lines of code says why it is one file"
