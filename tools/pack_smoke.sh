#!/usr/bin/env bash
# Uses Tanuki as a stranger would, from packages: packs Tanuki and Tanuki.Cli into a local feed, installs the tool from
# that feed alone into a temporary folder with an empty NuGet cache, runs `tanuki --help` and a tiny `tanuki train`,
# `predict --json` and `evaluate --json` (with no NuGet cache and no TANUKI_HOME at run time), and builds a consumer project
# outside the repo that references the Tanuki package from the feed, trains a tiny model, saves and loads it. Checks every
# package is under nuget.org's 250 MB and the consumer's restore pulls in no ML.NET or Newtonsoft.Json.
# Prints one line: "pack_smoke: PASS (... s)" or "pack_smoke: FAIL: why (... s)". Logs stay in the work folder on failure.
#
# usage: tools/pack_smoke.sh [WORK_DIR]     (needs the .NET 10 SDK, python3, and NuGet access for the consumer's restore)
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-}"
keep=1
if [ -z "$work" ]; then work="$(mktemp -d /tmp/tanuki-pack-smoke.XXXXXX)"; keep=0; fi   # a folder of its own: removed on success
mkdir -p "$work"
start=$(date +%s)
version="0.1.0-smoke$(date -u +%Y%m%d%H%M%S)"
feed="$work/feed"
log="$work/log.txt"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
elapsed() { echo $(( $(date +%s) - start )); }
step() { echo "pack_smoke: $* ($(elapsed) s)"; }
fail() { echo "pack_smoke: FAIL: $* ($(elapsed) s; logs in $work)"; exit 1; }
run() { echo "\$ $*" >>"$log"; "$@" >>"$log" 2>&1; }

step "packing $version into $feed"
run dotnet pack "$repo/src/Tanuki/Tanuki.csproj" -c Release -o "$feed" -p:Version="$version" -p:TanukiVersion="$version" \
  || fail "dotnet pack src/Tanuki failed"
run dotnet pack "$repo/src/Tanuki.Cli/Tanuki.Cli.csproj" -c Release -o "$feed" -p:Version="$version" -p:TanukiVersion="$version" \
  || fail "dotnet pack src/Tanuki.Cli failed"
for f in "$feed"/*.nupkg "$feed"/*.snupkg; do
  size=$(stat -c %s "$f")
  echo "pack_smoke:   $(basename "$f"): $(( size / 1000000 )) MB"
  [ "$size" -lt 250000000 ] || fail "$(basename "$f") is $(( size / 1000000 )) MB, over nuget.org's 250 MB"
done
for rid in linux-x64 win-x64 osx-arm64; do
  [ -f "$feed/Tanuki.Cli.$rid.$version.nupkg" ] || fail "no RID-specific tool package for $rid"
done
# The listing is read whole first: `unzip -l | grep -q` under pipefail fails whenever grep stops reading early.
listing="$(unzip -l "$feed/Tanuki.$version.nupkg")" || fail "cannot list Tanuki.$version.nupkg"
grep -q "pretrained/ResNet18.onnx" <<<"$listing" || fail "the Tanuki package lacks pretrained/ResNet18.onnx"
grep -q "THIRD-PARTY-NOTICES.txt" <<<"$listing" || fail "the Tanuki package lacks THIRD-PARTY-NOTICES.txt"

step "installing the tool from the local feed alone, with an empty NuGet cache"
cat >"$work/feed-only.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="local" value="$feed" /></packageSources></configuration>
XML
mkdir -p "$work/empty-cache" "$work/empty-home" "$work/tool-cache"
NUGET_PACKAGES="$work/tool-cache" run dotnet tool install Tanuki.Cli --version "$version" --tool-path "$work/tool" \
  --configfile "$work/feed-only.config" || fail "dotnet tool install failed"
tanuki="$work/tool/tanuki"
[ -x "$tanuki" ] || fail "the installed tool has no 'tanuki' command"

# At run time: no NuGet cache, no TANUKI_HOME: the pretrained files must come with the tool.
export NUGET_PACKAGES="$work/empty-cache" TANUKI_HOME="$work/empty-home"
step "tanuki --help"
run "$tanuki" --help || fail "tanuki --help failed"
grep -q "Usage:" "$log" || fail "tanuki --help printed no usage"
python3 "$repo/tools/export_fashion_sample.py" "$work/images" --per-class 6 --classes 3 >>"$log" 2>&1 || fail "could not export sample images"
step "tanuki train on 18 images"
run "$tanuki" train "$work/images" --image-size 32 --fine-tune-epochs 1 --batch-size 8 --out "$work/m.tanuki" --report "$work/r.html" \
  || fail "tanuki train failed"
[ -f "$work/m.tanuki" ] || fail "tanuki train wrote no model"
"$tanuki" predict "$work/m.tanuki" "$work/images" --json >"$work/predict.jsonl" 2>>"$log" || fail "tanuki predict --json failed"
python3 -c "import json,sys; lines=[json.loads(l) for l in open(sys.argv[1])]; assert len(lines)==18 and all('predictions' in l for l in lines)" \
  "$work/predict.jsonl" 2>>"$log" || fail "predict --json is not 18 JSON lines with predictions"
"$tanuki" evaluate "$work/m.tanuki" "$work/images" --json >"$work/evaluate.json" 2>>"$log" || fail "tanuki evaluate --json failed"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['count']==18 and len(d['confusion_matrix'])==3" \
  "$work/evaluate.json" 2>>"$log" || fail "evaluate --json is not one document with 18 images and a 3x3 matrix"
unset NUGET_PACKAGES TANUKI_HOME

step "a consumer project referencing the Tanuki package from the feed"
consumer="$work/consumer"
mkdir -p "$consumer"
cat >"$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><add key="local" value="$feed" /></packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="Tanuki" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
cat >"$consumer/consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
    <SelfContained>false</SelfContained>
  </PropertyGroup>
  <ItemGroup><PackageReference Include="Tanuki" Version="$version" /></ItemGroup>
</Project>
XML
cat >"$consumer/Program.cs" <<'CS'
using Tanuki;
using Tanuki.Applications;
using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

Dataset data = ImageDataset.FromDirectory(args[0], (32, 32), batchSize: 8);
Model baseModel = ResNet18.Create(weights: "imagenet", inputShape: [3, 32, 32], pooling: "avg");
baseModel.Trainable = false;
var inputs = new Input(3, 32, 32);
SymbolicTensor x = new ResNet18Preprocessing().Call(inputs);
x = baseModel.Call(x, training: false);
var model = new Model(inputs, new Dense(data.ClassNames!.Count).Call(x));
model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
History h = model.Fit(data, epochs: 2, verbose: 0);
model.Save(args[1]);
Model again = Model.Load(args[1]);
again.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
var evaluated = again.Evaluate(data, verbose: 0);
Console.WriteLine($"consumer: loss {h.Metrics["loss"][^1]:0.000}; the loaded model: {string.Join(", ", evaluated.Select(m => $"{m.Key} {m.Value:0.000}"))}");
CS
run dotnet build "$consumer" -c Release -o "$consumer/out" || fail "the consumer project did not build"
if grep -qiE '"(Microsoft\.ML|Newtonsoft\.Json)/' "$consumer/obj/project.assets.json"; then
  fail "the consumer's restore pulled in Microsoft.ML or Newtonsoft.Json"
fi
[ -f "$consumer/out/tanuki-models/ResNet18.onnx" ] || fail "the consumer's output has no tanuki-models/ResNet18.onnx"
NUGET_PACKAGES="$work/empty-cache" TANUKI_HOME="$work/empty-home" run dotnet "$consumer/out/consumer.dll" "$work/images" "$work/consumer.tanuki" \
  || fail "the consumer failed to train"
grep -q "^consumer: loss" "$log" || fail "the consumer printed no result"
cached="${NUGET_PACKAGES:-$HOME/.nuget/packages}/tanuki/$version"
[ -d "$cached" ] && rm -rf "$cached"   # the smoke version, not to pile up in the user's cache
if [ "$keep" -eq 0 ]; then rm -rf "$work"; echo "pack_smoke: PASS ($(elapsed) s)"; else echo "pack_smoke: PASS ($(elapsed) s; packages in $feed)"; fi
