#!/usr/bin/env bash
# Runs the opt-in WebGPU tests (every `*.webgpu.test.ts` under libs/*/test) on software Vulkan (Mesa lavapipe):
# sets up .webgpu/ with setup-lavapipe.sh when needed, exports its environment and VQRAE_WEBGPU_TESTS=1.
# Extra arguments are passed to `node --test` (e.g. --test-name-pattern=tokens).
# Without VQRAE_WEBGPU_TESTS=1 the same files are part of the normal test run and skip themselves.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
webgpu_dir="${VQRAE_WEBGPU_DIR:-$repo_root/.webgpu}"
[ -f "$webgpu_dir/env.sh" ] || "$repo_root/tools/webgpu/setup-lavapipe.sh"
# shellcheck source=/dev/null
source "$webgpu_dir/env.sh"
export VQRAE_WEBGPU_TESTS=1

mapfile -t files < <(cd "$repo_root" && find libs apps test -path '*/node_modules' -prune -o -name '*.webgpu.test.ts' -print 2>/dev/null | sort)
[ "${#files[@]}" -gt 0 ] || { echo "run-tests.sh: no *.webgpu.test.ts files found" >&2; exit 1; }

status=0
for file in "${files[@]}"; do
  project="${file%%/test/*}"
  echo "== $file"
  (cd "$repo_root/$project" && node --import tsx --import "$repo_root/tools/testing/tf-setup.mjs" --test --test-reporter=spec \
    "$@" "$repo_root/$file") || status=1
done
exit "$status"
