#!/usr/bin/python3
"""PyTorch reference of the HRLF spec (docs/hrlf-spec.md), for timing the tfjs engine against.

A module: bench/engine/torch/hrlf.py times its training steps for `npm run bench:engine` (the
common contract of bench/engine/torch/README.md), and test/fixtures/nn/gen_nn.py builds HRLF's
parity fixtures from it.

`last_only=True` applies the same exact shortcut as the tfjs engine (the last encoder layer computes
only the last time step, the only one Z uses); the default is the plain nn.TransformerEncoder a
PyTorch user would write.
"""
import math

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
