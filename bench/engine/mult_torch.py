#!/usr/bin/python3
"""MulT's crossmodal transformer written out in plain PyTorch: the reference the tfjs
CrossModalTransformer (src-main/engine/nn/cross-modal.ts) is checked against
(test/fixtures/nn/gen_nn_attention.py imports it) and timed against (this file's main).

Follows yaohungt/Multimodal-Transformer:modules/{transformer,multihead_attention,position_embedding}.py
(DMD's copy: mdswyz/DMD:trains/subNets/transformers_encoder/); each part is marked with the file and
lines it follows. Batch-first ([B, T, d]) where the reference is time-first; the arithmetic is the
same. One deliberate difference: positions are counted in logical order. For time-first input,
PyTorch CPU builds before 2.1 fill make_positions' masked_scatter_ in memory order
(pytorch/pytorch#99638) and so scramble the positions; MulT's own code (its `.view(-1)` needs the
contiguous clone of the PyTorch of its time) and CUDA runs got the intended order.

    /usr/bin/python3 bench/engine/mult_torch.py [--batch 16] [--length 50] [--d 50] [--heads 10]
        [--layers 4] [--steps 20] [--threads 1]

Times forward + backward (gradients of every parameter and of both inputs) of one crossmodal
transformer "target <- source" in training mode with DMD's MOSI dropouts and causal mask; prints
one JSON object.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mult_table(rows, d):
    """position_embedding.py:45-60 (get_embedding): sin half | cos half, float32, row 0 zero."""
    half = d // 2
    step = math.log(10000) / (half - 1)
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * -step)
    angles = torch.arange(rows, dtype=torch.float32)[:, None] * freqs[None, :]
    table = torch.cat([torch.sin(angles), torch.cos(angles)], 1)
    if d % 2 == 1:
        table = torch.cat([table, torch.zeros(rows, 1)], 1)
    table[0] = 0
    return table


def mult_positions(x_in):
    """position_embedding.py:8-27 (make_positions, padding_idx 0, left_pad 0) and 62-76 (forward,
    fed x_in[:, :, 0] by transformer.py:65,73-74): row t gets position t + 1 unless its first
    feature is exactly 0 (padding: position 0, a zero row)."""
    B, T, d = x_in.shape
    positions = torch.arange(1, T + 1).expand(B, T)
    positions = torch.where(x_in[:, :, 0] != 0, positions, torch.zeros_like(positions))
    return mult_table(T + 1, d).to(x_in.dtype)[positions]


def future_mask(tq, tk, dtype):
    """transformer.py:174-185 (fill_with_neg_inf, buffered_future_mask)."""
    return torch.triu(torch.full((tq, tk), float('-inf'), dtype=dtype), 1 + abs(tk - tq))[:tq, :tk]


class MultAttention(nn.Module):
    """multihead_attention.py:14-45 (parameters) and 51-133 (forward, without bias_kv and zero_attn,
    which MulT leaves off); in_proj rows [q | k | v] as _in_proj, 136-157."""

    def __init__(self, d, heads, attn_dropout, dtype):
        super().__init__()
        self.d, self.h, self.attn_dropout = d, heads, attn_dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d, d, dtype=dtype))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d, dtype=dtype))
        self.out_proj = nn.Linear(d, d, dtype=dtype)
        nn.init.xavier_uniform_(self.in_proj_weight)                      # lines 40-45
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, query, key, value, mask):
        d, h = self.d, self.h
        W, b = self.in_proj_weight, self.in_proj_bias
        q = F.linear(query, W[:d], b[:d]) * (d // h) ** -0.5            # lines 82-85
        k = F.linear(key, W[d:2 * d], b[d:2 * d])
        v = F.linear(value, W[2 * d:], b[2 * d:])
        B, Tq, Tk = query.shape[0], query.shape[1], key.shape[1]
        q = q.view(B, Tq, h, d // h).transpose(1, 2)                     # lines 94-98
        k = k.view(B, Tk, h, d // h).transpose(1, 2)
        v = v.view(B, Tk, h, d // h).transpose(1, 2)
        scores = q @ k.transpose(-1, -2)                                  # line 109
        if mask is not None:
            scores = scores + mask                                        # lines 112-118
        weights = F.softmax(scores, dim=-1)                               # line 120
        weights = F.dropout(weights, p=self.attn_dropout, training=self.training)  # line 123
        ctx = (weights @ v).transpose(1, 2).reshape(B, Tq, d)             # lines 125-128
        return self.out_proj(ctx)                                         # line 129


def xavier_linear(n_in, n_out, dtype):
    """transformer.py:189-194 (Linear): Xavier-uniform weight, zero bias."""
    m = nn.Linear(n_in, n_out, dtype=dtype)
    nn.init.xavier_uniform_(m.weight)
    nn.init.zeros_(m.bias)
    return m


class MultLayer(nn.Module):
    """transformer.py:112-165 (TransformerEncoderLayer, normalize_before=True); one LayerNorm
    (layer_norms[0]) for query, key and value (lines 145, 150-151)."""

    def __init__(self, d, heads, attn_dropout, relu_dropout, res_dropout, dtype):
        super().__init__()
        self.self_attn = MultAttention(d, heads, attn_dropout, dtype)
        self.relu_dropout, self.res_dropout = relu_dropout, res_dropout
        self.fc1 = xavier_linear(d, 4 * d, dtype)
        self.fc2 = xavier_linear(4 * d, d, dtype)
        self.layer_norms = nn.ModuleList([nn.LayerNorm(d, dtype=dtype) for _ in range(2)])

    def forward(self, x, x_k, x_v, mask):
        residual = x
        x = self.layer_norms[0](x)                                        # line 145
        if x_k is None:
            x = self.self_attn(x, x, x, mask)                             # line 148
        else:
            x = self.self_attn(x, self.layer_norms[0](x_k), self.layer_norms[0](x_v), mask)  # 150-152
        x = residual + F.dropout(x, p=self.res_dropout, training=self.training)  # lines 153-154
        residual = x
        x = F.relu(self.fc1(self.layer_norms[1](x)))                      # lines 158-159
        x = self.fc2(F.dropout(x, p=self.relu_dropout, training=self.training))  # lines 160-161
        return residual + F.dropout(x, p=self.res_dropout, training=self.training)  # lines 162-163


class MultEncoder(nn.Module):
    """transformer.py:23-90 (TransformerEncoder)."""

    def __init__(self, d, heads, layers, causal=False, attn_dropout=0.0, relu_dropout=0.0, res_dropout=0.0,
                 embed_dropout=0.0, dtype=torch.float32):
        super().__init__()
        self.d, self.causal, self.embed_dropout = d, causal, embed_dropout
        self.layers = nn.ModuleList([MultLayer(d, heads, attn_dropout, relu_dropout, res_dropout, dtype)
                                     for _ in range(layers)])
        self.layer_norm = nn.LayerNorm(d, dtype=dtype)

    def forward(self, x_in, x_in_kv=None):
        scale = math.sqrt(self.d)                                         # line 29
        drop = lambda t: F.dropout(t, p=self.embed_dropout, training=self.training)  # noqa: E731
        x = drop(scale * x_in + mult_positions(x_in))                     # lines 63-66
        x_k = x_v = None
        if x_in_kv is not None:
            x_k = drop(scale * x_in_kv + mult_positions(x_in_kv))         # lines 70-76: one dropout
            x_v = drop(scale * x_in_kv + mult_positions(x_in_kv))         # mask each for k and v
        tk = x.shape[1] if x_in_kv is None else x_in_kv.shape[1]
        mask = future_mask(x.shape[1], tk, x.dtype) if self.causal else None  # line 146
        for layer in self.layers:
            x = layer(x, x_k, x_v, mask)                                  # lines 80-85
        return self.layer_norm(x)                                         # line 88


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--length', type=int, default=50)
    ap.add_argument('--d', type=int, default=50)
    ap.add_argument('--heads', type=int, default=10)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1, help='torch threads (tfjs-wasm is single-threaded)')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # DMD's MOSI settings (config/config.json): attn 0.2 (audio target), relu 0, res 0, embed 0.2, causal.
    model = MultEncoder(args.d, args.heads, args.layers, causal=True, attn_dropout=0.2, embed_dropout=0.2).train()
    x = torch.randn(args.batch, args.length, args.d, requires_grad=True)
    s = torch.randn(args.batch, args.length, args.d, requires_grad=True)
    r = torch.randn(args.batch, args.length, args.d)

    def step():
        model.zero_grad(set_to_none=True)
        x.grad = s.grad = None
        (model(x, s) * r).sum().backward()

    for _ in range(args.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(args.steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        'bench': 'crossmodal-forward-backward', 'framework': 'pytorch', 'torch': torch.__version__,
        'threads': torch.get_num_threads(), 'batch': args.batch, 'length': args.length, 'd': args.d,
        'heads': args.heads, 'layers': args.layers, 'median_ms': statistics.median(times),
        'median_cpu_ms': statistics.median(cpu_times), 'min_ms': min(times), 'steps': args.steps,
    }))


if __name__ == '__main__':
    main()
