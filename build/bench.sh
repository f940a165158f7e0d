#!/usr/bin/env bash
# Runs FineTuneGuard's kernel benchmark and the PyTorch CPU peer (../shared/peers/torch_peer.py) for 1 and 2 threads
# in one go, writes JSON lines to artifacts/bench/ and prints ../shared/peers/compare.py (peer_ms / ours_ms, > 1 = we
# are faster). Extra arguments (e.g. --case gemm_512x4096x4096) are passed to both benchmarks.
# Run it on a quiet machine: `uptime` load well below the core count.
#
# The Debian python3-torch links the system libblas.so.3, which on this image is the netlib reference BLAS (no
# OpenBLAS installed), so the peer's matrix products run at ~0.5 GFLOP/s. Set PEER_BLAS_DIR to a directory holding an
# optimized libblas.so.3 (e.g. OpenBLAS unpacked with `apt-get download libopenblas0-pthread && dpkg -x ...`, which
# changes nothing system-wide) to also run the peer against it and print a second table (peer_blas.jsonl).
# SKIP_SYSTEM_PEER=1 (with PEER_BLAS_DIR) skips the reference-BLAS peer, which needs ~20 minutes for both thread counts.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="$(cd .. && pwd)/shared/peers"
out=artifacts/bench
mkdir -p "$out"

if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
    apt-get update && apt-get install -y python3-torch python3-numpy
fi

dotnet build benchmarks/FineTuneGuard.Benchmarks -c Release -nologo -v quiet
ours_dll=benchmarks/FineTuneGuard.Benchmarks/bin/Release/net10.0/FineTuneGuard.Benchmarks.dll

: > "$out/ours.jsonl"
: > "$out/peer.jsonl"
: > "$out/peer_blas.jsonl"
for threads in 1 2; do
    echo "threads=$threads: FineTuneGuard" >&2
    dotnet "$ours_dll" --threads "$threads" "$@" | tee -a "$out/ours.jsonl"
    if [ "${SKIP_SYSTEM_PEER:-0}" != 1 ]; then
        echo "threads=$threads: PyTorch peer" >&2
        # The image pins OpenBLAS to an old core type; unset it for this command only so the peer runs at full speed.
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$peers/torch_peer.py" --threads "$threads" "$@" | tee -a "$out/peer.jsonl"
    fi
    if [ -n "${PEER_BLAS_DIR:-}" ]; then
        echo "threads=$threads: PyTorch peer with the BLAS in $PEER_BLAS_DIR" >&2
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$PEER_BLAS_DIR" \
            /usr/bin/python3 "$peers/torch_peer.py" --threads "$threads" "$@" | tee -a "$out/peer_blas.jsonl"
    fi
done

{ date -u '+%Y-%m-%dT%H:%M:%SZ'; uptime; } > "$out/machine.txt"
lscpu | grep -E 'Model name|^CPU\(s\)|L2|L3|Flags' | sed 's/Flags:.*\(avx512f\).*/Flags: ... avx512f .../' >> "$out/machine.txt" || true
if [ -n "${PEER_BLAS_DIR:-}" ]; then
    echo "--- peer with the BLAS in $PEER_BLAS_DIR ---" | tee "$out/compare_blas.txt"
    /usr/bin/python3 "$peers/compare.py" "$out/ours.jsonl" "$out/peer_blas.jsonl" | tee -a "$out/compare_blas.txt" || true
    echo "--- peer as installed (system libblas.so.3) ---"
fi
if [ "${SKIP_SYSTEM_PEER:-0}" != 1 ]; then
    /usr/bin/python3 "$peers/compare.py" "$out/ours.jsonl" "$out/peer.jsonl" | tee "$out/compare.txt"
fi
