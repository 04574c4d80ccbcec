#!/usr/bin/python3
"""Self-MM's PyTorch transcription (method `self-mm`; contract: README.md here).

It follows the reference code of the MMSA toolkit (github.com/thuiar/MMSA, commit a94e65d):
- model: src/MMSA/models/multiTask/SELF_MM.py (cited below as "model L<n>");
- trainer and ULGM: src/MMSA/trains/multiTask/SELF_MM.py ("trainer L<n>");
- settings: src/MMSA/config/config_regression.json, key "self_mm".
with the workbench's adaptations of resources/docs/baselines.md section 2 and section 1, each marked
[gap-fill] or [adaptation] where it appears:
- no BERT: the text goes through an LSTM sub-network shaped like the audio/vision ones (or the first
  valid row of the text features, as a frozen [CLS]);
- sequences arrive FRONT-padded (the workbench's layout); each sub-network moves the valid rows to the
  front and packs them as MMSA does for its end-padded data, so the LSTM sees exactly the valid rows;
- valid lengths come from the inputs (the first row present in any modality onwards, by default);
- IEMOCAP: no ULGM; the fusion and the three unimodal heads each learn the 4 binary emotion labels
  (8 logits viewed [B, 4, 2], cross-entropy), weight 1 ("Self-MM (no ULGM)").

The same module builds the committed parity fixtures (test/fixtures/methods/self-mm/gen_self_mm.py)
and, run as a script, times one training step for `npm run bench:engine -- --method self-mm`.
A "step" is one mini-batch as the tfjs phase's trainStep runs it: forward, every loss, backward into
the accumulated gradients, the ULGM store updates, and the optimiser step on every `update_epochs`-th
batch (MMSA's gradient accumulation).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

MIN = 1e-8  # trainer L307

# The MOSI settings (config_regression.json self_mm.datasetParams.mosi) under the workbench's knob
# names; BERT's learning rate and weight decay disappear (baselines.md section 1.2), the text
# encoder's knobs are gap-fills (section 2, "Adaptation").
MOSI = dict(
    batchSize=16, updateEpochs=4, earlyStop=8,
    lrAudio=5e-3, lrVideo=5e-3, lrOther=1e-3,
    weightDecayAudio=1e-3, weightDecayVideo=1e-3, weightDecayOther=1e-3,
    textEncoder='lstm', textHidden=64, textOut=64, textDropout=0.0,
    audioHidden=16, videoHidden=32, audioOut=16, videoOut=32, audioDropout=0.0, videoDropout=0.0,
    postFusionDim=128, postTextDim=32, postAudioDim=16, postVideoDim=32,
    postFusionDropout=0.0, postTextDropout=0.1, postAudioDropout=0.1, postVideoDropout=0.0,
    labelClamp=3.0, excludeZero=True, ulgm=True, lengthsFrom='any-modality', regressionLoss='l1',
)


def valid_lengths(l, a, v, mode):
    """[adaptation] Valid rows per sample of front-padded [B, T, d] inputs: from the first row that is
    not all zero onwards ('any-modality': in any of l, a, v; 'text': in l), or all T ('none').
    MMSA takes the BERT attention-mask sums (model L58-59); our word-aligned sequences carry no mask."""
    B, T = l.shape[0], l.shape[1]
    if mode == 'none':
        return torch.full((B,), T, dtype=torch.long)
    present = l.abs().sum(-1) > 0
    if mode == 'any-modality':
        present = present | (a.abs().sum(-1) > 0) | (v.abs().sum(-1) > 0)
    valid = torch.cumsum(present.to(torch.long), 1) > 0
    return valid.sum(1)


def to_end(x, lengths):
    """Front-padded [B, T, d] -> MMSA's end-padded layout (the valid rows first)."""
    T = x.shape[1]
    return torch.stack([torch.roll(x[b], -(T - int(n)), 0) for b, n in enumerate(lengths)])


class AuViSubNet(nn.Module):
    """Model L111-136: one-layer LSTM over the packed valid rows, final hidden state -> dropout -> Linear."""

    def __init__(self, in_size, hidden_size, out_size, dropout):
        super().__init__()
        self.rnn = nn.LSTM(in_size, hidden_size, num_layers=1, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.linear_1 = nn.Linear(hidden_size, out_size)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(to_end(x, lengths), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, final_states = self.rnn(packed)
        h = self.dropout(final_states[0].squeeze(0))
        return self.linear_1(h)


class SelfMM(nn.Module):
    """Model L16-109, BERT replaced (baselines.md section 2, "Adaptation (no BERT)")."""

    def __init__(self, dims, out_width, c):
        super().__init__()
        d_l, d_a, d_v = dims
        self.c = c
        # [gap-fill] text: LSTM(d_l -> textHidden) over the valid words -> Linear -> textOut, or the first
        # valid row as a frozen [CLS] (no parameters; width d_l).
        if c['textEncoder'] == 'lstm':
            self.text_model = AuViSubNet(d_l, c['textHidden'], c['textOut'], c['textDropout'])
            text_out = c['textOut']
        else:
            self.text_model = None
            text_out = d_l
        # model L24-28
        self.audio_model = AuViSubNet(d_a, c['audioHidden'], c['audioOut'], c['audioDropout'])
        self.video_model = AuViSubNet(d_v, c['videoHidden'], c['videoOut'], c['videoDropout'])
        # model L30-52; the last layers give `out_width` outputs (1, or 8 logits on IEMOCAP)
        def head(prefix, in_dim, dim, p):
            setattr(self, f'{prefix}_dropout', nn.Dropout(p))
            setattr(self, f'{prefix}_layer_1', nn.Linear(in_dim, dim))
            setattr(self, f'{prefix}_layer_2', nn.Linear(dim, dim))
            setattr(self, f'{prefix}_layer_3', nn.Linear(dim, out_width))
        head('post_fusion', text_out + c['audioOut'] + c['videoOut'], c['postFusionDim'], c['postFusionDropout'])
        head('post_text', text_out, c['postTextDim'], c['postTextDropout'])
        head('post_audio', c['audioOut'], c['postAudioDim'], c['postAudioDropout'])
        head('post_video', c['videoOut'], c['postVideoDim'], c['postVideoDropout'])

    def forward(self, l, a, v):
        lengths = valid_lengths(l, a, v, self.c['lengthsFrom'])
        if self.text_model is not None:
            text = self.text_model(l, lengths)
        else:
            # [gap-fill] the first valid row (model L60 takes BERT's row 0, the [CLS] output)
            T = l.shape[1]
            first = (T - lengths).clamp(max=T - 1)
            text = l[torch.arange(l.shape[0]), first]
        # model L62-64 (aligned data: audio and vision packed with the text lengths)
        audio = self.audio_model(a, lengths)
        video = self.video_model(v, lengths)
        out = {}
        # model L69-97: first post-layer of each head (the ULGM features), then layers 2 and 3
        for key, prefix, x in (('f', 'post_fusion', torch.cat([text, audio, video], dim=-1)),
                               ('t', 'post_text', text), ('a', 'post_audio', audio), ('v', 'post_video', video)):
            h = F.relu(getattr(self, f'{prefix}_layer_1')(getattr(self, f'{prefix}_dropout')(x)))
            out[f'Feature_{key}'] = h
            out[key] = getattr(self, f'{prefix}_layer_3')(F.relu(getattr(self, f'{prefix}_layer_2')(h)))
        # model L99-108
        return {'M': out['f'], 'T': out['t'], 'A': out['a'], 'V': out['v'],
                'Feature_f': out['Feature_f'], 'Feature_t': out['Feature_t'],
                'Feature_a': out['Feature_a'], 'Feature_v': out['Feature_v']}

    def named_weights(self):
        """Parameters under the tfjs model's names (PyTorch's state_dict names), 2-D weights transposed."""
        return {n: (p.t() if p.dim() == 2 else p) for n, p in self.named_parameters()}


NAME_MAP = {'M': 'fusion', 'T': 'text', 'A': 'audio', 'V': 'vision'}  # trainer L62-67
FEATURE_OF = {'fusion': 'Feature_f', 'text': 'Feature_t', 'audio': 'Feature_a', 'vision': 'Feature_v'}


class Trainer:
    """Trainer L14-332 for one training split of `n` samples, batch by batch.

    `classification` (IEMOCAP): no ULGM, every head learns the binary labels with weight 1 [gap-fill];
    `c['ulgm'] = False` on regression: every head learns the ground truth with weight 1."""

    def __init__(self, model, c, n, classification=False):
        self.model, self.c, self.classification = model, c, classification
        self.ulgm = c['ulgm'] and not classification
        # trainer L70-89; the BERT groups disappear and the text encoder joins "other" [adaptation]
        audio = list(model.audio_model.parameters())
        video = list(model.video_model.parameters())
        other = [p for name, p in model.named_parameters() if not name.startswith(('audio_model', 'video_model'))]
        self.optimizer = torch.optim.Adam([
            {'params': audio, 'weight_decay': c['weightDecayAudio'], 'lr': c['lrAudio']},
            {'params': video, 'weight_decay': c['weightDecayVideo'], 'lr': c['lrVideo']},
            {'params': other, 'weight_decay': c['weightDecayOther'], 'lr': c['lrOther']},
        ])
        dtype = next(model.parameters()).dtype
        dims = {'fusion': c['postFusionDim'], 'text': c['postTextDim'], 'audio': c['postAudioDim'], 'vision': c['postVideoDim']}
        # trainer L22-60: per-sample features and labels, and the class centres
        self.feature_map = {m: torch.zeros(n, d, dtype=dtype) for m, d in dims.items()}
        self.center_map = {m: {'pos': torch.zeros(d, dtype=dtype), 'neg': torch.zeros(d, dtype=dtype)} for m, d in dims.items()}
        self.label_map = {m: torch.zeros(n, dtype=dtype) for m in dims}
        self.n = n
        self.epoch = 0
        self.update_epochs = c['updateEpochs']
        self.left_epochs = c['updateEpochs']

    def init_labels(self, indexes, labels):
        """Trainer L91-98 and L300-304: every modality's label starts at the ground truth (ULGM only)."""
        if not self.ulgm:
            return
        for m in self.label_map:
            self.label_map[m][indexes] = labels.view(-1)

    def begin_epoch(self, epoch):
        """Trainer L112-120: the accumulation counter restarts every epoch. [adaptation] An epoch of
        fewer than update_epochs batches steps once, on all of them (MMSA would never step)."""
        self.epoch = epoch
        self.update_epochs = min(self.c['updateEpochs'], -(-self.n // self.c['batchSize']))
        self.left_epochs = self.update_epochs

    def weighted_loss(self, y_pred, y_true, indexes=None, mode='fusion'):
        """Trainer L269-277 (L1; the 'mse' switch squares instead [gap-fill, section 1.3])."""
        y_pred, y_true = y_pred.view(-1), y_true.view(-1)
        if mode == 'fusion':
            weighted = torch.ones_like(y_pred)
        else:
            weighted = torch.tanh(torch.abs(self.label_map[mode][indexes] - self.label_map['fusion'][indexes]))
        err = y_pred - y_true
        err = err.abs() if self.c['regressionLoss'] == 'l1' else err * err
        return torch.mean(weighted * err)

    def task_terms(self, outputs, y, indexes):
        """Trainer L147-151: one term per head."""
        terms = {}
        for m in 'MTAV':
            name = NAME_MAP[m]
            if self.classification:
                terms[name] = binary_cross_entropy(outputs[m], y)
            elif self.ulgm:
                terms[name] = self.weighted_loss(outputs[m], self.label_map[name][indexes], indexes=indexes, mode=name)
            else:
                err = outputs[m].view(-1) - y.view(-1)
                terms[name] = torch.mean(err.abs() if self.c['regressionLoss'] == 'l1' else err * err)
        return terms

    def train_batch(self, l, a, v, y, indexes):
        """Trainer L123-170 for one batch; returns the loss terms and the model's outputs."""
        if self.left_epochs == self.update_epochs:
            self.optimizer.zero_grad()
        self.left_epochs -= 1
        outputs = self.model(l, a, v)
        terms = self.task_terms(outputs, y, indexes)
        loss = sum(terms.values())
        loss.backward()
        if self.ulgm:
            feats = {m: outputs[FEATURE_OF[m]].detach() for m in self.feature_map}
            if self.epoch > 1:
                self.update_labels(feats, self.epoch, indexes)
            self.update_features(feats, indexes)
            self.update_centers()
        if not self.left_epochs:
            self.optimizer.step()
            self.left_epochs = self.update_epochs
        # Trainer L171-173 never fires (left_epochs was just reset): an epoch's last, incomplete
        # accumulation is dropped by the next epoch's zero_grad.
        return terms, outputs

    def valid_loss(self, outputs, y):
        """Trainer L248: the fusion output's L1 against the ground truth (CE on IEMOCAP)."""
        if self.classification:
            return binary_cross_entropy(outputs['M'], y)
        err = outputs['M'].view(-1) - y.view(-1)
        return torch.mean(err.abs() if self.c['regressionLoss'] == 'l1' else err * err)

    def update_features(self, feats, indexes):
        """Trainer L279-283."""
        for m, f in feats.items():
            self.feature_map[m][indexes] = f

    def update_centers(self):
        """Trainer L285-298: mean stored feature of the samples whose current label is > 0 (>= 0
        without excludeZero) and < 0."""
        for m in self.feature_map:
            neg = self.label_map[m] < 0
            pos = self.label_map[m] > 0 if self.c['excludeZero'] else self.label_map[m] >= 0
            self.center_map[m]['pos'] = torch.mean(self.feature_map[m][pos], dim=0)
            self.center_map[m]['neg'] = torch.mean(self.feature_map[m][neg], dim=0)

    def update_labels(self, feats, cur_epoches, indexes):
        """Trainer L306-332."""
        def relative_distance(f, mode):
            d_p = torch.norm(f - self.center_map[mode]['pos'], dim=-1)
            d_n = torch.norm(f - self.center_map[mode]['neg'], dim=-1)
            return (d_n - d_p) / (d_p + MIN)
        delta_f = relative_distance(feats['fusion'], 'fusion')
        y_m = self.label_map['fusion'][indexes]
        n = cur_epoches
        for mode in ('text', 'audio', 'vision'):
            delta_s = relative_distance(feats[mode], mode)
            alpha = delta_s / (delta_f + MIN)
            new_labels = 0.5 * alpha * y_m + 0.5 * (y_m + delta_s - delta_f)
            new_labels = torch.clamp(new_labels, min=-self.c['labelClamp'], max=self.c['labelClamp'])
            self.label_map[mode][indexes] = (n - 1) / (n + 1) * self.label_map[mode][indexes] + 2 / (n + 1) * new_labels


def binary_cross_entropy(logits, y):
    """MulT's IEMOCAP loss (baselines.md section 1.3): [B, 8] logits viewed [B*4, 2], CE against the 0/1 labels."""
    return F.cross_entropy(logits.reshape(-1, 2), y.reshape(-1).long())


# --- `npm run bench:engine -- --method self-mm` -------------------------------------------------

METHODS = ('self-mm',)
PHASES = ('model',)


def bench_step(batch):
    """One trainStep at MOSI sizes (T 50, dims 300/5/20) with the MOSI defaults, as the tfjs bench
    runs it: epoch 1 (ULGM stores written, no label update yet), a training split of one batch."""
    torch.manual_seed(0)
    T, dims = 50, (300, 5, 20)
    model = SelfMM(dims, 1, MOSI).train()
    trainer = Trainer(model, MOSI, batch)
    # random rows everywhere, as the tfjs bench's data (bench/engine/step-harness.ts): all T rows valid
    l, a, v = (torch.randn(batch, T, d) for d in dims)
    y = torch.rand(batch, 1) * 6 - 3
    indexes = torch.arange(batch)
    trainer.init_labels(indexes, y)
    trainer.begin_epoch(1)

    def step():
        trainer.train_batch(l, a, v, y, indexes)
    return step


def main():
    import contract  # beside this script, whose folder Python puts on sys.path
    contract.run(__file__, METHODS, PHASES, bench_step)


if __name__ == '__main__':
    main()
