#!/usr/bin/python3
"""DMD's PyTorch transcription (method `dmd`; contract: README.md here).

It follows the reference code github.com/mdswyz/DMD (commit 516d4e1):
- model: trains/singleTask/model/dmd.py (cited below as "dmd.py L<n>");
- trainer and losses: trains/singleTask/DMD.py ("trainer L<n>"), trains/singleTask/HingeLoss.py
  ("hinge L<n>"), trains/singleTask/misc.py ("misc L<n>");
- graph distillation: trains/singleTask/distillnets/get_distillation_kernel.py and
  get_distillation_kernel_homo.py ("kernel L<n>"; the two agree on the lines cited), run.py ("run L<n>");
- transformers: trains/subNets/transformers_encoder/ (MulT's encoder), written out batch-first in
  bench/engine/mult_torch.py, which cites its lines;
- settings: config/config.json, key "dmd".
with the workbench's adaptations of resources/docs/baselines.md section 4 and section 1, each marked
[gap-fill] or [adaptation] where it appears:
- no BERT: the text features go to proj_l directly, after text_dropout;
- batch-first tensors ([B, T, C]) where the reference uses [B, C, T] and [T, B, C]; every flatten keeps
  the order the reference's view() produces;
- proj_cosine_l/v/a (dmd.py L65-67, L212-214) feed no loss and no output: left out;
- L_ort's cosine over the feature axis per (sample, time step) by default [gap-fill], or over the
  batch axis (what PyTorch 1.x computed for the reference's 3-D inputs);
- IEMOCAP: 8 logits ([B, 4, 2], cross-entropy) for every task term, graph units with n_classes 8, the
  hinge's "same label" = the same emotion vector, coded sum_k y_k 2^k [gap-fill].

The same module builds the committed parity fixtures (test/fixtures/methods/dmd/gen_dmd.py) and, run
as a script, times one training step for `npm run bench:engine -- --method dmd`: one mini-batch as
the tfjs phase's trainStep runs it (forward, every loss, backward into the accumulated gradients,
clip by value, and the Adam step on every `update_epochs`-th batch).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import mult_torch as M  # noqa: E402

METHODS = ['dmd']
PHASES = ['model']

# config/config.json dmd (commonParams + datasetParams.mosi) under the workbench's knob names; the
# graph-distillation settings are run.py L123-160; the loss weights trainer L166-175.
MOSI = dict(
    lr=1e-4, batchSize=16, updateEpochs=10, gradientClip=0.6, lrFactor=0.5, lrPatience=5,
    d=50, heads=10, layers=4, memLayers=3, kernelL=5, kernelA=5, kernelV=5,
    textDropout=0.5, attnDropout=0.3, attnDropoutA=0.2, attnDropoutV=0.0, embedDropout=0.2,
    reluDropout=0.0, resDropout=0.0, outputDropout=0.5, causal=True,
    gdSizeHomo=64, gdSizeHetero=32, gdAlpha=1 / 8, gdReg=10.0, gdLogitWeight=1.0, gdReprWeight=10.0,
    lambdaGraph=0.05, lambdaDecouple=0.1, lambdaMargin=0.1, ortAxis='feature', regressionLoss='l1',
)
MODS = ['l', 'v', 'a']  # the reference's order in the graph units and the fusion
EDGES = [(j, i) for j in range(3) for i in range(3) if i != j]  # kernel L49-56


def prior(scores, t=0.25):
    """misc L56-60 softmax(w, t), run L143 and L155."""
    return torch.softmax(torch.tensor(scores, dtype=torch.float64) / t, 0).tolist()


HOMO_PRIOR = prior([0, 0, 1, 0, 1, 0])
HETERO_PRIOR = prior([0, 0, 1, 0, 1, 1])


class ResidualHead(nn.Module):
    """proj2(dropout(relu(proj1(x)))) + x, then out_layer (dmd.py L191-196, L230-234, L264-267, L286-290)."""

    def __init__(self, width, hidden, out):
        super().__init__()
        self.proj1, self.proj2, self.out = nn.Linear(width, hidden), nn.Linear(hidden, width), nn.Linear(width, out)

    def forward(self, x, p, training):
        hidden = F.relu(self.proj1(x))  # in place in the reference: the returned repr_m_low is ReLU'd
        proj = self.proj2(F.dropout(hidden, p=p, training=training)) + x
        return hidden, proj, self.out(proj)


class DMD(nn.Module):
    """dmd.py L10-331 (is_distill path), batch-first."""

    def __init__(self, c, T, dims, out_dim):
        super().__init__()
        self.c = c
        d = c['d']
        orig = dict(zip(['l', 'a', 'v'], dims))
        k = dict(l=c['kernelL'], a=c['kernelA'], v=c['kernelV'])
        self.steps = {}
        for m in MODS:  # L47-49 (no projection where orig_d == d, L158-160)
            if orig[m] != d:
                setattr(self, f'proj_{m}', nn.Conv1d(orig[m], d, k[m], padding=0, bias=False))
            self.steps[m] = T - k[m] + 1 if orig[m] != d else T
        for m in MODS:  # L52-54
            setattr(self, f'encoder_s_{m}', nn.Conv1d(d, d, 1, padding=0, bias=False))
        self.encoder_c = nn.Conv1d(d, d, 1, padding=0, bias=False)  # L57
        for m in MODS:
            setattr(self, f'decoder_{m}', nn.Conv1d(2 * d, d, 1, padding=0, bias=False))  # L60-62
            setattr(self, f'align_c_{m}', nn.Linear(d * self.steps[m], d))  # L70-72
        # L126-149 get_network: attention dropout by self_type (MulT's naming).
        attn = dict(l=c['attnDropout'], al=c['attnDropout'], vl=c['attnDropout'],
                    a=c['attnDropoutA'], la=c['attnDropoutA'], va=c['attnDropoutA'],
                    v=c['attnDropoutV'], lv=c['attnDropoutV'], av=c['attnDropoutV'])

        def net(kind, width, layers):
            return M.MultEncoder(width, c['heads'], layers, causal=c['causal'], attn_dropout=attn.get(kind, c['attnDropout']),
                                 relu_dropout=c['reluDropout'], res_dropout=c['resDropout'], embed_dropout=c['embedDropout'],
                                 dtype=torch.get_default_dtype())

        for m in MODS:
            setattr(self, f'self_attentions_c_{m}', net(m, d, c['layers']))  # L74-76
        self.head_c = ResidualHead(3 * d, 3 * d, out_dim)  # L78-80
        for p in ['la', 'lv', 'al', 'av', 'vl', 'va']:
            setattr(self, f'trans_{p[0]}_with_{p[1]}', net(p, d, c['layers']))  # L83-88
        for m in MODS:
            setattr(self, f'trans_mem_{m}', net(m + '_mem', 2 * d, max(c['layers'], c['memLayers'])))  # L89-91
        for m in MODS:
            setattr(self, f'homo_{m}', ResidualHead(d * self.steps[m], d, out_dim))  # L94-102
            setattr(self, f'hetero_{m}', ResidualHead(2 * d, 2 * d, out_dim))  # L105-113
            setattr(self, f'weight_{m}', nn.Linear(2 * d, 2 * d))  # L117-119
        self.weight_c = nn.Linear(3 * d, 3 * d)  # L120
        self.head = ResidualHead(9 * d, 9 * d, out_dim)  # L122-124

    def m(self, name):
        return getattr(self, name)

    def conv(self, name, x):
        """nn.Conv1d on batch-first [B, T, C]."""
        return self.m(name)(x.transpose(1, 2)).transpose(1, 2)

    def forward(self, l, a, v):
        c, tr = self.c, self.training
        p = c['outputDropout']
        B = l.shape[0]
        x = dict(l=F.dropout(l, p=c['textDropout'], training=tr), a=a, v=v)  # L154-156
        origin = {m: self.conv(f'proj_{m}', x[m]) if hasattr(self, f'proj_{m}') else x[m] for m in MODS}  # L158-160
        s = {m: self.conv(f'encoder_s_{m}', origin[m]) for m in MODS}  # L162-164
        cc = {m: self.conv('encoder_c', origin[m]) for m in MODS}  # L166-168
        # L171-173: c_m as [B, d, T'] viewed [B, d*T'] (feature-major)
        c_sim = {m: self.m(f'align_c_{m}')(cc[m].transpose(1, 2).reshape(B, -1)) for m in MODS}
        recon = {m: self.conv(f'decoder_{m}', torch.cat([s[m], cc[m]], 2)) for m in MODS}  # L175-177
        s_r = {m: self.conv(f'encoder_s_{m}', recon[m]) for m in MODS}  # L179-181
        homo = {m: self.m(f'homo_{m}')(cc[m].reshape(B, -1), p, tr) for m in MODS}  # L191-210 (time-major)
        c_att = {m: self.m(f'self_attentions_c_{m}')(cc[m])[:, -1] for m in MODS}  # L216-227
        c_fusion = torch.cat([c_att['l'], c_att['v'], c_att['a']], 1)  # L228
        _, _, logits_c = self.head_c(c_fusion, p, tr)  # L230-234

        def cross(t, one, two):  # L238-262
            h = torch.cat([self.m(f'trans_{t}_with_{one}')(s[t], s[one]), self.m(f'trans_{t}_with_{two}')(s[t], s[two])], 2)
            return self.m(f'trans_mem_{t}')(h)[:, -1]

        last = dict(l=cross('l', 'a', 'v'), a=cross('a', 'l', 'v'), v=cross('v', 'l', 'a'))
        hetero = {m: self.m(f'hetero_{m}')(last[m], p, tr) for m in MODS}  # L264-278
        gated = torch.cat([torch.sigmoid(self.m(f'weight_{m}')(last[m])) for m in MODS]
                          + [torch.sigmoid(self.weight_c(c_fusion))], 1)  # L280-285
        _, fused, output = self.head(gated, p, tr)  # L286-290
        return dict(origin=origin, s=s, c=cc, recon=recon, s_r=s_r, c_sim=c_sim,
                    logits_homo={m: homo[m][2] for m in MODS}, repr_homo={m: homo[m][0] for m in MODS},
                    logits_hetero={m: hetero[m][2] for m in MODS}, repr_hetero={m: hetero[m][1] for m in MODS},
                    logits_c=logits_c, fused=fused, output=output)


class DistillationKernel(nn.Module):
    """kernel L9-82."""

    def __init__(self, n_classes, hidden, gd_size, gd_prior, c):
        super().__init__()
        self.W_logit = nn.Linear(n_classes, gd_size)  # L19-21
        self.W_repr = nn.Linear(hidden, gd_size)
        self.W_edge = nn.Linear(gd_size * 4, 1)
        self.prior = torch.tensor(gd_prior, dtype=torch.get_default_dtype())
        self.c = c

    def forward(self, logits, reprs):
        """L34-60: logits [3, B, n], reprs [3, B, h] -> edges [6, B]."""
        n, B = logits.shape[:2]
        z = torch.cat((self.W_logit(logits.reshape(n * B, -1)), self.W_repr(reprs.reshape(n * B, -1))), 1).view(n, B, -1)
        edges = torch.cat([self.W_edge(torch.cat((z[j], z[i]), 1)) for j, i in EDGES], 1)
        return F.softmax(edges * self.c['gdAlpha'], dim=1).transpose(0, 1)

    def distillation_loss(self, logits, reprs, edges, with_repr):
        """L63-82 with misc L63-110 (metric 'l1'; min_cosine for the hetero repr)."""
        loss_reg = (edges.mean(1) - self.prior).pow(2).sum() * self.c['gdReg']
        loss_logit, loss_repr = 0, 0
        for x, (j, i) in enumerate(EDGES):
            w = edges[x] + self.prior[x]
            loss_logit = loss_logit + self.c['gdLogitWeight'] * (torch.abs(logits[j] - logits[i].detach()).sum(1) * w).mean()
            if with_repr:
                target = -torch.ones(reprs.shape[1], dtype=reprs.dtype)
                dists = F.cosine_embedding_loss(reprs[j], reprs[i].detach(), target)
                loss_repr = loss_repr + self.c['gdReprWeight'] * (dists * w).mean()
        return loss_reg, loss_logit, loss_repr


def hinge_loss(ids, feats):
    """hinge L9-57 (HingeLoss.forward; its `margin` argument is unused)."""
    B, Fd = feats.shape
    s = feats.repeat(1, B).view(-1, Fd)
    s_ids = ids.view(B, 1).repeat(1, B)
    t = feats.repeat(B, 1)
    t_ids = ids.view(1, B).repeat(B, 1)
    x_norm = torch.clamp(torch.sqrt(torch.sum(s ** 2, 1) + 1e-8), min=1e-8)
    y_norm = torch.clamp(torch.sqrt(torch.sum(t ** 2, 1) + 1e-8), min=1e-8)
    cosine = torch.sum(s * t, 1) / (x_norm * y_norm)
    equal = torch.eye(B, dtype=torch.bool)
    s_ids = s_ids[~equal].view(B, B - 1)
    t_ids = t_ids[~equal].view(B, B - 1)
    cosine = cosine.view(B, B)[~equal].view(B, B - 1)
    sim_mask = s_ids == t_ids
    margin = 0.15 * abs(s_ids - t_ids)
    loss, n = 0, 0
    for i in range(B):
        sim_num = int(sim_mask[i].sum())
        dif_num = B - 1 - sim_num
        if not sim_num or not dif_num:
            continue
        sim_cos = cosine[i, sim_mask[i]].reshape(-1, 1).repeat(1, dif_num)
        dif_cos = cosine[i, ~sim_mask[i]].reshape(-1, 1).repeat(1, sim_num).transpose(0, 1)
        t_margin = margin[i, ~sim_mask[i]].reshape(-1, 1).repeat(1, sim_num).transpose(0, 1)
        loss = loss + torch.clamp(t_margin - sim_cos + dif_cos, min=0).mean()
        n += 1
    return loss / max(n, 1) if n else feats.sum() * 0


def hinge_ids(y, task):
    """The hinge's label per sample: the value; on IEMOCAP the emotion code sum_k y_k 2^k [gap-fill]."""
    if task == 'regression':
        return y[:, 0]
    return (y * (2.0 ** torch.arange(y.shape[1], dtype=y.dtype))).sum(1)


def task_term(pred, y, task, c):
    """trainer L26 nn.L1Loss; the 'mse' switch and IEMOCAP's per-emotion cross-entropy (section 1.3)."""
    if task == 'regression':
        return F.l1_loss(pred, y) if c['regressionLoss'] == 'l1' else F.mse_loss(pred, y)
    logp = F.log_softmax(pred.view(pred.shape[0], -1, 2), -1)
    return -(torch.stack([1 - y, y], 2) * logp).sum(2).mean()


def ort_term(s, cc, axis):
    """trainer L141-147 CosineEmbeddingLoss(s_m, c_m, -1) on [B, T', d]; rows per config.ortAxis [gap-fill]."""
    B, T, d = s.shape
    rows = (lambda x: x.reshape(B * T, d)) if axis == 'feature' else (lambda x: x.permute(1, 2, 0).reshape(T * d, B))
    a, b = rows(s), rows(cc)
    return F.cosine_embedding_loss(a, b, -torch.ones(a.shape[0], dtype=a.dtype))


def objective(out, homo, hetero, y, task, c):
    """trainer L81-175; returns (total, terms)."""
    st = lambda r: torch.stack([r[m] for m in MODS])  # noqa: E731  L105-109
    lh, rh, lx, rx = st(out['logits_homo']), st(out['repr_homo']), st(out['logits_hetero']), st(out['repr_hetero'])
    e_homo, e_het = homo(lh, rh), hetero(lx, rx)  # L112-115
    heads = [out['output']] + [out['logits_homo'][m] for m in MODS] + [out['logits_hetero'][m] for m in MODS] + [out['logits_c']]
    task8 = sum(task_term(h, y, task, c) for h in heads)  # L118-126
    mse = lambda p, r: torch.sum((r - p) ** 2) / p.numel()  # noqa: E731  trainer L13-21
    recon = sum(mse(out['recon'][m], out['origin'][m]) for m in MODS)  # L129-132
    s_sr = sum(mse(out['s'][m], out['s_r'][m]) for m in MODS)  # L135-138
    ort = sum(ort_term(out['s'][m], out['c'][m], c['ortAxis']) for m in MODS)  # L141-147
    B = y.shape[0]
    feats = torch.stack([out['c_sim'][m] for m in MODS], 1).reshape(3 * B, -1)  # L150-160
    ids = hinge_ids(y, task).repeat_interleave(3)
    sim = hinge_loss(ids, feats)  # L161
    reg_h, logit_h, _ = homo.distillation_loss(lh, rh, e_homo, False)  # L164-166
    reg_x, logit_x, repr_x = hetero.distillation_loss(lx, rx, e_het, True)  # L169-171
    total = task8 + c['lambdaGraph'] * (logit_h + reg_h) + c['lambdaGraph'] * (logit_x + repr_x + reg_x) \
        + (s_sr + recon + (sim + ort) * c['lambdaMargin']) * c['lambdaDecouple']  # L173-175
    terms = dict(task=task8, recon=recon, s_sr=s_sr, ort=ort, sim=sim, homo_logit=logit_h, homo_reg=reg_h,
                 hetero_logit=logit_x, hetero_repr=repr_x, hetero_reg=reg_x)
    return total, terms


def build(c, T, dims, task, label_dim):
    out_dim = label_dim if task == 'regression' else 2 * label_dim
    model = DMD(c, T, dims, out_dim)
    homo = DistillationKernel(out_dim, c['d'], c['gdSizeHomo'], HOMO_PRIOR, c)  # run L138-148
    hetero = DistillationKernel(out_dim, 2 * c['d'], c['gdSizeHetero'], HETERO_PRIOR, c)  # run L150-160
    return model, homo, hetero


class Trainer:
    """trainer L35-39 and L61-195 for one batch at a time: Adam (no weight decay) over the model and
    both units, backward adds into .grad, clip_grad_value_ after every batch, a step every
    `update_epochs` batches."""

    def __init__(self, parts, c, task):
        self.parts, self.c, self.task = parts, c, task
        self.params = [p for part in parts for p in part.parameters()]
        self.optimizer = torch.optim.Adam(self.params, lr=c['lr'])
        self.left = c['updateEpochs']

    def step(self, l, a, v, y):
        model, homo, hetero = self.parts
        if self.left == self.c['updateEpochs']:
            self.optimizer.zero_grad()
        self.left -= 1
        total, terms = objective(model(l, a, v), homo, hetero, y, self.task, self.c)
        total.backward()
        if self.c['gradientClip'] > 0:
            nn.utils.clip_grad_value_(self.params, self.c['gradientClip'])
        if not self.left:
            self.optimizer.step()
            self.left = self.c['updateEpochs']
        return total, terms


def bench_step(batch):
    c = dict(MOSI)
    T, dims = 50, (300, 5, 20)
    parts = build(c, T, dims, 'regression', 1)
    for p in parts:
        p.train()
    trainer = Trainer(parts, c, 'regression')
    g = torch.Generator().manual_seed(0)
    l, a, v = (torch.randn(batch, T, k, generator=g) for k in dims)
    y = torch.round(torch.rand(batch, 1, generator=g) * 6 - 3, decimals=1)
    return lambda: trainer.step(l, a, v, y)


def main():
    import contract  # beside this script, whose folder Python puts on sys.path
    contract.run(__file__, METHODS, PHASES, bench_step)


if __name__ == '__main__':
    main()
