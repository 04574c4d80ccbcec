"""Pieces the PyTorch transcriptions in this folder share (transm.py, corrkd.py, hrlf.py): HRLF's positional
table, the shared MSM generator, a frozen teacher's outputs as a timed step reads them, and the mapping of torch parameters to the engine's names and
layouts (engine/nn's namedVariables); and the encoding, random weights, batches and frame masks of the parity
fixtures their generators write (test/fixtures/methods/<id>/gen_<id>.py)."""
import torch

MODS = ('l', 'a', 'v')
# The MOSI shapes the bench times a step at (bench/engine/torch/README.md).
MOSI = {'T': 50, 'dims': (300, 5, 20), 'label_dim': 1, 'task': 'regression'}


def pe_table(T, d, dtype=torch.float32):
    """HRLF's sinusoidal table (hrlf-spec section 2), interleaved (sin at even, cos at odd columns),
    computed in float64 and rounded once to float32, as engine/nn/positional.ts does."""
    pe = torch.zeros(T, d, dtype=torch.float64)
    pos = torch.arange(T, dtype=torch.float64)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float64)
    ang = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), i / d)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang[:, : d // 2])
    return pe.float().to(dtype)


def msm(xs, generator=None):
    """The shared MSM (hrlf-spec section 4.2; engine/data/msm.ts): per sample a uniform non-empty subset
    of {L, A, V} stays, and each kept frame is dropped with p ~ U[0, 1). Same computation as the
    engine's, not the same random stream."""
    b, T = xs['l'].shape[:2]
    subset = torch.randint(1, 8, (b,), generator=generator)
    p = torch.rand(b, 1, generator=generator)
    out = {}
    for i, m in enumerate(MODS):
        keep = ((subset >> i) & 1).bool()[:, None] & (torch.rand(b, T, generator=generator) >= p)
        out[m] = xs[m] * keep[:, :, None].to(xs[m].dtype)
    return out


class Names:
    """Collects {TypeScript name: (parameter, layout)}; layout 'linear' = transposed, 'conv' =
    [in, k*out] with w[c, j*out + o] = torch_w[o, c, j], 'plain' = as is."""

    def __init__(self):
        self.named = {}

    def lin(self, prefix, m):
        self.named[prefix + '.weight'] = (m.weight, 'linear')
        if m.bias is not None:
            self.named[prefix + '.bias'] = (m.bias, 'plain')

    def ln(self, prefix, m):
        self.named[prefix + '.gamma'] = (m.weight, 'plain')
        self.named[prefix + '.beta'] = (m.bias, 'plain')

    def conv(self, prefix, m):
        self.named[prefix + '.weight'] = (m.weight, 'conv')

    def attn(self, prefix, a):
        self.named[prefix + '.qkv.weight'] = (a.in_proj_weight, 'linear')
        self.named[prefix + '.qkv.bias'] = (a.in_proj_bias, 'plain')
        self.lin(prefix + '.out', a.out_proj)

    def encoder(self, prefix, enc):
        """An nn.TransformerEncoder of pre-LN layers with a final norm, as engine/nn's TransformerEncoder."""
        for i, layer in enumerate(enc.layers):
            q = f'{prefix}.layers.{i}'
            self.ln(q + '.ln1', layer.norm1)
            self.attn(q + '.attn', layer.self_attn)
            self.ln(q + '.ln2', layer.norm2)
            self.lin(q + '.ff1', layer.linear1)
            self.lin(q + '.ff2', layer.linear2)
        self.ln(prefix + '.norm', enc.norm)


def frozen_outputs(net, xs, cached):
    """What a distilling student step reads of its frozen teacher `net` on the clean batch `xs`, as
    a function to call under torch.no_grad() in each step: the forward pass, or (cached) the per-sample
    outputs computed once and gathered by row index, as the tfjs engine's cache does
    (src-main/engine/methods/frozen-outputs.ts)."""
    if not cached:
        return lambda: net(xs)
    with torch.no_grad():
        rows = {k: v for k, v in net(xs).items() if torch.is_tensor(v)}
    index = torch.arange(xs['l'].shape[0], device=xs['l'].device)
    return lambda: {k: v.index_select(0, index) for k, v in rows.items()}


def ts_layout(t, layout):
    if layout == 'linear':
        return t.t()
    if layout == 'conv':
        o, c, k = t.shape
        return t.permute(1, 2, 0).reshape(c, k * o)
    return t


def enc(t, digits=9):
    """A tensor as fixture JSON ({"shape", "data"}): 9 significant digits hold any float32 exactly
    (inputs, weights); computed values may get fewer to keep the file small (relative error
    10^(1-digits), far inside the 1e-4 the tests ask for)."""
    t = t.detach().to(torch.float64).contiguous()
    return {'shape': list(t.shape), 'data': [float(f'%.{digits}g' % v) for v in t.reshape(-1).tolist()]}


def front_padded(T, dims, lengths):
    """A fixture's clean batch {modality: [B, T, dim]} in the workbench's layout, B = len(lengths):
    sample b's lengths[b] valid rows at the end, zeros before them."""
    xs = {}
    for m, dim in zip(MODS, dims):
        x = rand(len(lengths), T, dim)
        for b, n in enumerate(lengths):
            x[b, : T - n] = 0
        xs[m] = x
    return xs


def frame_masks(B, T, seed, missing, dtype=torch.float64):
    """A fixture's frame masks {modality: [B, T]}, 1 keeps the frame: each frame stays with
    probability 0.7, and every (sample, modality) pair in `missing` is wholly absent. The draws come
    from a generator of their own, so the masks leave the global stream (weights, inputs) as it was
    and the committed fixtures stay reproducible."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for m in MODS:
        keep = (torch.rand(B, T, generator=g) > 0.3).to(dtype)
        for b, mm in missing:
            if mm == m:
                keep[b] = 0
        out[m] = keep
    return out


def rand(*shape, scale=1.0):
    """float32 draws widened to float64: the engine and PyTorch see the same numbers."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).to(torch.float64)
