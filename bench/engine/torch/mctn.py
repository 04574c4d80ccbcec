#!/usr/bin/python3
"""MCTN's PyTorch transcription, serving `mctn-faithful` and `mctn-joint` (contract: README.md here).

It transcribes the MMSA PyTorch port, thuiar/MMSA:src/MMSA/models/singleTask/MCTN.py (model) and
src/MMSA/trains/singleTask/MCTN.py (trainer), read beside the Keras original hainow/MCTN
(seq2seq/mctn_models.py, models/trimodals.py, models/regression_model.py, configs/mctn.yaml), with the
adaptations of resources/docs/baselines.md section 5. Each class says which reference part it follows
and where it departs. The same module generates the parity fixtures of the tfjs model
(test/fixtures/methods/mctn/gen_mctn.py), so the timed computation is the verified one.

Departures from the port, all deliberate:
- batch-first recurrence. The port builds time-first nn.LSTMs (no batch_first) but its trainer feeds
  [B, T, D] batches (trains/singleTask/MCTN.py: `text[:, :20, :]`), so its recurrences, its decoder's
  time loop and its regression softmax (nn.Softmax() on [T, B] picks dim 1) run over the batch axis.
  The code's comments (`src = [src_len, batch_size]`) and the Keras original run over time: so do we.
- the decoder LSTM carries its state (h, c) from step to step, starting from (s, 0); the port calls a
  one-step bidirectional nn.LSTM from zeros at every step (`self.rnn(rnn_input) # s.unsqueeze(0)`) and
  carries only s as the attention query; the Keras AttentionDecoderCell carries (h, c).
- frame 0 is predicted from a zero start frame (Keras decodes every frame); the port leaves outputs[0]
  zero. `first_frame='zero'` restores the port's behaviour.
- modalities enter through per-modality Linear(d_m -> H) and leave through Linear(H -> d_m) [gap-fill];
  `io='zero-pad'` restores the port's zero-padding to the widest modality.
- the MMSA trainer truncates every sequence to its first 20 steps; we read the last max_seq_len (50)
  steps of our front-padded sequences.

Run for timing:  /usr/bin/python3 bench/engine/torch/mctn.py --method mctn-joint --phase model
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

MODS = ('l', 'a', 'v')
METHODS = ('mctn-faithful', 'mctn-joint')
PHASES = ('model',)
VARIANTS = ()

# The cards' defaults (src-main/engine/methods/mctn/card.ts).
DEFAULTS = {
    'hidden': 32, 'reg_hidden': 32, 'targets': 'v,a', 'io': 'project', 'translation_targets': 'clean',
    'first_frame': 'predict', 'max_seq_len': 50, 'weights': (0.1, 0.1, 0.1), 'regression_loss': 'l1',
    'l2': 0.0, 'lr': 1e-4, 'grad_clip': 1.0,
}


class Encoder(nn.Module):
    """MMSA `Encoder`: bidirectional LSTM, depth 1, dropout 0; join = forward + backward outputs
    (Keras Bidirectional(merge_mode='sum')); s = tanh(fc(h_n[-1] + h_n[-2])) with a bias-free fc."""

    def __init__(self, in_size, hidden):
        super().__init__()
        self.hidden = hidden
        self.rnn = nn.LSTM(in_size, hidden, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(hidden, hidden, bias=False)

    def forward(self, x):
        out, (h, _) = self.rnn(x)
        join = out[..., :self.hidden] + out[..., self.hidden:]  # [B, T, H]
        s = torch.tanh(self.fc(h[-1] + h[-2]))  # [B, H]
        return join, s


class Decoder(nn.Module):
    """MMSA `Attention` + `Decoder` under full teacher forcing (the port's next input is always the ground
    truth): energy = tanh(attn([s; m_t])) with attn = Linear(2H -> H, no bias), score v(energy), softmax over
    the memory steps, context c = sum a_t m_t; LSTM input [y_prev; c]; prediction fc_out([h; c]).
    With the state carried (see the module docstring) the attention query s is the previous h."""

    def __init__(self, out_size, mem_size, hidden):
        super().__init__()
        assert mem_size == hidden, 'the port attends with Linear(2H -> H) on [s; m]'
        self.out_size, self.hidden = out_size, hidden
        self.attn = nn.Linear(2 * hidden, hidden, bias=False)
        self.v = nn.Linear(hidden, 1, bias=False)
        self.cell = nn.LSTMCell(out_size + mem_size, hidden)
        self.fc_out = nn.Linear(hidden + mem_size, out_size)

    def forward(self, memory, targets, s):
        b, t = targets.shape[:2]
        w_s, w_m = self.attn.weight[:, :self.hidden], self.attn.weight[:, self.hidden:]
        keys = memory @ w_m.t()  # [B, S, H]: the memory's half of attn, computed once
        h, c = s, torch.zeros_like(s)
        prev = targets.new_zeros(b, self.out_size)
        outs = []
        for i in range(t):
            energy = torch.tanh(keys + (h @ w_s.t())[:, None, :])
            a = torch.softmax(self.v(energy).squeeze(2), 1)  # [B, S]
            ctx = torch.bmm(a[:, None, :], memory)[:, 0]  # [B, H]
            h, c = self.cell(torch.cat([prev, ctx], 1), (h, c))
            outs.append(self.fc_out(torch.cat([h, ctx], 1)))
            prev = targets[:, i]
        return torch.stack(outs, 1)  # [B, T, out]


class Seq2Seq(nn.Module):
    """MMSA `Seq2Seq`: encode the source, decode the target from the encoder's outputs and s."""

    def __init__(self, in_size, width, hidden):
        super().__init__()
        self.encoder = Encoder(in_size, hidden)
        self.decoder = Decoder(width, hidden, hidden)


class Regression(nn.Module):
    """MMSA `Regression` = Keras create_regression_model: LSTM(R) over the sequence, attention score
    tanh(Dense(1)) per step, softmax over time, weighted sum of the LSTM outputs, Dense(out)."""

    def __init__(self, hidden, reg_hidden, out):
        super().__init__()
        self.rnn = nn.LSTM(hidden, reg_hidden, batch_first=True)
        self.linear = nn.Linear(reg_hidden, 1)
        self.linear2 = nn.Linear(reg_hidden, out)

    def represent(self, x):
        act, _ = self.rnn(x)
        a = torch.softmax(torch.tanh(self.linear(act)).squeeze(2), 1)  # [B, T]
        return (act * a[:, :, None]).sum(1)  # [B, R]


class Mctn(nn.Module):
    """MMSA `MCTN`: seq2seq1 source -> m1, the cycle m1 -> text with the same seq2seq1, seq2seq2 from
    seq2seq1's encoder outputs ("join") -> m2, regression on seq2seq2's encoder outputs. `source`:
    'text' (mctn-faithful) or 'joint' (mctn-joint: [l; a; v] entered side by side)."""

    def __init__(self, dims, out, source='text', hidden=32, reg_hidden=32, targets='v,a', io='project', first_frame='predict'):
        super().__init__()
        self.dims = dict(zip(MODS, dims))
        self.source, self.io, self.first_frame = source, io, first_frame
        self.m1, self.m2 = ('v', 'a') if targets == 'v,a' else ('a', 'v')
        self.width = hidden if io == 'project' else max(dims)
        if io == 'project':
            self.project = nn.ModuleDict({m: nn.Linear(self.dims[m], hidden) for m in MODS})
            self.output = nn.ModuleDict({m: nn.Linear(hidden, self.dims[m]) for m in MODS})
        in1 = self.width if source == 'text' else 3 * self.width
        self.seq2seq1 = Seq2Seq(in1, self.width, hidden)
        self.seq2seq2 = Seq2Seq(hidden, self.width, hidden)
        self.regression = Regression(hidden, reg_hidden, out)

    # -- modality I/O ([gap-fill] projections, or the port's `F.pad(video, (0, 768 - 20))`) --
    def enter(self, m, x):
        if self.io == 'project':
            return self.project[m](x)
        return F.pad(x, (0, self.width - x.shape[2]))

    def leave(self, m, y):
        y = self.output[m](y) if self.io == 'project' else y
        if self.first_frame == 'zero':
            y = torch.cat([torch.zeros_like(y[:, :1]), y[:, 1:]], 1)  # the port's outputs[0] stays zero
        return y

    def reference(self, m, x):
        return x if self.io == 'project' else self.enter(m, x)

    def source_of(self, xs):
        if self.source == 'text':
            return self.enter('l', xs['l'])
        return torch.cat([self.enter(m, xs[m]) for m in MODS], 2)

    def cycle_source(self, decoded):
        """The port's `self.seq2seq1(video_1, text)`: the decoded m1 is the source (joint: in m1's slot, the
        other modalities missing, i.e. zero inputs)."""
        if self.source == 'text':
            return self.enter(self.m1, decoded)
        b, t = decoded.shape[:2]
        parts = [self.enter(m, decoded if m == self.m1 else decoded.new_zeros(b, t, self.dims[m])) for m in MODS]
        return torch.cat(parts, 2)

    def decode(self, s2s, encoded, m, target):
        join, s = encoded
        return self.leave(m, s2s.decoder(join, self.enter(m, target), s))

    def represent(self, xs):
        join1, _ = self.seq2seq1.encoder(self.source_of(xs))
        join2, _ = self.seq2seq2.encoder(join1)
        return self.regression.represent(join2)

    def predict(self, xs):
        return self.regression.linear2(self.represent(xs))

    def losses(self, shown, targets, y, task, weights=(0.1, 0.1, 0.1), regression_loss='l1', l2=0.0):
        """MMSA `MCTN.forward`: loss = 0.1 MSE(m1) + 0.1 MSE(text cycle) + 0.1 MSE(m2) + 1.0 L1(y); the
        Keras original adds l2_factor * sum(W^2) of the regression layer (kernel_regularizer)."""
        enc1 = self.seq2seq1.encoder(self.source_of(shown))
        y1 = self.decode(self.seq2seq1, enc1, self.m1, targets[self.m1])
        enc_c = self.seq2seq1.encoder(self.cycle_source(y1))
        y_l = self.decode(self.seq2seq1, enc_c, 'l', targets['l'])
        enc2 = self.seq2seq2.encoder(enc1[0])
        y2 = self.decode(self.seq2seq2, enc2, self.m2, targets[self.m2])
        rep = self.regression.represent(enc2[0])
        logits = self.regression.linear2(rep)

        def mse(m, pred, w):
            return w * F.mse_loss(pred, self.reference(m, targets[m]))
        terms = {
            'translation': mse(self.m1, y1, weights[0]),
            'cycle': mse('l', y_l, weights[1]),
            'translation2': mse(self.m2, y2, weights[2]),
            'task': task_loss(logits, y, task, regression_loss),
        }
        if l2 > 0:
            terms['l2'] = l2 * (self.regression.linear2.weight ** 2).sum()
        return terms, sum(terms.values()), {'logits': logits, 'rep': rep, 'y1': y1, 'y_l': y_l, 'y2': y2}


def task_loss(logits, y, task, regression_loss):
    """MOSI/MOSEI: L1 (MMSA nn.L1Loss, Keras 'mae') or MSE; IEMOCAP: per-emotion binary cross-entropy over
    [B, 4, 2] (MulT protocol, baselines.md section 1.3)."""
    if task == 'regression':
        return F.l1_loss(logits, y) if regression_loss == 'l1' else F.mse_loss(logits, y)
    return F.cross_entropy(logits.reshape(-1, 2), y.reshape(-1).long())


def last_steps(xs, n):
    """The last n steps of every modality (front-padded sequences)."""
    return {m: x[:, -n:] if n < x.shape[1] else x for m, x in xs.items()}


def msm_masks(b, t, subsets=(1, 2, 3, 4, 5, 6, 7), max_drop=1.0):
    """The shared MSM generator (hrlf-spec 4.2; engine/data/msm.ts) with torch's RNG, for timing: per
    sample an available subset (bit 0 l, 1 a, 2 v) and a drop rate p ~ U[0, max_drop)."""
    subset = torch.tensor(subsets)[torch.randint(len(subsets), (b,))]
    p = torch.rand(b, 1) * max_drop
    return {m: (torch.rand(b, t) >= p).float() * ((subset >> i) & 1).float()[:, None] for i, m in enumerate(MODS)}


def train_step(model, opt, xs, y, task, masks=None, cfg=DEFAULTS):
    """One step as the tfjs phase runs it (MMSA do_train): corrupt, every loss, backward,
    clip_grad_norm_(grad_clip), Adam step. Returns the terms (weighted) and their total."""
    shown = xs if masks is None else {m: xs[m] * masks[m][:, :, None] for m in MODS}
    targets = xs if cfg['translation_targets'] == 'clean' else shown
    n = cfg['max_seq_len']
    terms, total, _ = model.losses(last_steps(shown, n), last_steps(targets, n), y, task, cfg['weights'], cfg['regression_loss'], cfg['l2'])
    opt.zero_grad(set_to_none=True)
    total.backward()
    if cfg['grad_clip'] > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['grad_clip'])
    opt.step()
    return terms, total


def build(method, dims, out, cfg=DEFAULTS):
    return Mctn(dims, out, 'text' if method == 'mctn-faithful' else 'joint', cfg['hidden'], cfg['reg_hidden'], cfg['targets'], cfg['io'], cfg['first_frame'])


# -- the tfjs model's parameter names (engine/nn layout: 2-D weights transposed to [in, out]) --
def named_tensors(model, grads=False):
    """name -> tensor as src-main/engine/methods/mctn/network.ts names its variables."""
    pick = (lambda p: p.grad) if grads else (lambda p: p.detach())
    out = {}

    def put(name, t):
        out[name] = t.t() if t.dim() == 2 else t

    def linear(prefix, lin):
        put(prefix + '.weight', pick(lin.weight))
        if lin.bias is not None:
            put(prefix + '.bias', pick(lin.bias))

    def lstm(prefix, rnn):
        for n, p in rnn.named_parameters():
            put(f'{prefix}.{n}', pick(p))

    if model.io == 'project':
        for m in MODS:
            linear(f'project.{m}', model.project[m])
        for m in MODS:
            linear(f'output.{m}', model.output[m])
    for k, s2s in (('seq2seq1', model.seq2seq1), ('seq2seq2', model.seq2seq2)):
        lstm(f'{k}.encoder.rnn', s2s.encoder.rnn)
        linear(f'{k}.encoder.bridge', s2s.encoder.fc)
        d = s2s.decoder
        for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'):
            put(f'{k}.decoder.cell.{n}', pick(getattr(d.cell, n)))
        attn = pick(d.attn.weight)
        put(f'{k}.decoder.attention.query.weight', attn[:, :d.hidden])
        put(f'{k}.decoder.attention.key.weight', attn[:, d.hidden:])
        linear(f'{k}.decoder.attention.score', d.v)
        linear(f'{k}.decoder.out', d.fc_out)
    lstm('regression.rnn', model.regression.rnn)
    linear('regression.pooling.score', model.regression.linear)
    linear('regression.head', model.regression.linear2)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import contract  # noqa: E402
    args = contract.parse(__file__, METHODS, PHASES, VARIANTS)
    dims, T = (300, 5, 20), 50  # MOSI sizes, regression
    model = build(args.method, dims, 1).train()
    opt = torch.optim.Adam(model.parameters(), lr=DEFAULTS['lr'])
    xs = {m: torch.randn(args.batch, T, d) for m, d in zip(MODS, dims)}
    y = torch.rand(args.batch, 1) * 6 - 3

    def step():
        train_step(model, opt, xs, y, 'regression', msm_masks(args.batch, T))
    contract.report(args, VARIANTS, step)


if __name__ == '__main__':
    main()
