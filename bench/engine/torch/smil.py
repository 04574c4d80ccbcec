#!/usr/bin/python3
"""SMIL's PyTorch transcription: `npm run bench:engine -- --method smil` times it (contract:
README.md here), and test/fixtures/methods/smil/gen_smil.py builds SMIL's parity fixtures from the
same module, so the timed computation is the verified one.

SMIL (Ma et al., AAAI 2021). The public code (mengmenm/SMIL) covers avMNIST and MM-IMDb only; this
transcribes its mechanism, adapted to three sequence modalities as resources/docs/baselines.md
section 7 plans it. Each part says where it comes from:
  [release]  mengmenm/SMIL at commit 31a0eae / 0d0e827:
             src/models/soundlenet5.py, class SoundLenet5New.forward (mode 'one': fc0 prior weights,
               softplus-normalised sum of the K-means centres; fc1/fc2 softplus noise layers; mode
               'two': the clean pass on both modalities), returning (pred, f, f1, ...);
             src/models/newencoder.py, class InferNetNew.forward (meta_train=True: randn + mean;
               False: the mean);
             src/models/loss.py, class KDLossAlignTwo (CE(noised) + alpha*MSE(f) + beta*MSE(f1));
             src/train_missing_eval_missing.py, meta_training (inner SGD step with
               lr_inner*0.1**(iterate//1000); outer noised pass with meta_train=False and clean pass;
               (loss_meta_train + loss_meta_val).backward(); Adam lr 1e-3, weight_decay 1e-4);
             src/get_sound_mean_kmean.py (KMeans n_clusters 10 over the pretrained features);
  [doc]      baselines.md section 7's adaptation: per-modality Conv1D + 1-layer Transformer encoders
             read at the last step, a prior per modality, softmax weights, multiplicative noise on
             the fused vector, first-order meta-learning, L1 task loss, MC size 30;
  [gap-fill] our choice where both are silent; each is a knob of the tfjs card
             (src-main/engine/methods/smil/card.ts).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shared import MOSI, MODS, msm, pe_table, ts_layout  # noqa: E402  shared bench helpers (same PE table as the engine)

# The card's defaults on MOSI (src-main/engine/methods/smil/card.ts).
DEFAULTS = {
    'd': 40, 'layers': 1, 'heads': 10, 'ffnMultiplier': 4, 'dropout': 0.1, 'hidden': 64, 'headDropout': 0.5,
    'clusters': 10, 'priorWeights': 'softmax', 'noiseCombine': 'multiply', 'noiseOnHidden': False,
    'alignFused': 0.01, 'alignHidden': 0.01, 'lrInner': 1e-3, 'lrInnerDecayEvery': 1000, 'lrStepEvery': 5000,
    'lrDecay': 0.1, 'weightDecay': 1e-4, 'regressionLoss': 'l1', 'lr': 1e-3, 'batchSize': 128,
}


def presence(x):
    """[doc] A modality is missing when all its frames are zero: p_m [B, 1]."""
    return (x.abs().amax((1, 2)) > 0).to(x.dtype)[:, None]


class Encoder(nn.Module):
    """[doc] Conv1D + Transformer, last step; [gap-fill, as HRLF's encoders] Conv k3 no bias,
    x sqrt(d) + PE, pre-LN layers and a final LayerNorm."""

    def __init__(self, din, T, c, dtype=torch.float32):
        super().__init__()
        d = c['d']
        self.conv = nn.Conv1d(din, d, 3, padding=1, bias=False, dtype=dtype)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d, c['heads'], c['ffnMultiplier'] * d, c['dropout'], activation='relu',
                                       batch_first=True, norm_first=True, dtype=dtype),
            c['layers'], norm=nn.LayerNorm(d, dtype=dtype), enable_nested_tensor=False)
        self.scale = math.sqrt(d)
        self.register_buffer('pe', pe_table(T, d, dtype))

    def forward(self, x):
        r = self.conv(x.transpose(1, 2)).transpose(1, 2) * self.scale + self.pe
        return self.encoder(r)[:, -1]


class SMIL(nn.Module):
    """theta: encoders, fusion (release fc1), head (release fc2); phi: prior_net (release InferNetNew.fc0,
    one per modality), fused_noise (InferNetNew.fc1), hidden_noise (InferNetNew.fc2); centres: the prior."""

    def __init__(self, shape, c, dtype=torch.float32):
        super().__init__()
        self.c, self.shape = c, shape
        d, K = c['d'], c['clusters']
        dims = dict(zip(MODS, shape['dims']))
        self.encoders = nn.ModuleDict({m: Encoder(dims[m], shape['T'], c, dtype) for m in MODS})
        self.fusion = nn.Linear(3 * d, c['hidden'], dtype=dtype)
        out = shape['label_dim'] * (2 if shape['task'] == 'classification' else 1)
        self.head = nn.Linear(c['hidden'], out, dtype=dtype)
        self.prior_net = nn.ModuleDict({m: nn.Linear(2 * d, K, dtype=dtype) for m in MODS})
        self.fused_noise = nn.Linear(3 * d, 3 * d, dtype=dtype)
        self.hidden_noise = nn.Linear(3 * d, c['hidden'], dtype=dtype) if c['noiseOnHidden'] else None
        for m in MODS:
            self.register_buffer('centres_' + m, torch.zeros(K, d, dtype=dtype))
        self.drop = nn.Dropout(c['headDropout'])

    def theta_names(self):
        return [n for n, _ in self.named_parameters() if n.split('.')[0] in ('encoders', 'fusion', 'head')]

    def reconstruct(self, xs):
        """[release SoundLenet5New mode 'one', fc0] weights over the centres from what is available;
        [doc] per modality, softmax weights; f~_m = p_m f_m + (1 - p_m) r_m."""
        f = {m: self.encoders[m](xs[m]) for m in MODS}
        p = {m: presence(xs[m]) for m in MODS}
        parts = []
        for m in MODS:
            logits = self.prior_net[m](torch.cat([f[o] * p[o] for o in MODS if o != m], 1))
            if self.c['priorWeights'] == 'softmax':
                w = logits.softmax(1)
            else:  # [release] softplus weights, the weighted centres divided by the weights' sum
                s = F.softplus(logits)
                w = s / s.sum(1, keepdim=True)
            r = w @ getattr(self, 'centres_' + m)
            parts.append(f[m] * p[m] + r * (1 - p[m]))
        return torch.cat(parts, 1)

    def regularise(self, x, mean, eps):
        """[release InferNetNew] softplus(mean + eps); [doc] multiplied (or [release avMNIST] added)."""
        s = F.softplus(mean if eps is None else mean + eps)
        return x * s if self.c['noiseCombine'] == 'multiply' else x + s

    def regularised(self, x, eps):
        fused = self.regularise(x, self.fused_noise(x), None if eps is None else eps['fused'])
        hidden = F.relu(self.fusion(fused))
        if self.hidden_noise is not None:
            hidden = self.regularise(hidden, self.hidden_noise(fused), None if eps is None else eps['hidden'])
        return {'logits': self.head(self.drop(hidden)), 'fused': fused, 'hidden': hidden}

    def forward(self, xs, eps=None, mode='one'):
        if mode == 'one':
            return self.regularised(self.reconstruct(xs), eps)
        fused = torch.cat([self.encoders[m](xs[m]) for m in MODS], 1)  # [release] mode 'two'
        hidden = F.relu(self.fusion(fused))
        return {'logits': self.head(self.drop(hidden)), 'fused': fused, 'hidden': hidden}


def task_loss(logits, y, shape, c):
    """[doc] L1 for MOSI/MOSEI (or MSE, knob); IEMOCAP: per-emotion CE (baselines.md section 1.3)."""
    if shape['task'] == 'classification':
        return F.cross_entropy(logits.view(-1, 2), y.reshape(-1).long())
    return (logits - y).abs().mean() if c['regressionLoss'] == 'l1' else ((logits - y) ** 2).mean()


def outer_loss(model, params, incomplete, complete, y):
    """[release KDLossAlignTwo] CE(noised) -> task loss, + alpha MSE(f) + beta MSE(f1); the noised pass
    with meta_train=False (the noise mean)."""
    c = model.c
    noised = functional_call(model, params, (incomplete, None, 'one'))
    clean = functional_call(model, params, (complete, None, 'two'))
    terms = {'task': task_loss(noised['logits'], y, model.shape, c),
             'alignFused': c['alignFused'] * F.mse_loss(clean['fused'], noised['fused']),
             'alignHidden': c['alignHidden'] * F.mse_loss(clean['hidden'], noised['hidden'])}
    terms['metaVal'] = terms['task'] + terms['alignFused'] + terms['alignHidden']
    return terms


def meta_gradients(model, batch, lr_inner):
    """[release meta_training] with [doc] first order: theta' is detached, so the outer gradient at
    theta' is used for theta and phi's gradient does not pass through theta'. Returns the terms and
    {name: update direction} = grad(L_tr) + grad(L_val) + weight_decay * p (Adam's L2, PyTorch)."""
    c = model.c
    params = dict(model.named_parameters())
    theta = set(model.theta_names())
    buffers = dict(model.named_buffers())
    names = list(params)
    out = model(batch['train']['inputs'], batch['train']['eps'], 'one')
    l_tr = task_loss(out['logits'], batch['train']['y'], model.shape, c)
    g_tr = torch.autograd.grad(l_tr, [params[n] for n in names], allow_unused=True)
    star = {n: ((params[n] - lr_inner * g).detach().requires_grad_() if n in theta and g is not None else params[n])
            for n, g in zip(names, g_tr)}
    terms = outer_loss(model, {**star, **buffers}, batch['val']['incomplete'], batch['val']['complete'], batch['val']['y'])
    g_val = torch.autograd.grad(terms['metaVal'], [star[n] for n in names], allow_unused=True)
    grads = {}
    for n, a, b in zip(names, g_tr, g_val):
        g = c['weightDecay'] * params[n].detach()
        for part in (a, b):
            if part is not None:
                g = g + part
        grads[n] = g
    terms['metaTrain'] = l_tr
    terms['total'] = l_tr + terms['metaVal']
    return terms, grads


def ts_named(model):
    """{TypeScript name: (tensor, layout)} as the engine's SmilNetwork.namedVariables()."""
    named = {}

    def lin(prefix, m):
        named[prefix + '.weight'] = (m.weight, 'linear')
        named[prefix + '.bias'] = (m.bias, 'plain')

    def ln(prefix, m):
        named[prefix + '.gamma'] = (m.weight, 'plain')
        named[prefix + '.beta'] = (m.bias, 'plain')

    for m in MODS:
        e = model.encoders[m]
        p = f'encoders.{m}'
        named[p + '.conv.weight'] = (e.conv.weight, 'conv')
        for i, layer in enumerate(e.encoder.layers):
            q = f'{p}.encoder.layers.{i}'
            ln(q + '.ln1', layer.norm1)
            named[q + '.attn.qkv.weight'] = (layer.self_attn.in_proj_weight, 'linear')
            named[q + '.attn.qkv.bias'] = (layer.self_attn.in_proj_bias, 'plain')
            lin(q + '.attn.out', layer.self_attn.out_proj)
            ln(q + '.ln2', layer.norm2)
            lin(q + '.ff1', layer.linear1)
            lin(q + '.ff2', layer.linear2)
        ln(p + '.encoder.norm', e.encoder.norm)
    lin('fusion', model.fusion)
    lin('head', model.head)
    for m in MODS:
        lin(f'priorNet.{m}', model.prior_net[m])
    lin('fusedNoise', model.fused_noise)
    if model.hidden_noise is not None:
        lin('hiddenNoise', model.hidden_noise)
    for m in MODS:
        named[f'prior.{m}'] = (getattr(model, 'centres_' + m), 'plain')
    return named


def main():
    import contract  # noqa: E402

    args = contract.parse(__file__, ('smil',), ('pretrain', 'meta'))
    shape, c = MOSI, DEFAULTS
    xs = {m: torch.randn(args.batch, shape['T'], shape['dims'][i]) for i, m in enumerate(MODS)}
    y = torch.rand(args.batch, 1) * 6 - 3
    model = SMIL(shape, c).train()
    with torch.no_grad():
        for m in MODS:
            getattr(model, 'centres_' + m).normal_()
    theta = [p for n, p in model.named_parameters() if n in set(model.theta_names())]

    if args.phase == 'pretrain':
        opt = torch.optim.Adam(theta, lr=c['lr'], weight_decay=c['weightDecay'])

        def step():
            # One tfjs pretrain step: the clean pass on the complete batch, the task loss, Adam on theta.
            loss = task_loss(model(xs, None, 'two')['logits'], y, shape, c)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    else:
        params = list(model.parameters())
        opt = torch.optim.Adam(params, lr=c['lr'], weight_decay=c['weightDecay'])
        half = (args.batch + 1) // 2

        def step():
            # One tfjs meta step: MSM corruption, halves as meta-train / meta-validation, the first-order
            # meta gradient, Adam (weight decay is added by the optimiser here, not by meta_gradients).
            inc = msm(xs)
            batch = {'train': {'inputs': {m: inc[m][:half] for m in MODS}, 'y': y[:half],
                               'eps': {'fused': torch.randn(half, 3 * c['d'])}},
                     'val': {'incomplete': {m: inc[m][half:] for m in MODS}, 'complete': {m: xs[m][half:] for m in MODS}, 'y': y[half:]}}
            model.c = {**c, 'weightDecay': 0.0}
            _, grads = meta_gradients(model, batch, c['lrInner'])
            model.c = c
            for n, p in model.named_parameters():
                p.grad = grads[n]
            opt.step()
    contract.report(args, (), step)


if __name__ == '__main__':
    main()
