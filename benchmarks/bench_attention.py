"""Time one attention layer, forward + backward: CVA (`AxisAttention('vertical')`) vs SOA (soft, rotate, paper).

    .venv/bin/python benchmarks/bench_attention.py                  # batch 16; 128x56x56 and 512x14x14
    .venv/bin/python benchmarks/bench_attention.py --batch 4 --repeats 3 --impls soft,rotate

The shapes are the first and last attention stages of the motion encoder at 224x224 input. The loss is
`(x * map).square().mean()`, so the backward pass goes through the input, the bottleneck and theta.
Prints the median over --repeats runs after one warm-up run. A benchmark, not a test: the numbers depend
on the machine (the project's reference is a 2-core CPU).
"""
import argparse, statistics, time
import torch
from facesleuth.core import seed_everything, pick_device
from facesleuth.cva import AxisAttention
from facesleuth.soa import SOA, Theta

SHAPES = ((128, 56, 56), (512, 14, 14))


def build(kind: str, c: int, theta_deg: float) -> torch.nn.Module:
    if kind == 'cva': return AxisAttention(c, 'vertical')
    return SOA(c, Theta(theta_deg), impl=kind)


def time_layer(kind, c, h, w, batch, repeats, theta_deg, device):
    seed_everything(0)
    m = build(kind, c, theta_deg).to(device).train()
    x = torch.randn(batch, c, h, w, device=device, requires_grad=True)
    times = []
    for i in range(repeats + 1):
        if device.type == 'cuda': torch.cuda.synchronize()
        t0 = time.perf_counter()
        m.zero_grad(set_to_none=True); x.grad = None
        (x * m(x)).square().mean().backward()
        if device.type == 'cuda': torch.cuda.synchronize()
        if i: times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--theta', type=float, default=37.0, help='SOA angle in degrees (an oblique one by default)')
    ap.add_argument('--impls', default='cva,soft,rotate,paper', help='comma list of cva, soft, rotate, paper')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    kinds = [k.strip() for k in args.impls.split(',') if k.strip()]
    print(f"device {device}, torch threads {torch.get_num_threads()}, batch {args.batch}, theta {args.theta} deg, "
          f"median of {args.repeats} (forward + backward, ms)")
    print(f"{'layer':10s}" + ''.join(f"{s[0]}x{s[1]}x{s[2]}".rjust(16) for s in SHAPES) + '   ratio to CVA')
    base = {}
    for k in kinds:
        row = [time_layer(k, c, h, w, args.batch, args.repeats, args.theta, device) * 1e3 for c, h, w in SHAPES]
        if k == 'cva': base = dict(zip(SHAPES, row))
        ratio = '  '.join(f"{r / base[s]:.1f}x" for r, s in zip(row, SHAPES)) if base else ''
        print(f"{k:10s}" + ''.join(f"{r:16.1f}" for r in row) + '   ' + ratio)


if __name__ == '__main__':
    main()
