#!/usr/bin/python3
"""PyTorch (CPU) twin of recurrent-harness.ts: median ms of forward + backward of nn.LSTM / nn.GRU
(batch_first) with loss sum(output * r) and every parameter requiring gradients (the input is data, as
a first layer's usually is), or of the attention LSTM decoder below (--kind decoder, MCTN sizes; its
memory, the encoder outputs, requires gradients too). Masked runs use pack_padded_sequence with the
same kind of front-padded lengths (uniform in [1, T]). Prints one JSON object.

  /usr/bin/python3 bench/engine/recurrent_torch.py --kind gru|lstm|decoder [--batch 32 --steps 50
      --input 74 --hidden 128 --layers 2 --bidirectional 1 --masked 0 --warmup 3 --repeats 15]
  (for the decoder, --input is the target frame width and --hidden the LSTM/memory/attention width)

AttentionLstmDecoderRef is also the reference of test/fixtures/nn/gen_nn_recurrent.py.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class AttentionLstmDecoderRef(nn.Module):
    """The decoder of engine/nn/attention-decoder.ts, written plainly: additive attention
    v·tanh(W_q h + W_k m_s) over the memory, LSTMCell([y_prev; ctx]) with y_prev the ground-truth
    previous frame (a zero frame first), output Linear([h; ctx])."""

    def __init__(self, out_size, mem_size, hidden, attn):
        super().__init__()
        self.out_size = out_size
        self.cell = nn.LSTMCell(out_size + mem_size, hidden)
        self.query = nn.Linear(hidden, attn, bias=False)
        self.key = nn.Linear(mem_size, attn, bias=False)
        self.score = nn.Linear(attn, 1, bias=False)
        self.out = nn.Linear(hidden + mem_size, out_size)

    def forward(self, memory, targets, mask, h, c):
        keys = self.key(memory)  # [B, S, A]
        prev = torch.zeros(targets.shape[0], self.out_size)
        outs, weights = [], []
        for t in range(targets.shape[1]):
            e = self.score(torch.tanh(keys + self.query(h)[:, None, :])).squeeze(2)  # [B, S]
            if mask is not None:
                e = e.masked_fill(mask == 0, float('-inf'))
            a = torch.softmax(e, 1)
            ctx = torch.bmm(a[:, None, :], memory)[:, 0]
            h, c = self.cell(torch.cat([prev, ctx], 1), (h, c))
            outs.append(self.out(torch.cat([h, ctx], 1)))
            weights.append(a)
            prev = targets[:, t]  # teacher forcing: the next step reads the ground-truth frame
        return torch.stack(outs, 1), torch.stack(weights, 1), h, c


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--kind', choices=['lstm', 'gru', 'decoder'], required=True)
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
    lengths = torch.randint(1, a.steps + 1, (a.batch,))
    if a.kind == 'decoder':
        # MCTN sizes: memory = encoder outputs [B, T, hidden], targets [B, T, input].
        dec = AttentionLstmDecoderRef(a.input, a.hidden, a.hidden, a.hidden)
        memory = torch.randn(a.batch, a.steps, a.hidden, requires_grad=True)
        targets = torch.randn(a.batch, a.steps, a.input)
        zeros = torch.zeros(a.batch, a.hidden)
        r = torch.randn(a.batch, a.steps, a.input)

        def step():
            dec.zero_grad(set_to_none=True)
            memory.grad = None
            y = dec(memory, targets, None, zeros, zeros)[0]
            (y * r).sum().backward()
    else:
        cls = torch.nn.LSTM if a.kind == 'lstm' else torch.nn.GRU
        rnn = cls(a.input, a.hidden, num_layers=a.layers, bidirectional=bool(a.bidirectional), batch_first=True)
        x = torch.randn(a.batch, a.steps, a.input)
        r = torch.randn(a.batch, a.steps, a.hidden * (2 if a.bidirectional else 1))

        def step():
            rnn.zero_grad(set_to_none=True)
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


if __name__ == '__main__':
    main()
