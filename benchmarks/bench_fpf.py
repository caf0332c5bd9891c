"""Parameter counts and CPU forward time of the FPF (Swin and ViT) for one onset/apex pair.

    .venv/bin/python benchmarks/bench_fpf.py [--size 224] [--repeats 5] [--threads N]

Prints one line per architecture: parameters, median / min forward time (batch 1, torch.no_grad, eval mode).
"""
import argparse, statistics, time
import torch
from facesleuth.fpf import FPF


def bench(arch, size, repeats, **kw):
    m = FPF(size, arch=arch, seed=0, **kw).eval()
    on, ap = torch.randn(1, 3, size, size), torch.randn(1, 3, size, size)
    with torch.no_grad():
        m(on, ap)  # warm-up
        ts = []
        for _ in range(repeats):
            t = time.perf_counter(); m(on, ap); ts.append(time.perf_counter() - t)
    return m.n_params(), statistics.median(ts), min(ts)


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, input {a.size}x{a.size}, batch 1 pair")
    for arch, kw in (('swin', {}), ('vit', {}), ('vit', {'depth': 7})):
        n, med, mn = bench(arch, a.size, a.repeats, **kw)
        name = arch + (f" depth={kw['depth']}" if kw else '')
        print(f"{name:12s} params {n/1e6:7.3f} M   forward median {med*1e3:8.1f} ms   min {mn*1e3:8.1f} ms")
