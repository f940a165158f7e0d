#!/usr/bin/env bash
# Regenerates tests/FineTuneGuard.Tests/TestData/Decoder: small random Llama/Qwen2 checkpoints, PEFT LoRA adapters and
# float64 oracles written by the plain-PyTorch reference llama_peer.py (see TestData/Decoder/README.md).
# Needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread; runs with /usr/bin/python3.
# Usage: build/make-decoder-fixtures.sh [path/to/llama_peer.py]   (default: ../shared/peers/llama_peer.py next to the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peer="${1:-${LLAMA_PEER:-$root/../shared/peers/llama_peer.py}}"
out="$root/tests/FineTuneGuard.Tests/TestData/Decoder"
py=/usr/bin/python3
run() { echo "+ llama_peer.py $*"; "$py" "$peer" "$@"; }

# The "tiny" config of the peer (GQA: 4 query heads over 2 key/value heads, head_dim 16), with one field changed.
tiny_config() { # name, then python assignments applied to the dict
  local file="$1"; shift
  "$py" - "$file" "$@" <<'PY'
import json, sys
c = dict(hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
         head_dim=16, vocab_size=256, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False,
         attention_bias=False, max_position_embeddings=512, architectures=["LlamaForCausalLM"], model_type="llama",
         torch_dtype="float32", hidden_act="silu")
for assignment in sys.argv[2:]:
    exec(assignment, {}, c)
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

TOKENS_A="1,17,42,9,200,3,77,128,5,64,31,250;2,8,99,140,6,21,180,13,57,90,222,4"
TOKENS_B="3,30,60,90,120,150,180,210,240,7,14,28;255,0,11,22,33,44,55,66,77,88,99,111"

fixture() { # name, dtype, shards, seed, adapter rank, adapter targets, tokens
  local name="$1" dtype="$2" shards="$3" seed="$4" rank="$5" targets="$6" tokens="$7"
  local dir="$out/$name"
  rm -rf "$dir/checkpoint" "$dir/adapter" "$dir/oracle.safetensors"
  mkdir -p "$dir"
  run make-checkpoint --config "$dir/config.json" --out "$dir/checkpoint" --seed "$seed" --dtype "$dtype" --shards "$shards"
  rm "$dir/config.json"
  run make-adapter --base "$dir/checkpoint" --out "$dir/adapter" --rank "$rank" --alpha 16 --targets "$targets" --seed "$((seed + 1))"
  run oracle --base "$dir/checkpoint" --adapter "$dir/adapter" --tokens "$tokens" --prompt-lengths 5,7 --generate 8 \
      --out "$dir/oracle.safetensors"
}

mkdir -p "$out"
ALL=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj

mkdir -p "$out/tiny";       tiny_config "$out/tiny/config.json"
fixture tiny F32 1 1 8 q_proj,v_proj "$TOKENS_A"
# the same checkpoint without adapter: plain forward, loss and greedy tokens
run oracle --base "$out/tiny/checkpoint" --tokens "$TOKENS_A" --prompt-lengths 5,7 --generate 8 --out "$out/tiny/oracle-base.safetensors"

mkdir -p "$out/tied";       tiny_config "$out/tied/config.json" "tie_word_embeddings = True"
fixture tied F32 1 2 4 "$ALL" "$TOKENS_B"

mkdir -p "$out/qwen2-bias"; tiny_config "$out/qwen2-bias/config.json" "attention_bias = True" "model_type = 'qwen2'" \
    "architectures = ['Qwen2ForCausalLM']" "use_sliding_window = False" "rope_theta = 1000000.0"
fixture qwen2-bias F32 1 3 8 q_proj,v_proj "$TOKENS_A"

mkdir -p "$out/head-dim";   tiny_config "$out/head-dim/config.json" "head_dim = 24"
fixture head-dim F32 1 4 8 q_proj,v_proj "$TOKENS_B"

mkdir -p "$out/bf16";       tiny_config "$out/bf16/config.json" "torch_dtype = 'bfloat16'"
fixture bf16 BF16 1 5 8 q_proj,v_proj "$TOKENS_A"

mkdir -p "$out/sharded";    tiny_config "$out/sharded/config.json"
fixture sharded F32 2 6 8 q_proj,v_proj "$TOKENS_B"

du -sh "$out"/*
