"""Time one training step (forward + backward + AdamW step) of full FaceSleuth variants on this machine.

    .venv/bin/python benchmarks/bench_train_step.py                      # batch 16, 224x224, CVA + SOA, released head
    .venv/bin/python benchmarks/bench_train_step.py --size 64 --models facesleuth_cva --heads compact

Prints a table (median of --repeats steps after one warm-up step) and the process's peak resident memory.
A benchmark, not a test: numbers depend on the machine (the issue's reference: 2-core CPU).
"""
import argparse, resource, statistics, time
import torch
from facesleuth.core import seed_everything, pick_device
from facesleuth.model import create_model


def step_time(name, size, batch, head, repeats, device):
    seed_everything(0)
    m = create_model(name, img_size=size, num_classes=5, head=head).to(device).train()
    opt = torch.optim.AdamW(m.parameters(), lr=8e-4, weight_decay=0.6)
    g = torch.Generator().manual_seed(0)
    on = torch.randn(batch, 3, size, size, generator=g).to(device)
    ap = (on.cpu() + 0.05 * torch.randn(batch, 3, size, size, generator=g)).to(device)
    au = (torch.rand(batch, 21, generator=g) > 0.8).float().to(device)
    y = torch.randint(0, 5, (batch,), generator=g).to(device)
    times = []
    for i in range(repeats + 1):
        if device.type == 'cuda': torch.cuda.synchronize()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(m(on, ap, au), y)
        loss.backward(); opt.step()
        if device.type == 'cuda': torch.cuda.synchronize()
        if i: times.append(time.perf_counter() - t0)
    return statistics.median(times), sum(p.numel() for p in m.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', default='facesleuth_cva,facesleuth_soa_shared,facesleuth_soa_independent')
    ap.add_argument('--heads', default='released')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--device', default=None, help="cpu or cuda (default: automatic)")
    a = ap.parse_args()
    device = pick_device(a.device)
    print(f"device={device} threads={torch.get_num_threads()} batch={a.batch} size={a.size}x{a.size}")
    print(f"{'model':32s} {'head':9s} {'params':>12s} {'step_s':>8s}")
    for name in a.models.split(','):
        for head in a.heads.split(','):
            t, n = step_time(name, a.size, a.batch, head, a.repeats, device)
            print(f"{name:32s} {head:9s} {n:12,d} {t:8.2f}", flush=True)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == '__main__':
    main()
