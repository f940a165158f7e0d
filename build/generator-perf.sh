#!/usr/bin/env bash
# Build cost of FineTuneGuard's source generator + analyzers on a consumer with 500 annotated layers.
#
#   build/generator-perf.sh [rounds]      (default 3 rounds; prints a Markdown table and one JSON line)
#
# Builds the runtime and the analyzer assembly (Release) from this checkout, then generates a consumer in a temp
# folder: 50 files x 10 annotated partial classes (350 [LoraLayer], 50 [BottleneckAdapter], 50 [PrefixTuning],
# 50 [PromptTuning]) plus one [TransformerModel] + [LoraTargets] and 20 unrelated files. The consumer references the
# runtime assembly and, when FtgAnalyzers=true, the generator/analyzer assembly exactly as the package does
# (analyzers/dotnet/cs). The source does not use generated members, so the same code builds without the generator.
#
# Measured in one run, alternating with / without / as source to share machine noise:
#   clean   : rm -rf bin obj, then `dotnet build --no-restore` (median of the rounds)
#   rerun   : after a clean build, edit one unrelated file and build again (median)
#   as source: the generator's output copied into the project as ordinary files, generator and FTG analyzers off
#             (clean build, median): the same code compiled without running FineTuneGuard's generator and analyzers
# plus the generator and analyzer execution times the compiler reports (-p:ReportAnalyzer=true).
# Compiler server: the MSBuild property UseSharedCompilation decides whether csc runs in the long-lived compiler server
# (the SDK default) or starts fresh for every build; these sandboxes set UseSharedCompilation=false in the environment.
# The script keeps whatever the environment says and prints it; `UseSharedCompilation=true build/generator-perf.sh`
# measures with the server.
set -euo pipefail

ROUNDS="${1:-3}"   # KEEP_WORK=1 keeps the generated consumer (path printed on stderr)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ftg-generator-perf.XXXXXX")"
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "Consumer in $WORK" >&2

echo "Building FineTuneGuard (Release)..." >&2
dotnet build "$ROOT/src/FineTuneGuard/FineTuneGuard.csproj" -c Release -f net10.0 -v:q -nologo >&2
RUNTIME="$ROOT/src/FineTuneGuard/bin/Release/net10.0/FineTuneGuard.dll"
GENERATOR="$ROOT/src/FineTuneGuard.SourceGenerators/bin/Release/netstandard2.0/FineTuneGuard.SourceGenerators.dll"
test -f "$RUNTIME" && test -f "$GENERATOR"

APP="$WORK/app"
mkdir -p "$APP/Layers" "$APP/Other"
echo '<Project />' > "$WORK/Directory.Build.props"
echo '<Project />' > "$WORK/Directory.Packages.props"
cat > "$APP/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>enable</Nullable>
    <FtgAnalyzers Condition="'\$(FtgAnalyzers)' == ''">true</FtgAnalyzers>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="FineTuneGuard" HintPath="$RUNTIME" />
    <PackageReference Include="System.Numerics.Tensors" Version="10.0.0" />
  </ItemGroup>
  <ItemGroup Condition="'\$(FtgAnalyzers)' == 'true'">
    <Analyzer Include="$GENERATOR" />
  </ItemGroup>
</Project>
XML

for f in $(seq 0 49); do
  {
    echo "using FineTuneGuard;"
    echo "namespace App.Layers$f;"
    for i in $(seq 0 6); do
      echo "[LoraLayer($((256 + 64 * i)), $((512 + 32 * f)), Rank = $((4 << (i % 3))), Alpha = 16)] public partial class Lora$i { }"
    done
    echo "[BottleneckAdapter($((512 + 64 * (f % 8))), 64)] public partial class Adapter { }"
    echo "[PrefixTuning(24, 16, 16, 64)] public partial class PrefixLayer { }"
    echo "[PromptTuning(20, $((768 + f)))] public partial class Prompt { }"
  } > "$APP/Layers/Layers$f.cs"
done
cat > "$APP/Layers/Model.cs" <<'CS'
using FineTuneGuard;
namespace App;
[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets("q_proj", "v_proj", Rank = 8, Alpha = 16)]
public partial class Llama2 { }
CS
for f in $(seq 0 19); do
  cat > "$APP/Other/Other$f.cs" <<CS
namespace App.Other;
public static class Helpers$f
{
    public static int Sum(int[] values) { int s = 0; foreach (int v in values) { s += v * $f; } return s; }
    public static string Describe(int x) => x switch { 0 => "zero", < 0 => "negative", _ => "positive $f" };
}
CS
done

cd "$APP"
dotnet restore -v:q -nologo >&2

build() { # $1 = true|false ; prints seconds
  local start end
  start=$(date +%s.%N)
  dotnet build --no-restore -c Release -v:q -nologo -p:FtgAnalyzers="$1" -p:TreatWarningsAsErrors=false >"$WORK/err.txt" 2>&1 || { cat "$WORK/err.txt" >&2; dotnet build --no-restore -c Release -p:FtgAnalyzers="$1" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
clean() { rm -rf "$APP/bin" "$APP/obj/Release"; }
edit() { echo "// edit $RANDOM$RANDOM" >> "$APP/Other/Other0.cs"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "Warm-up..." >&2
clean; build false >/dev/null; clean; build true >/dev/null

# The generator's output, kept aside: the "as source" build compiles exactly this code as ordinary files with the
# generator and the FTG analyzers off, which separates what running them costs from what compiling their output costs.
clean
dotnet build --no-restore -c Release -v:q -nologo -p:FtgAnalyzers=true -p:EmitCompilerGeneratedFiles=true -p:TreatWarningsAsErrors=false >/dev/null 2>&1
mkdir -p "$WORK/as-source"
cp -r "$APP/obj/Release/net10.0/generated/FineTuneGuard.SourceGenerators" "$WORK/as-source/"
as_source() { cp -r "$WORK/as-source/FineTuneGuard.SourceGenerators" "$APP/Generated"; build false; rm -rf "$APP/Generated"; }

: > "$WORK/clean_with"; : > "$WORK/clean_without"; : > "$WORK/rerun_with"; : > "$WORK/rerun_without"; : > "$WORK/clean_source"
for r in $(seq 1 "$ROUNDS"); do
  echo "Round $r/$ROUNDS..." >&2
  clean; build false >> "$WORK/clean_without"; edit; build false >> "$WORK/rerun_without"
  clean; build true >> "$WORK/clean_with"; edit; build true >> "$WORK/rerun_with"
  clean; as_source >> "$WORK/clean_source"
done

# Generated files and the compiler's own account of generator / analyzer time on a clean build.
clean
dotnet build --no-restore -c Release -v:d -nologo -p:FtgAnalyzers=true -p:ReportAnalyzer=true -p:EmitCompilerGeneratedFiles=true > "$WORK/report.txt" 2>&1 || true
GENERATED=$(find "$APP/obj/Release" -path '*generated*' -name '*.g.cs' | wc -l)
GEN_LINES=$(find "$APP/obj/Release" -path '*generated*' -name '*.g.cs' -exec cat {} + | wc -l)
PER_KIND=""
for kind in LoraLayer BottleneckAdapter PrefixTuning PromptTuning TransformerModel; do
  PER_KIND="$PER_KIND $kind=$(find "$APP/obj/Release" -path '*generated*' -name "*.$kind.g.cs" -exec cat {} + | wc -l)/$(find "$APP/obj/Release" -path '*generated*' -name "*.$kind.g.cs" | wc -l)"
done
GEN_TIME=$(grep -A30 -i "generator execution time" "$WORK/report.txt" | grep -m1 "Generators.LayerGenerator$" | awk '{print $1}' || true)
ANA_TIME=$(grep -m1 -A1 -i "total analyzer execution time" "$WORK/report.txt" | head -1 | grep -oE '[0-9]+([.,][0-9]+)?' | head -1 || true)

CW=$(median < "$WORK/clean_with"); CWO=$(median < "$WORK/clean_without")
RW=$(median < "$WORK/rerun_with"); RWO=$(median < "$WORK/rerun_without")
CS=$(median < "$WORK/clean_source")
RATIO=$(echo "$CW / $CWO" | bc -l); RRATIO=$(echo "$RW / $RWO" | bc -l); SRATIO=$(echo "$CW / $CS" | bc -l)

printf '\nCompiler server (UseSharedCompilation): %s\n' "${UseSharedCompilation:-SDK default (true)}"
printf '\n| build (500 annotated layers, %s rounds, median) | without generator/analyzers | with | ratio |\n|---|---|---|---|\n' "$ROUNDS"
printf '| clean `dotnet build` | %.2f s | %.2f s | %.3f |\n' "$CWO" "$CW" "$RATIO"
printf '| rerun after an unrelated edit | %.2f s | %.2f s | %.3f |\n' "$RWO" "$RW" "$RRATIO"
printf '\n| clean build of the same generated code (median) | as ordinary source, no generator/FTG analyzers | with generator + FTG analyzers | ratio |\n|---|---|---|---|\n'
printf '| clean `dotnet build` | %.2f s | %.2f s | %.3f |\n' "$CS" "$CW" "$SRATIO"
printf '\nGenerated files: %s (%s lines; lines/files per kind:%s); compiler-reported LayerGenerator time: %s s; total analyzer time: %s s\n' "$GENERATED" "$GEN_LINES" "$PER_KIND" "${GEN_TIME:-n/a}" "${ANA_TIME:-n/a}"
printf '{"case":"generator_build_cost","layers":500,"shared_compilation":"%s","rounds":%s,"clean_without_s":%.3f,"clean_with_s":%.3f,"clean_ratio":%.4f,"rerun_without_s":%.3f,"rerun_with_s":%.3f,"rerun_ratio":%.4f,"clean_as_source_s":%.3f,"clean_ratio_to_source":%.4f,"generated_files":%s,"generated_lines":%s}\n' \
  "${UseSharedCompilation:-default}" "$ROUNDS" "$CWO" "$CW" "$RATIO" "$RWO" "$RW" "$RRATIO" "$CS" "$SRATIO" "$GENERATED" "$GEN_LINES"
