#!/usr/bin/env bash
# Publishes the tanuki command single-file and trimmed (linux-x64), makes each publish folder read-only, and runs
# train, predict --json and evaluate --json from it with an empty NuGet cache and TANUKI_HOME: the published app must find
# its pretrained files beside itself and write nothing beside itself. Prints one line per publish and a PASS/FAIL line.
#
# usage: tools/publish_smoke.sh [WORK_DIR]     (needs the .NET 10 SDK and python3; about 10 minutes on 2 busy cores)
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/tanuki-publish-smoke.XXXXXX)}"
mkdir -p "$work"
start=$(date +%s)
log="$work/log.txt"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
elapsed() { echo $(( $(date +%s) - start )); }
fail() { echo "publish_smoke: FAIL: $* ($(elapsed) s; logs in $work)"; exit 1; }
run() { echo "\$ $*" >>"$log"; "$@" >>"$log" 2>&1; }

python3 "$repo/tools/export_fashion_sample.py" "$work/images" --per-class 6 --classes 3 >>"$log" 2>&1 || fail "could not export sample images"
mkdir -p "$work/empty-cache" "$work/empty-home"
for kind in single-file trimmed; do
  case $kind in
    single-file) flags=(-p:PublishSingleFile=true) ;;
    trimmed) flags=(-p:PublishTrimmed=true -p:SelfContained=true) ;;
  esac
  out="$work/$kind"
  t0=$(date +%s)
  run dotnet publish "$repo/src/Tanuki.Cli/Tanuki.Cli.csproj" -c Release -r linux-x64 "${flags[@]}" -o "$out" || fail "$kind publish failed"
  [ -x "$out/tanuki" ] || fail "$kind publish has no 'tanuki' executable"
  chmod -R a-w "$out"
  runs="$work/$kind-run"; mkdir -p "$runs"
  (
    export NUGET_PACKAGES="$work/empty-cache" TANUKI_HOME="$work/empty-home"
    cd "$runs" || exit 1
    run "$out/tanuki" train "$work/images" --image-size 32 --fine-tune-epochs 1 --batch-size 8 --out "$runs/m.tanuki" --report "$runs/r.html" || exit 2
    "$out/tanuki" predict "$runs/m.tanuki" "$work/images" --json >"$runs/predict.jsonl" 2>>"$log" || exit 3
    python3 -c "import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; assert len(l)==18 and all('predictions' in x for x in l)" "$runs/predict.jsonl" || exit 4
    "$out/tanuki" evaluate "$runs/m.tanuki" "$work/images" --json >"$runs/evaluate.json" 2>>"$log" || exit 5
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['count']==18 and len(d['confusion_matrix'])==3" "$runs/evaluate.json" || exit 6
  ) || { chmod -R u+w "$out"; fail "$kind: a run failed (step $?)"; }
  chmod -R u+w "$out"
  echo "publish_smoke: $kind: $(du -sm "$out" | cut -f1) MB, published and ran in $(( $(date +%s) - t0 )) s"
done
echo "publish_smoke: PASS ($(elapsed) s)"
