"""The command-line contract every transcription in this folder follows (README.md here): its
arguments, the timing of one training step, and the JSON it prints. A script supplies, per phase,
a function that builds the model and returns one step."""
import argparse
import json
import os
import statistics
import sys
import time

import torch


def phase_variants(variants, phase):
    """The variants offered for `phase`: `variants` is one tuple for every phase, or a dict phase -> tuple."""
    return tuple(variants.get(phase, ())) if isinstance(variants, dict) else tuple(variants)


def parse(script, methods, phases, variants=()):
    """The contract's arguments; exits 3 with {"error": ...} for what `script` does not transcribe."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--method', default=methods[0])
    ap.add_argument('--phase', default=phases[-1])
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: PyTorch default)')
    ap.add_argument('--variant', default=None)
    ap.add_argument('--device', default='cpu', help='cpu, cuda, or cuda-if-available (the GPU reference for tfjs-webgpu)')
    args = ap.parse_args()
    if args.device == 'cuda-if-available':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    offered_variants = phase_variants(variants, args.phase)
    if args.method not in methods or args.phase not in phases or (args.variant and args.variant not in offered_variants):
        offered = f'{", ".join(methods)} phases {", ".join(phases)}' + (f' (variants {", ".join(offered_variants)})' if offered_variants else '')
        asked = ' '.join(x for x in (args.method, args.phase, args.variant) if x)
        print(json.dumps({'error': f'{os.path.basename(script)} transcribes {offered}, not {asked}'}))
        sys.exit(3)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    return args


def report(args, variants, step):
    """Times `step` (a training step, no arguments) after warm-up and prints the contract's JSON
    (`variants` as parse's). On CUDA each timed step ends with a synchronisation, so it is the
    step's whole GPU time."""
    sync = torch.cuda.synchronize if args.device.startswith('cuda') else (lambda: None)
    for _ in range(args.warmup):
        step()
    sync()
    times, cpu_times = [], []
    for _ in range(args.steps):
        c0, t0 = time.process_time(), time.perf_counter()
        step()
        sync()
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        'method': args.method, 'phase': args.phase, 'variant': args.variant, 'variants': list(phase_variants(variants, args.phase)),
        'framework': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'device': args.device, 'batch': args.batch,
        'steps': args.steps, 'median_ms_per_step': statistics.median(times),
        'median_cpu_ms_per_step': statistics.median(cpu_times), 'mean_ms': statistics.mean(times),
        'min_ms': min(times), 'min_cpu_ms': min(cpu_times),
    }))


def run(script, methods, phases, bench_step):
    """parse + report for a transcription with one phase-independent step and no variants:
    `bench_step(batch)` builds the model and inputs once and returns the step to time."""
    args = parse(script, methods, phases)
    report(args, (), bench_step(args.batch))
