#!/usr/bin/python3
"""PyTorch reference of the HRLF spec (docs/hrlf-spec.md), for timing the tfjs engine against.

Times one student training step exactly as the tfjs engine runs it: MSM corruption, the frozen
teacher's forward on the clean batch (eval mode, no grad), the student's forward/backward with the
full loss of spec §3 (task + λ_FRF·FRF + λ_HMI·HMI + λ_HAL·HAL + λ_KL·KL) and its Adam step, then
one Adam step of the HAL discriminators on the same (detached) representations.

    /usr/bin/python3 bench/engine/hrlf_torch.py [--batch 32] [--steps 20] [--threads N] [--last-only] [--device cpu|cuda]

Prints one JSON object with median_ms_per_student_step (wall) and median_cpu_ms_per_student_step
(process CPU time, steadier when other processes compete for the cores). CPU by default; --device cuda
times it on a GPU (each step ends with a host read of the loss, which synchronises). `--last-only` applies the same
exact shortcut as the tfjs engine (the last encoder layer computes only the last time step, the
only one Z uses); the default is the plain nn.TransformerEncoder a PyTorch user would write.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODS = ('l', 'a', 'v')
MOSI = {'T': 50, 'dims': (300, 5, 20), 'label_dim': 1, 'task': 'regression'}


def pe_table(T, d):
    pe = torch.zeros(T, d, dtype=torch.float64)
    pos = torch.arange(T, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)
    ang = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), i / d)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang[:, : d // 2])
    return pe.float()


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ModalityEncoder(nn.Module):
    """R = Conv1D(X)·√d + PE; Z = F(R)[last step] with a pre-LN encoder and a final LayerNorm."""

    def __init__(self, din, T, d, layers, heads, dropout, last_only):
        super().__init__()
        self.conv = nn.Conv1d(din, d, 3, padding=1, bias=False)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(d, heads, 4 * d, dropout, activation='relu', batch_first=True, norm_first=True)
            for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.register_buffer('pe', pe_table(T, d))
        self.scale = math.sqrt(d)
        self.last_only = last_only

    def forward(self, x):
        h = self.conv(x.transpose(1, 2)).transpose(1, 2) * self.scale + self.pe
        if not self.last_only:
            for layer in self.layers:
                h = layer(h)
            return self.norm(h)[:, -1]
        for layer in self.layers[:-1]:
            h = layer(h)
        last = self.layers[-1]
        y = last.norm1(h)
        a, _ = last.self_attn(y[:, -1:], y, y, need_weights=False)
        z = h[:, -1] + last.dropout1(a[:, 0])
        z = z + last._ff_block(last.norm2(z))
        return self.norm(z)


class HrlfNet(nn.Module):
    def __init__(self, shape, d, layers, heads, dropout, factorised=True, last_only=False):
        super().__init__()
        self.enc = nn.ModuleDict({m: ModalityEncoder(shape['dims'][i], shape['T'], d, layers, heads, dropout, last_only)
                                  for i, m in enumerate(MODS)})
        self.factorised = factorised
        if factorised:
            self.es = nn.ModuleDict({m: mlp([d, d, d // 2]) for m in MODS})
            self.em = nn.ModuleDict({m: mlp([d, d, d // 2]) for m in MODS})
            self.dec = mlp([d, d, d])
        else:
            self.joint = nn.ModuleDict({m: mlp([d, d, d]) for m in MODS})
        self.fc1, self.fc2 = nn.Linear(3 * d, 2 * d), nn.Linear(2 * d, d)
        self.fc3, self.fc4 = nn.Linear(d, 2 * d), nn.Linear(2 * d, 3 * d)
        out = shape['label_dim'] * (2 if shape['task'] == 'classification' else 1)
        self.head = nn.Linear(3 * d, out)

    def forward(self, xs):
        z = {m: self.enc[m](xs[m]) for m in MODS}
        if self.factorised:
            q = {m: self.es[m](z[m]) for m in MODS}
            u = {m: self.em[m](z[m]) for m in MODS}
            h = torch.cat([t for m in MODS for t in (q[m], u[m])], 1)
        else:
            q = u = None
            h = torch.cat([self.joint[m](z[m]) for m in MODS], 1)
        i1 = F.relu(self.fc1(h))
        i2 = F.relu(self.fc2(i1))
        i3 = F.relu(self.fc3(i2))
        ht = F.relu(self.fc4(i3))
        return {'z': z, 'q': q, 'u': u, 'h': h, 'i1': i1, 'i2': i2, 'i3': i3, 'ht': ht, 'logits': self.head(ht)}


def scales(o):
    return [torch.cat([o['h'], o['ht']], 0), torch.cat([o['i1'], o['i3']], 0), o['i2']]


def distance(a, b, kind):
    return (a - b).norm(dim=1).mean() if kind == 'l2' else ((a - b) ** 2).mean()


def frf_loss(net, o, kind='l2', stop_grad=True):
    return sum(frf_parts(net, o, kind, stop_grad))


def frf_parts(net, o, kind='l2', stop_grad=True):
    """(L_self, L_cross, L_recon) of paper eq. 1–4; targets under stop-gradient by default (spec §3b)."""
    sg = (lambda t: t.detach()) if stop_grad else (lambda t: t)
    z, q, u = o['z'], o['q'], o['u']
    zbar = {(a, b): net.dec(torch.cat([q[a], u[b]], 1)) for a in MODS for b in MODS}
    self_ = sum(distance(zbar[(a, a)], sg(z[a]), kind) for a in MODS) / 3
    cross = sum(distance(zbar[(a, b)], sg(z[b]), kind) for a in MODS for b in MODS if a != b) / 6
    recon = sum(distance(net.es[b](zbar[(a, b)]), sg(q[b]), kind) for a in MODS for b in MODS) / 9
    return self_, cross, recon


def hmi_loss(stats, et, es, perms=None):
    """L_HMI = −Σ_i MI_i; negatives pair E^t with a batch permutation of E^s (drawn if not given)."""
    total = 0.0
    for i, (net, t, s) in enumerate(zip(stats, et, es)):
        perm = torch.randperm(s.shape[0], device=s.device) if perms is None else perms[i]
        pos, neg = net(torch.cat([t, s], 1)), net(torch.cat([t, s[perm]], 1))
        total = total + ((-F.softplus(-pos)).mean() - F.softplus(neg).mean())
    return -total


def task_loss(logits, y, task):
    if task == 'regression':
        return F.mse_loss(logits, y)
    return F.cross_entropy(logits.view(-1, 2), y.view(-1).long())


def kl_loss(lt, ls, task):
    if task == 'regression':
        return 0.5 * ((lt - ls) ** 2).mean()
    lt, ls = lt.view(lt.shape[0], -1, 2), ls.view(ls.shape[0], -1, 2)
    pt = F.softmax(lt, -1)
    return (pt * (F.log_softmax(lt, -1) - F.log_softmax(ls, -1))).sum(-1).mean()


def msm_masks(b, t, device='cpu'):
    """Per sample: available set uniform over the 7 non-empty subsets; frames dropped w.p. p~U[0,1)."""
    subset = torch.randint(1, 8, (b,), device=device)
    p = torch.rand(b, 1, device=device)
    return {m: (torch.rand(b, t, device=device) >= p).float() * ((subset >> i) & 1).float()[:, None] for i, m in enumerate(MODS)}


def apply_masks(xs, masks):
    return {m: xs[m] * masks[m][:, :, None] for m in MODS}


def msm(xs):
    b, t = xs['l'].shape[:2]
    return apply_masks(xs, msm_masks(b, t, xs['l'].device))


def hal_generator_loss(discs, es):
    return sum(F.softplus(-D(e)).mean() for D, e in zip(discs, es))


def hal_discriminator_loss(discs, et, es):
    return sum(F.softplus(-D(t)).mean() + F.softplus(D(s)).mean() for D, t, s in zip(discs, et, es))


LAMBDAS = {'frf': 1.0, 'hmi': 1.0, 'hal': 0.1, 'kl': 1.0}


def student_terms(student, stats, discs, s_out, t_out, y, task, perms=None, lam=LAMBDAS):
    """The student objective of spec §3.6, term by term (each with its λ applied)."""
    et, es = scales(t_out), scales(s_out)
    terms = {
        'task': task_loss(s_out['logits'], y, task),
        'frf': lam['frf'] * frf_loss(student, s_out),
        'hmi': lam['hmi'] * hmi_loss(stats, et, es, perms),
        'hal': lam['hal'] * hal_generator_loss(discs, es),
        'kl': lam['kl'] * kl_loss(t_out['logits'], s_out['logits'], task),
    }
    terms['total'] = sum(terms.values())
    return terms, es


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: PyTorch default)')
    ap.add_argument('--last-only', action='store_true')
    ap.add_argument('--device', default='cpu', help="cpu, cuda, or cuda-if-available (the GPU reference for tfjs-webgpu)")
    args = ap.parse_args()
    if args.device == 'cuda-if-available':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    dev = torch.device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    shape, d, heads, layers, dropout, lr = MOSI, 40, 10, 2, 0.1, 1e-3
    teacher = HrlfNet(shape, d, layers, heads, dropout, last_only=args.last_only).to(dev).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = HrlfNet(shape, d, layers, heads, dropout, last_only=args.last_only).to(dev).train()
    ks = [3 * d, 2 * d, d]
    stats = nn.ModuleList([mlp([2 * k, k, 1]) for k in ks]).to(dev)
    discs = nn.ModuleList([mlp([k, k // 2, 1]) for k in ks]).to(dev)
    opt = torch.optim.Adam(list(student.parameters()) + list(stats.parameters()), lr=lr)
    opt_d = torch.optim.Adam(discs.parameters(), lr=lr)

    B, T = args.batch, shape['T']
    xs = {m: torch.randn(B, T, shape['dims'][i], device=dev) for i, m in enumerate(MODS)}
    y = torch.rand(B, 1, device=dev) * 6 - 3

    def step():
        with torch.no_grad():
            t_out = teacher(xs)
            et = scales(t_out)
        s_out = student(msm(xs))
        terms, es = student_terms(student, stats, discs, s_out, t_out, y, shape['task'])
        opt.zero_grad(set_to_none=True)
        terms['total'].backward()
        opt.step()
        d_loss = hal_discriminator_loss(discs, et, [e.detach() for e in es])
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        return float(terms['total'])

    for _ in range(args.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(args.steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        'bench': 'hrlf-student-step', 'framework': 'pytorch', 'torch': torch.__version__,
        'threads': torch.get_num_threads(), 'device': args.device, 'batch': B, 'last_only': args.last_only,
        'median_ms_per_student_step': statistics.median(times),
        'median_cpu_ms_per_student_step': statistics.median(cpu_times), 'mean_ms': statistics.mean(times),
        'min_ms': min(times), 'min_cpu_ms': min(cpu_times), 'steps': args.steps,
    }))


if __name__ == '__main__':
    main()
