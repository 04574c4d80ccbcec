#!/usr/bin/python3
"""PyTorch (CPU) twin of recurrent-harness.ts: median ms of forward + backward of nn.LSTM / nn.GRU
(batch_first) with loss sum(output * r), every parameter and the input requiring gradients.
Masked runs use pack_padded_sequence with the same kind of front-padded lengths (uniform in [1, T]).
Prints one JSON object.

  /usr/bin/python3 bench/engine/recurrent_torch.py --kind gru [--batch 32 --steps 50 --input 74
      --hidden 128 --layers 2 --bidirectional 1 --masked 0 --warmup 3 --repeats 15]
"""
import argparse
import json
import statistics
import time

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

p = argparse.ArgumentParser()
p.add_argument('--kind', choices=['lstm', 'gru'], required=True)
p.add_argument('--batch', type=int, default=32)
p.add_argument('--steps', type=int, default=50)
p.add_argument('--input', type=int, default=74)
p.add_argument('--hidden', type=int, default=128)
p.add_argument('--layers', type=int, default=2)
p.add_argument('--bidirectional', type=int, default=1)
p.add_argument('--masked', type=int, default=0)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--repeats', type=int, default=15)
p.add_argument('--seed', type=int, default=1)
a = p.parse_args()

torch.manual_seed(a.seed)
cls = torch.nn.LSTM if a.kind == 'lstm' else torch.nn.GRU
rnn = cls(a.input, a.hidden, num_layers=a.layers, bidirectional=bool(a.bidirectional), batch_first=True)
x = torch.randn(a.batch, a.steps, a.input, requires_grad=True)
r = torch.randn(a.batch, a.steps, a.hidden * (2 if a.bidirectional else 1))
lengths = torch.randint(1, a.steps + 1, (a.batch,))


def step():
    rnn.zero_grad(set_to_none=True)
    x.grad = None
    if a.masked:
        # The data would arrive front-padded; PyTorch needs it end-padded, so the gather is timed too.
        idx = (torch.arange(a.steps)[None, :] + (a.steps - lengths)[:, None]) % a.steps
        xe = torch.gather(x, 1, idx[:, :, None].expand(-1, -1, a.input))
        out, _ = rnn(pack_padded_sequence(xe, lengths, batch_first=True, enforce_sorted=False))
        y = pad_packed_sequence(out, batch_first=True, total_length=a.steps)[0]
    else:
        y, _ = rnn(x)
    (y * r).sum().backward()


for _ in range(a.warmup):
    step()
wall, cpu = [], []
for _ in range(a.repeats):
    c0, t0 = time.process_time(), time.perf_counter()
    step()
    wall.append((time.perf_counter() - t0) * 1000)
    cpu.append((time.process_time() - c0) * 1000)
print(json.dumps({
    'torch': torch.__version__, 'threads': torch.get_num_threads(), 'median_ms': statistics.median(wall),
    'median_cpu_ms': statistics.median(cpu), 'min_ms': min(wall), 'repeats': a.repeats,
}))
