#!/usr/bin/python3
"""TransM's PyTorch transcription: `npm run bench:engine -- --method transm` times it (contract:
README.md here), and test/fixtures/methods/transm/gen_transm.py builds TransM's parity fixtures from
the same module, so the timed computation is the verified one.

TransM (TransModality, Wang, Wan and Wan, WWW 2020, arXiv 2009.02902) has NO public code. This is
a transcription of the paper's idea and of resources/docs/baselines.md section 6's build plan;
each part says where it comes from:
  [paper]    the paper's abstract: modalities are fused by end-to-end Transformer translation, and
             the encoder features learned while translating carry information from both modalities;
  [summary]  a published summary of the paper (its method section could not be read here): forward
             and backward translation; parallel text-acoustic and text-visual fusion cells;
  [gap-fill] baselines.md section 6's build plan, or our choice where it is silent; each is a knob of
             the tfjs card (src-main/engine/methods/transm/card.ts).

It uses torch's own nn.TransformerEncoderLayer / nn.TransformerDecoderLayer (norm_first=True) and
nn.TransformerEncoder / nn.TransformerDecoder with a final LayerNorm, so the parity fixtures check
the workbench's composition of engine/nn layers against PyTorch's modules.
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

# The card's defaults on MOSI (src-main/engine/methods/transm/card.ts).
DEFAULTS = {
    'd': 40, 'layers': 2, 'decoderLayers': 2, 'heads': 10, 'ffnMultiplier': 4, 'dropout': 0.1,
    'scaleEmbedding': True, 'pairs': 'la,al,lv,vl', 'pooling': 'last', 'fusionHidden': 40,
    'lambdaTrans': 1.0, 'translationDistance': 'l1', 'translationTarget': 'clean', 'regressionLoss': 'mse',
    'lr': 1e-3,
}


def shift_right(y):
    """[gap-fill] Teacher forcing: the decoder reads the target one step late; step 0 reads zeros."""
    return F.pad(y[:, :-1], (0, 0, 1, 0))


def valid_frames(x):
    """[gap-fill] 1 for rows with a non-zero feature, [B, T, 1]: padding and missing frames are zero
    vectors (baselines.md section 1.1) and the data carry no other length mask."""
    return (x.abs().amax(2, keepdim=True) > 0).to(x.dtype)


class Translator(nn.Module):
    """One translator s -> t: [paper] a Transformer encoder-decoder translating modality s into t.
    [gap-fill] encoder as HRLF's (Conv1D k3 no bias, x sqrt(d), + PE, pre-LN layers, final LN);
    decoder: Linear target embedding x sqrt(d) + PE, pre-LN causal decoder layers, final LN, Linear out."""

    def __init__(self, ds, dt, T, c, dtype=torch.float32):
        super().__init__()
        d, heads, ffn, p = c['d'], c['heads'], c['ffnMultiplier'] * c['d'], c['dropout']
        self.conv = nn.Conv1d(ds, d, 3, padding=1, bias=False, dtype=dtype)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d, heads, ffn, p, activation='relu', batch_first=True, norm_first=True, dtype=dtype),
            c['layers'], norm=nn.LayerNorm(d, dtype=dtype), enable_nested_tensor=False)
        self.target_embed = nn.Linear(dt, d, dtype=dtype)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d, heads, ffn, p, activation='relu', batch_first=True, norm_first=True, dtype=dtype),
            c['decoderLayers'], norm=nn.LayerNorm(d, dtype=dtype))
        self.out = nn.Linear(d, dt, dtype=dtype)
        self.scale = math.sqrt(d) if c['scaleEmbedding'] else 1.0
        self.register_buffer('pe', S.pe_table(T, d, dtype))  # [gap-fill, as HRLF]
        self.register_buffer('causal', nn.Transformer.generate_square_subsequent_mask(T).to(dtype))

    def encode(self, x):
        """H_s = Enc(Conv(X_s) * sqrt(d) + PE): [B, T, d]."""
        r = self.conv(x.transpose(1, 2)).transpose(1, 2) * self.scale + self.pe
        return self.encoder(r)

    def translate(self, memory, target):
        """Y_hat_t = Out(Dec(Embed(shift(Y_t)) * sqrt(d) + PE, memory)): [B, T, d_t]."""
        e = self.target_embed(shift_right(target)) * self.scale + self.pe
        return self.out(self.decoder(e, memory, tgt_mask=self.causal))


class TransM(nn.Module):
    """[summary + gap-fill] Text-centred translators in both directions (L->A, A->L, L->V, V->L by
    default); [paper] their encoder states are the fused representation; [gap-fill] each pooled at
    the last step (or the mean over the source's valid frames), concatenated -> ReLU layer -> head."""

    def __init__(self, shape, c, dtype=torch.float32):
        super().__init__()
        self.c = c
        self.shape = shape
        self.routes = [(p[0], p[1]) for p in c['pairs'].split(',')]
        dims = dict(zip(MODS, shape['dims']))
        self.translators = nn.ModuleDict({s + t: Translator(dims[s], dims[t], shape['T'], c, dtype) for s, t in self.routes})
        self.fusion = nn.Linear(len(self.routes) * c['d'], c['fusionHidden'], dtype=dtype)
        out = shape['label_dim'] * (2 if shape['task'] == 'classification' else 1)
        self.head = nn.Linear(c['fusionHidden'], out, dtype=dtype)

    def pool(self, h, source):
        if self.c['pooling'] == 'last':
            return h[:, -1]
        m = valid_frames(source)
        return (h * m).sum(1) / m.sum(1).clamp(min=1)

    def forward(self, inputs, targets):
        """Encoders on the (corrupted) inputs, decoders reconstructing `targets`."""
        pooled, decoded = [], {}
        for s, t in self.routes:
            tr = self.translators[s + t]
            memory = tr.encode(inputs[s])
            pooled.append(self.pool(memory, inputs[s]))
            decoded[s + t] = tr.translate(memory, targets[t])
        rep = F.relu(self.fusion(torch.cat(pooled, 1)))
        return {'logits': self.head(rep), 'representation': rep, 'decoded': decoded}


def task_loss(logits, y, shape, c):
    """[gap-fill] MSE (HRLF's task loss) or L1 for MOSI/MOSEI; IEMOCAP: cross-entropy of each
    emotion's binary head, averaged over samples and heads (baselines.md section 1.3)."""
    if shape['task'] == 'classification':
        return F.cross_entropy(logits.view(-1, 2), y.reshape(-1).long())
    return (logits - y).abs().mean() if c['regressionLoss'] == 'l1' else ((logits - y) ** 2).mean()


def translation_loss(decoded, target, c):
    """[gap-fill] L1 (or squared) error averaged over the target's valid frames and all features."""
    m = valid_frames(target)
    diff = decoded - target
    err = diff.abs() if c['translationDistance'] == 'l1' else diff ** 2
    return (err * m).sum() / (m.sum() * target.shape[2]).clamp(min=1)


def objective(model, out, targets, y):
    """L = L_task + lambda * sum_p L_trans,p   ([gap-fill] lambda = 1); terms as the tfjs method names them."""
    c = model.c
    terms = {'task': task_loss(out['logits'], y, model.shape, c)}
    for s, t in model.routes:
        terms['trans_' + s + t] = c['lambdaTrans'] * translation_loss(out['decoded'][s + t], targets[t], c)
    terms['trans'] = sum(terms['trans_' + s + t] for s, t in model.routes)
    terms['total'] = terms['task'] + terms['trans']
    return terms


def ts_named(model):
    """{TypeScript name: (parameter, layout)} for the engine's TransmNetwork.namedVariables() (layouts:
    shared.Names)."""
    n = S.Names()
    for name, tr in model.translators.items():
        p = f'translators.{name}'
        n.conv(p + '.conv', tr.conv)
        n.encoder(p + '.encoder', tr.encoder)
        n.lin(p + '.targetEmbed', tr.target_embed)
        for i, layer in enumerate(tr.decoder.layers):
            q = f'{p}.decoder.layers.{i}'
            n.ln(q + '.ln1', layer.norm1)
            n.attn(q + '.selfAttn', layer.self_attn)
            n.ln(q + '.ln2', layer.norm2)
            n.attn(q + '.crossAttn', layer.multihead_attn)
            n.ln(q + '.ln3', layer.norm3)
            n.lin(q + '.ff1', layer.linear1)
            n.lin(q + '.ff2', layer.linear2)
        n.ln(p + '.decoder.norm', tr.decoder.norm)
        n.lin(p + '.out', tr.out)
    n.lin('fusion', model.fusion)
    n.lin('head', model.head)
    return n.named


msm = S.msm
ts_layout = S.ts_layout


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import contract  # noqa: E402

    args = contract.parse(__file__, ('transm',), ('model',))
    shape = MOSI
    xs = {m: torch.randn(args.batch, shape['T'], shape['dims'][i]) for i, m in enumerate(MODS)}
    y = torch.rand(args.batch, 1) * 6 - 3
    model = TransM(shape, DEFAULTS).train()
    opt = torch.optim.Adam(model.parameters(), lr=DEFAULTS['lr'])

    def step():
        # One tfjs trainStep: MSM corruption, encoders on the corrupted inputs, decoders on the
        # clean targets, L_task + lambda * sum L_trans, one Adam step.
        out = model(msm(xs), xs)
        loss = objective(model, out, xs, y)['total']
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    contract.report(args, (), step)


if __name__ == '__main__':
    main()
