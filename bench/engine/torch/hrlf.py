#!/usr/bin/python3
"""HRLF's PyTorch transcription for `npm run bench:engine -- --method hrlf` (contract: README.md here).

The model, losses and MSM are bench/engine/hrlf_torch.py's (the same module generates HRLF's parity
fixtures, test/fixtures/nn/gen_nn.py). This script composes one training step per phase as the tfjs
engine runs it:
- teacher: forward on the clean batch, L_task + lambda_FRF * L_FRF, Adam step;
- student: MSM corruption, the frozen teacher's forward on the clean batch (eval mode, no grad), the
  student objective of spec section 3.6 and its Adam step, then one Adam step of the HAL
  discriminators on the same (detached) representations.
Variant `last-only`: the last encoder layer computes only the last time step, as the tfjs engine does.
Variant `cached-teacher` (student only): `last-only`, and the frozen teacher's outputs computed once
before the steps and gathered by row index in each, as the engine's cache does
(src-main/engine/methods/frozen-outputs.ts): the engine's computation since then.
"""
import os
import sys

import torch
import torch.nn as nn

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, '..')]
import contract  # noqa: E402
import hrlf_torch as H  # noqa: E402
import shared as S  # noqa: E402

METHODS = ('hrlf',)
PHASES = ('teacher', 'student')
VARIANTS = {'teacher': ('last-only',), 'student': ('last-only', 'cached-teacher')}


def teacher_step(xs, y, shape, last_only, dev):
    d, heads, layers, dropout, lr = 40, 10, 2, 0.1, 1e-3
    teacher = H.HrlfNet(shape, d, layers, heads, dropout, last_only=last_only).to(dev).train()
    opt = torch.optim.Adam(teacher.parameters(), lr=lr)

    def step():
        out = teacher(xs)
        loss = H.task_loss(out['logits'], y, shape['task']) + H.frf_loss(teacher, out)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


def student_step(xs, y, shape, last_only, dev, cached=False):
    d, heads, layers, dropout, lr = 40, 10, 2, 0.1, 1e-3
    teacher = H.HrlfNet(shape, d, layers, heads, dropout, last_only=last_only).to(dev).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = H.HrlfNet(shape, d, layers, heads, dropout, last_only=last_only).to(dev).train()
    ks = [3 * d, 2 * d, d]
    stats = nn.ModuleList([H.mlp([2 * k, k, 1]) for k in ks]).to(dev)
    discs = nn.ModuleList([H.mlp([k, k // 2, 1]) for k in ks]).to(dev)
    opt = torch.optim.Adam(list(student.parameters()) + list(stats.parameters()), lr=lr)
    opt_d = torch.optim.Adam(discs.parameters(), lr=lr)

    frozen = S.frozen_outputs(teacher, xs, cached)

    def step():
        with torch.no_grad():
            t_out = frozen()
            et = H.scales(t_out)
        s_out = student(H.msm(xs))
        terms, es = H.student_terms(student, stats, discs, s_out, t_out, y, shape['task'])
        opt.zero_grad(set_to_none=True)
        terms['total'].backward()
        opt.step()
        d_loss = H.hal_discriminator_loss(discs, et, [e.detach() for e in es])
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
    return step


def main():
    args = contract.parse(__file__, METHODS, PHASES, VARIANTS)
    shape = H.MOSI
    dev = torch.device(args.device)
    xs = {m: torch.randn(args.batch, shape['T'], shape['dims'][i], device=dev) for i, m in enumerate(H.MODS)}
    y = torch.rand(args.batch, 1, device=dev) * 6 - 3
    last_only = args.variant in ('last-only', 'cached-teacher')
    if args.phase == 'teacher':
        step = teacher_step(xs, y, shape, last_only, dev)
    else:
        step = student_step(xs, y, shape, last_only, dev, cached=args.variant == 'cached-teacher')
    contract.report(args, VARIANTS, step)


if __name__ == '__main__':
    main()
