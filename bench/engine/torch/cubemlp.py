#!/usr/bin/python3
"""CubeMLP's PyTorch transcription (contract: README.md here): the model, loss and training step of
kiva12138/CubeMLP (commit 49f75bd) with the adaptations of resources/docs/baselines.md section 3, as the
tfjs engine runs them (src-main/engine/methods/cubemlp/). The parity fixtures
(test/fixtures/methods/cubemlp/gen_cubemlp.py) import this module, so the timed computation is the verified one.

What follows which reference lines:
- MLP, MLPsBlock, MLPEncoder: MLPProcess.py 9-22 (fc1 -> activation -> fc2), 25-122 (the three axis MLPs with
  LayerNorm eps 1e-6 first or last, dropout, residual through a bias-free projection), 126-137 (blocks chained).
- CubeMLP.__init__: Model.py 26-79: W_t Linear(d_t -> d_common, no bias), the audio/vision extractors chosen by
  `encoders` (conv k=3 padding 1; 1-layer biLSTM; 2-layer biGRU; hidden d_common), ln_a/ln_v (eps 1e-6), the four
  dropouts, the MLP encoder on [time_len, 3, d_common], the classifier (one Linear up to 128 inputs, else
  Linear -> 128, ReLU, dropout, Linear; get_output_dim 9-23).
- CubeMLP.forward: Model.py 82-185, with the adaptations:
  * no BERT: W_t reads our text features (section 1.2); sequences are word-aligned, so the symmetric padding of
    audio/vision to the BERT length (lines 92-97) is dropped;
  * the recurrent encoders are packed (lines 115-121) with the valid steps of our FRONT-padded rows: from the first
    non-zero row of any modality (or of the text only) to the end [gap-fill], moved to the front for
    pack_padded_sequence and back after pad_packed_sequence;
  * the 1e-6 fill of all-zero rows inside the text mask (lines 98-100) is left out: it only feeds masks the forward
    never uses (lines 103-104), and changes the encoders' inputs by 1e-6;
  * the two directions are summed (line 126-127), then ReLU(LayerNorm) (line 131), dropout (line 135);
  * the time axis is zero-padded at the end to time_len (lines 141-143), or keeps the last time_len steps when
    longer (Train.py 271-274 keeps the first: our rows are front-padded, so the last steps are the words);
  * stack [t, a, v] on axis 2 (line 147), MLP encoder (line 153), compose over L then K (lines 159-175; 'sum' is
    the reference's mean and is not offered), classifier (line 181).
- train_step: Train.py 121-138 (loss, zero_grad, backward, clip_grad_value_ on every parameter, Adam step);
  loss MAE = nn.L1Loss, MSE = nn.MSELoss on the flattened outputs (get_loss 106-118, get_loss_from_loss_func
  286-300); IEMOCAP: cross-entropy over the 8 outputs viewed as [B*4, 2] (section 1.3, not in the reference).
- Optimiser and schedule: Train.py 61-103 (Adam, weight decay 0; StepLR(lr_decrease_iter, lr_decrease_rate)
  stepped once per epoch, lines 200-203); orthogonal weight_hh: Train.py 55-56 (other_model_operations).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

METHODS = ('cubemlp',)
PHASES = ('model',)
VARIANTS = ()

# The card's defaults (src-main/engine/methods/cubemlp/card.ts).
DEFAULTS = {
    'lr': 4e-3, 'batchSize': 128, 'epochs': 70, 'lrStepEvery': 60, 'lrStepRate': 0.1, 'gradientClip': 1.0,
    'loss': 'mae', 'dCommon': 128, 'encoder': 'gru', 'timeLen': 50, 'dHiddens': '50-3-128=10-3-32',
    'dOuts': '50-3-128=10-3-32', 'resProject': '1-1', 'bias': True, 'lnFirst': True, 'activation': 'gelu',
    'dropoutMlp': 0.1, 'dropout': 0.1, 'composeT': 'mean', 'composeK': 'cat', 'validSteps': 'any',
}


def lkd(spec):
    """'50-3-128=10-3-32' -> [[50, 3, 128], [10, 3, 32]] (Utils.str2listoffints)."""
    return [[int(s) for s in part.split('-')] for part in spec.split('=')]


ACTIVATIONS = {'gelu': F.gelu, 'relu': F.relu}


class MLP(nn.Module):
    """MLPProcess.py 9-22."""

    def __init__(self, activate, d_in, d_hidden, d_out, bias):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden, bias=bias)
        self.fc2 = nn.Linear(d_hidden, d_out, bias=bias)
        self.activation = ACTIVATIONS[activate]

    def forward(self, x):
        return self.fc2(self.activation(self.fc1(x)))


class MLPsBlock(nn.Module):
    """MLPProcess.py 25-122 (the mask argument, always None in Model.py, is left out)."""

    def __init__(self, activate, d_ins, d_hiddens, d_outs, dropouts, bias, ln_first, res_project):
        super().__init__()
        self.mlp_l = MLP(activate, d_ins[0], d_hiddens[0], d_outs[0], bias)
        self.mlp_k = MLP(activate, d_ins[1], d_hiddens[1], d_outs[1], bias)
        self.mlp_d = MLP(activate, d_ins[2], d_hiddens[2], d_outs[2], bias)
        self.dropout_l, self.dropout_k, self.dropout_d = (nn.Dropout(p) for p in dropouts)
        sizes = d_ins if ln_first else d_outs
        self.ln_l, self.ln_k, self.ln_d = (nn.LayerNorm(s, eps=1e-6) for s in sizes)
        self.ln_first, self.res_project = ln_first, res_project
        if res_project:
            self.res_projection_l = nn.Linear(d_ins[0], d_outs[0], bias=False)
            self.res_projection_k = nn.Linear(d_ins[1], d_outs[1], bias=False)
            self.res_projection_d = nn.Linear(d_ins[2], d_outs[2], bias=False)
        else:
            assert d_ins == d_outs, 'MLPsBlock: without a residual projection the sizes must not change'

    def forward(self, x):
        return self.forward_ln_first(x) if self.ln_first else self.forward_ln_last(x)

    def forward_ln_first(self, x):                                                   # lines 64-92
        res = self.res_projection_l(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2) if self.res_project else x
        x = self.mlp_l(self.ln_l(x.permute(0, 2, 3, 1))).permute(0, 3, 1, 2)
        x = self.dropout_l(x) + res
        res = self.res_projection_k(x.permute(0, 1, 3, 2)).permute(0, 1, 3, 2) if self.res_project else x
        x = self.dropout_k(self.mlp_k(self.ln_k(x.permute(0, 1, 3, 2))).permute(0, 1, 3, 2)) + res
        res = self.res_projection_d(x) if self.res_project else x
        return self.dropout_d(self.mlp_d(self.ln_d(x))) + res

    def forward_ln_last(self, x):                                                    # lines 94-122
        res = self.res_projection_l(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2) if self.res_project else x
        x = self.dropout_l(self.mlp_l(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)) + res
        x = self.ln_l(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        res = self.res_projection_k(x.permute(0, 1, 3, 2)).permute(0, 1, 3, 2) if self.res_project else x
        x = self.dropout_k(self.mlp_k(x.permute(0, 1, 3, 2)).permute(0, 1, 3, 2)) + res
        x = self.ln_k(x.permute(0, 1, 3, 2)).permute(0, 1, 3, 2)
        res = self.res_projection_d(x) if self.res_project else x
        return self.ln_d(self.dropout_d(self.mlp_d(x)) + res)


class MLPEncoder(nn.Module):
    """MLPProcess.py 126-137."""

    def __init__(self, activate, d_in, d_hiddens, d_outs, dropouts, bias, ln_first, res_project):
        super().__init__()
        self.layers_stack = nn.ModuleList([
            MLPsBlock(activate, d_in if i == 0 else d_outs[i - 1], d_hiddens[i], d_outs[i], dropouts, bias, ln_first,
                      res_project[i])
            for i in range(len(d_hiddens))])

    def forward(self, x):
        for layer in self.layers_stack:
            x = layer(x)
        return x


def valid_steps(l, a, v, mode):
    """[B, T] 1/0: from the first non-zero row (of any modality, or of the text) to the end [gap-fill]."""
    mass = l.abs().sum(-1) if mode == 'text' else l.abs().sum(-1) + a.abs().sum(-1) + v.abs().sum(-1)
    return (mass.cumsum(1) > 0).to(l.dtype)


def run_packed(rnn, x, lengths):
    """The reference's pack_padded_sequence / rnn / pad_packed_sequence (Model.py 115-121) on FRONT-padded rows:
    each sequence's valid block moves to the front first and back after. A sequence without valid steps (which
    PyTorch cannot pack) outputs zeros."""
    B, T, _ = x.shape
    out = x.new_zeros(B, T, rnn.hidden_size * (2 if rnn.bidirectional else 1))
    keep = [b for b in range(B) if lengths[b] > 0]
    if not keep:
        return out
    n = [int(lengths[b]) for b in keep]
    to_end = torch.stack([torch.roll(x[b], -(T - k), 0) for b, k in zip(keep, n)])
    packed = pack_padded_sequence(to_end, torch.tensor(n), batch_first=True, enforce_sorted=False)
    y, _ = pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=T)
    out[keep] = torch.stack([torch.roll(y[i], T - k, 0) for i, k in enumerate(n)])
    return out


class CubeMLP(nn.Module):
    """Model.py 26-185 without BERT (see the module docstring)."""

    def __init__(self, dims, num_class, c):
        super().__init__()
        d_t, d_a, d_v = dims
        d_common = c['dCommon']
        self.c, self.d_common, self.time_len, self.encoders = c, d_common, c['timeLen'], c['encoder']
        if self.encoders == 'conv':
            self.conv_a = nn.Conv1d(d_a, d_common, kernel_size=3, stride=1, padding=1)
            self.conv_v = nn.Conv1d(d_v, d_common, kernel_size=3, stride=1, padding=1)
        elif self.encoders == 'lstm':
            self.rnn_v = nn.LSTM(d_v, d_common, 1, bidirectional=True, batch_first=True)
            self.rnn_a = nn.LSTM(d_a, d_common, 1, bidirectional=True, batch_first=True)
        else:
            self.rnn_v = nn.GRU(d_v, d_common, 2, bidirectional=True, batch_first=True)
            self.rnn_a = nn.GRU(d_a, d_common, 2, bidirectional=True, batch_first=True)
        self.ln_a, self.ln_v = nn.LayerNorm(d_common, eps=1e-6), nn.LayerNorm(d_common, eps=1e-6)
        p = c['dropout']
        self.dropout_t, self.dropout_a, self.dropout_v = nn.Dropout(p), nn.Dropout(p), nn.Dropout(p)
        self.W_t = nn.Linear(d_t, d_common, bias=False)
        outs = lkd(c['dOuts'])
        self.mlp_encoder = MLPEncoder(c['activation'], [self.time_len, 3, d_common], lkd(c['dHiddens']), outs,
                                      [c['dropoutMlp']] * 3, c['bias'], c['lnFirst'],
                                      [s == '1' for s in c['resProject'].split('-')])
        l_out, k_out, d_out = outs[-1]
        classify_dim = d_out * (l_out if c['composeT'] == 'cat' else 1) * (k_out if c['composeK'] == 'cat' else 1)
        if classify_dim <= 128:
            self.classifier = nn.Sequential(nn.Linear(classify_dim, num_class))
        else:
            self.classifier = nn.Sequential(nn.Linear(classify_dim, 128), nn.ReLU(), nn.Dropout(p),
                                            nn.Linear(128, num_class))

    def fit_time(self, h):
        T = h.shape[1]
        return h[:, T - self.time_len:] if T > self.time_len else F.pad(h, (0, 0, 0, self.time_len - T, 0, 0))

    def features(self, l, a, v):
        t = self.W_t(l)
        if self.encoders == 'conv':
            a, v = self.conv_a(a.transpose(1, 2)).transpose(1, 2), self.conv_v(v.transpose(1, 2)).transpose(1, 2)
        else:
            lengths = valid_steps(l, a, v, self.c['validSteps']).sum(1).long().tolist()
            a, v = run_packed(self.rnn_a, a, lengths), run_packed(self.rnn_v, v, lengths)
            a = torch.stack(torch.split(a, self.d_common, dim=-1), -1).sum(-1)
            v = torch.stack(torch.split(v, self.d_common, dim=-1), -1).sum(-1)
        a, v = F.relu(self.ln_a(a)), F.relu(self.ln_v(v))
        t, a, v = self.dropout_t(t), self.dropout_a(a), self.dropout_v(v)
        x = torch.stack([self.fit_time(t), self.fit_time(a), self.fit_time(v)], dim=2)   # [B, L, 3, C]
        x = self.mlp_encoder(x)                                                          # [B, L', K', D']
        if self.c['composeT'] == 'mean':
            x = x.mean(dim=1)
        else:
            x = torch.cat(torch.split(x, 1, dim=1), dim=-1).squeeze(1)
        if self.c['composeK'] == 'mean':
            return x.mean(dim=1)
        return torch.cat(torch.split(x, 1, dim=1), dim=-1).squeeze(1)

    def forward(self, l, a, v):
        return self.classifier(self.features(l, a, v))


def orthogonal_recurrent(model):
    """Train.py 55-56."""
    for name, param in model.named_parameters():
        if 'weight_hh' in name:
            nn.init.orthogonal_(param)


def losses(out, y, task):
    """Every loss the method can optimise or select on, on one batch."""
    if task == 'classification':
        return {'ce': F.cross_entropy(out.reshape(-1, 2), y.reshape(-1).long())}
    return {'mae': F.l1_loss(out.reshape(-1), y.reshape(-1)), 'mse': F.mse_loss(out.reshape(-1), y.reshape(-1))}


def training_loss(out, y, task, c):
    return losses(out, y, task)['ce' if task == 'classification' else c['loss']]


def make_optimizer(model, c, epoch=1):
    """Adam (weight decay 0) and StepLR advanced to the 1-based `epoch` (one scheduler step per finished epoch)."""
    opt = torch.optim.Adam(model.parameters(), lr=c['lr'])
    sched = torch.optim.lr_scheduler.StepLR(opt, c['lrStepEvery'], c['lrStepRate'])
    # Gradients left on the parameters (a backward before this call) would make the steps below real updates.
    opt.zero_grad(set_to_none=True)
    for _ in range(epoch - 1):
        opt.step()   # no gradients: a no-op that keeps the scheduler's order check quiet
        sched.step()
    return opt, sched


def train_step(model, opt, l, a, v, y, task, c):
    """Train.py 130-138."""
    loss = training_loss(model(l, a, v), y, task, c)
    opt.zero_grad()
    loss.backward()
    if c['gradientClip'] > 0:
        torch.nn.utils.clip_grad_value_([p for p in model.parameters() if p.requires_grad], c['gradientClip'])
    opt.step()
    return loss


def main():
    import contract
    args = contract.parse(__file__, METHODS, PHASES, VARIANTS)
    c = dict(DEFAULTS)
    dims, T = (300, 5, 20), 50
    model = CubeMLP(dims, 1, c).train()
    orthogonal_recurrent(model)
    opt, _ = make_optimizer(model, c)
    # MOSI sizes with every step valid, as the tfjs side's random batch.
    l, a, v = (torch.randn(args.batch, T, d) for d in dims)
    y = torch.rand(args.batch, 1) * 6 - 3
    contract.report(args, VARIANTS, lambda: train_step(model, opt, l, a, v, y, 'regression', c))


if __name__ == '__main__':
    main()
