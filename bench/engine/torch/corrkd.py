#!/usr/bin/python3
"""CorrKD's PyTorch transcription: `npm run bench:engine -- --method corrkd` times it (contract:
README.md here), and test/fixtures/methods/corrkd/gen_corrkd.py builds CorrKD's parity fixtures
from the same module, so the timed computation is the verified one.

CorrKD (Correlation-Decoupled Knowledge Distillation, Li, Yang et al., CVPR 2024, arXiv 2404.16456)
has NO public code, and only its abstract could be read. This transcribes the abstract and
resources/docs/baselines.md section 9's build plan; each part says where it comes from:
  [paper]    the abstract: a teacher-student framework for uncertain missing modalities with
             (i) sample-level contrastive distillation (cross-sample correlations), (ii) category-
             guided prototype distillation, (iii) response-disentangled consistency distillation
             that maximises mutual information between teacher and student responses;
  [summary]  a third-party summary: training simulates incomplete inputs ("Modality Random Missing");
  [plan]     baselines.md section 9's build plan (a gap-fill of that document);
  [ours]     our choice where the plan is silent.
Every [plan] and [ours] choice is a knob of the tfjs card (src-main/engine/methods/corrkd/card.ts).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shared as S  # noqa: E402

MODS = S.MODS
MOSI = S.MOSI

# The card's defaults on MOSI (src-main/engine/methods/corrkd/card.ts).
DEFAULTS = {
    'd': 40, 'layers': 2, 'heads': 10, 'ffnMultiplier': 4, 'dropout': 0.1, 'scaleEmbedding': True, 'fusionHidden': 120,
    'lambdaScd': 1.0, 'scdTerms': 'kl+infonce', 'tauScd': 0.1,
    'lambdaCpd': 1.0, 'cpdClasses': 'acc7', 'tauCpd': 0.1,
    'lambdaRcd': 1.0, 'rcdRegression': 'bins', 'rcdBinWidth': 1.0, 'tauRcd': 1.0, 'rcdTarget': 1.0, 'rcdNonTarget': 1.0, 'rcdJsd': 1.0,
    'regressionLoss': 'mse', 'lr': 1e-3,
}
MASKED = -1000.0  # [ours] added to masked logits: exp underflows to exactly 0 (decoupled KD's own constant)
ACC7 = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
POLARITY = (-1.0, 0.0, 1.0)


class Encoder(nn.Module):
    """[plan] HRLF's encoder stack for one modality (hrlf-spec section 2): Z = F(Conv1D_k3(X) * sqrt(d)
    + PE)[last step], F = pre-LN Transformer encoder layers and a final LayerNorm."""

    def __init__(self, din, T, c, dtype=torch.float32, last_only=False):
        super().__init__()
        d = c['d']
        self.last_only = last_only
        self.conv = nn.Conv1d(din, d, 3, padding=1, bias=False, dtype=dtype)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d, c['heads'], c['ffnMultiplier'] * d, c['dropout'], activation='relu', batch_first=True,
                                       norm_first=True, dtype=dtype),
            c['layers'], norm=nn.LayerNorm(d, dtype=dtype), enable_nested_tensor=False)
        self.scale = math.sqrt(d) if c['scaleEmbedding'] else 1.0
        self.register_buffer('pe', S.pe_table(T, d, dtype))

    def forward(self, x):
        r = self.conv(x.transpose(1, 2)).transpose(1, 2) * self.scale + self.pe  # [B, T, d]
        if not self.last_only:
            return self.encoder(r)[:, -1]  # [B, d]
        # Variant 'last-only': the last layer computes only the last step, as the tfjs engine does
        # (the same values; equal computation for the speed ratio).
        layers = self.encoder.layers
        for layer in layers[:-1]:
            r = layer(r)
        last = layers[-1]
        y = last.norm1(r)
        a, _ = last.self_attn(y[:, -1:], y, y, need_weights=False)
        z = r[:, -1] + last.dropout1(a[:, 0])
        z = z + last._ff_block(last.norm2(z))
        return self.encoder.norm(z)


class CorrKDNet(nn.Module):
    """[plan] Encoders fused by concatenation -> MLP; teacher and student share the structure, not the
    weights. [ours] one ReLU layer of width fusionHidden (the joint feature f), then the head."""

    def __init__(self, shape, c, dtype=torch.float32, last_only=False):
        super().__init__()
        self.enc = nn.ModuleDict({m: Encoder(shape['dims'][i], shape['T'], c, dtype, last_only) for i, m in enumerate(MODS)})
        self.fusion = nn.Linear(3 * c['d'], c['fusionHidden'], dtype=dtype)
        out = shape['label_dim'] * (2 if shape['task'] == 'classification' else 1)
        self.head = nn.Linear(c['fusionHidden'], out, dtype=dtype)

    def forward(self, xs):
        f = F.relu(self.fusion(torch.cat([self.enc[m](xs[m]) for m in MODS], 1)))  # [B, fusionHidden]
        return {'feature': f, 'logits': self.head(f)}


def task_loss(logits, y, shape, c):
    """[ours] MSE (HRLF's task loss; the paper's is not known) or L1; IEMOCAP: cross-entropy of each
    emotion's binary head, averaged over samples and heads (baselines.md section 1.3)."""
    if shape['task'] == 'classification':
        return F.cross_entropy(logits.view(-1, 2), y.reshape(-1).long())
    return (logits - y).abs().mean() if c['regressionLoss'] == 'l1' else ((logits - y) ** 2).mean()


def kl_rows(log_p, log_q):
    """KL(P || Q) per row from log-probabilities, averaged over rows (decoupled KD's 'batchmean')."""
    return (log_p.exp() * (log_p - log_q)).sum(1).mean()


def cos_matrix(a, b, eps=1e-8):
    return F.normalize(a, dim=1, eps=eps) @ F.normalize(b, dim=1, eps=eps).t()


def scd_loss(ft, fs, tau):
    """(i) [paper] sample-level contrastive distillation of cross-sample correlations. [plan] cosine
    matrices S_t, S_s [B, B] (diagonal included [ours]), KL(softmax(S_t/tau) || softmax(S_s/tau)) row-wise,
    plus InfoNCE: the student's sample i must match the teacher's sample i against the others."""
    kl = kl_rows(F.log_softmax(cos_matrix(ft, ft) / tau, 1), F.log_softmax(cos_matrix(fs, fs) / tau, 1))
    nce = F.cross_entropy(cos_matrix(fs, ft) / tau, torch.arange(ft.shape[0]))
    return kl, nce


def membership(y, shape, classes):
    """Categories [B, C]. [plan] IEMOCAP: per emotion (the 0/1 labels; several or none per sample);
    MOSI/MOSEI: round-half-even(clip(y, -3, 3)) ('acc7') or negative/neutral/positive ('polarity',
    [ours] sign(y))."""
    if shape['task'] == 'classification':
        return y
    cat = torch.round(y.clamp(-3, 3)) if classes == 'acc7' else torch.sign(y)
    return (cat == torch.tensor(ACC7 if classes == 'acc7' else POLARITY, dtype=y.dtype)).to(y.dtype)


def cpd_loss(ft, fs, m, tau):
    """(ii) [paper] category-guided prototype distillation. [plan] prototypes = class means of the
    teacher's features ([ours] over the batch; absent classes masked); KL between the teacher's and the
    student's softmax(cos(f, prototype)/tau) over the prototypes."""
    count = m.sum(0)  # [C]
    protos = (m.t() @ ft) / count.clamp(min=1)[:, None]  # [C, k]
    absent = (count == 0).to(ft.dtype) * MASKED
    logits = lambda f: F.log_softmax(cos_matrix(f, protos) / tau + absent, 1)  # noqa: E731
    return kl_rows(logits(ft), logits(fs))


def decoupled_kd(zt, zs, g, T):
    """(iii) [paper] response-disentangled consistency. [plan] decoupled KD (Zhao et al., CVPR 2022):
    the target part is KL between the binary (target, rest) distributions, the non-target part KL among
    the non-target classes; both x T^2. Written in log space (DKD multiplies probabilities)."""
    def binary(z):
        lp = F.log_softmax(z / T, 1)
        return torch.cat([torch.logsumexp(lp + (1 - g) * MASKED, 1, keepdim=True), torch.logsumexp(lp + g * MASKED, 1, keepdim=True)], 1)

    def among(z):
        return F.log_softmax(z / T + g * MASKED, 1)
    return kl_rows(binary(zt), binary(zs)) * T * T, kl_rows(among(zt), among(zs)) * T * T


def jsd(zt, zs):
    """[paper] mutual information between teacher and student responses; [plan] as the Jensen-Shannon
    divergence of softmax(z_t) and softmax(z_s), row-wise, averaged."""
    lt, ls = F.log_softmax(zt, 1), F.log_softmax(zs, 1)
    lm = torch.logsumexp(torch.stack([lt, ls], 2), 2) - math.log(2)
    return 0.5 * (kl_rows(lt, lm) + kl_rows(ls, lm))


def responses(logits, y, shape, c):
    """[plan] IEMOCAP: each emotion's binary head is a response (rows B*E, 2 classes). MOSI/MOSEI:
    'the 7-class Acc-7 binning of the output'; [ours] soft, -(y_hat - c)^2 / w over c in -3..3, so it has
    a gradient; the target class is y's Acc-7 category."""
    if shape['task'] == 'classification':
        return logits.reshape(-1, 2), torch.stack([1 - y, y], 2).reshape(-1, 2)
    z = -((logits - torch.tensor(ACC7, dtype=logits.dtype)) ** 2) / c['rcdBinWidth']
    return z, membership(y, shape, 'acc7')


def student_terms(t_out, s_out, y, shape, c):
    """[plan] L = L_task + L_SCD + L_CPD + L_RCD (weights 1, knobs); terms as the tfjs objective names them."""
    terms = {'task': task_loss(s_out['logits'], y, shape, c)}
    parts = [terms['task']]
    zero = torch.zeros((), dtype=s_out['logits'].dtype)
    if c['lambdaScd'] > 0:
        kl, nce = scd_loss(t_out['feature'], s_out['feature'], c['tauScd'])
        terms['scdKl'] = zero if c['scdTerms'] == 'infonce' else c['lambdaScd'] * kl
        terms['scdNce'] = zero if c['scdTerms'] == 'kl' else c['lambdaScd'] * nce
        terms['scd'] = terms['scdKl'] + terms['scdNce']
        parts.append(terms['scd'])
    if c['lambdaCpd'] > 0:
        m = membership(y, shape, c['cpdClasses'])
        terms['cpd'] = c['lambdaCpd'] * cpd_loss(t_out['feature'], s_out['feature'], m, c['tauCpd'])
        parts.append(terms['cpd'])
    if c['lambdaRcd'] > 0:
        if shape['task'] == 'regression' and c['rcdRegression'] == 'mse':
            terms['rcd'] = c['lambdaRcd'] * ((s_out['logits'] - t_out['logits']) ** 2).mean()  # [plan] MSE fallback
        else:
            zt, g = responses(t_out['logits'], y, shape, c)
            zs, _ = responses(s_out['logits'], y, shape, c)
            target, non_target = decoupled_kd(zt, zs, g, c['tauRcd'])
            terms['rcdTarget'] = c['lambdaRcd'] * c['rcdTarget'] * target
            terms['rcdNonTarget'] = c['lambdaRcd'] * c['rcdNonTarget'] * non_target
            terms['rcdJsd'] = c['lambdaRcd'] * c['rcdJsd'] * jsd(zt, zs)
            terms['rcd'] = terms['rcdTarget'] + terms['rcdNonTarget'] + terms['rcdJsd']
        parts.append(terms['rcd'])
    terms['total'] = sum(parts)
    return terms


def msm(xs, generator=None):
    """[plan, summary] the student's missing simulation: the shared MSM (shared.msm, hrlf-spec 4.2)."""
    return S.msm(xs, generator)


def ts_named(net):
    """{TypeScript name: (parameter, layout)} for the engine's CorrkdNetwork.namedVariables() (layouts:
    shared.Names)."""
    n = S.Names()
    for m in MODS:
        n.conv(f'encoders.{m}.conv', net.enc[m].conv)
        n.encoder(f'encoders.{m}.encoder', net.enc[m].encoder)
    n.lin('fusion', net.fusion)
    n.lin('head', net.head)
    return n.named


ts_layout = S.ts_layout


def main():
    import contract  # noqa: E402

    # cached-teacher: last-only, and the frozen teacher's outputs gathered from a per-sample cache
    # (shared.frozen_outputs), the engine's computation since its cache.
    variants = {'teacher': ('last-only',), 'student': ('last-only', 'cached-teacher')}
    args = contract.parse(__file__, ('corrkd',), ('teacher', 'student'), variants)
    shape, c = MOSI, DEFAULTS
    last_only = args.variant in ('last-only', 'cached-teacher')
    xs = {m: torch.randn(args.batch, shape['T'], shape['dims'][i]) for i, m in enumerate(MODS)}
    y = torch.rand(args.batch, 1) * 6 - 3
    teacher = CorrKDNet(shape, c, last_only=last_only)
    if args.phase == 'teacher':
        teacher.train()
        opt = torch.optim.Adam(teacher.parameters(), lr=c['lr'])

        def step():
            # One tfjs teacher trainStep: complete data, L_task, one Adam step.
            loss = task_loss(teacher(xs)['logits'], y, shape, c)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    else:
        teacher.eval()
        for p in teacher.parameters():
            p.requires_grad_(False)
        student = CorrKDNet(shape, c, last_only=last_only).train()
        opt = torch.optim.Adam(student.parameters(), lr=c['lr'])
        frozen = S.frozen_outputs(teacher, xs, args.variant == 'cached-teacher')

        def step():
            # One tfjs student trainStep: MSM corruption, the frozen teacher on the clean batch,
            # the student on the corrupted one, L_task + L_SCD + L_CPD + L_RCD, one Adam step.
            corrupted = msm(xs)
            with torch.no_grad():
                t_out = frozen()
            loss = student_terms(t_out, student(corrupted), y, shape, c)['total']
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    contract.report(args, variants, step)


if __name__ == '__main__':
    main()
