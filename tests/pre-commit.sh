#!/usr/bin/env bash
# End-to-end test of storylint's pre-commit hooks (.pre-commit-hooks.yaml),
# done the way a user meets them, on a machine with only Rust, git and
# Python 3:
#
#   1. a Python virtual environment with pre-commit from PyPI;
#   2. a snapshot of this checkout committed to a temporary git repository
#      (pre-commit reads hooks from commits: `try-repo` on the checkout itself
#      would miss a new, uncommitted .pre-commit-hooks.yaml, and would run git
#      in the checkout);
#   3. a temporary user repository holding a defective export, a clean export
#      and a package.json, staged;
#   4. `pre-commit try-repo` with the `storylint` hook (language: rust, so
#      pre-commit builds storylint with `cargo install`) and with the
#      `storylint-system` hook (storylint built here, put on PATH);
#   5. a `.pre-commit-config.yaml` as a user writes it, `pre-commit install`,
#      and `git commit`, which the hook must block and then let through.
#
# Nothing outside a temporary directory is touched, except that `cargo build`
# builds the storylint binary in this checkout's target directory. Git runs
# only in the temporary repositories, with the user's git config ignored.
#
# Environment:
#   PRE_COMMIT_REQUIREMENT     pip requirement (default: pre-commit>=4.0,<5)
#   PYTHON                     Python 3 interpreter (default: python3)
#   STORYLINT_HOOK_TARGET_DIR  cargo target directory for the builds that
#                              pre-commit runs; set it to a lasting directory
#                              to reuse compiled dependencies across runs
#                              (default: inside the temporary directory, shared
#                              by this run's builds)
#   KEEP_TMP=1                 keep the temporary directory
#
# Exit status: 0 if every check passed, 1 otherwise.
set -euo pipefail

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PRE_COMMIT_REQUIREMENT="${PRE_COMMIT_REQUIREMENT:-pre-commit>=4.0,<5}"
started=$SECONDS
step_started=$SECONDS
passed=0
failed=0

step() {
  printf '\n== %s\n' "$*"
  step_started=$SECONDS
}
step_done() { printf '   (%ss)\n' "$((SECONDS - step_started))"; }
die() {
  printf '\npre-commit.sh: error: %s\n' "$*" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  printf '   ok: %s\n' "$*"
}
not_ok() {
  failed=$((failed + 1))
  printf '   FAILED: %s\n' "$*"
}

# --- the machine --------------------------------------------------------------

for tool in git cargo tar "$PYTHON"; do
  command -v "$tool" >/dev/null 2>&1 || die "\`$tool\` is not on PATH; this test needs Rust (cargo), git and Python 3"
done

# Nothing from the calling environment may steer git or pre-commit: this may
# run from inside a git hook (GIT_DIR, GIT_INDEX_FILE set), a user may have
# SKIP or a global core.hooksPath, commit signing, templates...
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
  GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_PREFIX GIT_CEILING_DIRECTORIES \
  SKIP PRE_COMMIT_ALLOW_NO_CONFIG PRE_COMMIT_NO_CONCURRENCY PRE_COMMIT_COLOR \
  PRE_COMMIT_HOME CARGO_TARGET_DIR VIRTUAL_ENV PYTHONHOME
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

work="$(mktemp -d "${TMPDIR:-/tmp}/storylint-pre-commit.XXXXXX")"
cleanup() {
  if [[ "${KEEP_TMP:-}" == 1 ]]; then
    printf 'kept %s\n' "$work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Everything pre-commit stores (hook repositories, their built environments)
# goes here, not into ~/.cache/pre-commit.
export PRE_COMMIT_HOME="$work/pre-commit-home"
hook_target="${STORYLINT_HOOK_TARGET_DIR:-$work/cargo-target}"

git_init() { # DIR: a new repository with a local identity
  git -c init.defaultBranch=main init -q "$1"
  git -C "$1" config user.name "storylint pre-commit test"
  git -C "$1" config user.email "pre-commit-test@storylint.invalid"
}

# --- 1. pre-commit ---------------------------------------------------------------

step "Python virtual environment with $PRE_COMMIT_REQUIREMENT"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
  die "$("$PYTHON" --version 2>&1) is too old: pre-commit 4 needs Python 3.9 or newer"
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  die "Python's venv module (with ensurepip) is missing. Install it, e.g.
  Debian/Ubuntu:  apt-get install python3-venv
  Fedora/RHEL:    dnf install python3   (venv is included)
then run this again."
fi
"$PYTHON" -m venv "$work/venv" ||
  die "\`$PYTHON -m venv\` failed; on Debian/Ubuntu install python3-venv (apt-get install python3-venv)"
"$work/venv/bin/python" -m pip install --quiet "$PRE_COMMIT_REQUIREMENT" ||
  die "pip could not install $PRE_COMMIT_REQUIREMENT from PyPI"
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version
step_done

# --- 2. the hook repository ------------------------------------------------------

step "Snapshot of $checkout as a git repository"
hook_repo="$work/storylint"
mkdir "$hook_repo"
# Working tree as it is (uncommitted and new files included), without build
# output; the .gitignore then decides what is committed, as in a real clone.
tar -C "$checkout" --exclude=./.git --exclude=./target --exclude=./fuzz/target \
  --exclude=./fuzz/corpus --exclude=./fuzz/artifacts -cf - . | tar -C "$hook_repo" -xf -
[[ -f "$hook_repo/.pre-commit-hooks.yaml" ]] || die "$checkout has no .pre-commit-hooks.yaml"
git_init "$hook_repo"
git -C "$hook_repo" add -A
git -C "$hook_repo" commit -q -m "storylint snapshot for the pre-commit test"
rev="$(git -C "$hook_repo" rev-parse HEAD)"
printf '   %s at %s (%s files)\n' "$hook_repo" "$rev" "$(git -C "$hook_repo" ls-files | wc -l | tr -d ' ')"
step_done

# --- 3. a storylint on PATH for storylint-system -----------------------------------

step "cargo build --bin storylint (for the storylint-system hook)"
# Always build: an old binary lying in target/ would test old code. After
# `cargo test` this is a no-op.
storylint_bin="$(
  cd "$checkout" &&
    cargo build --bin storylint --message-format=json-render-diagnostics |
    "$PYTHON" -c '
import json, sys
exe = None
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "storylint" and msg.get("executable"):
        exe = msg["executable"]
print(exe or "")
'
)" || die "cargo build failed"
[[ -x "$storylint_bin" ]] || die "cargo build reported no storylint executable"
system_path="$(dirname "$storylint_bin"):$PATH"
printf '   %s\n' "$storylint_bin"
step_done

# --- 4. the user's repository --------------------------------------------------------

step "A user's repository: a defective export, a clean export and a package.json, staged"
user_repo="$work/user-repo"
git_init "$user_repo"
mkdir "$user_repo/stories"
defective=stories/slack-alert-missing-bearer.json
clean=stories/okta-user-offboarding.json
cp "$checkout/fixtures/defective/slack-alert-missing-bearer.json" "$user_repo/$defective"
cp "$checkout/fixtures/clean/okta-user-offboarding.json" "$user_repo/$clean"
printf '{\n  "name": "tines-stories",\n  "private": true,\n  "version": "1.0.0"\n}\n' >"$user_repo/package.json"
git -C "$user_repo" add -A
git -C "$user_repo" status --short | sed 's/^/   /'
step_done

# --- running pre-commit and checking what it said ---------------------------------------

out=""
status=0
# run_in_user_repo PATH_VALUE COMMAND...: runs COMMAND in the user's repository
# with PATH set, and keeps its combined output in $out and its status in $status.
run_in_user_repo() {
  local path_value="$1"
  shift
  printf '   $ %s\n' "$*"
  set +e
  out="$(cd "$user_repo" && PATH="$path_value" CARGO_TARGET_DIR="$hook_target" "$@" 2>&1 </dev/null)"
  status=$?
  set -e
  printf '%s\n' "$out" | sed 's/^/   | /'
  printf '   exit status %s\n' "$status"
}
expect_status() { # WANT DESCRIPTION: WANT is 0 or "nonzero"
  if [[ "$1" == 0 && "$status" == 0 ]] || [[ "$1" == nonzero && "$status" != 0 ]]; then
    ok "$2 (exit $status)"
  else
    not_ok "$2: expected exit status $1, got $status"
  fi
}
expect_output() { # EXTENDED-REGEX DESCRIPTION
  if grep -Eq -- "$1" <<<"$out"; then ok "$2"; else not_ok "$2: output does not match /$1/"; fi
}
expect_no_output() { # EXTENDED-REGEX DESCRIPTION
  if grep -Eq -- "$1" <<<"$out"; then not_ok "$2: output matches /$1/"; else ok "$2"; fi
}

# What a failing storylint run looks like through pre-commit: the hook fails
# with storylint's own exit code 1 (findings; 2 would mean unusable input),
# and storylint's diagnostic, located in the user's file, is shown.
expect_findings() {
  expect_status nonzero "pre-commit fails"
  expect_output '^storylint\.+Failed$' "the storylint hook is reported as failed"
  expect_output '^- exit code: 1$' "storylint exits 1 (findings), not 2 (bad input)"
  expect_output 'missing-bearer-prefix' "storylint's rule id is shown"
  expect_output "$defective:[0-9]+:[0-9]+" "the finding is located in the user's file"
}
expect_pass() {
  expect_status 0 "pre-commit succeeds"
  expect_output '^storylint\.+Passed$' "the storylint hook is reported as passed"
}

step "try-repo storylint (language: rust) --files $defective"
printf '   (pre-commit builds storylint with cargo install; CARGO_TARGET_DIR=%s)\n' "$hook_target"
run_in_user_repo "$PATH" "$pre_commit" try-repo "$hook_repo" storylint --files "$defective"
expect_findings
step_done

step "try-repo storylint (language: rust) --files $clean"
run_in_user_repo "$PATH" "$pre_commit" try-repo "$hook_repo" storylint --files "$clean"
expect_pass
step_done

step "try-repo storylint-system (storylint from PATH) --files $defective"
run_in_user_repo "$system_path" "$pre_commit" try-repo "$hook_repo" storylint-system --files "$defective"
expect_findings
step_done

step "try-repo storylint-system --files $clean"
run_in_user_repo "$system_path" "$pre_commit" try-repo "$hook_repo" storylint-system --files "$clean"
expect_pass
step_done

step "try-repo storylint-system --files package.json (JSON that is not an export)"
run_in_user_repo "$system_path" "$pre_commit" try-repo "$hook_repo" storylint-system --files package.json
expect_pass
step_done

step "try-repo storylint-system with no storylint on PATH"
no_storylint_path="$work/no-storylint-bin:/usr/bin:/bin"
mkdir -p "$work/no-storylint-bin"
ln -s "$(command -v git)" "$work/no-storylint-bin/git"
if PATH="$no_storylint_path" command -v storylint >/dev/null 2>&1; then
  printf '   (skipped: a storylint is installed in /usr/bin or /bin)\n'
else
  run_in_user_repo "$no_storylint_path" "$pre_commit" try-repo "$hook_repo" storylint-system --files "$clean"
  expect_status nonzero "pre-commit fails"
  expect_output 'storylint.*not found' "pre-commit says storylint was not found"
fi
step_done

# --- 5. the way a user adopts it: .pre-commit-config.yaml and git commit ------------------

step "A user's .pre-commit-config.yaml, pre-commit install, git commit"
cat >"$user_repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $hook_repo
    rev: $rev
    hooks:
      - id: storylint
EOF
sed 's/^/   | /' "$user_repo/.pre-commit-config.yaml"
git -C "$user_repo" add .pre-commit-config.yaml
run_in_user_repo "$PATH" "$pre_commit" install
expect_status 0 "pre-commit install succeeds"

run_in_user_repo "$PATH" git commit -q -m "Add stories"
expect_findings
expect_no_output "$clean" "the clean export is not mentioned"
if git -C "$user_repo" rev-parse -q --verify HEAD >/dev/null; then
  not_ok "the commit was blocked: a commit was made"
else
  ok "the commit was blocked: no commit was made"
fi

printf '   $ git rm -q --cached %s\n' "$defective"
git -C "$user_repo" rm -q --cached "$defective"
run_in_user_repo "$PATH" git commit -q -m "Add the clean stories"
expect_pass
committed="$(git -C "$user_repo" ls-tree -r --name-only HEAD 2>/dev/null | tr '\n' ' ')"
if [[ "$committed" == *"$clean"* && "$committed" == *package.json* && "$committed" != *"$defective"* ]]; then
  ok "the commit holds the clean export and package.json only"
else
  not_ok "the commit holds: ${committed:-nothing}"
fi
if [[ -d "$PRE_COMMIT_HOME" ]] && [[ -n "$(ls -A "$PRE_COMMIT_HOME")" ]]; then
  ok "pre-commit kept its hook environments in PRE_COMMIT_HOME"
else
  not_ok "PRE_COMMIT_HOME ($PRE_COMMIT_HOME) was not used"
fi
step_done

# --- summary ---------------------------------------------------------------------------------

printf '\n== done in %ss (%s)\n' "$((SECONDS - started))" "$("$pre_commit" --version)"
printf 'pre-commit hooks: %s passed, %s failed\n' "$passed" "$failed"
[[ "$failed" == 0 ]]
