#!/usr/bin/python3
"""GCNet's PyTorch transcription (contract: README.md here): the model, losses, missing simulation and training
step of zeroQiaoba/GCNet (gcnet/, read at its newest snapshot) on the word-as-node graph of
resources/docs/baselines.md section 8, as the tfjs engine runs them (src-main/engine/methods/gcnet/). The parity
fixtures (test/fixtures/methods/gcnet/gen_gcnet.py) import this module, so the timed computation is the verified one.
torch_geometric is not installed here: RGCNConv and GraphConv are written from their documented formulas on edge
lists (gather at the source, scatter to the target, PyG's source_to_target flow), as test/fixtures/nn/gen_nn_graph.py
checks the shared dense layers against.

The graph when each sample is one utterance: GCNet's nodes are the utterances of a conversation; our samples are
single utterances of T word-aligned steps, so the valid steps of a sample are its nodes (features [a; l; v]) and
each sample is one graph. Rows are FRONT-padded: the valid nodes of a sample are its last n steps.

What follows which reference lines:
- edge_perms: graph.py 177-206 (node j sends to every i in [j - window_past, j + window_future], itself included).
- batch_graphify: graph.py 211-304 (nodes of the batch concatenated sample by sample, edges offset per sample,
  relation 'past' when i > j, 'now' when i == j, 'future' when i < j; the speaker graph with one speaker: one
  relation '00'). The reference numbers relations by iterating a Python set (order varies between processes);
  here past/now/future = 0/1/2, which only permutes RGCNConv's per-relation weights.
- RGCNConv(num_features -> hidden, num_relations) (mean per relation, root weight, bias) and
  GraphConv(hidden -> hidden) (add; lin_rel with bias, lin_root without): model.py 31-32.
- GraphNetwork.forward: model.py 43-82 (conv1, conv2, cat [features; out], utterance_to_conversation = module.py
  76-90, grufusion 2-layer biLSTM, MatchingAttention 'general2' = module.py 52-62 when time_attn, Linear + ReLU).
- GraphModel: model.py 91-158 (2-layer biLSTM/GRU base over the nodes, D_e = hidden, graph_h = hidden // 2 as
  build_model in train_gcnet.py 124-138; temporal graph network, optional speaker graph network, summed; smax_fc and
  linear_rec on the fused states).
- random_mask: train_gcnet.py 155-198 (CPM-Net's masking), with a cap of 100 redraws (the reference's loop has none).
- Masks per batch, masked inputs, [a; l; v] node features: train_gcnet.py 247-338 (generate_inputs 142-151).
- Losses: MaskedMSELoss (loss.py 384-401) on the last node of each sample (one label per sample [gap-fill]);
  IEMOCAP: cross-entropy over the 8 outputs viewed as [B*4, 2] (baselines.md section 1.3, not in the reference);
  MaskedReconLoss (loss.py 319-361); loss = task + recon with --loss-recon (train_gcnet.py 365-369).
- Optimiser: Adam(lr, weight_decay = l2) (train_gcnet.py 500); one step per batch (380-382).

Adaptations (each a [gap-fill] of section 8 or ours):
- Both LSTMs run packed over the valid nodes (the reference runs them unpacked over end-padded conversations, so
  its backward direction reads the padding first); the result no longer depends on where the padding sits.
- MaskedReconLoss multiplies by the utterance mask of each node; the reference reshapes umask [batch, seqlen]
  against recon [seqlen, batch] (loss.py 338-341), which pairs the wrong cells when lengths differ. Here the mask is
  aligned with the nodes.
- Only the last node carries a label, so the task head is read there (the head is per node in the reference).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

METHODS = ('gcnet',)
PHASES = ('model',)
VARIANTS = ()

# The card's defaults (src-main/engine/methods/gcnet/card.ts).
DEFAULTS = {
    'lr': 1e-3, 'weightDecay': 1e-5, 'batchSize': 32, 'epochs': 100, 'patience': None, 'hidden': 200,
    'baseModel': 'lstm', 'windowPast': 2, 'windowFuture': 2, 'dropout': 0.5, 'timeAttention': False,
    'speakerGraph': False, 'lossRecon': True, 'maskGenerator': 'gcnet', 'maskRateMin': 0.0, 'maskRateMax': 0.7,
}
RELATIONS = {'past': 0, 'now': 1, 'future': 2}


# --- the graph ---------------------------------------------------------------------------------------------------
def edge_perms(length, window_past, window_future):
    """graph.py 177-206: (source j, target i) pairs."""
    out = set()
    for j in range(length):
        for i in range(max(0, j - window_past), min(length, j + window_future + 1)):
            out.add((j, i))
    return sorted(out)


def batch_graphify(features, lengths, window_past, window_future, graph_type):
    """graph.py 211-304 for front-padded [T, B, F] features: nodes [N, F], edge_index [2, E], edge_type [E]."""
    T = features.shape[0]
    nodes, edge_index, edge_type = [], [], []
    offset = 0
    for b, n in enumerate(lengths):
        nodes.append(features[T - n:, b, :])
        for (j, i) in edge_perms(n, window_past, window_future):
            edge_index.append((j + offset, i + offset))
            order = 'past' if i > j else ('now' if i == j else 'future')
            edge_type.append(RELATIONS[order] if graph_type == 'temporal' else 0)
        offset += n
    return torch.cat(nodes, 0), torch.tensor(edge_index).t(), torch.tensor(edge_type)


def utterance_to_conversation(outputs, lengths, T):
    """module.py 76-90, front-padded: [N, F] -> [T, B, F] with zeros at the padding."""
    out = outputs.new_zeros(T, len(lengths), outputs.shape[1])
    offset = 0
    for b, n in enumerate(lengths):
        out[T - n:, b] = outputs[offset:offset + n]
        offset += n
    return out


def scatter_add(messages, targets, n):
    return messages.new_zeros(n, messages.shape[1]).index_add(0, targets, messages)


class RGCNConv(nn.Module):
    """PyG RGCNConv(in, out, num_relations), no bases/blocks, aggr 'mean', root weight, bias:
    x'_i = x_i Θ_root + Σ_r mean_{j∈N_r(i)} x_j Θ_r + b."""

    def __init__(self, in_channels, out_channels, num_relations):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_relations, in_channels, out_channels))
        self.root = nn.Parameter(torch.empty(in_channels, out_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        for r in range(num_relations):
            nn.init.xavier_uniform_(self.weight.data[r])
        nn.init.xavier_uniform_(self.root)

    def forward(self, x, edge_index, edge_type):
        n = x.shape[0]
        out = x @ self.root
        for r in range(self.weight.shape[0]):
            sel = edge_type == r
            if not bool(sel.any()):
                continue
            src, dst = edge_index[0, sel], edge_index[1, sel]
            summed = scatter_add(x[src], dst, n)
            count = scatter_add(torch.ones(int(sel.sum()), 1, dtype=x.dtype), dst, n).clamp_min(1)
            out = out + (summed / count) @ self.weight[r]
        return out + self.bias


class GraphConv(nn.Module):
    """PyG GraphConv(in, out), aggr 'add': x'_i = lin_root(x_i) + lin_rel(Σ_{j∈N(i)} x_j)."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin_rel = nn.Linear(in_channels, out_channels, bias=True)
        self.lin_root = nn.Linear(in_channels, out_channels, bias=False)

    def forward(self, x, edge_index):
        return self.lin_rel(scatter_add(x[edge_index[0]], edge_index[1], x.shape[0])) + self.lin_root(x)


def run_packed(rnn, x, lengths):
    """rnn over the valid (last n) steps of each front-padded [T, B, D] column, as pack_padded_sequence: the valid
    steps are moved to the front, packed, run, unpacked and moved back; padding outputs are zeros."""
    T, B, _ = x.shape
    front = torch.zeros_like(x)
    for b, n in enumerate(lengths):
        front[:n, b] = x[T - n:, b]
    packed = pack_padded_sequence(front, torch.tensor(lengths), enforce_sorted=False)
    out, _ = pad_packed_sequence(rnn(packed)[0], total_length=T)
    back = out.new_zeros(T, B, out.shape[2])
    for b, n in enumerate(lengths):
        back[T - n:, b] = out[:n, b]
    return back


class MatchingAttention(nn.Module):
    """module.py 18-72, att_type 'general2' only."""

    def __init__(self, mem_dim, cand_dim):
        super().__init__()
        self.mem_dim = mem_dim
        self.transform = nn.Linear(cand_dim, mem_dim, bias=True)

    def forward(self, M, x, mask):
        """M [T, B, mem], x [B, cand], mask [B, T] -> [B, mem]."""
        M_ = M.permute(1, 2, 0)                                                       # [B, mem, T]
        x_ = self.transform(x).unsqueeze(1)                                           # [B, 1, mem]
        mask_ = mask.unsqueeze(2).repeat(1, 1, self.mem_dim).transpose(1, 2)          # [B, mem, T]
        M_ = M_ * mask_
        alpha_ = torch.bmm(x_, M_) * mask.unsqueeze(1)                                # [B, 1, T]
        alpha_ = F.softmax(torch.tanh(alpha_), dim=2)
        alpha_masked = alpha_ * mask.unsqueeze(1)
        alpha = alpha_masked / torch.sum(alpha_masked, dim=2, keepdim=True)
        return torch.bmm(alpha, M.transpose(0, 1))[:, 0, :]


class GraphNetwork(nn.Module):
    """model.py 20-82."""

    def __init__(self, num_features, num_relations, time_attn, hidden_size, dropout):
        super().__init__()
        self.time_attn = time_attn
        self.conv1 = RGCNConv(num_features, hidden_size, num_relations)
        self.conv2 = GraphConv(hidden_size, hidden_size)
        D_h = num_features + hidden_size
        self.grufusion = nn.LSTM(input_size=D_h, hidden_size=D_h, num_layers=2, bidirectional=True, dropout=dropout)
        if time_attn:
            self.matchatt = MatchingAttention(2 * D_h, 2 * D_h)
        self.linear = nn.Linear(2 * D_h, D_h)

    def forward(self, features, edge_index, edge_type, lengths, umask, T):
        out = self.conv2(self.conv1(features, edge_index, edge_type), edge_index)
        outputs = torch.cat([features, out], dim=-1)                                   # [N, F + G]
        outputs = utterance_to_conversation(outputs, lengths, T)                       # [T, B, Dh]
        outputs = run_packed(self.grufusion, outputs, lengths)                         # [T, B, 2 Dh]
        if self.time_attn:
            att = torch.stack([self.matchatt(outputs, t, mask=umask) for t in outputs], 0)   # [T, B, 2 Dh]
            return F.relu(self.linear(att))
        return F.relu(self.linear(outputs))                                            # [T, B, Dh]


class GraphModel(nn.Module):
    """model.py 91-158 (word-as-node): inputs [T, B, D] in [a; l; v] order."""

    def __init__(self, adim, tdim, vdim, n_out, c):
        super().__init__()
        self.c = c
        D_e, G = c['hidden'], c['hidden'] // 2
        rnn = nn.LSTM if c['baseModel'] == 'lstm' else nn.GRU
        self.base = rnn(input_size=adim + tdim + vdim, hidden_size=D_e, num_layers=2, bidirectional=True, dropout=c['dropout'])
        self.graph_net_temporal = GraphNetwork(2 * D_e, 3, c['timeAttention'], G, c['dropout'])
        if c['speakerGraph']:
            self.graph_net_speaker = GraphNetwork(2 * D_e, 1, c['timeAttention'], G, c['dropout'])
        D_h = 2 * D_e + G
        self.smax_fc = nn.Linear(D_h, n_out)
        self.linear_rec = nn.Linear(D_h, adim + tdim + vdim)

    def forward(self, x, lengths):
        """x [T, B, D] masked node features, lengths: valid nodes per sample -> hidden [T, B, Dh]."""
        T, B = x.shape[0], x.shape[1]
        umask = torch.zeros(B, T, dtype=x.dtype)
        for b, n in enumerate(lengths):
            umask[b, T - n:] = 1
        outputs = run_packed(self.base, x, lengths)                                    # [T, B, 2 De]
        wp, wf = self.c['windowPast'], self.c['windowFuture']
        feats, ei, et = batch_graphify(outputs, lengths, wp, wf, 'temporal')
        hidden = self.graph_net_temporal(feats, ei, et, lengths, umask, T)
        if self.c['speakerGraph']:
            feats, ei, et = batch_graphify(outputs, lengths, wp, wf, 'speaker')
            hidden = hidden + self.graph_net_speaker(feats, ei, et, lengths, umask, T)
        return hidden


# --- missing simulation ------------------------------------------------------------------------------------------
def random_mask(view_num, input_len, missing_rate, rs=np.random):
    """train_gcnet.py 155-198 -> [input_len, view_num] 0/1 (columns audio, text, video)."""
    one_rate = 1 - missing_rate
    def one_hot(n):
        m = np.zeros((n, view_num), dtype=np.int64)
        m[np.arange(n), rs.randint(0, view_num, size=n)] = 1
        return m
    if one_rate <= 1 / view_num:
        return one_hot(input_len)
    if one_rate == 1:
        return np.ones((input_len, view_num), dtype=np.int64)
    alldata_len = max(input_len, 32)
    best, best_error = None, np.inf
    for _ in range(100):
        view_preserve = one_hot(alldata_len)
        one_num = view_num * alldata_len * one_rate - alldata_len
        ratio = one_num / (view_num * alldata_len)
        matrix_iter = (rs.randint(0, 100, size=(alldata_len, view_num)) < int(ratio * 100)).astype(np.int64)
        a = np.sum(((matrix_iter + view_preserve) > 1).astype(np.int64))
        one_num_iter = one_num / (1 - a / one_num)
        ratio = one_num_iter / (view_num * alldata_len)
        matrix_iter = (rs.randint(0, 100, size=(alldata_len, view_num)) < int(ratio * 100)).astype(np.int64)
        matrix = ((matrix_iter + view_preserve) > 0).astype(np.int64)
        error = abs(one_rate - np.sum(matrix) / (view_num * alldata_len))
        if error < best_error:
            best, best_error = matrix, error
        if error < 0.005:
            break
    return best[:input_len, :]


# --- losses and the step -----------------------------------------------------------------------------------------
def masked_recon_loss(recon, target, keep, umask, adim, tdim, vdim):
    """loss.py 319-361 with the utterance mask aligned with the nodes. recon/target [T, B, D], keep [T, B, 3]
    (a, l, v), umask [T, B]."""
    u = umask.unsqueeze(2)
    total = 0
    for k, (lo, hi) in enumerate(((0, adim), (adim, adim + tdim), (adim + tdim, adim + tdim + vdim))):
        miss = 1 - keep[:, :, k:k + 1]
        total = total + torch.sum(F.mse_loss(recon[:, :, lo:hi] * u, target[:, :, lo:hi] * u, reduction='none') * miss) / (hi - lo)
    return total / torch.sum(umask)


def nodes_of(l, a, v):
    """Batch-first [B, T, d] modalities -> GCNet's [T, B, dA + dL + dV] node features (generate_inputs)."""
    return torch.cat([a, l, v], dim=2).transpose(0, 1)


def forward_losses(model, l, a, v, y, keep, lengths, task):
    """keep [B, T, 3] (a, l, v). Returns (last [B, Dh], out [B, n_out], recon [B, T, D], {task, recon, total})."""
    T = l.shape[1]
    k = keep.transpose(0, 1).to(l.dtype)                                                # [T, B, 3]
    clean = nodes_of(l, a, v)
    masked = torch.cat([clean[:, :, :a.shape[2]] * k[:, :, 0:1],
                        clean[:, :, a.shape[2]:a.shape[2] + l.shape[2]] * k[:, :, 1:2],
                        clean[:, :, a.shape[2] + l.shape[2]:] * k[:, :, 2:3]], dim=2)
    hidden = model(masked, lengths)                                                     # [T, B, Dh]
    last = hidden[T - 1]
    out = model.smax_fc(last)
    if task == 'classification':
        task_loss = F.cross_entropy(out.reshape(-1, 2), y.reshape(-1).long())
    else:
        task_loss = torch.sum((out.reshape(-1) - y.reshape(-1)) ** 2) / out.shape[0]    # MaskedMSELoss, one node each
    recon = model.linear_rec(hidden)
    umask = torch.zeros(T, l.shape[0], dtype=l.dtype)
    for b, n in enumerate(lengths):
        umask[T - n:, b] = 1
    rec = masked_recon_loss(recon, clean, k, umask, a.shape[2], l.shape[2], v.shape[2])
    total = task_loss + rec if model.c['lossRecon'] else task_loss
    return last, out, recon.transpose(0, 1), {'task': task_loss, 'recon': rec, 'total': total}


def make_optimizer(model, c):
    return torch.optim.Adam(model.parameters(), lr=c['lr'], weight_decay=c['weightDecay'])


def train_step(model, opt, l, a, v, y, keep, lengths, task):
    losses = forward_losses(model, l, a, v, y, keep, lengths, task)[3]
    opt.zero_grad()
    losses['total'].backward()
    opt.step()
    return losses['total']


def main():
    import contract
    args = contract.parse(__file__, METHODS, PHASES, VARIANTS)
    c = dict(DEFAULTS)
    dims, T = (300, 5, 20), 50
    model = GraphModel(dims[1], dims[0], dims[2], 1, c).train()
    opt = make_optimizer(model, c)
    # MOSI sizes with every step valid, as the tfjs side's random batch.
    l, a, v = (torch.randn(args.batch, T, d) for d in dims)
    y = torch.rand(args.batch, 1) * 6 - 3
    lengths = [T] * args.batch
    rs = np.random.RandomState(0)

    def step():
        # As the tfjs step: a fresh mask at a rate drawn in [maskRateMin, maskRateMax].
        rate = rs.uniform(c['maskRateMin'], c['maskRateMax'])
        keep = torch.from_numpy(random_mask(3, args.batch * T, rate, rs).reshape(args.batch, T, 3))
        return train_step(model, opt, l, a, v, y, keep, lengths, 'regression')
    contract.report(args, VARIANTS, step)


if __name__ == '__main__':
    main()
