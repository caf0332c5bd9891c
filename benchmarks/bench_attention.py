"""Time one attention layer, forward + backward: CVA (`AxisAttention('vertical')`) vs SOA (soft, rotate, paper).

    .venv/bin/python benchmarks/bench_attention.py                  # batch 16; 128x56x56 and 512x14x14
    .venv/bin/python benchmarks/bench_attention.py --batch 4 --repeats 3 --impls soft,rotate --threads 1

The shapes are the first and last attention stages of the motion encoder at 224x224 input. The loss is
`(x * map).square().mean()`, so the backward pass goes through the input, the bottleneck and theta.
"layer only" times the layer alone: `m(x).backward(g)` with a fixed upstream gradient `g`, no loss.
"pass" is one memory pass over the map for reference: `x.sum()` plus `x * y`.
--steady-malloc keeps glibc from handing the large freed blocks back to the OS (mallopt), so the timings measure
the arithmetic, not the page faults of fresh ~25 MB allocations, which otherwise dominate and vary from run to run.
The kinds are timed in turn within each repeat (so a busy machine slows them alike); the table gives the
median over --repeats after one warm-up round. A benchmark, not a test: the numbers depend on the machine
(the project's reference is a 2-core CPU).
"""
import argparse, ctypes, statistics, time
import torch
from facesleuth.core import seed_everything, pick_device
from facesleuth.cva import AxisAttention
from facesleuth.soa import SOA, Theta

SHAPES = ((128, 56, 56), (512, 14, 14))


def build(kind: str, c: int, theta_deg: float) -> torch.nn.Module:
    if kind == 'cva': return AxisAttention(c, 'vertical')
    return SOA(c, Theta(theta_deg), impl=kind)


def _sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def time_shape(kinds, c, h, w, batch, repeats, theta_deg, device):
    "Median ms per job: `<kind>` (with the loss), `<kind> layer` (layer only) and `pass`."
    seed_everything(0)
    x = torch.randn(batch, c, h, w, device=device, requires_grad=True)
    y = torch.randn(batch, c, h, w, device=device)
    jobs = {}
    for k in kinds:
        m = build(k, c, theta_deg).to(device).train()
        g = torch.randn_like(m(x)).detach()
        def step(m=m):
            m.zero_grad(set_to_none=True); x.grad = None
            (x * m(x)).square().mean().backward()
        def layer(m=m, g=g):
            m.zero_grad(set_to_none=True); x.grad = None
            m(x).backward(g)
        jobs[k], jobs[k + ' layer'] = step, layer
    xd = x.detach()
    jobs['pass'] = lambda: (xd.sum(), xd * y)
    times = {j: [] for j in jobs}
    for i in range(repeats + 1):
        for j, fn in jobs.items():
            _sync(device); t0 = time.perf_counter(); fn(); _sync(device)
            if i: times[j].append((time.perf_counter() - t0) * 1e3)
    return {j: statistics.median(v) for j, v in times.items()}


def steady_malloc():
    "glibc: serve large blocks from the heap and never trim it (M_MMAP_THRESHOLD = -3, M_TRIM_THRESHOLD = -1)."
    libc = ctypes.CDLL('libc.so.6')
    return bool(libc.mallopt(-3, 1 << 30)) and bool(libc.mallopt(-1, 1 << 31 - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--theta', type=float, default=37.0, help='SOA angle in degrees (an oblique one by default)')
    ap.add_argument('--impls', default='soft,rotate,paper', help='comma list of SOA impls: soft, rotate, paper (CVA is always timed)')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
    ap.add_argument('--steady-malloc', action='store_true', help='no page-fault churn from freed large blocks (glibc only)')
    args = ap.parse_args()
    if args.steady_malloc and not steady_malloc(): print('mallopt failed: timings include page faults')
    if args.threads: torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    kinds = ['cva'] + [k.strip() for k in args.impls.split(',') if k.strip() and k.strip() != 'cva']
    print(f"device {device}, torch threads {torch.get_num_threads()}, batch {args.batch}, theta {args.theta} deg, "
          f"median of {args.repeats} (forward + backward, ms){', steady malloc' if args.steady_malloc else ''}")
    res = {s: time_shape(kinds, *s, args.batch, args.repeats, args.theta, device) for s in SHAPES}
    hdr = f"{'shape':12s}{'':8s}" + ''.join(f"{k:>9s}" for k in kinds) + ''.join(f"{k + '/cva':>11s}" for k in kinds[1:]) \
          + f"{'pass':>8s}{'cva/pass':>10s}"
    print(hdr)
    for s, t in res.items():
        for suffix, label in (('', 'loss'), (' layer', 'layer only')):
            row = [t[k + suffix] for k in kinds]
            print(f"{'x'.join(map(str, s)):12s}{label:>8s}" + ''.join(f"{v:9.1f}" for v in row)
                  + ''.join(f"{v / row[0]:10.2f}x" for v in row[1:]) + f"{t['pass']:8.2f}{row[0] / t['pass']:9.1f}x")


if __name__ == '__main__':
    main()
